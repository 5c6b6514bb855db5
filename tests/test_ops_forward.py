"""Exact values of ops: conventions at kinks and ties, indexing, matmul forms, operators.

The random-shape properties live in test_ops_gradients.py; this file pins the
cases that finite differences cannot check (kinks, ties, integer indices) and
known values of the activations.
"""

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, concatenate, ops, stack, where


def grad_of(fn, values, upstream=None):
    """Return (output, gradient) of fn at `values` for the given upstream gradient."""
    x = Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
    out = fn(x)
    out.backward(np.ones(out.shape) if upstream is None else upstream)
    return out, x.grad


# ---- conventions at kinks and ties --------------------------------------------------------


def test_relu_gradient_zero_at_zero():
    out, grad = grad_of(lambda x: x.relu(), [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(grad, [0.0, 0.0, 1.0])


def test_relu_of_infinities():
    out = Tensor([-np.inf, np.inf]).relu()
    np.testing.assert_array_equal(out.data, [0.0, np.inf])


def test_abs_gradient_zero_at_zero():
    out, grad = grad_of(lambda x: x.abs(), [-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(out.data, [2.0, 0.0, 3.0])
    np.testing.assert_array_equal(grad, [-1.0, 0.0, 1.0])


def test_leaky_relu_slope_at_zero():
    # PyTorch's leaky_relu takes the slope branch for x <= 0.
    out, grad = grad_of(lambda x: x.leaky_relu(0.1), [-2.0, 0.0, 3.0])
    np.testing.assert_allclose(out.data, [-0.2, 0.0, 3.0])
    np.testing.assert_allclose(grad, [0.1, 0.1, 1.0])


def test_leaky_relu_default_slope():
    out, grad = grad_of(lambda x: x.leaky_relu(), [-1.0, 1.0])
    np.testing.assert_allclose(out.data, [-0.01, 1.0])
    np.testing.assert_allclose(grad, [0.01, 1.0])


def test_clip_bounds_inclusive():
    out, grad = grad_of(lambda x: x.clip(-1.0, 1.0), [-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(out.data, [-1.0, -1.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(grad, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clip_keeps_float32_with_numpy_bounds():
    x = Tensor(np.array([-2.0, 0.5, 2.0], dtype=np.float32))
    assert x.clip(np.float64(-1.0), np.float64(1.0)).dtype == np.float32


def test_clip_one_sided():
    _, grad_lo = grad_of(lambda x: x.clip(lo=0.0), [-1.0, 0.0, 1.0])
    _, grad_hi = grad_of(lambda x: x.clip(hi=0.0), [-1.0, 0.0, 1.0])
    np.testing.assert_array_equal(grad_lo, [0.0, 1.0, 1.0])
    np.testing.assert_array_equal(grad_hi, [1.0, 1.0, 0.0])


def test_max_ties_split_evenly():
    out, grad = grad_of(lambda x: x.max(), [1.0, 3.0, 3.0, 2.0])
    assert out.item() == 3.0
    np.testing.assert_array_equal(grad, [0.0, 0.5, 0.5, 0.0])


def test_max_ties_along_axis():
    values = [[1.0, 4.0, 4.0], [2.0, 2.0, 2.0]]
    out, grad = grad_of(lambda x: x.max(axis=1), values, upstream=np.array([3.0, 6.0]))
    np.testing.assert_array_equal(out.data, [4.0, 2.0])
    np.testing.assert_array_equal(grad, [[0.0, 1.5, 1.5], [2.0, 2.0, 2.0]])


def test_max_ties_keepdims_negative_axis():
    values = [[5.0, 1.0], [5.0, 7.0]]
    out, grad = grad_of(lambda x: x.max(axis=-2, keepdims=True), values, upstream=np.array([[2.0, 1.0]]))
    assert out.shape == (1, 2)
    np.testing.assert_array_equal(grad, [[1.0, 0.0], [1.0, 1.0]])


def test_min_ties_split_evenly():
    out, grad = grad_of(lambda x: x.min(), [0.0, -1.0, 5.0, -1.0, -1.0])
    assert out.item() == -1.0
    np.testing.assert_allclose(grad, [0.0, 1 / 3, 0.0, 1 / 3, 1 / 3])


def test_max_over_nonempty_axis_of_empty():
    out = Tensor(np.zeros((0, 3))).max(axis=1)
    assert out.shape == (0,)


def test_sqrt_gradient_infinite_at_zero():
    _, grad = grad_of(lambda x: x.sqrt(), [0.0, 4.0])
    assert grad[0] == np.inf
    assert grad[1] == 0.25


def test_pow_base_gradient_zero_exponent():
    # d/da a^0 is 0 everywhere, also at a = 0, as in PyTorch.
    _, grad = grad_of(lambda x: x**0.0, [0.0, 2.0])
    np.testing.assert_array_equal(grad, [0.0, 0.0])


def test_pow_exponent_gradient_zero_base():
    b = Tensor([2.0, 0.5], requires_grad=True)
    (Tensor([0.0, 0.0]) ** b).sum().backward()
    np.testing.assert_array_equal(b.grad, [0.0, 0.0])


def test_pow_negative_base_integer_exponent():
    out, grad = grad_of(lambda x: x**3, [-2.0, 0.0, 1.5])
    np.testing.assert_allclose(out.data, [-8.0, 0.0, 3.375])
    np.testing.assert_allclose(grad, [12.0, 0.0, 6.75])


# ---- activations: published values and stability ----------------------------------------


def test_sigmoid_stable_at_extremes():
    out, grad = grad_of(lambda x: x.sigmoid(), [-1000.0, 0.0, 1000.0])
    np.testing.assert_array_equal(out.data, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(grad, [0.0, 0.25, 0.0])


def test_softplus_values_and_stability():
    out, grad = grad_of(lambda x: x.softplus(), [-1000.0, 0.0, 1000.0])
    np.testing.assert_allclose(out.data, [0.0, math.log(2.0), 1000.0])
    np.testing.assert_allclose(grad, [0.0, 0.5, 1.0])


def test_logsigmoid_values_and_stability():
    out, grad = grad_of(lambda x: x.logsigmoid(), [-1000.0, 0.0, 1000.0])
    np.testing.assert_allclose(out.data, [-1000.0, -math.log(2.0), 0.0])
    np.testing.assert_allclose(grad, [1.0, 0.5, 0.0])


def test_gelu_tanh_approximation_values():
    x = np.array([-3.0, -1.0, 0.0, 1.0, 3.0])
    inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)
    expected = 0.5 * x * (1 + np.tanh(inner))
    out, grad = grad_of(lambda t: t.gelu(), x)
    np.testing.assert_allclose(out.data, expected, rtol=1e-15)
    # GELU(1) with the tanh approximation, as PyTorch's gelu(approximate="tanh") prints it.
    assert out.data[3] == pytest.approx(0.8411919906082768, rel=1e-14)
    assert grad[2] == pytest.approx(0.5, rel=1e-15)


def test_tanh_and_square_values():
    out, grad = grad_of(lambda x: x.tanh(), [0.0, 0.5])
    np.testing.assert_allclose(out.data, np.tanh([0.0, 0.5]))
    np.testing.assert_allclose(grad, 1 - np.tanh([0.0, 0.5]) ** 2)
    out, grad = grad_of(lambda x: x.square(), [-3.0, 2.0])
    np.testing.assert_array_equal(out.data, [9.0, 4.0])
    np.testing.assert_array_equal(grad, [-6.0, 4.0])


def test_softmax_rows_sum_to_one():
    out = Tensor([[1.0, 2.0, 3.0], [1000.0, 1000.0, 0.0]]).softmax(axis=1)
    np.testing.assert_allclose(out.data.sum(axis=1), [1.0, 1.0])
    np.testing.assert_allclose(out.data[1], [0.5, 0.5, 0.0])


def test_log_softmax_stable_for_large_logits():
    out = Tensor([1000.0, 0.0]).log_softmax()
    np.testing.assert_allclose(out.data, [0.0, -1000.0])


def test_softmax_gradient_of_sum_is_zero():
    # softmax sums to 1 along the axis, so an all-ones upstream gradient has nothing to push.
    _, grad = grad_of(lambda x: x.softmax(axis=0), [0.3, -1.2, 2.0])
    np.testing.assert_allclose(grad, [0.0, 0.0, 0.0], atol=1e-16)


def test_cross_entropy_matches_log_softmax():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    targets = np.array([0, 2])
    x = Tensor(logits, requires_grad=True)
    loss = ops.cross_entropy(x, targets)
    loss.backward()

    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    assert loss.item() == pytest.approx(-(log_probs[0, 0] + log_probs[1, 2]) / 2, rel=1e-14)
    one_hot = np.eye(3)[targets]
    np.testing.assert_allclose(x.grad, (np.exp(log_probs) - one_hot) / 2, rtol=1e-14)


def test_cross_entropy_stable_for_large_logits():
    loss = ops.cross_entropy(Tensor([[1000.0, 0.0]]), [1])
    assert loss.item() == pytest.approx(1000.0)


def test_cross_entropy_reductions():
    logits = Tensor([[1.0, 2.0], [3.0, 0.0]])
    per_sample = ops.cross_entropy(logits, [1, 1], reduction="none")
    total = ops.cross_entropy(logits, [1, 1], reduction="sum")
    assert per_sample.shape == (2,)
    assert total.item() == pytest.approx(per_sample.data.sum())


def test_bce_worked_example_loss():
    # -ln 0.598 = 0.5142, the course's L for y = 1 and y_hat = 0.598.
    loss = ops.binary_cross_entropy(Tensor([0.598]), [1.0])
    assert loss.item() == pytest.approx(-math.log(0.598), rel=1e-14)
    assert round(loss.item(), 4) == 0.5142


def test_bce_clamps_log_at_minus_100():
    loss = ops.binary_cross_entropy(Tensor([0.0, 1.0]), [1.0, 0.0], reduction="none")
    np.testing.assert_array_equal(loss.data, [100.0, 100.0])


def test_bce_logits_gradient_y_hat_minus_y():
    z = Tensor([0.3, -40.0, 40.0], requires_grad=True)
    y = np.array([1.0, 1.0, 0.0])
    ops.binary_cross_entropy_with_logits(z, y, reduction="sum").backward()
    y_hat = 1 / (1 + np.exp(-z.data))
    np.testing.assert_allclose(z.grad, y_hat - y, rtol=1e-14)


def test_linear_matches_course_layer():
    # z(1) = W(1) x + b(1) from the course's worked example: (0.28, -0.03, 0.44).
    x = Tensor([0.5, 0.8])
    weight = Tensor([[0.2, 0.1], [-0.3, 0.4], [0.6, -0.2]], requires_grad=True)
    bias = Tensor([0.1, -0.2, 0.3], requires_grad=True)
    z = ops.linear(x, weight, bias)
    np.testing.assert_allclose(z.data, [0.28, -0.03, 0.44], atol=1e-15)
    upstream = np.array([1.0, 2.0, 3.0])
    z.backward(upstream)
    np.testing.assert_allclose(weight.grad, np.outer(upstream, x.data))
    np.testing.assert_array_equal(bias.grad, upstream)


# ---- indexing -------------------------------------------------------------------------------


def test_index_integer_and_negative():
    out, grad = grad_of(lambda x: x[-1] * 2 + x[0], [1.0, 2.0, 3.0])
    assert out.item() == 7.0
    np.testing.assert_array_equal(grad, [1.0, 0.0, 2.0])


def test_index_negative_step_slice():
    x = Tensor(np.arange(5.0), requires_grad=True)
    out = x[::-2]
    np.testing.assert_array_equal(out.data, [4.0, 2.0, 0.0])
    out.backward(np.array([10.0, 20.0, 30.0]))
    np.testing.assert_array_equal(x.grad, [30.0, 0.0, 20.0, 0.0, 10.0])


def test_index_two_dimensional_slice():
    x = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    out = x[1:, ::-3]
    np.testing.assert_array_equal(out.data, [[7.0, 4.0], [11.0, 8.0]])
    out.backward(np.ones((2, 2)))
    expected = np.zeros((3, 4))
    expected[1:, [0, 3]] = 1.0
    np.testing.assert_array_equal(x.grad, expected)


def test_index_boolean_mask():
    x = Tensor([[1.0, -2.0], [-3.0, 4.0]], requires_grad=True)
    out = x[x > 0]
    np.testing.assert_array_equal(out.data, [1.0, 4.0])
    out.backward(np.array([5.0, 6.0]))
    np.testing.assert_array_equal(x.grad, [[5.0, 0.0], [0.0, 6.0]])


def test_index_repeated_indices_accumulate():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = x[[0, 2, 0, 0, -1]]
    np.testing.assert_array_equal(out.data, [1.0, 3.0, 1.0, 1.0, 3.0])
    out.backward(np.array([1.0, 10.0, 100.0, 1000.0, 10000.0]))
    np.testing.assert_array_equal(x.grad, [1101.0, 0.0, 10010.0])


def test_index_with_tensor():
    x = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    rows = Tensor(np.array([2, 2, 0]))
    out = x[rows, 1]
    np.testing.assert_array_equal(out.data, [6.0, 6.0, 2.0])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0], [0.0, 0.0], [0.0, 2.0]])


def test_index_integer_arrays_pairwise():
    x = Tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    out = x[[0, 2, 2], [1, 0, 0]]
    np.testing.assert_array_equal(out.data, [1.0, 6.0, 6.0])
    out.sum().backward()
    expected = np.zeros((3, 3))
    expected[0, 1] = 1.0
    expected[2, 0] = 2.0
    np.testing.assert_array_equal(x.grad, expected)


def test_index_out_of_range_message():
    with pytest.raises(IndexError, match=r"shape \(3,\)"):
        Tensor([1.0, 2.0, 3.0])[5]


def test_iteration_and_len():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(x)
    assert len(x) == 2
    (rows[0] * rows[1]).sum().backward()
    np.testing.assert_array_equal(x.grad, [[3.0, 4.0], [1.0, 2.0]])


# ---- joining, selecting and reshaping -------------------------------------------------------


def test_concatenate_splits_gradient():
    a = Tensor([[1.0], [2.0]], requires_grad=True)
    b = Tensor([[3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    out = concatenate([a, b], axis=-1)
    np.testing.assert_array_equal(out.data, [[1.0, 3.0, 4.0], [2.0, 5.0, 6.0]])
    out.backward(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(a.grad, [[0.0], [3.0]])
    np.testing.assert_array_equal(b.grad, [[1.0, 2.0], [4.0, 5.0]])


def test_stack_unstacks_gradient():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    out = stack([a, b], axis=1)
    np.testing.assert_array_equal(out.data, [[1.0, 3.0], [2.0, 4.0]])
    out.backward(np.array([[1.0, 2.0], [3.0, 4.0]]))
    np.testing.assert_array_equal(a.grad, [1.0, 3.0])
    np.testing.assert_array_equal(b.grad, [2.0, 4.0])


def test_where_routes_gradient():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([10.0], requires_grad=True)
    out = where(a > 1.5, a, b)
    np.testing.assert_array_equal(out.data, [10.0, 2.0, 3.0])
    out.backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(a.grad, [0.0, 2.0, 3.0])
    np.testing.assert_array_equal(b.grad, [1.0])


def test_where_with_number_operand():
    a = Tensor(np.array([-1.0, 2.0], dtype=np.float32), requires_grad=True)
    out = where(a.data > 0, a, 0.0)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.data, [0.0, 2.0])


def test_expand_sums_gradient():
    x = Tensor([[1.0], [2.0]], requires_grad=True)
    out = x.expand(3, 2, 4)
    assert out.shape == (3, 2, 4)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [[12.0], [12.0]])
    assert x.broadcast_to((2, 2)).shape == (2, 2)


def test_expand_minus_one_keeps_size():
    x = Tensor([[1.0], [2.0]], requires_grad=True)
    out = x.expand(3, -1, 2)
    assert out.shape == (3, 2, 2)
    out.backward(np.ones((3, 2, 2)))
    np.testing.assert_array_equal(x.grad, [[6.0], [6.0]])


def test_squeeze_unsqueeze_roundtrip():
    x = Tensor(np.arange(3.0).reshape(1, 3, 1), requires_grad=True)
    assert x.squeeze().shape == (3,)
    assert x.squeeze(0).shape == (3, 1)
    assert x.squeeze((0, -1)).shape == (3,)
    out = x.squeeze().unsqueeze(-1).unsqueeze(0)
    assert out.shape == (1, 3, 1)
    out.backward(np.array([[[1.0], [2.0], [3.0]]]))
    np.testing.assert_array_equal(x.grad, [[[1.0], [2.0], [3.0]]])


def test_transpose_and_T():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.T.shape == (3, 2)
    out = x.transpose(1, 0)
    out.backward(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(x.grad, np.arange(6.0).reshape(3, 2).T)


def test_reshape_forms():
    x = Tensor(np.arange(6.0))
    assert x.reshape(2, 3).shape == (2, 3)
    assert x.reshape((3, -1)).shape == (3, 2)
    assert x.reshape(2, 3).flatten().shape == (6,)


# ---- matmul ---------------------------------------------------------------------------------


def test_matmul_vector_vector():
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([4.0, 5.0, 6.0], requires_grad=True)
    out = a @ b
    assert out.shape == ()
    assert out.item() == 32.0
    out.backward(2.0)
    np.testing.assert_array_equal(a.grad, [8.0, 10.0, 12.0])
    np.testing.assert_array_equal(b.grad, [2.0, 4.0, 6.0])


def test_matmul_matrix_vector_forms():
    rng = np.random.default_rng(1)
    matrix, vector = rng.standard_normal((2, 3)), rng.standard_normal(3)
    m = Tensor(matrix, requires_grad=True)
    v = Tensor(vector, requires_grad=True)
    upstream = np.array([1.5, -2.0])
    (m @ v).backward(upstream)
    np.testing.assert_allclose(m.grad, np.outer(upstream, vector))
    np.testing.assert_allclose(v.grad, matrix.T @ upstream)

    w = Tensor(vector[:2], requires_grad=True)
    m.zero_grad()
    upstream = np.array([1.0, 2.0, 3.0])
    (w @ m).backward(upstream)
    np.testing.assert_allclose(w.grad, matrix @ upstream)
    np.testing.assert_allclose(m.grad, np.outer(vector[:2], upstream))


def test_matmul_broadcast_batch_dims():
    rng = np.random.default_rng(2)
    left, right = rng.standard_normal((2, 1, 3, 4)), rng.standard_normal((5, 4, 2))
    a = Tensor(left, requires_grad=True)
    b = Tensor(right, requires_grad=True)
    out = a @ b
    assert out.shape == (2, 5, 3, 2)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    # dL/da = G b^T summed over the broadcast batch axis; dL/db = a^T G summed likewise.
    np.testing.assert_allclose(a.grad, (upstream @ np.swapaxes(right, -1, -2)).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(b.grad, (np.swapaxes(left, -1, -2) @ upstream).sum(axis=0))


def test_matmul_with_numpy_operand_on_left():
    b = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = np.eye(2) @ b
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(b.grad, np.ones((2, 2)))


# ---- operators with numbers and arrays ------------------------------------------------------


def test_reverse_subtract():
    out, grad = grad_of(lambda x: 2 - x, [0.5, 3.0])
    np.testing.assert_array_equal(out.data, [1.5, -1.0])
    np.testing.assert_array_equal(grad, [-1.0, -1.0])


def test_reverse_divide():
    out, grad = grad_of(lambda x: 1 / x, [0.5, -4.0])
    np.testing.assert_array_equal(out.data, [2.0, -0.25])
    np.testing.assert_array_equal(grad, [-4.0, -0.0625])


def test_reverse_power():
    out, grad = grad_of(lambda x: 2**x, [0.0, 3.0])
    np.testing.assert_array_equal(out.data, [1.0, 8.0])
    np.testing.assert_allclose(grad, [math.log(2.0), 8 * math.log(2.0)], rtol=1e-15)


def test_numpy_array_left_operand():
    x = Tensor([1.0, 2.0], requires_grad=True)
    array = np.array([10.0, 20.0])
    results = [array + x, array - x, array * x, array / x]
    for result in results:
        assert isinstance(result, Tensor)
    np.testing.assert_array_equal(results[0].data, [11.0, 22.0])
    np.testing.assert_array_equal(results[1].data, [9.0, 18.0])
    np.testing.assert_array_equal(results[3].data, [10.0, 10.0])
    sum(results).sum().backward()
    # d/dx of (a + x) + (a - x) + a x + a / x = a - a / x^2
    np.testing.assert_allclose(x.grad, array - array / x.data**2)


def test_numpy_scalar_and_list_operands():
    x = Tensor([1.0, 2.0])
    np.testing.assert_array_equal((np.float64(2.0) * x).data, [2.0, 4.0])
    np.testing.assert_array_equal((x + [1.0, 1.0]).data, [2.0, 3.0])
    np.testing.assert_array_equal((3 + x).data, [4.0, 5.0])


def test_comparisons_have_no_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    result = x > 1.5
    assert result.dtype == np.bool_
    assert result.requires_grad is False
    assert result.op is None
    np.testing.assert_array_equal(result.data, [False, True])
    np.testing.assert_array_equal((x == Tensor([1.0, 0.0])).data, [True, False])


def test_numpy_ufunc_on_tensor_raises():
    # np.exp(t) would drop the graph silently; Tensor sets __array_ufunc__ = None.
    with pytest.raises(TypeError):
        np.exp(Tensor([1.0]))


@pytest.mark.parametrize(
    "join",
    [
        lambda a, b: concatenate([a, b]),
        lambda a, b: stack([a, b]),
        lambda a, b: where(np.array([True, False]), a, b),
    ],
    ids=["concatenate", "stack", "where"],
)
def test_mixed_dtype_gradients_keep_input_dtype(join):
    # numpy promotes float32 with float64 to float64; each backward gradient
    # still comes back in its own input's dtype.
    a = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    b = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    out = join(a, b)
    assert out.dtype == np.float64
    grads = [grad for grad in out.op.backward(np.ones(out.shape)) if grad is not None]
    assert [grad.dtype for grad in grads] == [np.float32, np.float64]
