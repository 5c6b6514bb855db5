"""Batch normalisation over the feature axis of a (N, C) batch."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.nn.functional import _as_tensor
from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.tensor import Tensor


class BatchNorm1d(Module):
    r"""Normalise each feature over the batch, then scale and shift it.

    .. math::
        \hat{x} = \frac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \qquad
        y = \gamma \odot \hat{x} + \beta

    In training mode :math:`\mu_B` and :math:`\sigma_B^2` are the batch mean and the
    biased batch variance (divided by N), and the gradient flows through both. Each
    training step also updates the running statistics, as PyTorch does:
    ``running_mean = (1 - momentum) * running_mean + momentum * mu_B`` and the same for
    ``running_var`` with the unbiased variance (divided by N - 1). In evaluation mode
    the running statistics replace the batch ones and are constants.

    Args:
        num_features: C, the number of features.
        eps: added to the variance for stability.
        momentum: weight of the new batch in the running statistics; None gives the
            cumulative average over all batches so far.
        affine: learn gamma (``weight``, starts at 1) and beta (``bias``, starts at 0).
        dtype: parameter and statistics dtype, float64 by default.

    Shape:
        input and output (N, C); training needs N > 1.

    Example:
        >>> bn = BatchNorm1d(2)
        >>> out = bn(Tensor([[1.0, 10.0], [3.0, 30.0]]))
        >>> np.round(out.data, 3)
        array([[-1., -1.],
               [ 1.,  1.]])
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(f"BatchNorm1d: num_features must be a positive int, got {num_features!r}")
        if eps <= 0:
            raise ValueError(f"BatchNorm1d: eps must be positive, got {eps}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None, got {momentum}")
        dtype = np.dtype(np.float64 if dtype is None else dtype)

        self.num_features = int(num_features)
        self.eps = float(eps)
        self.momentum = momentum
        self.affine = affine
        self.weight = Parameter(np.ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(np.zeros(num_features, dtype=dtype)) if affine else None
        self.register_buffer("running_mean", np.zeros(num_features, dtype=dtype))
        self.register_buffer("running_var", np.ones(num_features, dtype=dtype))
        self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x, dtype=self.running_mean.dtype)
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d({self.num_features}): expected input of shape "
                f"(N, {self.num_features}), got {x.shape}"
            )

        if self.training:
            batch_size = x.shape[0]
            if batch_size < 2:
                raise ValueError(
                    f"BatchNorm1d: training needs more than one sample per batch to compute a "
                    f"variance, got input shape {x.shape}; use a larger batch or call eval()"
                )
            mean = x.mean(axis=0)
            centered = x - mean
            var = centered.square().mean(axis=0)
            normalized = centered / (var + self.eps).sqrt()
            self._update_running_stats(mean.data, var.data, batch_size)
        else:
            scale = 1.0 / np.sqrt(self.running_var + self.eps)
            normalized = (x - self.running_mean) * scale

        if self.affine:
            return normalized * self.weight + self.bias
        return normalized

    def _update_running_stats(self, mean: np.ndarray, var: np.ndarray, batch_size: int) -> None:
        self.num_batches_tracked += 1
        factor = (
            1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        )
        unbiased_var = var * (batch_size / (batch_size - 1))

        # In place, so the arrays that state_dict() and load_state_dict() see stay the same.
        self.running_mean *= 1.0 - factor
        self.running_mean += factor * mean
        self.running_var *= 1.0 - factor
        self.running_var += factor * unbiased_var

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"
        )
