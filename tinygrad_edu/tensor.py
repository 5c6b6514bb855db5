"""Tensor: a numpy array that records the ops applied to it, and reverse-mode backward.

Every op result keeps a reference to the `Op` that made it, and the op keeps its
`parents` (its inputs). `backward()` walks that graph from the output to the leaves
in reverse topological order and hands each op the gradient of its output.

The graph holds no reference cycles: an op refers to its inputs and to the numpy
arrays its backward reads, never to its own output tensor. So a graph is freed by
reference counting the moment the last tensor of it goes out of scope.
"""

from __future__ import annotations

import os
import traceback
from typing import Any, Iterator, Sequence

import numpy as np

# Module state that the context managers in this file and in anomaly.py flip.
# Op.apply reads it on every call, so it is a plain module global, not a lookup chain.
_grad_enabled = True
_anomaly_enabled = False


class no_grad:
    """Disable graph recording inside a `with` block or a decorated function.

    Results made under `no_grad()` are plain tensors without an op, so nothing can
    be backpropagated through them. Use it for evaluation and for parameter updates.

    Example:
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> with no_grad():
        ...     y = w * 2
        >>> y.requires_grad
        False
    """

    def __enter__(self) -> None:
        global _grad_enabled
        self._previous = _grad_enabled
        _grad_enabled = False

    def __exit__(self, *exc_info: object) -> None:
        global _grad_enabled
        _grad_enabled = self._previous

    def __call__(self, function):
        def wrapper(*args, **kwargs):
            with no_grad():
                return function(*args, **kwargs)

        wrapper.__name__ = getattr(function, "__name__", "wrapper")
        wrapper.__doc__ = getattr(function, "__doc__", None)
        return wrapper


