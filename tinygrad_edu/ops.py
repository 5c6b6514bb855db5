r"""Differentiable operations, each with its forward and its backward side by side.

Every op subclasses `Op`: `forward` computes the result from numpy arrays and saves
what backward reads; `backward(grad)` receives dL/d(output) and returns dL/d(input)
for each input in input order, reduced to the input's shape.

Functions at the end (`linear`, `concatenate`, `stack`, `where`, the losses) are the
public entry points for ops that are not Tensor methods.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from tinygrad_edu.tensor import Op, Tensor, _as_operand, unbroadcast


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


def _broadcast_error(op: str, a: np.ndarray, b: np.ndarray) -> ValueError:
    return ValueError(
        f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together; numpy's rule "
        "compares dimensions from the right and each pair must be equal or contain a 1. "
        "Reshape one operand (e.g. y.reshape(-1, 1)) so the shapes line up"
    )


class _Binary(Op):
    """Base for element-wise ops of two inputs with numpy broadcasting."""

    __slots__ = ("a", "b")

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        try:
            return self.compute(a, b)
        except ValueError as error:
            try:
                np.broadcast_shapes(a.shape, b.shape)
            except ValueError:
                raise _broadcast_error(self.name, a, b) from error
            # The shapes fit, so numpy rejected the values (e.g. an integer to a negative power).
            raise ValueError(f"{self.name}: {error}") from error

    def compute(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        raise NotImplementedError


# ---- arithmetic -------------------------------------------------------------------------


class Add(_Binary):
    r"""$a + b$; $\partial/\partial a = 1$, $\partial/\partial b = 1$."""

    __slots__ = ()

    def compute(self, a, b):
        return a + b

    def backward(self, grad):
        return unbroadcast(grad, self.a.shape), unbroadcast(grad, self.b.shape)


class Sub(_Binary):
    r"""$a - b$; $\partial/\partial a = 1$, $\partial/\partial b = -1$."""

    __slots__ = ()

    def compute(self, a, b):
        return a - b

    def backward(self, grad):
        grad_b = unbroadcast(-grad, self.b.shape) if self.needs_grad[1] else None
        return unbroadcast(grad, self.a.shape), grad_b


class Mul(_Binary):
    r"""$a b$; $\partial/\partial a = b$, $\partial/\partial b = a$."""

    __slots__ = ()

    def compute(self, a, b):
        return a * b

    def backward(self, grad):
        grad_a = unbroadcast(grad * self.b, self.a.shape) if self.needs_grad[0] else None
        grad_b = unbroadcast(grad * self.a, self.b.shape) if self.needs_grad[1] else None
        return grad_a, grad_b


class Div(_Binary):
    r"""$a / b$; $\partial/\partial a = 1/b$, $\partial/\partial b = -a/b^2$."""

    __slots__ = ()

    def compute(self, a, b):
        return a / b

    def backward(self, grad):
        grad_a = unbroadcast(grad / self.b, self.a.shape) if self.needs_grad[0] else None
        grad_b = unbroadcast(-grad * self.a / (self.b * self.b), self.b.shape) if self.needs_grad[1] else None
        return grad_a, grad_b


class Pow(_Binary):
    r"""$a^b$; $\partial/\partial a = b a^{b-1}$, $\partial/\partial b = a^b \ln a$.

    As in PyTorch, the exponent's gradient is 0 where a = 0 and b >= 0, although
    ln 0 is undefined there, and NaN where a < 0.
    """

    __slots__ = ("out",)

    def compute(self, a, b):
        self.out = a**b
        return self.out

    def backward(self, grad):
        a, b = self.a, self.b
        grad_a = grad_b = None
        if self.needs_grad[0]:
            # b a^(b-1) is inf at a = 0 for b < 1, as in PyTorch; where b = 0 the
            # derivative is 0, also at a = 0 where the formula would give 0 * inf.
            with np.errstate(divide="ignore", invalid="ignore"):
                partial = np.where(b == 0, 0, b * a ** (b - 1))
            grad_a = unbroadcast(grad * partial, a.shape)
        if self.needs_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                partial = np.where((a == 0) & (b >= 0), 0.0, self.out * np.log(a))
            grad_b = unbroadcast(grad * partial, b.shape).astype(b.dtype, copy=False)
        return grad_a, grad_b


class Neg(Op):
    r"""$-a$; derivative $-1$."""

    __slots__ = ()

    def forward(self, a):
        return -a

    def backward(self, grad):
        return (-grad,)


class Cast(Op):
    """Conversion to another dtype; the gradient is cast back to the input's dtype."""

    __slots__ = ("input_dtype",)

    def forward(self, a, dtype):
        if dtype.kind != "f":
            raise TypeError(f"astype: a differentiable cast needs a floating-point dtype, got {dtype}")
        self.input_dtype = a.dtype
        return a.astype(dtype)

    def backward(self, grad):
        return (grad.astype(self.input_dtype),)


