"""Loss modules: configured once, then called as ``loss_fn(prediction, target)``."""

from __future__ import annotations

from typing import Any

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F.check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class BCELoss(_Loss):
    r"""Measure binary cross-entropy between probabilities y_hat and targets y.

    :math:`L = -\frac{1}{m} \sum_i [y_i \log \hat{y}_i + (1 - y_i) \log(1 - \hat{y}_i)]`
    with reduction "mean". Each log is clamped at -100, as PyTorch does; see
    `functional.binary_cross_entropy`.

    Shape:
        prediction and target must have the same shape; target (N,) against a
        prediction (N, 1) raises ValueError (reshape with ``y.reshape(-1, 1)``).

    Example:
        >>> loss_fn = BCELoss()
        >>> round(loss_fn(Tensor([[0.8], [0.3]]), [[1.0], [0.0]]).item(), 4)
        0.2899
    """

    def forward(self, prediction: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy(prediction, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    r"""Measure binary cross-entropy from logits z, with the sigmoid folded in.

    :math:`L = \max(z, 0) - z y + \log(1 + e^{-|z|})` per element, whose gradient is
    :math:`\sigma(z) - y`. Use it with ``MLP(..., output="logits")``.

    Example:
        >>> round(BCEWithLogitsLoss()(Tensor([[0.0]]), [[1.0]]).item(), 4)
        0.6931
    """

    def forward(self, logits: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(logits, target, self.reduction)


class MSELoss(_Loss):
    r"""Measure the mean squared error :math:`\frac{1}{m} \sum_i (\hat{y}_i - y_i)^2`.

    Example:
        >>> MSELoss(reduction="sum")(Tensor([1.0, 3.0]), [0.0, 1.0]).item()
        5.0
    """

    def forward(self, prediction: Tensor, target: Any) -> Tensor:
        return F.mse_loss(prediction, target, self.reduction)


class CrossEntropyLoss(_Loss):
    r"""Measure softmax cross-entropy between logits (N, C) and class indices (N,).

    Example:
        >>> round(CrossEntropyLoss()(Tensor([[0.0, 0.0]]), [0]).item(), 4)
        0.6931
    """

    def forward(self, logits: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(logits, target, self.reduction)
