r"""Initialise parameters in place, with the variance rules of the field.

Each function draws new values into ``tensor.data`` (keeping its dtype) and returns the
tensor. For a weight W(l) of shape (out, in): fan_in = in, fan_out = out.

============================  ============================================  ===================
function                      distribution of each weight                   meant for
============================  ============================================  ===================
``lecun_normal_``             N(0, 1 / fan_in)                              sigmoid, tanh
``xavier_normal_``            N(0, 2 / (fan_in + fan_out))                  sigmoid, tanh
``xavier_uniform_``           U(-a, a), a = sqrt(6 / (fan_in + fan_out))    sigmoid, tanh
``kaiming_normal_``           N(0, 2 / fan_in)                              ReLU
``kaiming_uniform_``          U(-a, a), a = sqrt(6 / fan_in)                ReLU
============================  ============================================  ===================

``glorot_normal_`` is ``xavier_normal_`` (Xavier Glorot's first and last name) and
``he_normal_`` is ``kaiming_normal_`` (Kaiming He). The course calls N(0, 1/fan_in)
"Xavier"; that variance is LeCun's. Glorot and Bengio (2010) average fan_in and fan_out.

Every function takes ``generator``: a numpy Generator, an int seed, or None for a fresh
random seed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor


def as_generator(seed: np.random.Generator | int | None) -> np.random.Generator:
    """Return ``seed`` if it is a numpy Generator, else a new Generator seeded with it.

    None gives a Generator with a fresh seed from the operating system.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(
        f"expected a numpy Generator, an int seed or None, got {type(seed).__name__}; "
        f"pass e.g. np.random.default_rng(0) or 0"
    )


def _array_of(tensor: Tensor | np.ndarray, function: str) -> np.ndarray:
    array = tensor.data if isinstance(tensor, Tensor) else tensor
    if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
        raise TypeError(f"{function}: expected a floating-point Tensor or numpy array")
    return array


def calculate_fans(tensor: Tensor | np.ndarray) -> tuple[int, int]:
    """Return (fan_in, fan_out) of a weight of shape (out, in) or (out, in, *kernel).

    Raises:
        ValueError: for fewer than 2 dimensions, where the fans are undefined (a bias).
    """
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(
            f"fan_in and fan_out need a weight with at least 2 dimensions, got shape {shape}; "
            f"initialise biases with zeros_ or uniform_"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Return the recommended gain for an activation, as PyTorch's table has it.

    linear, sigmoid, identity: 1; tanh: 5/3; relu: sqrt(2);
    leaky_relu with slope a (default 0.01): sqrt(2 / (1 + a^2)).
    """
    if nonlinearity in ("linear", "identity", "sigmoid"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    raise ValueError(
        f"calculate_gain: unknown nonlinearity {nonlinearity!r}; use 'linear', "
        f"'sigmoid', 'tanh', 'relu' or 'leaky_relu'"
    )


def _fill(array: np.ndarray, values: np.ndarray) -> None:
    # Assign in place so references to the array (optimizer state, views) stay valid.
    array[...] = values


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` with values drawn from U(a, b)."""
    array = _array_of(tensor, "uniform_")
    _fill(array, as_generator(generator).uniform(a, b, size=array.shape))
    return tensor


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill ``tensor`` with values drawn from N(mean, std^2)."""
    array = _array_of(tensor, "normal_")
    _fill(array, as_generator(generator).normal(mean, std, size=array.shape))
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with 0 (the usual bias initialisation)."""
    _array_of(tensor, "zeros_").fill(0.0)
    return tensor


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with 1."""
    _array_of(tensor, "ones_").fill(1.0)
    return tensor


def constant_(tensor: Tensor, value: float) -> Tensor:
    """Fill ``tensor`` with ``value``."""
    _array_of(tensor, "constant_").fill(value)
    return tensor


def lecun_normal_(tensor: Tensor, generator: Any = None) -> Tensor:
    r"""Fill a weight with LeCun normal values: :math:`W_{ij} \sim N(0, 1/\text{fan\_in})`.

    This keeps the variance of z = W a equal to the variance of a when the inputs are
    independent with unit variance. It is the rule the course text calls "Xavier".

    Example:
        >>> w = Tensor(np.empty((1000, 500)))
        >>> round(float(lecun_normal_(w, generator=0).data.var() * 500), 1)
        1.0
    """
    array = _array_of(tensor, "lecun_normal_")
    fan_in, _ = calculate_fans(array)
    return normal_(tensor, 0.0, math.sqrt(1.0 / fan_in), generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    r"""Fill a weight with Glorot (Xavier) normal values.

    :math:`W_{ij} \sim N(0, \text{gain}^2 \cdot 2 / (\text{fan\_in} + \text{fan\_out}))`,
    the compromise of Glorot and Bengio (2010) between keeping the forward variance
    (1/fan_in) and the backward variance (1/fan_out) constant.
    """
    array = _array_of(tensor, "xavier_normal_")
    fan_in, fan_out = calculate_fans(array)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


glorot_normal_ = xavier_normal_


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    r"""Fill a weight with Glorot (Xavier) uniform values.

    :math:`W_{ij} \sim U(-a, a)` with :math:`a = \text{gain} \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`,
    so the variance a^2 / 3 equals gain^2 * 2 / (fan_in + fan_out).
    """
    array = _array_of(tensor, "xavier_uniform_")
    fan_in, fan_out = calculate_fans(array)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


glorot_uniform_ = xavier_uniform_


def _kaiming_std(array: np.ndarray, a: float, mode: str, nonlinearity: str, function: str) -> float:
    fan_in, fan_out = calculate_fans(array)
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{function}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    r"""Fill a weight with He (Kaiming) normal values.

    :math:`W_{ij} \sim N(0, \text{gain}^2 / \text{fan})`; with the defaults (ReLU, or
    leaky ReLU with slope a = 0) gain^2 = 2, so the variance is 2 / fan_in: ReLU zeroes
    half of its inputs, and the factor 2 makes up for it (He et al., 2015).

    Args:
        a: negative slope of the leaky ReLU that follows (0 for ReLU).
        mode: "fan_in" keeps the forward variance, "fan_out" the backward one.
        nonlinearity: "relu" or "leaky_relu" (PyTorch's default), see `calculate_gain`.
    """
    array = _array_of(tensor, "kaiming_normal_")
    std = _kaiming_std(array, a, mode, nonlinearity, "kaiming_normal_")
    return normal_(tensor, 0.0, std, generator)


he_normal_ = kaiming_normal_


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Tensor:
    r"""Fill a weight with He (Kaiming) uniform values.

    :math:`W_{ij} \sim U(-b, b)` with :math:`b = \text{gain} \sqrt{3 / \text{fan}}`, so the
    variance is gain^2 / fan (2 / fan_in with the defaults).
    """
    array = _array_of(tensor, "kaiming_uniform_")
    bound = math.sqrt(3.0) * _kaiming_std(array, a, mode, nonlinearity, "kaiming_uniform_")
    return uniform_(tensor, -bound, bound, generator)


he_uniform_ = kaiming_uniform_
