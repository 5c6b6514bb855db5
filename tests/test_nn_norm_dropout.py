"""BatchNorm1d and Dropout: analytic values, running statistics, gradients, modes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, gradcheck, nn
from tinygrad_edu.nn import functional as F

TOL = {"atol": 1e-7, "rtol": 1e-6}


def test_batchnorm_train_output_formula():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 3)) * 3 + 1
    bn = nn.BatchNorm1d(3)
    bn.weight.data[...] = [1.0, 2.0, 0.5]
    bn.bias.data[...] = [0.0, -1.0, 3.0]
    expected = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5) * bn.weight.data + bn.bias.data
    np.testing.assert_allclose(bn(Tensor(x)).data, expected, rtol=1e-12)


def test_batchnorm_running_stats_update():
    rng = np.random.default_rng(1)
    x1, x2 = rng.standard_normal((6, 2)), rng.standard_normal((10, 2)) + 2
    bn = nn.BatchNorm1d(2, momentum=0.1)
    bn(x1)
    bn(x2)
    mean = 0.9 * (0.9 * 0 + 0.1 * x1.mean(0)) + 0.1 * x2.mean(0)
    # Running variance uses the unbiased estimate (ddof=1), as PyTorch.
    var = 0.9 * (0.9 * 1 + 0.1 * x1.var(0, ddof=1)) + 0.1 * x2.var(0, ddof=1)
    np.testing.assert_allclose(bn.running_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, var, rtol=1e-12)
    assert int(bn.num_batches_tracked) == 2


def test_batchnorm_cumulative_average_without_momentum():
    rng = np.random.default_rng(2)
    batches = [rng.standard_normal((5, 2)) + i for i in range(3)]
    bn = nn.BatchNorm1d(2, momentum=None)
    for batch in batches:
        bn(batch)
    np.testing.assert_allclose(bn.running_mean, np.mean([b.mean(0) for b in batches], axis=0), rtol=1e-12)


def test_batchnorm_eval_uses_running_stats():
    bn = nn.BatchNorm1d(2)
    bn.running_mean[...] = [1.0, -2.0]
    bn.running_var[...] = [4.0, 0.25]
    bn.eval()
    x = np.array([[3.0, -2.0], [1.0, 0.0]])
    expected = (x - bn.running_mean) / np.sqrt(bn.running_var + 1e-5)
    np.testing.assert_allclose(bn(x).data, expected, rtol=1e-12)
    # Evaluation does not change the statistics, and one sample is fine.
    bn(np.zeros((1, 2)))
    np.testing.assert_array_equal(bn.running_mean, [1.0, -2.0])


def test_batchnorm_gradcheck_train_and_eval():
    rng = np.random.default_rng(3)
    bn = nn.BatchNorm1d(3)
    bn.weight.data[...] = rng.standard_normal(3)
    bn.bias.data[...] = rng.standard_normal(3)
    x = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    assert gradcheck(lambda x, w, b: bn(x), [x, bn.weight, bn.bias], **TOL)
    bn.eval()
    assert gradcheck(lambda x, w, b: bn(x), [x, bn.weight, bn.bias], **TOL)


def test_batchnorm_shape_and_batch_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"\(N, 3\).*\(4, 2\)"):
        bn(np.zeros((4, 2)))
    with pytest.raises(ValueError, match="more than one sample"):
        bn(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm1d(0)
    with pytest.raises(ValueError, match="momentum"):
        nn.BatchNorm1d(2, momentum=1.5)


def test_batchnorm_float32():
    bn = nn.BatchNorm1d(2, dtype=np.float32)
    out = bn(np.random.default_rng(0).standard_normal((4, 2)))
    assert out.dtype == np.float32
    assert bn.running_var.dtype == np.float32


def test_dropout_mask_values_and_gradient():
    p = 0.25
    x = Tensor(np.random.default_rng(0).standard_normal((50, 40)), requires_grad=True)
    out = F.dropout(x, p, rng=1)
    keep = np.random.default_rng(1).random(x.shape) >= p
    np.testing.assert_allclose(out.data, np.where(keep, x.data / (1 - p), 0.0), rtol=1e-15)
    out.sum().backward()
    # d out / d x is the scaled mask: 1/(1-p) where kept, 0 where dropped.
    np.testing.assert_allclose(x.grad, keep / (1 - p), rtol=1e-15)


def test_dropout_gradcheck_with_fixed_mask():
    x = Tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda t: F.dropout(t, 0.5, rng=7), [x], **TOL)


def test_dropout_keeps_expected_value():
    x = Tensor(np.ones((400, 500)))
    out = nn.Dropout(0.3, rng=0)(x).data
    assert out.mean() == pytest.approx(1.0, abs=0.01)
    assert np.mean(out == 0) == pytest.approx(0.3, abs=0.01)


def test_dropout_eval_and_edge_probabilities():
    x = Tensor(np.arange(6.0))
    drop = nn.Dropout(0.5, rng=0)
    assert drop.eval()(x) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0).data, 0.0)
    with pytest.raises(ValueError, match=r"\[0, 1\], got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match=r"got -0.1"):
        F.dropout(x, -0.1)


def test_dropout_new_mask_each_call():
    drop = nn.Dropout(0.5, rng=0)
    x = Tensor(np.ones(100))
    assert not np.array_equal(drop(x).data, drop(x).data)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(2, 6), c=st.integers(1, 4), seed=st.integers(0, 2**16))
def test_batchnorm_gradcheck_random_shapes(n, c, seed):
    rng = np.random.default_rng(seed)
    bn = nn.BatchNorm1d(c)
    bn.weight.data[...] = rng.standard_normal(c)
    bn.bias.data[...] = rng.standard_normal(c)
    x = Tensor(rng.standard_normal((n, c)) * 2 + 1, requires_grad=True)
    assert gradcheck(lambda x, w, b: bn(x), [x, bn.weight, bn.bias], **TOL)
    out = bn(x).data
    # With gamma = weight and beta = bias, each normalised column has mean beta.
    np.testing.assert_allclose(out.mean(axis=0), bn.bias.data, atol=1e-10)
