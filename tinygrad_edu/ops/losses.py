r"""Loss ops: binary cross-entropy on probabilities and on logits, and softmax cross-entropy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_edu.ops.activations import _stable_sigmoid
from tinygrad_edu.tensor import Op, Tensor, unbroadcast


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
