"""detect_anomaly: raise at the op that makes a NaN or inf, naming it and the user's line."""

import inspect
import os

import numpy as np
import pytest

from tinygrad_edu import Tensor, detect_anomaly
from tinygrad_edu import tensor as tensor_module

THIS_FILE = os.path.basename(__file__)


def line_after_this_call() -> int:
    """Return the line number just below the caller's line."""
    return inspect.currentframe().f_back.f_lineno + 1


def test_forward_log_of_zero():
    x = Tensor([1.0, 0.0], requires_grad=True)
    with detect_anomaly(), np.errstate(divide="ignore"), pytest.raises(FloatingPointError) as info:
        line = line_after_this_call()
        x.log()
    message = str(info.value)
    assert message.startswith("Log made -inf in its forward (its inputs are finite)")
    assert f"{THIS_FILE}:{line} in test_forward_log_of_zero" in message
    assert "input shapes [(2,)]" in message


def test_forward_nan_from_sqrt():
    x = Tensor([-1.0], requires_grad=True)
    with detect_anomaly(), np.errstate(invalid="ignore"), pytest.raises(FloatingPointError, match="Sqrt made NaN in its forward"):
        x.sqrt()


def test_forward_overflow_to_inf():
    x = Tensor([1000.0], requires_grad=True)
    with detect_anomaly(), np.errstate(over="ignore"), pytest.raises(FloatingPointError, match="Exp made inf in its forward"):
        x.exp()


def test_forward_nan_input_named():
    x = Tensor([np.nan, 1.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(FloatingPointError, match="Mul made NaN .*an input already had a NaN or inf"):
        x * 2.0


def test_backward_sqrt_at_zero():
    x = Tensor([0.0, 4.0], requires_grad=True, name="x")
    with detect_anomaly():
        line = line_after_this_call()
        y = x.sqrt().sum()
        with pytest.raises(FloatingPointError) as info:
            y.backward()
    message = str(info.value)
    assert message.startswith("Sqrt made inf in its backward, in the gradient for input 0 (shape (2,), name 'x')")
    assert f"{THIS_FILE}:{line} in test_backward_sqrt_at_zero" in message


def test_backward_of_graph_built_outside():
    x = Tensor([0.0], requires_grad=True)
    y = x.sqrt().sum()
    with detect_anomaly(), pytest.raises(FloatingPointError, match="created outside detect_anomaly"):
        y.backward()


def test_nothing_checked_outside():
    x = Tensor([0.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        y = x.log()
    assert y.data[0] == -np.inf
    z = x.sqrt().sum()
    z.backward()
    assert x.grad[0] == np.inf


def test_finite_values_pass():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        (x.log() * x).sum().backward()
    np.testing.assert_allclose(x.grad, np.log([1.0, 2.0]) + 1)


def test_state_restored_and_nesting():
    assert tensor_module._anomaly_enabled is False
    with detect_anomaly():
        assert tensor_module._anomaly_enabled is True
        with detect_anomaly(enabled=False):
            assert tensor_module._anomaly_enabled is False
        assert tensor_module._anomaly_enabled is True
    assert tensor_module._anomaly_enabled is False


def test_state_restored_after_error():
    with pytest.raises(ZeroDivisionError):
        with detect_anomaly():
            1 / 0
    assert tensor_module._anomaly_enabled is False
