"""Tensor and backward semantics: accumulation, no_grad, retain_grad, graph shapes, dtypes."""

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, is_grad_enabled, no_grad, ops
from tinygrad_edu.tensor import Op

# ---- construction and dtypes ----------------------------------------------------------------


def test_python_floats_default_float64():
    assert Tensor(1.5).dtype == np.float64
    assert Tensor([1.0, 2.0]).dtype == np.float64
    assert Tensor([[1.0], [2.0]], requires_grad=True).dtype == np.float64


def test_numpy_dtype_kept_and_copied():
    array = np.array([1.0, 2.0], dtype=np.float32)
    x = Tensor(array)
    assert x.dtype == np.float32
    array[0] = 5.0
    assert x.data[0] == 1.0


def test_dtype_argument():
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("data, dtype", [([1, 2], None), ([True, False], None), ([1.0], np.int32)])
def test_integer_or_bool_with_grad_raises(data, dtype):
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients, got dtype"):
        Tensor(data, requires_grad=True, dtype=dtype)


def test_integer_tensor_without_grad_allowed():
    x = Tensor([1, 2, 3])
    assert x.dtype.kind == "i"
    np.testing.assert_array_equal((x * 2.5).data, [2.5, 5.0, 7.5])


def test_properties():
    x = Tensor(np.zeros((2, 3)), requires_grad=True, name="x")
    assert x.shape == (2, 3)
    assert x.ndim == 2
    assert x.size == 6
    assert x.name == "x"
    assert x.is_leaf
    assert x.op is None
    assert x.grad is None
    assert x.numpy() is x.data
    assert "requires_grad=True" in repr(x)
    assert "name='x'" in repr(x)


def test_float32_python_scalar_stays_float32():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    for result in (x + 1.0, 2.0 * x, x - 1, 1 / x, x**2, 2**x, x / np.float64(3.0)):
        assert result.dtype == np.float32


def test_float32_mixed_with_float64_array():
    # numpy promotes to float64, but the leaf's gradient keeps the leaf's dtype.
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = (x * np.array([3.0, 4.0])).sum()
    assert y.dtype == np.float64
    y.backward()
    y.backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [6.0, 8.0])


def test_float32_end_to_end_mlp():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((5, 2)).astype(np.float32))
    y = (rng.random((5, 1)) > 0.5).astype(np.float32)
    w1 = Tensor(rng.standard_normal((4, 2)).astype(np.float32), requires_grad=True)
    b1 = Tensor(np.zeros(4, dtype=np.float32), requires_grad=True)
    w2 = Tensor(rng.standard_normal((1, 4)).astype(np.float32), requires_grad=True)
    b2 = Tensor(np.zeros(1, dtype=np.float32), requires_grad=True)

    hidden = ops.linear(x, w1, b1).tanh()
    a2 = ops.linear(hidden, w2, b2).sigmoid()
    loss = ops.binary_cross_entropy(a2, y) + (w1.square().sum() * 0.01)
    hidden.retain_grad()
    loss.backward()

    assert loss.dtype == np.float32
    assert hidden.grad.dtype == np.float32
    for parameter in (w1, b1, w2, b2):
        assert parameter.grad.dtype == np.float32
        assert parameter.grad.shape == parameter.shape


# ---- backward -------------------------------------------------------------------------------


def test_scalar_backward_default_one():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])


