"""Adam: adaptive moment estimation."""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from tinygrad_edu.optim.optimizer import Optimizer, check_hyperparameter
from tinygrad_edu.tensor import Tensor


class Adam(Optimizer):
    r"""Update each parameter with Adam (Kingma and Ba, 2015), by PyTorch's rule.

    With g = the gradient and t = the step count starting at 1:

    .. math::
        g &\leftarrow g + \lambda \theta \quad (\text{weight\_decay } \lambda \ne 0) \\
        m &\leftarrow \beta_1 m + (1 - \beta_1) g \\
        v &\leftarrow \beta_2 v + (1 - \beta_2) g^2 \\
        \theta &\leftarrow \theta - \frac{\eta}{1 - \beta_1^t} \cdot
            \frac{m}{\sqrt{v} / \sqrt{1 - \beta_2^t} + \epsilon}

    m and v start at zero; the two bias corrections undo that start. Weight decay here
    is the L2 penalty added to the gradient (PyTorch's Adam), not AdamW's decoupled decay.

    Args:
        params: the parameters, e.g. ``model.parameters()``.
        lr: learning rate eta.
        betas: (beta1, beta2), each in [0, 1).
        eps: epsilon >= 0 in the denominator.
        weight_decay: lambda >= 0.

    Example:
        >>> w = nn.Parameter([1.0, -1.0])
        >>> opt = Adam([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step(); np.round(w.data, 6)
        array([ 0.9, -0.9])
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        beta1 = check_hyperparameter("Adam", "beta1 (betas[0])", betas[0], 0.0, 1.0, include_high=False)
        beta2 = check_hyperparameter("Adam", "beta2 (betas[1])", betas[1], 0.0, 1.0, include_high=False)
        self.betas = (beta1, beta2)
        self.eps = check_hyperparameter("Adam", "eps", eps, 0.0)
        self.weight_decay = check_hyperparameter("Adam", "weight_decay", weight_decay, 0.0)

    def step(self) -> None:
        beta1, beta2 = self.betas
        for param in self.params:
            grad = param.grad
            if grad is None:
                continue
            data = param.data

            if self.weight_decay != 0.0:
                grad = grad + self.weight_decay * data

            state = self._param_state(param)
            if not state:
                state["step"] = 0
                state["exp_avg"] = np.zeros_like(data)
                state["exp_avg_sq"] = np.zeros_like(data)
            state["step"] += 1
            step = state["step"]
            exp_avg = state["exp_avg"]
            exp_avg_sq = state["exp_avg_sq"]

            exp_avg *= beta1
            exp_avg += (1.0 - beta1) * grad
            exp_avg_sq *= beta2
            exp_avg_sq += (1.0 - beta2) * (grad * grad)

            step_size = self.lr / (1.0 - beta1**step)
            denominator = np.sqrt(exp_avg_sq) / math.sqrt(1.0 - beta2**step)
            denominator += self.eps
            data -= step_size * (exp_avg / denominator)

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay})"
