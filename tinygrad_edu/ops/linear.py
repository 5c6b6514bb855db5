r"""The affine map of a linear layer as one fused op."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.tensor import Op, Tensor


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


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Apply z = x W^T + b with W of shape (out, in); x is (in,) or (N, in)."""
    if bias is None:
        return Linear.apply(x, weight)
    return Linear.apply(x, weight, bias)