class MatMul(Op):
    r"""Matrix product $a b$ with numpy's rules for 1-D, 2-D and batched operands.

    For 2-D operands, $\partial L/\partial a = G b^T$ and $\partial L/\partial b = a^T G$.
    A 1-D operand is treated as a row (left) or a column (right) vector, and
    batch dimensions broadcast, their gradients summed back.
    """

    __slots__ = ("a", "b")

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"MatMul: both operands need at least one dimension, got shapes {a.shape} and {b.shape}; "
                "use * for multiplication by a scalar"
            )
        inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if a.shape[-1] != inner_b:
            raise ValueError(
                f"MatMul: shapes {a.shape} and {b.shape} are not aligned: the last axis of the left "
                f"operand ({a.shape[-1]}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} "
                f"axis of the right operand ({inner_b}); transpose or reshape one operand (e.g. W.T)"
            )
        self.a, self.b = a, b
        try:
            return a @ b
        except ValueError as error:
            raise ValueError(
                f"MatMul: batch dimensions of {a.shape} and {b.shape} cannot be broadcast together"
            ) from error

    def backward(self, grad):
        a, b = self.a, self.b
        if a.ndim == 1 and b.ndim == 1:
            # A dot product: the output is 0-d, so the matrix formulas below do not apply.
            grad_a = grad * b if self.needs_grad[0] else None
            grad_b = grad * a if self.needs_grad[1] else None
            return grad_a, grad_b
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        grad2 = grad
        if a.ndim == 1:
            grad2 = np.expand_dims(grad2, -2)
        if b.ndim == 1:
            grad2 = np.expand_dims(grad2, -1)

        grad_a = grad_b = None
        if self.needs_grad[0]:
            grad_a = grad2 @ np.swapaxes(b2, -1, -2)
            if a.ndim == 1:
                grad_a = grad_a[..., 0, :]
            grad_a = unbroadcast(grad_a, a.shape)
        if self.needs_grad[1]:
            grad_b = np.swapaxes(a2, -1, -2) @ grad2
            if b.ndim == 1:
                grad_b = grad_b[..., :, 0]
            grad_b = unbroadcast(grad_b, b.shape)
        return grad_a, grad_b


# ---- element-wise functions -------------------------------------------------------------


class Exp(Op):
    r"""$e^a$; derivative $e^a$."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.exp(a)
        return self.out

    def backward(self, grad):
        return (grad * self.out,)


class Log(Op):
    r"""$\ln a$; derivative $1/a$."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.log(a)

    def backward(self, grad):
        # At a = 0 the derivative is inf, as in PyTorch; detect_anomaly reports it.
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / self.a,)


class Sqrt(Op):
    r"""$\sqrt{a}$; derivative $1/(2\sqrt{a})$ (infinite at 0, as in PyTorch)."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.sqrt(a)
        return self.out

    def backward(self, grad):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (grad / (2 * self.out),)


class Square(Op):
    r"""$a^2$; derivative $2a$."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return a * a

    def backward(self, grad):
        return (grad * 2 * self.a,)


