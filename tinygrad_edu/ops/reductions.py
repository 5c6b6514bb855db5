r"""Reductions over axes: sum, mean, max, min, and softmax and log-softmax along an axis."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.tensor import Op


def _normalize_axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """Return `axis` (None, an int or a sequence of ints) as sorted non-negative axes.

    A 0-d tensor accepts axis 0 or -1 and reduces nothing, as in PyTorch.
    """
    if axis is None:
        return tuple(range(ndim))
    if not isinstance(axis, (tuple, list)):
        axis = (axis,)
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    axes = []
    for a in axis:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {a!r}")
        if not low <= a <= high:
            raise ValueError(
                f"{op}: axis {a} is out of range for a tensor with {ndim} dimensions; "
                f"pass an axis from {low} to {high}"
            )
        if ndim > 0:
            axes.append(int(a) % ndim)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{op}: axis {tuple(axis)} repeats an axis; list each axis once")
    return tuple(sorted(axes))


def _expand_reduced(grad: np.ndarray, axes: tuple[int, ...], keepdims: bool, shape: tuple[int, ...]) -> np.ndarray:
    """Broadcast the gradient of a reduction back over the reduced axes."""
    if not keepdims:
        grad = np.expand_dims(grad, axes)
    return np.broadcast_to(grad, shape)


class Sum(Op):
    r"""$\sum_i a_i$ over `axis`; each input element gets the output's gradient."""

    __slots__ = ("shape", "axes", "keepdims")

    def forward(self, a, axis, keepdims):
        self.shape, self.keepdims = a.shape, keepdims
        self.axes = _normalize_axes(axis, a.ndim, self.name)
        return np.sum(a, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        return (_expand_reduced(grad, self.axes, self.keepdims, self.shape),)


class Mean(Op):
    r"""$\frac1n \sum_i a_i$ over `axis`; each input element gets $1/n$ of the output's gradient."""

    __slots__ = ("shape", "axes", "keepdims", "count")

    def forward(self, a, axis, keepdims):
        self.shape, self.keepdims = a.shape, keepdims
        self.axes = _normalize_axes(axis, a.ndim, self.name)
        self.count = int(np.prod([a.shape[i] for i in self.axes]))
        return np.mean(a, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        # With count 0 the input is empty, so its gradient is empty whatever the divisor.
        return (_expand_reduced(grad / max(self.count, 1), self.axes, self.keepdims, self.shape),)


class Max(Op):
    r"""Maximum over `axis`.

    The gradient goes to the elements equal to the maximum. Ties share it evenly, as
    PyTorch's `amax` does, so the input gradient sums to the output's.
    """

    __slots__ = ("a", "out", "axes", "keepdims")

    def reduce(self, a, axes, keepdims):
        return np.max(a, axis=axes, keepdims=keepdims)

    def forward(self, a, axis, keepdims):
        self.axes = _normalize_axes(axis, a.ndim, self.name)
        if any(a.shape[i] == 0 for i in self.axes):
            raise ValueError(
                f"{self.name}: cannot reduce axes {self.axes} of shape {a.shape}, because an axis "
                "of size 0 has no elements to take the extreme of; reduce over non-empty axes only"
            )
        self.a, self.keepdims = a, keepdims
        self.out = self.reduce(a, self.axes, keepdims)
        return self.out

    def backward(self, grad):
        out = self.out if self.keepdims else np.expand_dims(self.out, self.axes)
        # In the input's dtype, so a float32 gradient stays float32.
        mask = (self.a == out).astype(self.a.dtype)
        share = mask / mask.sum(axis=self.axes, keepdims=True)
        return (_expand_reduced(grad, self.axes, self.keepdims, self.a.shape) * share,)


class Min(Max):
    r"""Minimum over `axis`; ties share the gradient evenly, as PyTorch's `amin`."""

    __slots__ = ()

    def reduce(self, a, axes, keepdims):
        return np.min(a, axis=axes, keepdims=keepdims)


def _single_axis(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """Check that `axis` is one int in range; return it as a tuple for numpy's reductions."""
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be a single int, got {axis!r}")
    # The max's `initial=-inf` in the callers lets an empty axis give an empty result.
    return _normalize_axes(axis, ndim, op)


class Softmax(Op):
    r"""$s_i = e^{a_i} / \sum_j e^{a_j}$ along `axis`; backward $s \odot (G - \sum_j G_j s_j)$."""

    __slots__ = ("out", "axis")

    def forward(self, a, axis):
        self.axis = _single_axis(axis, a.ndim, self.name)
        shifted = np.exp(a - np.max(a, axis=self.axis, keepdims=True, initial=-np.inf))
        self.out = shifted / shifted.sum(axis=self.axis, keepdims=True)
        return self.out

    def backward(self, grad):
        s = self.out
        return (s * (grad - (grad * s).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Op):
    r"""$a_i - \ln \sum_j e^{a_j}$ along `axis`; backward $G - \mathrm{softmax}(a) \sum_j G_j$."""

    __slots__ = ("out", "axis")

    def forward(self, a, axis):
        self.axis = _single_axis(axis, a.ndim, self.name)
        shifted = a - np.max(a, axis=self.axis, keepdims=True, initial=-np.inf)
        # An empty axis sums to 0; its log is never used, because the result is empty.
        with np.errstate(divide="ignore"):
            self.out = shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))
        return self.out

    def backward(self, grad):
        return (grad - np.exp(self.out) * grad.sum(axis=self.axis, keepdims=True),)
