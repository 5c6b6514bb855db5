r"""Differentiable operations, each with its forward and its backward side by side.

Every op subclasses `Op`: `forward` computes the result from numpy arrays and saves
what backward reads; `backward(grad)` receives dL/d(output) and returns dL/d(input)
for each input in input order, reduced to the input's shape.

Functions at the end (`linear`, `concatenate`, `stack`, `where`, the losses) are the
public entry points for ops that are not Tensor methods.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from tinygrad_edu.tensor import Op, Tensor, unbroadcast


def _normalize_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    axes = []
    for a in axis:
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        axes.append(int(a) % max(ndim, 1))
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
            raise _broadcast_error(self.name, a, b) from error

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
            grad_a = unbroadcast(grad * b * a ** (b - 1), a.shape)
        if self.needs_grad[1]:
            with np.errstate(divide="ignore", invalid="ignore"):
                log_a = np.log(a)
            partial = np.where((a == 0) & (b >= 0), 0.0, self.out * log_a)
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
        return (grad / self.a,)


class Sqrt(Op):
    r"""$\sqrt{a}$; derivative $1/(2\sqrt{a})$ (infinite at 0, as in PyTorch)."""

    __slots__ = ("out",)

    def forward(self, a):
        self.out = np.sqrt(a)
        return self.out

    def backward(self, grad):
        with np.errstate(divide="ignore"):
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
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"clip: lo={lo} is greater than hi={hi}; pass lo <= hi")
        inside = np.ones(a.shape, dtype=bool)
        if lo is not None:
            inside &= a >= lo
        if hi is not None:
            inside &= a <= hi
        self.inside = inside
        return np.clip(a, lo, hi)

    def backward(self, grad):
        return (grad * self.inside,)


# ---- activations ------------------------------------------------------------------------


def _stable_sigmoid(z: np.ndarray) -> np.ndarray:
    # exp of a non-positive number never overflows: for z >= 0 use 1/(1+e^-z),
    # for z < 0 use e^z/(1+e^z). Both branches share e = exp(-|z|).
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


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
        return z * self.positive

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

    _C = np.sqrt(2 / np.pi)

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
        self.axes = _normalize_axes(axis, a.ndim)
        return np.sum(a, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        return (_expand_reduced(grad, self.axes, self.keepdims, self.shape),)


class Mean(Op):
    r"""$\frac1n \sum_i a_i$ over `axis`; each input element gets $1/n$ of the output's gradient."""

    __slots__ = ("shape", "axes", "keepdims", "count")

    def forward(self, a, axis, keepdims):
        self.shape, self.keepdims = a.shape, keepdims
        self.axes = _normalize_axes(axis, a.ndim)
        self.count = int(np.prod([a.shape[i] for i in self.axes]))
        return np.mean(a, axis=self.axes, keepdims=keepdims)

    def backward(self, grad):
        return (_expand_reduced(grad / self.count, self.axes, self.keepdims, self.shape),)


class Max(Op):
    r"""Maximum over `axis`.

    The gradient goes to the elements equal to the maximum; ties share it evenly,
    as PyTorch's `amax` does (so $\sum$ of the input gradient equals the output's).
    """

    __slots__ = ("a", "out", "axes", "keepdims")

    def reduce(self, a, axes, keepdims):
        return np.max(a, axis=axes, keepdims=keepdims)

    def forward(self, a, axis, keepdims):
        if a.size == 0:
            raise ValueError(f"{self.name}: the input of shape {a.shape} is empty, so it has no {self.name.lower()}")
        self.a, self.keepdims = a, keepdims
        self.axes = _normalize_axes(axis, a.ndim)
        self.out = self.reduce(a, self.axes, keepdims)
        return self.out

    def backward(self, grad):
        out = self.out if self.keepdims else np.expand_dims(self.out, self.axes)
        mask = self.a == out
        share = mask / mask.sum(axis=self.axes, keepdims=True)
        return (_expand_reduced(grad, self.axes, self.keepdims, self.a.shape) * share,)


