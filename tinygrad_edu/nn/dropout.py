"""Inverted dropout as a module."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.init import as_generator
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class Dropout(Module):
    r"""Zero each element with probability p in training, scaling the rest by 1/(1 - p).

    In evaluation mode (``eval()``) the input is returned unchanged; the scaling in
    training keeps the expected value the same in both modes.

    Args:
        p: probability of zeroing an element, in [0, 1].
        rng: numpy Generator or int seed for the masks; None draws a fresh seed.

    Example:
        >>> drop = Dropout(0.5, rng=0)
        >>> drop(Tensor(np.ones(4))).data
        array([2., 0., 0., 0.])
        >>> drop.eval()(Tensor(np.ones(4))).data
        array([1., 1., 1., 1.])
    """

    def __init__(self, p: float = 0.5, rng: np.random.Generator | int | None = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: probability p must be in [0, 1], got {p}")
        self.p = float(p)
        self.generator = as_generator(rng)

    def forward(self, x: Any) -> Tensor:
        return F.dropout(x, self.p, self.training, self.generator)

    def extra_repr(self) -> str:
        return f"p={self.p}"
