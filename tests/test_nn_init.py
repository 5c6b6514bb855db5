"""nn.init: each rule's variance and bounds, in place, reproducible."""

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import init

FAN_OUT, FAN_IN = 400, 300  # weight shape (out, in): 120,000 draws, variance within 2%


def _weight(dtype=np.float64):
    return Tensor(np.zeros((FAN_OUT, FAN_IN), dtype=dtype))


@pytest.mark.parametrize(
    "function, variance",
    [
        (init.lecun_normal_, 1 / FAN_IN),
        (init.xavier_normal_, 2 / (FAN_IN + FAN_OUT)),
        (init.glorot_normal_, 2 / (FAN_IN + FAN_OUT)),
        (init.xavier_uniform_, 2 / (FAN_IN + FAN_OUT)),
        (init.kaiming_normal_, 2 / FAN_IN),
        (init.he_normal_, 2 / FAN_IN),
        (init.kaiming_uniform_, 2 / FAN_IN),
    ],
    ids=lambda f: getattr(f, "__name__", ""),
)
def test_init_variance(function, variance):
    w = _weight()
    assert function(w, generator=0) is w
    assert w.data.var() == pytest.approx(variance, rel=0.02)
    assert abs(w.data.mean()) < 0.01 * math.sqrt(variance) * 10


def test_uniform_rules_respect_bounds():
    w = init.xavier_uniform_(_weight(), generator=0)
    assert np.abs(w.data).max() <= math.sqrt(6 / (FAN_IN + FAN_OUT))
    w = init.kaiming_uniform_(_weight(), generator=0)
    assert np.abs(w.data).max() <= math.sqrt(6 / FAN_IN)


def test_kaiming_fan_out_and_gain():
    w = init.kaiming_normal_(_weight(), mode="fan_out", nonlinearity="relu", generator=0)
    assert w.data.var() == pytest.approx(2 / FAN_OUT, rel=0.02)
    w = init.kaiming_normal_(_weight(), a=0.5, nonlinearity="leaky_relu", generator=0)
    assert w.data.var() == pytest.approx(2 / (1 + 0.25) / FAN_IN, rel=0.02)
    w = init.xavier_normal_(_weight(), gain=3.0, generator=0)
    assert w.data.var() == pytest.approx(9 * 2 / (FAN_IN + FAN_OUT), rel=0.02)


def test_calculate_gain_table():
    assert init.calculate_gain("sigmoid") == 1.0
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    with pytest.raises(ValueError, match="unknown nonlinearity"):
        init.calculate_gain("swish")


def test_normal_uniform_zeros_ones_constant():
    w = init.normal_(_weight(), mean=3.0, std=0.5, generator=0)
    assert w.data.mean() == pytest.approx(3.0, abs=0.01)
    assert w.data.std() == pytest.approx(0.5, rel=0.02)
    w = init.uniform_(_weight(), -2.0, 1.0, generator=0)
    assert w.data.min() >= -2.0
    assert w.data.max() < 1.0
    assert w.data.mean() == pytest.approx(-0.5, abs=0.01)
    np.testing.assert_array_equal(init.zeros_(w).data, 0.0)
    np.testing.assert_array_equal(init.ones_(w).data, 1.0)
    np.testing.assert_array_equal(init.constant_(w, 0.25).data, 0.25)


def test_init_in_place_keeps_array_and_dtype():
    w = _weight(np.float32)
    array = w.data
    init.he_normal_(w, generator=0)
    assert w.data is array
    assert w.dtype == np.float32


def test_generator_reproducible():
    a = init.lecun_normal_(_weight(), generator=4)
    b = init.lecun_normal_(_weight(), generator=np.random.default_rng(4))
    np.testing.assert_array_equal(a.data, b.data)


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_normal_(Tensor(np.zeros(5)))
    assert init.calculate_fans(np.zeros((4, 3, 2, 2))) == (12, 16)


def test_bad_generator_and_mode_raise():
    with pytest.raises(TypeError, match="Generator"):
        init.normal_(_weight(), generator="seed")
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(_weight(), mode="fan_avg")
    with pytest.raises(TypeError, match="floating-point"):
        init.zeros_(Tensor(np.zeros(3, dtype=np.int64)))


def test_course_xavier_is_lecun():
    # The course's "Xavier" std sqrt(1/n_in) is LeCun's; Glorot's differs unless n_in == n_out.
    course = nn.MLP([FAN_IN, FAN_OUT], activation="sigmoid", seed=0).linear_layers[0]
    assert course.weight.data.var() == pytest.approx(1 / FAN_IN, rel=0.02)
    assert course.weight.data.var() != pytest.approx(2 / (FAN_IN + FAN_OUT), rel=0.02)
