"""gradcheck: True on correct gradients, a precise GradcheckError on wrong ones."""

import numpy as np
import pytest

from tinygrad_edu import GradcheckError, Tensor, gradcheck, ops
from tinygrad_edu.tensor import Op


class WrongSquare(Op):
    """x^2 with a deliberately wrong backward: it omits the factor 2."""

    __slots__ = ("a",)

    def forward(self, a):
        self.a = a
        return a * a

    def backward(self, grad):
        return (grad * self.a,)


def test_true_on_composed_function():
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    assert gradcheck(lambda t: (t * t).sigmoid(), [x]) is True


def test_true_on_two_inputs_and_constant():
    rng = np.random.default_rng(0)
    weight = Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    x = Tensor(rng.standard_normal((4, 2)), requires_grad=True)
    targets = Tensor(np.array([0, 2, 1, 1]))
    assert gradcheck(lambda w, inputs, t: ops.cross_entropy(inputs @ w.T, t.data), [weight, x, targets])


def test_true_on_non_contiguous_input():
    data = np.asfortranarray(np.random.default_rng(1).standard_normal((3, 2)))
    x = Tensor(data, requires_grad=True)
    assert not x.data.flags.c_contiguous
    assert gradcheck(lambda t: (t.tanh() * t).sum(axis=0), [x])


def test_inputs_restored():
    values = np.array([0.25, -0.75])
    x = Tensor(values.copy(), requires_grad=True)
    gradcheck(lambda t: t.exp(), [x])
    np.testing.assert_array_equal(x.data, values)


def test_wrong_backward_names_worst_element():
    x = Tensor([0.5, -3.0, 1.0], requires_grad=True, name="x")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: WrongSquare.apply(t).sum(), [x])
    message = str(info.value)

    # The upstream vector of a scalar output is one standard normal number; the
    # wrong gradient is a instead of 2a, so the largest |a| is the worst element.
    v = float(np.random.default_rng(0).standard_normal(()))
    assert "input 0 (x) of shape (3,), element (1,)" in message
    assert f"autodiff gives {v * -3.0:.10g}" in message
    numeric = float(message.split("central differences give ")[1].split(" ")[0])
    assert numeric == pytest.approx(v * -6.0, rel=1e-6)
    assert "Op path: x -> WrongSquare -> Sum" in message


def test_wrong_backward_returns_false_on_request():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert gradcheck(lambda t: WrongSquare.apply(t), [x], raise_exception=False) is False


def test_nan_on_both_sides_fails():
    x = Tensor([-1.0], requires_grad=True)
    with np.errstate(invalid="ignore"), pytest.raises(GradcheckError, match="autodiff gives nan") as info:
        gradcheck(lambda t: t.sqrt(), [x])
    assert "central differences give nan (a NaN never matches" in str(info.value)


def test_error_is_assertion_error():
    assert issubclass(GradcheckError, AssertionError)


def test_rejects_non_tensor_input():
    with pytest.raises(TypeError, match="gradcheck: input 0 is a ndarray, not a Tensor"):
        gradcheck(lambda t: t, [np.ones(2)])


def test_rejects_non_tensor_output():
    with pytest.raises(TypeError, match="gradcheck: fn must return a Tensor, got float"):
        gradcheck(lambda t: 1.0, [Tensor([1.0], requires_grad=True)])


def test_rejects_inputs_without_grad():
    with pytest.raises(ValueError, match="gradcheck: the output does not depend on any input with requires_grad=True"):
        gradcheck(lambda t: t * 2.0, [Tensor([1.0])])