def is_grad_enabled() -> bool:
    """Return whether ops record the graph at this point."""
    return _grad_enabled


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` down to `shape`, undoing numpy broadcasting.

    The backward of a broadcast is a sum: an input that was repeated along an axis
    receives the sum of the gradients of all its copies.
    """
    if grad.shape == shape:
        return grad

    extra_dims = grad.ndim - len(shape)
    if extra_dims > 0:
        grad = grad.sum(axis=tuple(range(extra_dims)))

    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


class Op:
    """One differentiable operation: `forward` on numpy arrays, `backward` beside it.

    A subclass implements `forward(*arrays, **options) -> ndarray`, saving on `self`
    only what its backward reads, and `backward(grad) -> tuple`, returning one
    gradient per input in input order (None for an input that needs none),
    each already reduced to that input's shape. `self.needs_grad[i]` is True when
    input i wants a gradient, so backward can skip work for constants.
    """

    __slots__ = ("parents", "needs_grad", "created_at")

    @property
    def name(self) -> str:
        """Name of the op, as graphs and error messages show it."""
        return type(self).__name__

    def forward(self, *arrays: np.ndarray, **options: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray) -> tuple:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **options: Any) -> "Tensor":
        """Run the forward on `inputs` and, when any needs a gradient, record the op."""
        # List comprehensions, not generator expressions: this runs for every op, and
        # for one to three inputs a generator costs more than the work it does.
        parents = tuple([x if isinstance(x, Tensor) else Tensor(x) for x in inputs])
        op = cls()
        data = op.forward(*[p.data for p in parents], **options)
        if type(data) is not np.ndarray:
            # numpy returns a scalar, not a 0-d array, from full reductions and
            # from ufuncs on 0-d arrays; .data is always an ndarray.
            data = np.asarray(data)

        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out.name = None
        out._retain = False

        needs_grad = tuple([p.requires_grad for p in parents])
        if _grad_enabled and True in needs_grad:
            op.parents = parents
            op.needs_grad = needs_grad
            out._op = op
            out.requires_grad = True
        else:
            out._op = None
            out.requires_grad = False

        if _anomaly_enabled:
            from tinygrad_edu.anomaly import check_forward

            op.created_at = _user_frame()
            check_forward(op, parents, data)
        return out


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_frame() -> str:
    """Return 'file:line in function' of the innermost frame outside this package."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not os.path.abspath(frame.filename).startswith(_PACKAGE_DIR):
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return "an unknown place"


def _as_operand(value: Any, like: "Tensor") -> "Tensor":
    """Wrap a Python number or array as a constant tensor for a binary op with `like`.

    A Python scalar takes the dtype of a floating-point `like`, as numpy's own
    promotion does for scalars, so `t32 * 2.0` stays float32.
    """
    if isinstance(value, Tensor):
        return value
    if isinstance(value, (int, float)) and like.data.dtype.kind == "f":
        return Tensor(np.asarray(value, dtype=like.data.dtype))
    return Tensor(value)


class Tensor:
    """An n-dimensional array that records the graph of ops applied to it.

    Args:
        data: anything `numpy.array` accepts, or another Tensor (its data is copied).
        requires_grad: whether `backward()` computes a gradient for this tensor.
        dtype: numpy dtype; by default Python floats become float64 and numpy
            arrays keep their dtype.
        name: label for graphs, error messages and the worked-example tables.

    Example:
        >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.backward()
        >>> x.grad
        array([2., 4., 6.])
    """

    __slots__ = ("data", "grad", "requires_grad", "name", "_op", "_retain", "__weakref__")

    # Make numpy hand `ndarray + Tensor` to Tensor.__radd__ instead of looping over
    # the tensor element by element, and make `np.exp(t)` raise instead of silently
    # dropping the graph.
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None):
        if isinstance(data, Tensor):
            data = data.data
        array = np.array(data, dtype=dtype)
        if array.dtype == object:
            raise TypeError(
                f"Tensor: cannot make a tensor from {type(data).__name__} data of dtype object; "
                "pass numbers, nested lists of numbers or a numeric numpy array"
            )
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(
                f"Tensor: only floating-point tensors can require gradients, got dtype {array.dtype}; "
                "pass float data (e.g. [1.0, 2.0]) or dtype=np.float64"
            )
        self.data = array
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.name = name
        self._op = None
        self._retain = False

    # ---- properties ------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def op(self) -> Op | None:
        """The op that made this tensor, or None for a leaf."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """Whether this tensor was made by the user rather than by a recorded op."""
        return self._op is None

    @property
    def T(self) -> "Tensor":
        return self.transpose()

    # ---- conversion ------------------------------------------------------------------

    def numpy(self) -> np.ndarray:
        """Return the data array (shared, not a copy)."""
        return self.data

    def item(self) -> float:
        """Return the value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"item: only a one-element tensor converts to a Python number, got shape {self.shape}; "
                "index or reduce it first (e.g. t.sum().item())"
            )
        return self.data.item()

    def detach(self) -> "Tensor":
        """Return a tensor sharing this data, cut off from the graph."""
        out = Tensor.__new__(Tensor)
        out.data = self.data
        out.grad = None
        out.requires_grad = False
        out.name = self.name
        out._op = None
        out._retain = False
        return out

    def astype(self, dtype: Any) -> "Tensor":
        """Return a copy in `dtype`; the gradient is cast back to this tensor's dtype.

        A cast to an integer or bool dtype returns a tensor without a graph, as
        PyTorch's `.to(torch.int64)` does, because such a tensor has no gradient.
        """
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            return Tensor(self.data.astype(dtype))
        return _ops.Cast.apply(self, dtype=dtype)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data if dtype is None else self.data.astype(dtype)

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len: a 0-d tensor has no length; use .item() to read its value")
        return len(self.data)

    def __iter__(self) -> Iterator["Tensor"]:
        for i in range(len(self)):
            yield self[i]

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        return bool(self.data)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        extras = []
        if self.dtype != np.float64:
            extras.append(f"dtype={self.dtype}")
        if self._op is not None:
            extras.append(f"op={self._op.name}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return "Tensor(" + ", ".join([body] + extras) + ")"

    # ---- gradients -------------------------------------------------------------------

    def zero_grad(self) -> None:
        """Reset `.grad` to None, so the next backward starts from zero."""
        self.grad = None

    def retain_grad(self) -> "Tensor":
        """Keep `.grad` on this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError(
                "retain_grad: this tensor does not require a gradient; "
                "make one of its inputs with requires_grad=True"
            )
        self._retain = True
        return self

    def backward(self, grad: Any = None) -> None:
        """Compute the gradient of this tensor with respect to every leaf of its graph.

        Leaves with `requires_grad=True` (and tensors marked with `retain_grad()`)
        receive `.grad`, added to what is already there, so gradients accumulate
        across calls until `zero_grad()`.

        Args:
            grad: dL/dself, of this tensor's shape. May be omitted only when this
                tensor has one element (a scalar loss), where it is 1.

        Note:
            Unlike PyTorch, the graph is not freed by backward, so calling it twice
            on the same output adds the gradients twice instead of raising.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require a gradient, so there is no graph to walk. "
                "It was either made under no_grad() or computed only from tensors created without "
                "requires_grad=True; create the parameters with requires_grad=True and compute "
                "outside no_grad()"
            )
        grad_given = grad
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: the output has shape {self.shape}, not one element, so its gradient "
                    "must be given; call backward(grad) with an array of that shape, or reduce the "
                    "output first (e.g. loss.sum() or loss.mean())"
                )
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.data.dtype)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward: grad has shape {grad.shape} but the tensor has shape {self.shape}; "
                    "pass a gradient of the tensor's shape"
                )

        grads = {id(self): grad}
        # Ids of the arrays that something besides the tensor being filled may hold:
        # the caller's own gradient array and every array a tensor already keeps as .grad.
        shared = set() if grad_given is None else {id(grad)}
        for node in reversed(self._topological_order()):
            node_grad = grads.pop(id(node), None)
            if node_grad is None:
                continue

            op = node._op
            if op is None or node._retain:
                _accumulate(node, node_grad, shared)
            if op is None:
                continue

            input_grads = op.backward(node_grad)
            if not isinstance(input_grads, (tuple, list)) or len(input_grads) != len(op.parents):
                _raise_gradient_count(op, input_grads)
            if _anomaly_enabled:
                from tinygrad_edu.anomaly import check_backward

                check_backward(op, input_grads)

            for parent, parent_grad, needed in zip(op.parents, input_grads, op.needs_grad):
                if not needed or parent_grad is None:
                    continue
                if parent_grad.shape != parent.data.shape:
                    raise RuntimeError(
                        f"{op.name}.backward returned a gradient of shape {parent_grad.shape} for an "
                        f"input of shape {parent.data.shape}; the op must reduce its gradient to the "
                        "input's shape (see unbroadcast)"
                    )
                key = id(parent)
                if key in grads:
                    # Out of place: an op may hand the same array to two inputs.
                    grads[key] = grads[key] + parent_grad
                else:
                    grads[key] = parent_grad

    def _topological_order(self) -> list["Tensor"]:
        """Return the tensors that need a gradient, inputs before the ops that use them.

        An explicit stack instead of recursion, so a chain of 100,000 ops works.
        """
        order = []
        visited = set()
        stack = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            key = id(node)
            if key in visited:
                continue
            visited.add(key)
            op = node._op
            if op is None:
                order.append(node)
                continue

            stack.append((node, True))
            for parent, needed in zip(op.parents, op.needs_grad):
                if not needed:
                    continue
                key = id(parent)
                if key in visited:
                    continue
                if parent._op is None:
                    # A leaf has no inputs to wait for, so it is finished where it is
                    # first reached, before the op that uses it. Not stacking it saves
                    # a push and a pop for every parameter.
                    visited.add(key)
                    order.append(parent)
                else:
                    stack.append((parent, False))
        return order

    # ---- operators -------------------------------------------------------------------

    def __add__(self, other: Any) -> "Tensor":
        return _ops.Add.apply(self, _as_operand(other, self))

    def __radd__(self, other: Any) -> "Tensor":
        return _ops.Add.apply(_as_operand(other, self), self)

    def __sub__(self, other: Any) -> "Tensor":
        return _ops.Sub.apply(self, _as_operand(other, self))

    def __rsub__(self, other: Any) -> "Tensor":
        return _ops.Sub.apply(_as_operand(other, self), self)

    def __mul__(self, other: Any) -> "Tensor":
        return _ops.Mul.apply(self, _as_operand(other, self))

    def __rmul__(self, other: Any) -> "Tensor":
        return _ops.Mul.apply(_as_operand(other, self), self)

    def __truediv__(self, other: Any) -> "Tensor":
        return _ops.Div.apply(self, _as_operand(other, self))

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _ops.Div.apply(_as_operand(other, self), self)

    def __pow__(self, other: Any) -> "Tensor":
        return _ops.Pow.apply(self, _as_operand(other, self))

    def __rpow__(self, other: Any) -> "Tensor":
        return _ops.Pow.apply(_as_operand(other, self), self)

    def __matmul__(self, other: Any) -> "Tensor":
        return _ops.MatMul.apply(self, _as_operand(other, self))

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _ops.MatMul.apply(_as_operand(other, self), self)

    def __neg__(self) -> "Tensor":
        return _ops.Neg.apply(self)

    def __getitem__(self, key: Any) -> "Tensor":
        return _ops.Index.apply(self, key=key)

    # Comparisons give boolean tensors without a graph, as in PyTorch.
    def __lt__(self, other: Any) -> "Tensor":
        return Tensor(self.data < _raw(other))

    def __le__(self, other: Any) -> "Tensor":
        return Tensor(self.data <= _raw(other))

    def __gt__(self, other: Any) -> "Tensor":
        return Tensor(self.data > _raw(other))

    def __ge__(self, other: Any) -> "Tensor":
        return Tensor(self.data >= _raw(other))

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return Tensor(self.data == _raw(other))

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return Tensor(self.data != _raw(other))

    # ---- reductions ------------------------------------------------------------------

    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> "Tensor":
        return _ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> "Tensor":
        return _ops.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> "Tensor":
        return _ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> "Tensor":
        return _ops.Min.apply(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis: int = -1) -> "Tensor":
        return _ops.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> "Tensor":
        return _ops.LogSoftmax.apply(self, axis=axis)

    # ---- element-wise ----------------------------------------------------------------

    def exp(self) -> "Tensor":
        return _ops.Exp.apply(self)

    def log(self) -> "Tensor":
        return _ops.Log.apply(self)

    def sqrt(self) -> "Tensor":
        return _ops.Sqrt.apply(self)

    def square(self) -> "Tensor":
        return _ops.Square.apply(self)

    def abs(self) -> "Tensor":
        return _ops.Abs.apply(self)

    def sigmoid(self) -> "Tensor":
        return _ops.Sigmoid.apply(self)

    def relu(self) -> "Tensor":
        return _ops.ReLU.apply(self)

    def tanh(self) -> "Tensor":
        return _ops.Tanh.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> "Tensor":
        return _ops.LeakyReLU.apply(self, negative_slope=negative_slope)

    def softplus(self) -> "Tensor":
        return _ops.Softplus.apply(self)

    def logsigmoid(self) -> "Tensor":
        return _ops.LogSigmoid.apply(self)

    def gelu(self) -> "Tensor":
        return _ops.GELU.apply(self)

    def clip(self, lo: float | None = None, hi: float | None = None) -> "Tensor":
        return _ops.Clip.apply(self, lo=lo, hi=hi)

    # ---- shape -----------------------------------------------------------------------

    def reshape(self, *shape: Any) -> "Tensor":
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: Any) -> "Tensor":
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.Transpose.apply(self, axes=axes or None)

    def expand(self, *shape: Any) -> "Tensor":
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.Expand.apply(self, shape=shape)

    broadcast_to = expand

    def squeeze(self, axis: int | Sequence[int] | None = None) -> "Tensor":
        try:
            shape = np.squeeze(self.data, axis=axis).shape
        except ValueError as error:
            raise ValueError(
                f"squeeze: cannot remove axis {axis} from a tensor of shape {self.shape}; "
                "only axes of size 1 can be removed (call squeeze() to remove all of them)"
            ) from error
        return _ops.Reshape.apply(self, shape=shape)

    def unsqueeze(self, axis: int) -> "Tensor":
        if not -self.ndim - 1 <= axis <= self.ndim:
            raise ValueError(
                f"unsqueeze: axis {axis} is out of range for a tensor of shape {self.shape}; "
                f"pass an axis from {-self.ndim - 1} to {self.ndim}"
            )
        return _ops.Reshape.apply(self, shape=np.expand_dims(self.data, axis).shape)

    def flatten(self) -> "Tensor":
        return _ops.Reshape.apply(self, shape=(-1,))


def _accumulate(tensor: Tensor, grad: np.ndarray, shared: set[int]) -> None:
    """Add `grad` to `tensor.grad`, keeping the array itself when nothing else can see it.

    The optimizer and gradient clipping change .grad in place, so .grad must never be
    an array that another tensor or the caller also holds. An array that an op has
    just computed is kept without a copy, because copying a large weight gradient costs
    as much as a small training step. A view, an array in `shared` and an array of
    another dtype are copied. The array kept is added to `shared`.
    """
    if tensor.grad is None:
        exclusive = (
            type(grad) is np.ndarray
            and grad.base is None
            and grad.dtype == tensor.data.dtype
            and id(grad) not in shared
        )
        tensor.grad = grad if exclusive else np.array(grad, dtype=tensor.data.dtype)
        shared.add(id(tensor.grad))
    else:
        # asarray with the dtype: a float32 .grad stays float32 when a float64
        # gradient arrives, and a 0-d sum stays an ndarray instead of a numpy scalar.
        tensor.grad = np.asarray(tensor.grad + grad, dtype=tensor.data.dtype)


def _raise_gradient_count(op: Op, input_grads: Any) -> None:
    # zip() over parents and gradients would silently drop the missing ones.
    got = f"{len(input_grads)} gradients" if isinstance(input_grads, (tuple, list)) else f"a {type(input_grads).__name__}"
    raise RuntimeError(
        f"{op.name}.backward returned {got} for {len(op.parents)} inputs; it must return a tuple "
        "with one gradient (or None) per input, in input order"
    )


def _raw(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


from tinygrad_edu import ops as _ops  # noqa: E402  (the ops modules import Tensor and Op from here)
