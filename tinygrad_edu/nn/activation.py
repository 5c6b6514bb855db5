"""Activation modules: thin wrappers around the Tensor methods, for `Sequential`."""

from __future__ import annotations

from typing import Any

from tinygrad_edu.nn.functional import _as_tensor
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class Sigmoid(Module):
    r"""Apply :math:`\sigma(z) = 1 / (1 + e^{-z})` element-wise; :math:`\sigma' = \sigma (1 - \sigma) \le 1/4`."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).sigmoid()


class ReLU(Module):
    r"""Apply :math:`\max(0, z)` element-wise; the derivative is 1 for z > 0, else 0."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).relu()


class Tanh(Module):
    r"""Apply :math:`\tanh z` element-wise; the derivative is :math:`1 - \tanh^2 z`."""

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).tanh()


class LeakyReLU(Module):
    r"""Apply z for z > 0 and ``negative_slope * z`` otherwise, element-wise.

    Args:
        negative_slope: the slope for z <= 0 (PyTorch's default 0.01).
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Identity(Module):
    """Return the input unchanged (a placeholder layer, e.g. for a logits output)."""

    def forward(self, x: Any) -> Any:
        return x


class Softmax(Module):
    r"""Apply :math:`e^{z_i} / \sum_j e^{z_j}` along ``axis``."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).softmax(self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Module):
    r"""Apply :math:`z_i - \log \sum_j e^{z_j}` along ``axis``."""

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Tensor:
        return _as_tensor(x).log_softmax(self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"
