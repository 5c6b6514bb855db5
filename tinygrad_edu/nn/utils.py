"""Gradient clipping, applied between ``loss.backward()`` and ``optimizer.step()``."""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from tinygrad_edu.tensor import Tensor


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[np.ndarray]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float) -> None:
    r"""Clip every gradient element to [-clip_value, clip_value], in place.

    This is the course's :math:`\nabla W = \text{clip}(\nabla W, -\theta, \theta)`.
    Parameters whose ``.grad`` is None are skipped.

    Example:
        >>> w = Tensor([1.0, 2.0], requires_grad=True)
        >>> (w * 10).sum().backward()
        >>> clip_grad_value_([w], 3.0); w.grad
        array([3., 3.])
    """
    clip_value = float(clip_value)
    if not clip_value > 0:
        raise ValueError(f"clip_grad_value_: clip_value must be positive, got {clip_value}")
    for grad in _grads(parameters):
        np.clip(grad, -clip_value, clip_value, out=grad)


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    r"""Scale all gradients together so that their global norm is at most ``max_norm``.

    The norm is taken over all gradients as if they were one vector,
    :math:`\|g\| = (\sum_p \sum_i |g_{p,i}|^q)^{1/q}` with q = ``norm_type`` (inf for the
    max norm). If it exceeds ``max_norm``, every gradient is multiplied in place by
    :math:`\text{max\_norm} / (\|g\| + 10^{-6})`, as PyTorch does, so the direction of
    the update is kept.

    Args:
        parameters: a Tensor or an iterable of Tensors; those without ``.grad`` are skipped.
        max_norm: the largest norm allowed.
        norm_type: q of the norm (2 by default), or ``float("inf")``.
        error_if_nonfinite: raise if the norm is NaN or inf instead of scaling by it.

    Returns:
        The global norm before clipping, as a Python float.

    Example:
        >>> w = Tensor([0.0, 0.0], requires_grad=True)
        >>> (w * Tensor([3.0, 4.0])).sum().backward()
        >>> clip_grad_norm_([w], 1.0)
        5.0
    """
    max_norm = float(max_norm)
    norm_type = float(norm_type)
    if not max_norm >= 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be non-negative, got {max_norm}")
    if not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be positive or inf, got {norm_type}")
    grads = _grads(parameters)
    if not grads:
        return 0.0

    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    elif norm_type == 2.0:
        total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))
    else:
        total = sum(float(np.sum(np.abs(g) ** norm_type)) for g in grads) ** (1.0 / norm_type)

    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total gradient norm is {total}; the gradients contain "
            f"NaN or inf. Use tinygrad_edu.detect_anomaly() to find the op that made them"
        )
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for grad in grads:
            grad *= scale
    return total
