r"""Shape ops: reshape, transpose, expand, indexing, concatenate, stack and where."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from tinygrad_edu.tensor import Op, Tensor, _as_operand, unbroadcast


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
