"""Anomaly detection: raise at the op that first makes a NaN or an infinity."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from tinygrad_edu import tensor as _tensor


class detect_anomaly:
    """Raise FloatingPointError where an op makes a NaN or inf, in forward or backward.

    Inside the block, every op records where in the user's code it was created
    and checks its result; backward checks every gradient an op returns. The error
    names the op, the input shapes and that place. The checks cost time on every
    op, so use this for debugging only.

    Example:
        >>> from tinygrad_edu import Tensor, detect_anomaly
        >>> x = Tensor([0.0], requires_grad=True)
        >>> with detect_anomaly():
        ...     y = x.log()
        Traceback (most recent call last):
        ...
        FloatingPointError: Log made -inf in its forward ...
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled

    def __enter__(self) -> "detect_anomaly":
        self._previous = _tensor._anomaly_enabled
        _tensor._anomaly_enabled = self.enabled
        return self

    def __exit__(self, *exc_info: object) -> None:
        _tensor._anomaly_enabled = self._previous


def _describe_bad(values: np.ndarray) -> str:
    if np.isnan(values).any():
        return "NaN"
    if np.isposinf(values).any():
        return "inf"
    return "-inf"


def check_forward(op: Any, parents: Sequence[Any], data: np.ndarray) -> None:
    """Raise FloatingPointError if the forward result of `op` has a NaN or inf."""
    if data.dtype.kind != "f" or np.isfinite(data).all():
        return
    inputs_finite = all(p.data.dtype.kind != "f" or np.isfinite(p.data).all() for p in parents)
    cause = "its inputs are finite" if inputs_finite else "an input already had a NaN or inf"
    raise FloatingPointError(
        f"{op.name} made {_describe_bad(data)} in its forward ({cause}); input shapes "
        f"{[p.shape for p in parents]}; the op was created at {op.created_at}. "
        "Check the input values of this op (e.g. log of 0, division by 0, overflow of exp)"
    )


def check_backward(op: Any, input_grads: Sequence[Any]) -> None:
    """Raise FloatingPointError if a gradient returned by `op.backward` has a NaN or inf."""
    for index, grad in enumerate(input_grads):
        if grad is None or np.isfinite(grad).all():
            continue
        parent = op.parents[index]
        where = getattr(op, "created_at", "an unknown place (it was created outside detect_anomaly)")
        raise FloatingPointError(
            f"{op.name} made {_describe_bad(grad)} in its backward, in the gradient for input {index} "
            f"(shape {parent.shape}{', name ' + repr(parent.name) if parent.name else ''}); "
            f"the op was created at {where}. Check that op's inputs for values where its derivative "
            "is infinite (e.g. sqrt or log at 0)"
        )
