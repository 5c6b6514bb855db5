r"""Arithmetic ops: + - * / ** @, negation and dtype casts, with numpy broadcasting."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.tensor import Op, unbroadcast


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