class Min(Max):
    r"""Minimum over `axis`; ties share the gradient evenly, as PyTorch's `amin`."""

    __slots__ = ()

    def reduce(self, a, axes, keepdims):
        return np.min(a, axis=axes, keepdims=keepdims)


class Softmax(Op):
    r"""$s_i = e^{a_i} / \sum_j e^{a_j}$ along `axis`; backward $s \odot (G - \sum_j G_j s_j)$."""

    __slots__ = ("out", "axis")

    def forward(self, a, axis):
        self.axis = axis
        shifted = np.exp(a - np.max(a, axis=axis, keepdims=True))
        self.out = shifted / shifted.sum(axis=axis, keepdims=True)
        return self.out

    def backward(self, grad):
        s = self.out
        return (s * (grad - (grad * s).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Op):
    r"""$a_i - \ln \sum_j e^{a_j}$ along `axis`; backward $G - \mathrm{softmax}(a) \sum_j G_j$."""

    __slots__ = ("out", "axis")

    def forward(self, a, axis):
        self.axis = axis
        shifted = a - np.max(a, axis=axis, keepdims=True)
        self.out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
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
        if sorted(int(x) % max(a.ndim, 1) for x in axes) != list(range(a.ndim)):
            raise ValueError(
                f"Transpose: axes {tuple(axes)} are not a permutation of the {a.ndim} axes of shape {a.shape}"
            )
        self.inverse = tuple(np.argsort([int(x) % a.ndim for x in axes]))
        return np.transpose(a, axes)

    def backward(self, grad):
        return (np.transpose(grad, self.inverse),)


class Expand(Op):
    """Broadcast to a larger shape (numpy's broadcast_to); the backward is a sum."""

    __slots__ = ("shape",)

    def forward(self, a, shape):
        self.shape = a.shape
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

    __slots__ = ("axis", "bounds")

    def forward(self, *arrays, axis):
        if not arrays:
            raise ValueError("concatenate: needs at least one tensor")
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
        return tuple(np.split(grad, self.bounds, axis=self.axis))


class Stack(Op):
    """Tensors of equal shape stacked along a new `axis`; the gradient is unstacked."""

    __slots__ = ("axis",)

    def forward(self, *arrays, axis):
        if not arrays:
            raise ValueError("stack: needs at least one tensor")
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise ValueError(f"stack: all tensors need the same shape, got {[a.shape for a in arrays]}")
        out = np.stack(arrays, axis=axis)
        self.axis = axis % out.ndim
        return out

    def backward(self, grad):
        return tuple(np.moveaxis(grad, self.axis, 0))


class Where(Op):
    """`a` where `condition` holds, else `b`; each gradient is masked by the condition."""

    __slots__ = ("condition", "a_shape", "b_shape")

    def forward(self, condition, a, b):
        self.condition = condition.astype(bool)
        self.a_shape, self.b_shape = a.shape, b.shape
        try:
            return np.where(self.condition, a, b)
        except ValueError as error:
            raise ValueError(
                f"where: condition {condition.shape}, a {a.shape} and b {b.shape} cannot be broadcast together"
            ) from error

    def backward(self, grad):
        zero = np.zeros((), dtype=grad.dtype)
        grad_a = unbroadcast(np.where(self.condition, grad, zero), self.a_shape) if self.needs_grad[1] else None
        grad_b = unbroadcast(np.where(self.condition, zero, grad), self.b_shape) if self.needs_grad[2] else None
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
            else:
                grad_weight = grad.reshape(-1, grad.shape[-1]).T @ x.reshape(-1, x.shape[-1])
        if not self.has_bias:
            return grad_x, grad_weight
        grad_bias = None
        if self.needs_grad[2]:
            grad_bias = grad if grad.ndim == 1 else grad.reshape(-1, grad.shape[-1]).sum(axis=0)
        return grad_x, grad_weight, grad_bias


def _reduce_loss(losses: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.mean(losses)
    if reduction == "sum":
        return np.sum(losses)
    return losses


def _reduce_loss_grad(grad: np.ndarray, shape: tuple[int, ...], reduction: str) -> np.ndarray:
    if reduction == "mean":
        return grad / max(int(np.prod(shape)), 1)
    return grad


def _check_reduction(name: str, reduction: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


class BinaryCrossEntropy(Op):
    r"""$-[y \ln p + (1-y)\ln(1-p)]$ on probabilities p; $\partial/\partial p = (p-y)/(p(1-p))$.

    As PyTorch documents, each log is clamped to be at least -100, so p = 0 or 1 gives
    a finite loss. The derivative's denominator is kept away from 0 by the smallest
    positive normal number of the dtype; PyTorch clamps it at 1e-12 instead, which
    makes a sigmoid output below about 1e-12 lose its gradient. Where sigmoid
    rounds p to exactly 1 (z > 37 in float64), no chain rule can recover
    dL/dz; use BinaryCrossEntropyWithLogits there.
    """

    __slots__ = ("p", "y", "reduction")

    def forward(self, p, y, reduction="mean"):
        _check_reduction("binary_cross_entropy", reduction)
        self.p, self.y, self.reduction = p, y, reduction
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_1mp = np.maximum(np.log1p(-p), -100)
        return _reduce_loss(-(y * log_p + (1 - y) * log_1mp), reduction)

    def backward(self, grad):
        p, y = self.p, self.y
        grad = _reduce_loss_grad(grad, p.shape, self.reduction)
        grad_p = None
        if self.needs_grad[0]:
            denominator = np.maximum(p * (1 - p), np.finfo(p.dtype).tiny)
            grad_p = grad * (p - y) / denominator
        grad_y = None
        if self.needs_grad[1]:
            with np.errstate(divide="ignore"):
                grad_y = grad * (np.maximum(np.log1p(-p), -100) - np.maximum(np.log(p), -100))
        return grad_p, grad_y


class BinaryCrossEntropyWithLogits(Op):
    r"""BCE of $\sigma(z)$ computed from the logits z: $\max(z,0) - z y + \ln(1 + e^{-|z|})$.

    $\partial/\partial z = \sigma(z) - y$ exactly, for any |z|: the course's
    $\partial L/\partial z^{(3)} = \hat y - y$. $\partial/\partial y = -z$.
    """

    __slots__ = ("z", "y", "reduction")

    def forward(self, z, y, reduction="mean"):
        _check_reduction("binary_cross_entropy_with_logits", reduction)
        self.z, self.y, self.reduction = z, y, reduction
        losses = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        return _reduce_loss(losses, reduction)

    def backward(self, grad):
        grad = _reduce_loss_grad(grad, self.z.shape, self.reduction)
        grad_z = grad * (_stable_sigmoid(self.z) - self.y) if self.needs_grad[0] else None
        grad_y = -grad * self.z if self.needs_grad[1] else None
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
            raise TypeError(f"cross_entropy: class indices must be integers, got dtype {targets.dtype}")
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
    """Choose `a` where `condition` is true and `b` elsewhere, with numpy broadcasting."""
    condition = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    return Where.apply(Tensor(condition), a, b)


def binary_cross_entropy(p: Tensor, y: Any, reduction: str = "mean") -> Tensor:
    """Apply binary cross-entropy to probabilities p against targets y (no shape check)."""
    return BinaryCrossEntropy.apply(p, y, reduction=reduction)


def binary_cross_entropy_with_logits(z: Tensor, y: Any, reduction: str = "mean") -> Tensor:
    """Apply binary cross-entropy to sigmoid(z), computed stably from the logits z (no shape check)."""
    return BinaryCrossEntropyWithLogits.apply(z, y, reduction=reduction)


def cross_entropy(logits: Tensor, class_indices: Any, reduction: str = "mean") -> Tensor:
    """Apply softmax cross-entropy to logits (N, C) against integer class indices (N,)."""
    return CrossEntropy.apply(logits, class_indices, reduction=reduction)
