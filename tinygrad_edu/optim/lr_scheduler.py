"""Learning-rate schedules: each ``scheduler.step()`` sets ``optimizer.lr`` for the next epoch."""

from __future__ import annotations

from tinygrad_edu.optim.optimizer import Optimizer, check_hyperparameter


class LRScheduler:
    """Base class: sets ``optimizer.lr = lr_at(t)`` where t counts ``step()`` calls.

    Call ``scheduler.step()`` once per epoch, after the epoch's ``optimizer.step()``
    calls, as in PyTorch. The learning rate at construction (``optimizer.lr``) is eta_0.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        self._last_lr = self.lr_at(0)
        optimizer.lr = self._last_lr

    def lr_at(self, t: int) -> float:
        """Return the learning rate after ``t`` calls of ``step()``."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance t by one and set the optimizer's learning rate."""
        self.last_epoch += 1
        self._last_lr = self.lr_at(self.last_epoch)
        self.optimizer.lr = self._last_lr

    def get_last_lr(self) -> list[float]:
        """Return the current learning rate as a one-element list (PyTorch has one per group)."""
        return [self._last_lr]


class InverseTimeLR(LRScheduler):
    r"""Decay the learning rate as the course does: :math:`\eta_t = \eta_0 / (1 + \alpha t)`.

    Args:
        optimizer: the optimizer whose ``lr`` is eta_0.
        alpha: decay rate alpha >= 0 per step.

    Example:
        >>> opt = SGD([nn.Parameter([0.0])], lr=0.1)
        >>> sched = InverseTimeLR(opt, alpha=1.0)
        >>> sched.step(); opt.lr
        0.05
    """

    def __init__(self, optimizer: Optimizer, alpha: float) -> None:
        self.alpha = check_hyperparameter("InverseTimeLR", "alpha", alpha, 0.0)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr / (1.0 + self.alpha * t)


class StepLR(LRScheduler):
    r"""Multiply the learning rate by gamma every ``step_size`` steps: :math:`\eta_t = \eta_0 \gamma^{\lfloor t / s \rfloor}`.

    Example:
        >>> opt = SGD([nn.Parameter([0.0])], lr=1.0)
        >>> sched = StepLR(opt, step_size=2, gamma=0.5)
        >>> for _ in range(4): sched.step()
        >>> sched.get_last_lr()
        [0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = check_hyperparameter("StepLR", "gamma", gamma, 0.0)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma ** (t // self.step_size)


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by gamma every step: :math:`\eta_t = \eta_0 \gamma^t`."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = check_hyperparameter("ExponentialLR", "gamma", gamma, 0.0)
        super().__init__(optimizer)

    def lr_at(self, t: int) -> float:
        return self.base_lr * self.gamma**t
