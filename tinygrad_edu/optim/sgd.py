"""Stochastic gradient descent with momentum, weight decay and Nesterov momentum."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from tinygrad_edu.optim.optimizer import Optimizer, check_hyperparameter
from tinygrad_edu.tensor import Tensor


class SGD(Optimizer):
    r"""Update each parameter by gradient descent, optionally with momentum.

    The rule is PyTorch's. With g = the parameter's gradient, for each step:

    .. math::
        g &\leftarrow g + \lambda \theta \quad (\text{weight\_decay } \lambda \ne 0) \\
        b &\leftarrow g \ \text{(first step)}, \quad
        b \leftarrow \mu b + (1 - \tau) g \ \text{(later steps)} \quad (\text{momentum } \mu \ne 0) \\
        g &\leftarrow g + \mu b \ \text{(nesterov)}, \quad g \leftarrow b \ \text{(otherwise)} \\
        \theta &\leftarrow \theta - \eta g

    With the defaults this is the course's :math:`W \leftarrow W - \eta \, \partial L / \partial W`.

    Args:
        params: the parameters, e.g. ``model.parameters()``.
        lr: learning rate eta.
        momentum: mu in [0, 1).
        weight_decay: lambda >= 0, an L2 penalty lambda/2 ||theta||^2 added to the loss.
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening 0).
        dampening: tau in [0, 1], damping of the gradient in the momentum buffer.

    Example:
        >>> w = nn.Parameter([1.0, 2.0])
        >>> opt = SGD([w], lr=0.1)
        >>> (w * w).sum().backward(); opt.step(); w.data
        array([0.8, 1.6])
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        dampening: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = check_hyperparameter("SGD", "momentum", momentum, 0.0, 1.0, include_high=False)
        self.weight_decay = check_hyperparameter("SGD", "weight_decay", weight_decay, 0.0)
        self.dampening = check_hyperparameter("SGD", "dampening", dampening, 0.0, 1.0)
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError(
                f"SGD: nesterov=True needs momentum > 0 and dampening = 0, got momentum="
                f"{momentum} and dampening={dampening}"
            )
        self.nesterov = bool(nesterov)

    def step(self) -> None:
        lr = self.lr
        momentum = self.momentum
        weight_decay = self.weight_decay
        for param in self.params:
            grad = param.grad
            if grad is None:
                continue
            data = param.data

            if weight_decay != 0.0:
                grad = grad + weight_decay * data

            if momentum != 0.0:
                state = self._param_state(param)
                buffer = state.get("momentum_buffer")
                if buffer is None:
                    buffer = state["momentum_buffer"] = np.array(grad, dtype=data.dtype)
                else:
                    buffer *= momentum
                    buffer += (1.0 - self.dampening) * grad
                grad = grad + momentum * buffer if self.nesterov else buffer

            # In place: the optimizer, the model and any view share this array.
            data -= lr * grad

    def __repr__(self) -> str:
        return (
            f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay}, "
            f"nesterov={self.nesterov}, dampening={self.dampening})"
        )