class Abs(Op):
    r"""$|a|$; derivative $\mathrm{sign}(a)$, taken as 0 at a = 0 as in PyTorch."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return np.abs(a)

    def backward(self, grad):
        return (grad * np.sign(self.a),)


class Clip(Op):
    r"""$\min(\max(a, lo), hi)$; derivative 1 where $lo \le a \le hi$, else 0 (PyTorch's clamp)."""

    __slots__ = ("inside",)

    def forward(self, a, lo, hi):
        if lo is None and hi is None:
            raise ValueError("clip: lo and hi are both None; pass at least one bound")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip: lo={lo} is greater than hi={hi}; pass lo <= hi")
        inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            inside &= a >= lo
        if hi is not None:
            inside &= a <= hi
        self.inside = inside
        out = np.clip(a, lo, hi)
        # A numpy float64 bound would promote a float32 input; the result keeps a's dtype.
        return out.astype(a.dtype, copy=False) if a.dtype.kind == "f" else out

    def backward(self, grad):
        return (grad * self.inside,)


# ---- activations ------------------------------------------------------------------------


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


# ---- reductions -------------------------------------------------------------------------


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

    The gradient goes to the elements equal to the maximum; ties share it evenly,
    as PyTorch's `amax` does (so $\sum$ of the input gradient equals the output's).
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


# ---- shape ------------------------------------------------------------------------------


class Reshape(Op):
    """The same elements in a new shape; the gradient is reshaped back."""

    __slots__ = ("shape",)

    def forward(self, a, shape):
        self.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError as error:
            raise ValueError(
                f"Reshape: cannot reshape a tensor of shape {a.shape} ({a.size} elements) into {tuple(shape)}; "
                "the number of elements must stay the same (use -1 for one inferred dimension)"
            ) from error

    def backward(self, grad):
        return (grad.reshape(self.shape),)


class Transpose(Op):
    """Axes permuted (reversed when `axes` is None); the gradient is permuted back."""

    __slots__ = ("inverse",)

    def forward(self, a, axes):
        if axes is None:
            axes = tuple(reversed(range(a.ndim)))
        normalized = [int(x) + a.ndim if int(x) < 0 else int(x) for x in axes]
        if sorted(normalized) != list(range(a.ndim)):
            raise ValueError(
                f"Transpose: axes {tuple(axes)} are not a permutation of the {a.ndim} axes of shape {a.shape}; "
                f"pass each of 0..{a.ndim - 1} once (negative axes count from the end)"
            )
        self.inverse = tuple(int(i) for i in np.argsort(normalized))
        return np.transpose(a, normalized)

    def backward(self, grad):
        return (np.transpose(grad, self.inverse),)


class Expand(Op):
    """Broadcast to a larger shape (numpy's broadcast_to); the backward is a sum.

    As in PyTorch, -1 in `shape` keeps the size of the matching existing axis.
    """

    __slots__ = ("shape",)

    def forward(self, a, shape):
        self.shape = a.shape
        offset = len(shape) - a.ndim
        shape = tuple(
            a.shape[i - offset] if size == -1 and 0 <= i - offset < a.ndim else size for i, size in enumerate(shape)
        )
        try:
            return np.broadcast_to(a, shape)
        except ValueError as error:
            raise ValueError(
                f"Expand: cannot broadcast shape {a.shape} to {tuple(shape)}; only size-1 or missing "
                "leading dimensions can be expanded"
            ) from error

    def backward(self, grad):
        return (unbroadcast(grad, self.shape),)


def _index_key(key: Any) -> Any:
    """Replace tensors inside an index by their arrays."""
    if isinstance(key, Tensor):
        return key.data
    if isinstance(key, tuple):
        return tuple(k.data if isinstance(k, Tensor) else k for k in key)
    return key