def test_grad_accumulates_until_zero_grad():
    x = Tensor([1.0, -2.0], requires_grad=True)
    (x * 3.0).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0 + 2.0, 3.0 - 4.0])

    x.zero_grad()
    assert x.grad is None
    (x * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_backward_twice_on_same_output_adds():
    # The graph is kept after backward, unlike PyTorch, which would raise here.
    x = Tensor([2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()
    np.testing.assert_array_equal(x.grad, [8.0])


def test_zero_dim_grad_stays_ndarray():
    x = Tensor(2.0, requires_grad=True)
    (x * x).backward()
    (x * x).backward()
    assert isinstance(x.grad, np.ndarray)
    assert x.grad.shape == ()
    assert x.grad == 8.0


def test_results_are_ndarrays():
    x = Tensor([1.0, 2.0], requires_grad=True)
    for result in (x.sum(), x.mean(), x.max(), x[0], x @ x, Tensor(2.0) * Tensor(3.0)):
        assert isinstance(result.data, np.ndarray)


def test_non_scalar_backward_without_grad_raises():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2.0
    with pytest.raises(RuntimeError, match=r"the output has shape \(2, 3\), not one element") as info:
        y.backward()
    assert "loss.sum()" in str(info.value)


def test_backward_with_explicit_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(Tensor([1.0, -1.0]))
    np.testing.assert_array_equal(x.grad, [2.0, -4.0])


def test_backward_grad_shape_mismatch():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2.0
    with pytest.raises(ValueError, match=r"grad has shape \(3,\) but the tensor has shape \(2,\)"):
        y.backward(np.ones(3))


def test_backward_through_no_grad_raises():
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = (x * 2.0).sum()
    assert y.requires_grad is False
    assert y.op is None
    with pytest.raises(RuntimeError, match=r"does not require a gradient.*no_grad\(\)"):
        y.backward()


def test_backward_without_any_grad_input_raises():
    with pytest.raises(RuntimeError, match="requires_grad=True"):
        (Tensor([1.0]) * 2.0).sum().backward()


def test_backward_on_leaf():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.backward(np.array([3.0, 4.0]))
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_tensor_used_twice_gets_sum():
    x = Tensor([3.0], requires_grad=True)
    (x * x + x).sum().backward()
    np.testing.assert_array_equal(x.grad, [7.0])


def test_same_tensor_both_operands():
    x = Tensor([1.5, -2.0], requires_grad=True)
    (x + x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_diamond_graph():
    # x -> a -> (b, c) -> d: a receives the sum of both paths' gradients.
    x = Tensor([0.3, -0.7], requires_grad=True)
    a = x * 2.0
    b = a.exp()
    c = a.tanh()
    d = (b * c).sum()
    d.backward()
    a_value = 2.0 * x.data
    expected = 2.0 * (np.exp(a_value) * np.tanh(a_value) + np.exp(a_value) * (1 - np.tanh(a_value) ** 2))
    np.testing.assert_allclose(x.grad, expected, rtol=1e-14)


def test_constants_get_no_grad():
    x = Tensor([1.0], requires_grad=True)
    constant = Tensor([5.0])
    (x * constant).sum().backward()
    assert constant.grad is None


def test_detach_cuts_graph():
    x = Tensor([2.0], requires_grad=True)
    y = x * 3.0
    z = (y.detach() * x).sum()
    z.backward()
    np.testing.assert_array_equal(x.grad, [6.0])
    assert y.detach().data is y.data


def test_retain_grad_on_non_leaf():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3.0
    returned = hidden.retain_grad()
    other = x * 2.0
    (hidden * other).sum().backward()
    assert returned is hidden
    np.testing.assert_array_equal(hidden.grad, other.data)
    assert other.grad is None
    assert not hidden.is_leaf


def test_retain_grad_without_grad_raises():
    with pytest.raises(RuntimeError, match="retain_grad: this tensor does not require a gradient"):
        Tensor([1.0]).retain_grad()


def test_graph_introspection():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    assert y.op.name == "Mul"
    assert y.op.parents[0] is x
    np.testing.assert_array_equal(y.op.parents[1].data, 2.0)
    assert y.op.needs_grad == (True, False)
    z = ops.linear(x, Tensor(np.ones((3, 2)), requires_grad=True))
    assert z.op.name == "Linear"


# ---- no_grad --------------------------------------------------------------------------------


def test_no_grad_context_and_restore():
    x = Tensor([1.0], requires_grad=True)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        with no_grad():
            y = x * 2.0
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert y.requires_grad is False


def test_no_grad_restored_after_exception():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert is_grad_enabled()


def test_no_grad_decorator():
    @no_grad()
    def evaluate(tensor):
        """Double the tensor."""
        return tensor * 2.0

    result = evaluate(Tensor([1.0], requires_grad=True))
    assert result.requires_grad is False
    assert evaluate.__name__ == "evaluate"
    assert evaluate.__doc__ == "Double the tensor."
    assert is_grad_enabled()


def test_leaf_made_under_no_grad_keeps_requires_grad():
    with no_grad():
        x = Tensor([1.0], requires_grad=True)
    (x * 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0])


# ---- deep chains ----------------------------------------------------------------------------


def test_deep_chain_backward():
    steps = 100_000
    factor = 1.00001
    x = Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(steps):
        y = y * factor
    y.backward()
    assert x.grad == pytest.approx(factor**steps, rel=1e-9)
    assert x.grad == pytest.approx(math.exp(steps * math.log(factor)), rel=1e-9)


# ---- custom ops with a broken backward ------------------------------------------------------


class TwoInputsOneGradient(Op):
    """a * b whose backward omits the second gradient."""

    def forward(self, a, b):
        return a * b

    def backward(self, grad):
        return (grad,)


class WrongShapeGradient(Op):
    """Sum whose backward returns the output's shape instead of the input's."""

    def forward(self, a):
        return np.sum(a)

    def backward(self, grad):
        return (grad,)


def test_backward_wrong_gradient_count():
    a = Tensor([1.0], requires_grad=True)
    b = Tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="TwoInputsOneGradient.backward returned 1 gradients for 2 inputs"):
        TwoInputsOneGradient.apply(a, b).sum().backward()


def test_backward_gradient_not_tuple():
    class BareArray(Op):
        def forward(self, a):
            return a * 1.0

        def backward(self, grad):
            return grad

    with pytest.raises(RuntimeError, match="BareArray.backward returned a ndarray for 1 inputs"):
        BareArray.apply(Tensor([1.0, 2.0], requires_grad=True)).sum().backward()


def test_backward_wrong_gradient_shape():
    with pytest.raises(RuntimeError, match=r"WrongShapeGradient.backward returned a gradient of shape \(\) for an input of shape \(3,\)"):
        WrongShapeGradient.apply(Tensor([1.0, 2.0, 3.0], requires_grad=True)).backward()
