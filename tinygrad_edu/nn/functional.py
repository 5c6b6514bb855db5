"""Functions behind the layers and losses, with the shape checks numpy leaves out.

Every function takes Tensors (numpy arrays and Python numbers are wrapped as constants)
and returns a Tensor in the graph. The losses raise ValueError when prediction and
target differ in shape, because numpy would broadcast (N, 1) against (N,) to (N, N)
and return a wrong number without any error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import ops
from tinygrad_edu.tensor import Tensor

_REDUCTIONS = ("mean", "sum", "none")


# ---- helpers ----------------------------------------------------------------------------


def _as_tensor(value: Any, dtype: Any = None) -> Tensor:
    """Return ``value`` unchanged if it is a Tensor, else wrap it as a constant."""
    if isinstance(value, Tensor):
        return value
    return Tensor(np.asarray(value, dtype=dtype))


def check_reduction(function: str, reduction: str) -> None:
    """Raise ValueError unless ``reduction`` is "mean", "sum" or "none"."""
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{function}: invalid reduction {reduction!r}; use 'mean', 'sum' or 'none'"
        )


def check_same_shape(function: str, prediction: Tensor, target: Tensor) -> None:
    """Raise ValueError naming both shapes and the fix when they differ."""
    if prediction.shape == target.shape:
        return
    try:
        broadcast = f"numpy would broadcast them to {np.broadcast_shapes(prediction.shape, target.shape)}"
    except ValueError:
        broadcast = "they do not broadcast"

    if prediction.ndim == 2 and prediction.shape[1] == 1 and target.shape == prediction.shape[:1]:
        fix = "reshape the target with y.reshape(-1, 1)"
    elif target.ndim == 2 and target.shape[1] == 1 and prediction.shape == target.shape[:1]:
        fix = "reshape the target with y.reshape(-1)"
    elif prediction.size == target.size:
        fix = f"reshape the target to {prediction.shape}"
    else:
        fix = f"pass one target per prediction, with shape {prediction.shape}"
    raise ValueError(
        f"{function}: prediction shape {prediction.shape} and target shape "
        f"{target.shape} differ, and {broadcast}; {fix}"
    )


def _check_unit_interval(function: str, quantity: str, array: np.ndarray, fix: str) -> None:
    if array.size == 0:
        return
    low, high = array.min(), array.max()
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"{function}: {quantity} must lie in [0, 1], got values from {low:g} to {high:g}; {fix}"
        )


# ---- layers and activations -------------------------------------------------------------


def linear(x: Any, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    r"""Apply an affine map: :math:`z = x W^T + b`.

    For one sample this is the course's :math:`z = W x + b`; for a batch each row of x
    is one sample.

    Args:
        x: input of shape (in_features,) or (N, in_features).
        weight: W of shape (out_features, in_features).
        bias: b of shape (out_features,), or None.

    Returns:
        z of shape (out_features,) or (N, out_features).

    Raises:
        ValueError: if x, weight and bias shapes do not fit, naming all of them.

    Example:
        >>> W = Tensor([[1.0, 2.0]]); b = Tensor([0.5])
        >>> linear(Tensor([3.0, 4.0]), W, b).data
        array([11.5])
    """
    x = _as_tensor(x)
    if weight.ndim != 2:
        raise ValueError(
            f"linear: weight must have shape (out_features, in_features), got {weight.shape}"
        )
    in_features = weight.shape[1]
    if x.ndim not in (1, 2) or x.shape[-1] != in_features:
        raise ValueError(
            f"linear: input shape {x.shape} does not fit weight shape {weight.shape}; "
            f"expected ({in_features},) or (N, {in_features})"
            + ("; reshape a batch to (N, in_features)" if x.ndim > 2 else "")
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise ValueError(
            f"linear: bias shape {bias.shape} does not fit weight shape {weight.shape}; "
            f"expected ({weight.shape[0]},)"
        )
    return ops.linear(x, weight, bias)


def sigmoid(x: Tensor) -> Tensor:
    r"""Apply :math:`\sigma(z) = 1 / (1 + e^{-z})`; its derivative is :math:`\sigma(1 - \sigma)`."""
    return _as_tensor(x).sigmoid()


def relu(x: Tensor) -> Tensor:
    r"""Apply :math:`\max(0, z)`; its derivative is 1 for z > 0 and 0 otherwise (also at 0)."""
    return _as_tensor(x).relu()


def tanh(x: Tensor) -> Tensor:
    r"""Apply :math:`\tanh z`; its derivative is :math:`1 - \tanh^2 z`."""
    return _as_tensor(x).tanh()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    r"""Apply z for z > 0 and ``negative_slope * z`` otherwise."""
    return _as_tensor(x).leaky_relu(negative_slope)


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    r"""Apply :math:`e^{z_i} / \sum_j e^{z_j}` along ``axis`` (shifted by the max for stability)."""
    return _as_tensor(x).softmax(axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    r"""Apply :math:`z_i - \log \sum_j e^{z_j}` along ``axis``, without forming the softmax."""
    return _as_tensor(x).log_softmax(axis)


def dropout(
    x: Tensor,
    p: float = 0.5,
    training: bool = True,
    rng: np.random.Generator | int | None = None,
) -> Tensor:
    r"""Zero each element with probability p and scale the rest by 1 / (1 - p).

    This is inverted dropout, as in PyTorch: the expected value of every element is
    unchanged, so evaluation needs no rescaling and returns x itself.

    Args:
        x: input of any shape.
        p: probability of zeroing an element, in [0, 1].
        training: if False, return x unchanged.
        rng: a numpy Generator or seed for the mask; None draws a fresh seed.

    Returns:
        :math:`x \odot m / (1 - p)` with :math:`m_i \sim \text{Bernoulli}(1 - p)`.

    Example:
        >>> dropout(Tensor(np.ones(4)), p=0.5, rng=0).data
        array([2., 0., 0., 0.])
    """
    from tinygrad_edu.nn.init import as_generator

    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability p must be in [0, 1], got {p}")
    x = _as_tensor(x)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * np.zeros(x.shape, dtype=x.dtype)

    keep = as_generator(rng).random(x.shape) >= p
    mask = keep.astype(x.dtype) * x.dtype.type(1.0 / (1.0 - p))
    return x * mask


# ---- losses -----------------------------------------------------------------------------


def binary_cross_entropy(prediction: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    r"""Compute binary cross-entropy between probabilities y_hat and targets y.

    .. math:: L = -[y \log \hat{y} + (1 - y) \log(1 - \hat{y})]

    As in PyTorch, each log is clamped at -100, so a probability of exactly 0 or 1
    gives a large finite loss instead of inf. The course's code clips y_hat to
    [1e-15, 1 - 1e-15] instead; the two agree unless y_hat is within about 1e-15 of 0
    or 1. For outputs that come from a sigmoid, `binary_cross_entropy_with_logits`
    is more accurate.

    Args:
        prediction: y_hat, probabilities in [0, 1], any shape.
        target: y in [0, 1], the same shape as ``prediction``.
        reduction: "mean" (the course's 1/m sum), "sum" or "none".

    Raises:
        ValueError: if the shapes differ (naming both and the fix), or if a prediction or
            target lies outside [0, 1].

    Example:
        >>> round(binary_cross_entropy(Tensor([0.598]), [1.0]).item(), 4)
        0.5142
    """
    name = "binary_cross_entropy"
    check_reduction(name, reduction)
    prediction = _as_tensor(prediction)
    target = _as_tensor(target, dtype=prediction.dtype)
    check_same_shape(name, prediction, target)
    # A sigmoid output lies in [0, 1] by construction, so the training loop's
    # common case skips the two reductions of this check.
    if not isinstance(prediction.op, ops.Sigmoid):
        _check_unit_interval(
            name, "predictions", prediction.data,
            "pass probabilities, or pass logits to binary_cross_entropy_with_logits",
        )
    _check_unit_interval(name, "targets", target.data, "use class labels 0 and 1")
    return ops.binary_cross_entropy(prediction, target, reduction=reduction)


def binary_cross_entropy_with_logits(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    r"""Compute binary cross-entropy from logits z, with y_hat = sigmoid(z) folded in.

    .. math:: L = \max(z, 0) - z y + \log(1 + e^{-|z|}), \qquad \partial L / \partial z = \sigma(z) - y

    This equals ``binary_cross_entropy(sigmoid(z), y)`` but stays exact for large |z|,
    where the sigmoid rounds to 0 or 1.

    Note:
        PyTorch accepts any target value here; this function raises for targets
        outside [0, 1], because they are no probabilities.

    Args:
        logits: z, any shape.
        target: y in [0, 1], the same shape as ``logits``.
        reduction: "mean", "sum" or "none".

    Example:
        >>> round(binary_cross_entropy_with_logits(Tensor([0.0]), [1.0]).item(), 4)
        0.6931
    """
    name = "binary_cross_entropy_with_logits"
    check_reduction(name, reduction)
    logits = _as_tensor(logits)
    target = _as_tensor(target, dtype=logits.dtype)
    check_same_shape(name, logits, target)
    _check_unit_interval(name, "targets", target.data, "use class labels 0 and 1")
    return ops.binary_cross_entropy_with_logits(logits, target, reduction=reduction)


def mse_loss(prediction: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    r"""Compute the squared error :math:`(\hat{y} - y)^2`, averaged over all elements by default.

    Args:
        prediction: y_hat, any shape.
        target: y, the same shape.
        reduction: "mean", "sum" or "none".

    Example:
        >>> mse_loss(Tensor([1.0, 3.0]), [0.0, 1.0]).item()
        2.5
    """
    name = "mse_loss"
    check_reduction(name, reduction)
    prediction = _as_tensor(prediction)
    target = _as_tensor(target, dtype=prediction.dtype)
    check_same_shape(name, prediction, target)

    squared = (prediction - target).square()
    if reduction == "mean":
        return squared.mean()
    if reduction == "sum":
        return squared.sum()
    return squared


def cross_entropy(logits: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    r"""Compute multi-class cross-entropy from logits and class indices.

    .. math:: L_n = -\log \operatorname{softmax}(z_n)_{y_n} = -z_{n, y_n} + \log \sum_c e^{z_{n,c}}

    Args:
        logits: z of shape (N, C).
        target: integer class indices of shape (N,), each in [0, C).
        reduction: "mean", "sum" or "none".

    Raises:
        ValueError: for other shapes, or an index outside [0, C).
        TypeError: if the targets are not integers.

    Example:
        >>> round(cross_entropy(Tensor([[0.0, 0.0]]), [1]).item(), 4)
        0.6931
    """
    name = "cross_entropy"
    check_reduction(name, reduction)
    logits = _as_tensor(logits)
    indices = np.asarray(target.data if isinstance(target, Tensor) else target)
    if logits.ndim != 2:
        raise ValueError(f"{name}: logits must have shape (N, C), got {logits.shape}")
    if indices.dtype.kind not in "iu":
        raise TypeError(
            f"{name}: targets must be integer class indices, got dtype {indices.dtype}; "
            f"convert them with y.astype(int)"
        )
    if indices.shape != logits.shape[:1]:
        raise ValueError(
            f"{name}: logits shape {logits.shape} needs targets of shape "
            f"({logits.shape[0]},), got {indices.shape}"
        )
    classes = logits.shape[1]
    if indices.size and (indices.min() < 0 or indices.max() >= classes):
        raise ValueError(
            f"{name}: class indices must be in [0, {classes}), got values from "
            f"{indices.min()} to {indices.max()}"
        )
    return ops.cross_entropy(logits, indices, reduction=reduction)
