"""Base class of the optimizers, which stores the parameters, the learning rate and the state."""

from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from tinygrad_edu.tensor import Tensor


def check_hyperparameter(optimizer: str, name: str, value: Any, low: float, high: float | None = None,
                         include_high: bool = True) -> float:
    """Return ``value`` as a float, or raise ValueError naming it if outside [low, high]."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{optimizer}: {name} must be a number, got {value!r}") from None
    too_high = high is not None and (number > high if include_high else number >= high)
    if math.isnan(number) or number < low or too_high:
        if high is None:
            allowed = f">= {low}"
        else:
            allowed = f"in [{low}, {high}{']' if include_high else ')'}"
        raise ValueError(f"{optimizer}: invalid {name} {value!r}; it must be {allowed}")
    return number


class Optimizer:
    """Update parameters from their gradients; subclasses define ``step()``.

    Args:
        params: the parameters to train, e.g. ``model.parameters()``; each must be a
            leaf Tensor with ``requires_grad=True``. A parameter listed twice is kept once.
        lr: learning rate eta; a scheduler may change ``optimizer.lr`` between steps.

    Note:
        PyTorch groups parameters into ``param_groups`` with their own hyperparameters;
        here all parameters share one set, so ``optimizer.lr`` is a plain attribute.
    """

    def __init__(self, params: Iterable[Tensor], lr: float) -> None:
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params must be an iterable of Tensors, got a single Tensor; "
                f"wrap it in a list: [tensor]"
            )
        if hasattr(params, "parameters") and callable(params.parameters):
            raise TypeError(
                f"{name}: params must be the tensors to optimize, got the module "
                f"{type(params).__name__}; pass model.parameters()"
            )
        self.params: list[Tensor] = []
        seen: set[int] = set()
        for param in params:
            if not isinstance(param, Tensor):
                raise TypeError(f"{name}: can only optimize Tensors, got {type(param).__name__}")
            if not param.requires_grad or not param.is_leaf:
                raise ValueError(
                    f"{name}: can only optimize leaf Tensors with requires_grad=True, got "
                    f"{param!r}; pass model.parameters() or nn.Parameter objects"
                )
            if id(param) not in seen:
                seen.add(id(param))
                self.params.append(param)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list; pass model.parameters()")
        self.lr = check_hyperparameter(name, "learning rate lr", lr, 0.0)
        self.initial_lr = self.lr
        # Per-parameter buffers (momentum, Adam moments), allocated on first use.
        self.state: dict[int, dict[str, Any]] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of all parameters (None by default, as PyTorch)."""
        for param in self.params:
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.fill(0.0)

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        raise NotImplementedError(f"{type(self).__name__} does not define step()")

    def _param_state(self, param: Tensor) -> dict[str, Any]:
        state = self.state.get(id(param))
        if state is None:
            state = self.state[id(param)] = {}
        return state

    def state_dict(self) -> dict[str, Any]:
        """Return the learning rate and copies of the per-parameter buffers, by index."""
        index_of = {id(p): i for i, p in enumerate(self.params)}
        return {
            "lr": self.lr,
            "state": {
                index_of[key]: {
                    name: value.copy() if isinstance(value, np.ndarray) else value
                    for name, value in buffers.items()
                }
                for key, buffers in self.state.items()
            },
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned, for the same parameter list."""
        states = state_dict["state"]
        bad = [i for i in states if not 0 <= int(i) < len(self.params)]
        if bad:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: state for parameter indices {bad}, "
                f"but the optimizer has {len(self.params)} parameters"
            )
        self.lr = float(state_dict["lr"])
        self.state = {
            id(self.params[int(i)]): {
                name: value.copy() if isinstance(value, np.ndarray) else value
                for name, value in buffers.items()
            }
            for i, buffers in states.items()
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr})"
