r"""Activation functions: sigmoid, tanh, ReLU, leaky ReLU, softplus, log-sigmoid and GELU."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.tensor import Op


def _stable_sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number never overflows. sigma(z) is 1/(1+e^-z) for z >= 0
    # and e^z/(1+e^z) for z < 0, so both are exp(min(z, 0)) / (1 + exp(-|z|)).
    # A second exp costs less than choosing the numerator with np.where, and both
    # exps see the exact z, so the values are the same.
    return np.exp(np.minimum(z, 0)) / (1 + np.exp(-np.abs(z)))


class Sigmoid(Op):
    r"""$\sigma(z) = 1/(1+e^{-z})$; derivative $\sigma(z)(1-\sigma(z))$. Stable for any |z|."""

    __slots__ = ("out",)

    def forward(self, z):
        self.out = _stable_sigmoid(z)
        return self.out

    def backward(self, grad):
        out = self.out
        return (grad * out * (1 - out),)


class Tanh(Op):
    r"""$\tanh z$; derivative $1 - \tanh^2 z$."""

    __slots__ = ("out",)

    def forward(self, z):
        self.out = np.tanh(z)
        return self.out

    def backward(self, grad):
        return (grad * (1 - self.out * self.out),)


class ReLU(Op):
    r"""$\max(0, z)$; derivative 1 for z > 0, else 0 (0 at z = 0, as in PyTorch)."""

    __slots__ = ("positive",)

    def forward(self, z):
        self.positive = z > 0
        # maximum, not z * (z > 0): that would turn -inf into NaN (-inf * 0).
        return np.maximum(z, 0)

    def backward(self, grad):
        return (grad * self.positive,)


class LeakyReLU(Op):
    r"""$z$ for z > 0, else $s z$; derivative 1 or $s$ (s at z = 0, as in PyTorch)."""

    __slots__ = ("slope",)

    def forward(self, z, negative_slope):
        self.slope = np.where(z > 0, 1, negative_slope).astype(z.dtype)
        return z * self.slope

    def backward(self, grad):
        return (grad * self.slope,)


class Softplus(Op):
    r"""$\ln(1 + e^z)$; derivative $\sigma(z)$. Computed with logaddexp, so no overflow."""

    __slots__ = ("z",)

    def forward(self, z):
        self.z = z
        return np.logaddexp(0, z).astype(z.dtype, copy=False)

    def backward(self, grad):
        return (grad * _stable_sigmoid(self.z),)


class LogSigmoid(Op):
    r"""$\ln \sigma(z) = -\ln(1 + e^{-z})$; derivative $1 - \sigma(z) = \sigma(-z)$."""

    __slots__ = ("z",)

    def forward(self, z):
        self.z = z
        return -np.logaddexp(0, -z).astype(z.dtype, copy=False)

    def backward(self, grad):
        return (grad * _stable_sigmoid(-self.z),)


class GELU(Op):
    r"""GELU with the tanh approximation, as PyTorch's `gelu(approximate="tanh")`.

    $\tfrac12 z (1 + \tanh u)$ with $u = \sqrt{2/\pi}(z + 0.044715 z^3)$;
    derivative $\tfrac12(1 + \tanh u) + \tfrac12 z (1 - \tanh^2 u)\sqrt{2/\pi}(1 + 3 \cdot 0.044715 z^2)$.
    """

    __slots__ = ("z", "tanh_u")

    # A Python float, because a numpy float64 scalar would promote float32 inputs to float64.
    _C = float(np.sqrt(2 / np.pi))

    def forward(self, z):
        self.z = z
        self.tanh_u = np.tanh(self._C * (z + 0.044715 * z**3))
        return 0.5 * z * (1 + self.tanh_u)

    def backward(self, grad):
        z, t = self.z, self.tanh_u
        du = self._C * (1 + 3 * 0.044715 * z * z)
        return (grad * (0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du),)