def _is_basic_index(key: Any) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return all(isinstance(k, (int, np.integer, slice)) or k is None or k is Ellipsis for k in parts)


class Index(Op):
    """Indexing and slicing with numpy's rules (integers, slices, masks, integer arrays).

    The backward scatters the gradient into zeros of the input's shape; with an
    integer array that repeats an index, the repeated gradients add up.
    """

    __slots__ = ("shape", "dtype", "key")

    def forward(self, a, key):
        self.key = _index_key(key)
        self.shape, self.dtype = a.shape, a.dtype
        try:
            return a[self.key]
        except IndexError as error:
            raise IndexError(f"Index: {error} (tensor shape {a.shape}, index {key!r})") from error

    def backward(self, grad):
        full = np.zeros(self.shape, dtype=self.dtype)
        if _is_basic_index(self.key):
            # A basic index addresses each element at most once, so plain assignment is enough.
            full[self.key] = grad
        else:
            np.add.at(full, self.key, grad)
        return (full,)


class Concatenate(Op):
    """Tensors joined along `axis`; the gradient is split back at the same boundaries."""

    __slots__ = ("axis", "bounds", "dtypes")

    def forward(self, *arrays, axis):
        if not arrays:
            raise ValueError("concatenate: got no tensors; pass a list of at least one tensor")
        shapes = [a.shape for a in arrays]
        if any(a.ndim == 0 for a in arrays):
            raise ValueError(
                f"concatenate: 0-d tensors have no axis to join along, got shapes {shapes}; "
                "use stack, or reshape them to (1,)"
            )
        ndim = arrays[0].ndim
        if not -ndim <= axis < ndim:
            raise ValueError(
                f"concatenate: axis {axis} is out of range for tensors with {ndim} dimensions "
                f"(shapes {shapes}); pass an axis from {-ndim} to {ndim - 1}"
            )
        self.dtypes = [a.dtype for a in arrays]
        try:
            out = np.concatenate(arrays, axis=axis)
        except ValueError as error:
            raise ValueError(
                f"concatenate: shapes {[a.shape for a in arrays]} do not match outside axis {axis}; "
                "all dimensions except the concatenation axis must be equal"
            ) from error
        self.axis = axis % out.ndim
        self.bounds = np.cumsum([a.shape[self.axis] for a in arrays])[:-1]
        return out

    def backward(self, grad):
        pieces = np.split(grad, self.bounds, axis=self.axis)
        # numpy promotes mixed dtypes; each input gets its gradient in its own dtype.
        return tuple(piece.astype(dtype, copy=False) for piece, dtype in zip(pieces, self.dtypes))


class Stack(Op):
    """Tensors of equal shape stacked along a new `axis`; the gradient is unstacked."""

    __slots__ = ("axis", "dtypes")

    def forward(self, *arrays, axis):
        if not arrays:
            raise ValueError("stack: got no tensors; pass a list of at least one tensor")
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise ValueError(
                f"stack: all tensors need the same shape, got {[a.shape for a in arrays]}; "
                "reshape or pad them to one shape, or use concatenate to join along an existing axis"
            )
        ndim = arrays[0].ndim + 1
        if not -ndim <= axis < ndim:
            raise ValueError(
                f"stack: axis {axis} is out of range for the stacked result with {ndim} dimensions; "
                f"pass an axis from {-ndim} to {ndim - 1}"
            )
        self.dtypes = [a.dtype for a in arrays]
        out = np.stack(arrays, axis=axis)
        self.axis = axis % out.ndim
        return out

    def backward(self, grad):
        pieces = np.moveaxis(grad, self.axis, 0)
        return tuple(piece.astype(dtype, copy=False) for piece, dtype in zip(pieces, self.dtypes))


