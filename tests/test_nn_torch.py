"""nn against PyTorch: layers, losses and clipping give the same numbers (skipped without torch)."""

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.utils import clip_grad_norm_

torch = pytest.importorskip("torch", reason="torch is not installed; the PyTorch comparisons are skipped")


def _pair(array):
    """Return a tinygrad_edu tensor and a torch tensor with the same float64 data."""
    ours = Tensor(array.copy(), requires_grad=True)
    theirs = torch.tensor(array, dtype=torch.float64, requires_grad=True)
    return ours, theirs


def test_linear_matches_torch():
    rng = np.random.default_rng(0)
    layer = nn.Linear(4, 3, rng=0)
    reference = torch.nn.Linear(4, 3, dtype=torch.float64)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.weight.data))
        reference.bias.copy_(torch.tensor(layer.bias.data))
    x, xt = _pair(rng.standard_normal((5, 4)))
    upstream = rng.standard_normal((5, 3))
    layer(x).backward(upstream)
    reference(xt).backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), rtol=1e-12)


def test_batchnorm_matches_torch_over_steps():
    rng = np.random.default_rng(1)
    ours = nn.BatchNorm1d(3, momentum=0.2)
    theirs = torch.nn.BatchNorm1d(3, momentum=0.2, dtype=torch.float64)
    for _ in range(3):
        x, xt = _pair(rng.standard_normal((6, 3)) * 2 + 1)
        upstream = rng.standard_normal((6, 3))
        out, out_t = ours(x), theirs(xt)
        np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-10, atol=1e-12)
        out.backward(upstream)
        out_t.backward(torch.tensor(upstream))
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.running_mean, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)

    ours.eval()
    theirs.eval()
    x, xt = _pair(rng.standard_normal((4, 3)))
    np.testing.assert_allclose(ours(x).data, theirs(xt).detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_losses_match_torch(reduction):
    rng = np.random.default_rng(2)
    z = rng.standard_normal((6, 1)) * 4
    y = rng.random((6, 1))
    p = 1 / (1 + np.exp(-z))
    p[0, 0], y[0, 0] = 0.0, 1.0  # exercises the clamp of log at -100
    upstream = rng.standard_normal((6, 1)) if reduction == "none" else 1.0
    tf = torch.nn.functional

    cases = [
        (F.binary_cross_entropy, tf.binary_cross_entropy, p),
        (F.binary_cross_entropy_with_logits, tf.binary_cross_entropy_with_logits, z),
        (F.mse_loss, tf.mse_loss, z),
    ]
    for ours_fn, theirs_fn, prediction in cases:
        x, xt = _pair(prediction)
        out = ours_fn(x, y, reduction)
        out_t = theirs_fn(xt, torch.tensor(y), reduction=reduction)
        np.testing.assert_allclose(out.data, out_t.detach().numpy(), rtol=1e-12)
        out.backward(upstream if reduction == "none" else None)
        out_t.backward(torch.tensor(upstream) if reduction == "none" else None)
        # At p = 0 exactly the engine keeps p(1 - p) above the smallest normal number,
        # PyTorch above 1e-12, so only the other elements' gradients agree.
        np.testing.assert_allclose(x.grad[1:], xt.grad.numpy()[1:], rtol=1e-10, atol=1e-12)


def test_cross_entropy_matches_torch():
    rng = np.random.default_rng(3)
    x, xt = _pair(rng.standard_normal((5, 4)))
    target = np.array([3, 0, 1, 1, 2])
    out = F.cross_entropy(x, target)
    out_t = torch.nn.functional.cross_entropy(xt, torch.tensor(target))
    assert out.item() == pytest.approx(out_t.item(), rel=1e-12)
    out.backward()
    out_t.backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clip_grad_norm_matches_torch(norm_type):
    rng = np.random.default_rng(4)
    grads = [rng.standard_normal(s) * 3 for s in [(3, 2), (3,), (1, 3)]]
    ours = []
    theirs = []
    for g in grads:
        p = Tensor(np.zeros_like(g), requires_grad=True)
        p.grad = g.copy()
        ours.append(p)
        q = torch.zeros(g.shape, dtype=torch.float64, requires_grad=True)
        q.grad = torch.tensor(g)
        theirs.append(q)
    total = clip_grad_norm_(ours, 1.5, norm_type=norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type=norm_type)
    assert total == pytest.approx(total_t.item(), rel=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("nonlinearity, param", [("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", 0.2)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-12
    )