class Where(Op):
    """`a` where `condition` holds, else `b`; each gradient is masked by the condition."""

    __slots__ = ("condition", "a_shape", "b_shape", "a_dtype", "b_dtype")

    def forward(self, condition, a, b):
        self.condition = condition.astype(bool)
        self.a_shape, self.b_shape = a.shape, b.shape
        self.a_dtype, self.b_dtype = a.dtype, b.dtype
        try:
            return np.where(self.condition, a, b)
        except ValueError as error:
            raise ValueError(
                f"where: condition {condition.shape}, a {a.shape} and b {b.shape} cannot be broadcast together"
            ) from error

    def backward(self, grad):
        zero = np.zeros((), dtype=grad.dtype)
        grad_a = grad_b = None
        if self.needs_grad[1]:
            grad_a = unbroadcast(np.where(self.condition, grad, zero), self.a_shape).astype(self.a_dtype, copy=False)
        if self.needs_grad[2]:
            grad_b = unbroadcast(np.where(self.condition, zero, grad), self.b_shape).astype(self.b_dtype, copy=False)
        return None, grad_a, grad_b


# ---- fused layers and losses ------------------------------------------------------------


class Linear(Op):
    r"""Affine map $z = x W^T + b$ of a linear layer, as one op.

    With W of shape (out, in) as in the course and PyTorch: $\partial L/\partial x = G W$,
    $\partial L/\partial W = G^T x$, $\partial L/\partial b = \sum_n G_n$.
    One op instead of matmul, transpose and add keeps the graph small and fast.
    """

    __slots__ = ("x", "weight", "has_bias")

    def forward(self, x, weight, bias=None):
        if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError(
                f"Linear: input of shape {x.shape} does not fit weight of shape {weight.shape}; "
                f"the input's last axis must have weight.shape[1] = "
                f"{weight.shape[1] if weight.ndim == 2 else '?'} features"
            )
        if bias is not None and bias.shape != (weight.shape[0],):
            # Checked here, because z += bias could broadcast a (out, 1) bias without an error.
            raise ValueError(
                f"Linear: bias of shape {bias.shape} does not fit weight of shape {weight.shape}; "
                f"the bias needs shape ({weight.shape[0]},), one entry per output feature"
            )
        self.x, self.weight, self.has_bias = x, weight, bias is not None
        z = x @ weight.T
        if bias is not None:
            z += bias
        return z

    def backward(self, grad):
        x, weight = self.x, self.weight
        grad_x = grad @ weight if self.needs_grad[0] else None
        grad_weight = None
        if self.needs_grad[1]:
            if x.ndim == 1:
                grad_weight = np.outer(grad, x)
            elif x.ndim == 2:
                grad_weight = grad.T @ x
            else:
                grad_weight = grad.reshape(-1, grad.shape[-1]).T @ x.reshape(-1, x.shape[-1])
        if not self.has_bias:
            return grad_x, grad_weight
        grad_bias = None
        if self.needs_grad[2]:
            if grad.ndim == 1:
                grad_bias = grad
            elif grad.ndim == 2:
                grad_bias = grad.sum(axis=0)
            else:
                grad_bias = grad.reshape(-1, grad.shape[-1]).sum(axis=0)
        return grad_x, grad_weight, grad_bias


def _reduce_loss(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        # np.mean's own arithmetic (a sum, then a division in the same dtype)
        # without its Python-level dispatch, which costs more than a small loss.
        total = np.add.reduce(losses, axis=None)
        return total.dtype.type(total / losses.size)
    if reduction == "sum":
        return np.sum(losses)
    return losses


def _reduce_loss_grad(grad: np.ndarray, shape: tuple[int, ...], reduction: str) -> np.ndarray:
    if reduction == "mean":
        return grad / max(math.prod(shape), 1)
    return grad


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _check_target_shape(name: str, prediction: np.ndarray, target: np.ndarray) -> None:
    """Raise unless `target` broadcasts to the prediction's shape without enlarging it.

    A target of shape (N,) against a prediction of shape (N, 1) would broadcast to
    (N, N) and give a wrong loss without any error, so it is rejected here.
    """
    if target.shape == prediction.shape:
        # The usual case, decided without np.broadcast_shapes, which costs more than a small loss.
        return
    try:
        shape = np.broadcast_shapes(prediction.shape, target.shape)
    except ValueError:
        shape = None
    if shape != prediction.shape:
        raise ValueError(
            f"{name}: target of shape {target.shape} does not match the prediction of shape "
            f"{prediction.shape}; reshape the target to {prediction.shape} "
            "(e.g. y.reshape(-1, 1) for a (N, 1) prediction)"
        )


class BinaryCrossEntropy(Op):
    r"""$-[y \ln p + (1-y)\ln(1-p)]$ on probabilities p; $\partial/\partial p = (p-y)/(p(1-p))$.

    As PyTorch documents, each log is clamped to be at least -100, so p = 0 or 1 gives
    a finite loss. The derivative's denominator p(1-p) is kept at least the square
    root of the dtype's smallest normal number (1.5e-154 in float64), so the quotient
    times any upstream gradient below 1e150 stays finite, and sigmoid followed by this
    loss still gives dL/dz = p - y down to p = 1.5e-154 (z = -354). PyTorch clamps at
    1e-12 instead, so there a sigmoid output below about 1e-12 loses its gradient. Where sigmoid
    rounds p to exactly 1 (z > 37 in float64), no chain rule can recover
    dL/dz; use BinaryCrossEntropyWithLogits there.
    """

    __slots__ = ("p", "y", "reduction")

    def forward(self, p, y, reduction="mean"):
        _check_reduction("binary_cross_entropy", reduction)
        _check_target_shape("binary_cross_entropy", p, y)
        self.p, self.y, self.reduction = p, y, reduction
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_1mp = np.maximum(np.log1p(-p), -100)
        # (y - 1) ln(1-p) - y ln p rounds exactly as -[y ln p + (1-y) ln(1-p)] does,
        # with one numpy call fewer.
        return _reduce_loss((y - 1) * log_1mp - y * log_p, reduction)

    def backward(self, grad):
        p, y = self.p, self.y
        grad = _reduce_loss_grad(grad, p.shape, self.reduction)
        grad_p = None
        if self.needs_grad[0]:
            denominator = np.maximum(p * (1 - p), np.sqrt(np.finfo(p.dtype).tiny))
            grad_p = grad * (p - y) / denominator
        grad_y = None
        if self.needs_grad[1]:
            with np.errstate(divide="ignore"):
                grad_y = grad * (np.maximum(np.log1p(-p), -100) - np.maximum(np.log(p), -100))
            grad_y = unbroadcast(grad_y, y.shape)
        return grad_p, grad_y


class BinaryCrossEntropyWithLogits(Op):
    r"""BCE of $\sigma(z)$ computed from the logits z: $\max(z,0) - z y + \ln(1 + e^{-|z|})$.

    $\partial/\partial z = \sigma(z) - y$ exactly, for any |z|: the course's
    $\partial L/\partial z^{(3)} = \hat y - y$. $\partial/\partial y = -z$.
    """

    __slots__ = ("z", "y", "reduction")

    def forward(self, z, y, reduction="mean"):
        _check_reduction("binary_cross_entropy_with_logits", reduction)
        _check_target_shape("binary_cross_entropy_with_logits", z, y)
        self.z, self.y, self.reduction = z, y, reduction
        losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return _reduce_loss(losses, reduction)

    def backward(self, grad):
        grad = _reduce_loss_grad(grad, self.z.shape, self.reduction)
        grad_z = grad * (_stable_sigmoid(self.z) - self.y) if self.needs_grad[0] else None
        grad_y = unbroadcast(-grad * self.z, self.y.shape) if self.needs_grad[1] else None
        return grad_z, grad_y


class CrossEntropy(Op):
    r"""Softmax cross-entropy of logits (N, C) against class indices (N,).

    $L_n = -\ln \mathrm{softmax}(a_n)_{t_n}$; $\partial L_n/\partial a_n = \mathrm{softmax}(a_n) - \mathrm{onehot}(t_n)$.
    """

    __slots__ = ("probs", "targets", "reduction")

    def forward(self, logits, targets, reduction="mean"):
        _check_reduction("cross_entropy", reduction)
        if logits.ndim != 2 or targets.shape != (logits.shape[0],):
            raise ValueError(
                f"cross_entropy: expected logits (N, C) and class indices (N,), got {logits.shape} and "
                f"{targets.shape}"
            )
        if targets.dtype.kind not in "iu":
            raise TypeError(
                f"cross_entropy: class indices must be integers, got dtype {targets.dtype}; "
                "convert them with .astype(int)"
            )
        if targets.size and (targets.min() < 0 or targets.max() >= logits.shape[1]):
            raise ValueError(
                f"cross_entropy: class indices must lie in [0, {logits.shape[1] - 1}], "
                f"got values from {targets.min()} to {targets.max()}"
            )
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.probs, self.targets, self.reduction = np.exp(log_probs), targets, reduction
        return _reduce_loss(-log_probs[np.arange(len(targets)), targets], reduction)

    def backward(self, grad):
        grad_logits = self.probs.copy()
        grad_logits[np.arange(len(self.targets)), self.targets] -= 1
        grad = _reduce_loss_grad(grad, self.targets.shape, self.reduction)
        grad = grad[:, None] if np.ndim(grad) == 1 else grad
        return grad_logits * grad, None


# ---- public functions -------------------------------------------------------------------


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Apply z = x W^T + b with W of shape (out, in); x is (in,) or (N, in)."""
    if bias is None:
        return Linear.apply(x, weight)
    return Linear.apply(x, weight, bias)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis, as numpy.concatenate."""
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Stack tensors of equal shape along a new axis, as numpy.stack."""
    return Stack.apply(*tensors, axis=axis)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """Choose `a` where `condition` is true and `b` elsewhere, with numpy broadcasting.

    A Python number for `a` or `b` takes the dtype of the other operand, so a
    float32 tensor stays float32.
    """
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if isinstance(a, Tensor) and not isinstance(b, Tensor):
        b = _as_operand(b, a)
    elif isinstance(b, Tensor) and not isinstance(a, Tensor):
        a = _as_operand(a, b)
    return Where.apply(Tensor(condition), a, b)


def _as_target(y: Any, like: Any) -> Any:
    # A target given as numbers or an array takes the prediction's float dtype, so
    # a float32 prediction gives a float32 loss and gradient.
    if isinstance(y, Tensor) or not isinstance(like, Tensor) or like.dtype.kind != "f":
        return y
    return Tensor(np.asarray(y, dtype=like.dtype))


def binary_cross_entropy(p: Tensor, y: Any, reduction: str = "mean") -> Tensor:
    """Apply binary cross-entropy to probabilities p against targets y.

    The target must have p's shape or broadcast to it without enlarging it.
    """
    return BinaryCrossEntropy.apply(p, _as_target(y, p), reduction=reduction)


def binary_cross_entropy_with_logits(z: Tensor, y: Any, reduction: str = "mean") -> Tensor:
    """Apply binary cross-entropy to sigmoid(z), computed stably from the logits z.

    The target must have z's shape or broadcast to it without enlarging it.
    """
    return BinaryCrossEntropyWithLogits.apply(z, _as_target(y, z), reduction=reduction)


def cross_entropy(logits: Tensor, class_indices: Any, reduction: str = "mean") -> Tensor:
    """Apply softmax cross-entropy to logits (N, C) against integer class indices (N,)."""
    return CrossEntropy.apply(logits, class_indices, reduction=reduction)
