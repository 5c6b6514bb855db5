"""Optimizers and schedulers: hand-computed updates, PyTorch when installed, validation."""

import math

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn, optim
from tinygrad_edu.optim.lr_scheduler import ExponentialLR, InverseTimeLR, StepLR

GRADS = [np.array([1.0, -2.0]), np.array([0.5, 0.5]), np.array([-1.0, 3.0])]


def _run(optimizer_class, grads=GRADS, start=(1.0, 2.0), **kwargs):
    """Apply the given gradients one step each; return the parameter after each step."""
    w = nn.Parameter(np.array(start))
    opt = optimizer_class([w], **kwargs)
    history = []
    for grad in grads:
        w.grad = grad.copy()
        opt.step()
        history.append(w.data.copy())
    return history


# ---- SGD ---------------------------------------------------------------------------------


def test_sgd_plain_steps():
    steps = _run(optim.SGD, lr=0.1)
    np.testing.assert_allclose(steps[0], [1.0 - 0.1, 2.0 + 0.2], rtol=1e-15)
    np.testing.assert_allclose(steps[1], [0.9 - 0.05, 2.2 - 0.05], rtol=1e-15)
    np.testing.assert_allclose(steps[2], [0.85 + 0.1, 2.15 - 0.3], rtol=1e-15)


def test_sgd_momentum_steps():
    # b1 = g1; b2 = 0.9 b1 + g2; b3 = 0.9 b2 + g3; w -= lr b.
    steps = _run(optim.SGD, lr=0.1, momentum=0.9)
    b1 = np.array([1.0, -2.0])
    b2 = 0.9 * b1 + np.array([0.5, 0.5])  # (1.4, -1.3)
    b3 = 0.9 * b2 + np.array([-1.0, 3.0])  # (0.26, 1.83)
    np.testing.assert_allclose(steps[0], [0.9, 2.2], rtol=1e-15)
    np.testing.assert_allclose(steps[1], [0.9 - 0.14, 2.2 + 0.13], rtol=1e-14)
    np.testing.assert_allclose(steps[2], steps[1] - 0.1 * b3, rtol=1e-14)
    np.testing.assert_allclose(b3, [0.26, 1.83], rtol=1e-14)


def test_sgd_dampening_leaves_first_step_undamped():
    steps = _run(optim.SGD, lr=1.0, momentum=0.5, dampening=0.5)
    np.testing.assert_allclose(steps[0], [0.0, 4.0], rtol=1e-15)  # b1 = g1
    b2 = 0.5 * np.array([1.0, -2.0]) + 0.5 * np.array([0.5, 0.5])  # (0.75, -0.75)
    np.testing.assert_allclose(steps[1], [-0.75, 4.75], rtol=1e-15)
    assert b2.tolist() == [0.75, -0.75]


def test_sgd_nesterov_steps():
    # g' = g + mu b.
    steps = _run(optim.SGD, lr=0.1, momentum=0.9, nesterov=True)
    b1 = np.array([1.0, -2.0])
    np.testing.assert_allclose(steps[0], np.array([1.0, 2.0]) - 0.1 * (b1 + 0.9 * b1), rtol=1e-15)
    b2 = 0.9 * b1 + GRADS[1]
    np.testing.assert_allclose(steps[1], steps[0] - 0.1 * (GRADS[1] + 0.9 * b2), rtol=1e-14)


def test_sgd_weight_decay_steps():
    # g' = g + lambda w: w1 = (1, 2) - 0.1 * ((1, -2) + 0.5 * (1, 2)) = (0.85, 2.1).
    steps = _run(optim.SGD, lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(steps[0], [0.85, 2.1], rtol=1e-15)
    np.testing.assert_allclose(steps[1], steps[0] - 0.1 * (GRADS[1] + 0.5 * steps[0]), rtol=1e-15)


def test_sgd_is_the_course_update_on_an_mlp():
    net = nn.MLP([2, 3, 1], seed=0)
    X, y = np.random.default_rng(0).standard_normal((4, 2)), np.array([[0.0], [1.0], [1.0], [0.0]])
    nn.BCELoss()(net(X), y).backward()
    expected = [p.data - 0.5 * p.grad for p in net.parameters()]
    optim.SGD(net.parameters(), lr=0.5).step()
    for p, want in zip(net.parameters(), expected):
        np.testing.assert_allclose(p.data, want, rtol=1e-15)


# ---- Adam --------------------------------------------------------------------------------


def _adam_reference(grads, start, lr, beta1, beta2, eps, weight_decay=0.0):
    w = np.array(start, dtype=float)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    out = []
    for t, g in enumerate(grads, start=1):
        g = g + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w.copy())
    return out


def test_adam_first_step_is_lr_times_sign():
    # After one step m_hat = g and v_hat = g^2, so the update is lr * g / (|g| + eps).
    steps = _run(optim.Adam, lr=0.01)
    np.testing.assert_allclose(steps[0], [1.0 - 0.01, 2.0 + 0.01], rtol=1e-9)


def test_adam_second_step_by_hand():
    steps = _run(optim.Adam, lr=0.01, betas=(0.5, 0.75), eps=0.0)
    # t = 2, first coordinate: m = 0.5*0.5*1 + 0.5*0.5 = 0.5, m_hat = 0.5 / 0.75 = 2/3;
    # v = 0.75*0.25*1 + 0.25*0.25 = 0.25, v_hat = 0.25 / (1 - 0.5625) = 4/7.
    expected = 0.99 - 0.01 * (2 / 3) / math.sqrt(4 / 7)
    assert steps[1][0] == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("weight_decay", [0.0, 0.1])
def test_adam_matches_formula_over_steps(weight_decay):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(2) for _ in range(20)]
    steps = _run(optim.Adam, grads=grads, lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=weight_decay)
    expected = _adam_reference(grads, (1.0, 2.0), 0.05, 0.8, 0.99, 1e-6, weight_decay)
    for got, want in zip(steps, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12)


# ---- shared behaviour --------------------------------------------------------------------


@pytest.mark.parametrize("optimizer_class", [optim.SGD, optim.Adam])
def test_step_skips_params_without_grad_and_updates_in_place(optimizer_class):
    a, b = nn.Parameter([1.0, 2.0]), nn.Parameter([3.0])
    array = a.data
    opt = optimizer_class([a, b], lr=0.1)
    a.grad = np.array([1.0, 1.0])
    opt.step()
    assert a.data is array
    assert not np.array_equal(a.data, [1.0, 2.0])
    np.testing.assert_array_equal(b.data, [3.0])


@pytest.mark.parametrize("optimizer_class", [optim.SGD, optim.Adam])
def test_zero_grad_and_float32(optimizer_class):
    w = nn.Parameter(np.array([1.0, 2.0], dtype=np.float32))
    opt = optimizer_class([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert w.dtype == np.float32
    opt.zero_grad()
    assert w.grad is None


def test_duplicate_params_kept_once():
    w = nn.Parameter([1.0])
    opt = optim.SGD([w, w], lr=1.0)
    w.grad = np.array([1.0])
    opt.step()
    np.testing.assert_array_equal(w.data, [0.0])


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda p: optim.SGD(p, lr=-0.1), "invalid learning rate lr -0.1"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-0.5), "invalid momentum -0.5"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=1.0), "invalid momentum 1.0"),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "invalid weight_decay -1"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "nesterov=True needs momentum > 0"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening"),
        (lambda p: optim.Adam(p, lr=float("nan")), "invalid learning rate lr nan"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), r"invalid beta1 \(betas\[0\]\) 1.0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), r"invalid beta2 \(betas\[1\]\) -0.1"),
        (lambda p: optim.Adam(p, eps=-1e-8), "invalid eps -1e-08"),
        (lambda p: optim.Adam(p, weight_decay=-0.01), "invalid weight_decay -0.01"),
        (lambda p: optim.SGD([], lr=0.1), "empty parameter list"),
    ],
)
def test_invalid_hyperparameters_name_the_value(build, message):
    with pytest.raises(ValueError, match=message):
        build([nn.Parameter([1.0])])


def test_non_leaf_and_wrong_types_rejected():
    w = nn.Parameter([1.0])
    with pytest.raises(ValueError, match="leaf Tensors"):
        optim.SGD([w * 2], lr=0.1)
    with pytest.raises(ValueError, match="requires_grad=True"):
        optim.SGD([Tensor([1.0])], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="numpy.ndarray|ndarray"):
        optim.SGD([np.zeros(2)], lr=0.1)


def test_optimizer_state_dict_round_trip():
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(2) for _ in range(6)]
    full = _run(optim.Adam, grads=grads, lr=0.1)

    w = nn.Parameter([1.0, 2.0])
    opt = optim.Adam([w], lr=0.1)
    for g in grads[:3]:
        w.grad = g.copy()
        opt.step()
    saved_w, saved = w.data.copy(), opt.state_dict()

    w2 = nn.Parameter(saved_w)
    opt2 = optim.Adam([w2], lr=0.5)
    opt2.load_state_dict(saved)
    assert opt2.lr == 0.1
    for g in grads[3:]:
        w2.grad = g.copy()
        opt2.step()
    np.testing.assert_allclose(w2.data, full[-1], rtol=1e-14)


# ---- PyTorch -----------------------------------------------------------------------------


def _torch():
    try:
        import torch
    except ImportError:
        pytest.skip("torch is not installed; the PyTorch comparison is skipped")
    return torch


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("SGD", {"lr": 0.1}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01}),
        ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
        ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
        ("Adam", {"lr": 0.01}),
        ("Adam", {"lr": 0.02, "betas": (0.8, 0.9), "eps": 1e-6, "weight_decay": 0.1}),
    ],
)
def test_optimizers_match_pytorch(name, kwargs):
    torch = _torch()
    rng = np.random.default_rng(1)
    grads = [rng.standard_normal(3) for _ in range(10)]
    start = rng.standard_normal(3)

    ours = _run(getattr(optim, name), grads=grads, start=start, **kwargs)
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.optim, name)([w], **kwargs)
    for g, got in zip(grads, ours):
        w.grad = torch.tensor(g, dtype=torch.float64)
        theirs.step()
        np.testing.assert_allclose(got, w.detach().numpy(), rtol=1e-12, atol=1e-15)


# ---- schedulers --------------------------------------------------------------------------


def _sgd(lr):
    return optim.SGD([nn.Parameter([0.0])], lr=lr)


def test_inverse_time_lr_is_course_formula():
    opt = _sgd(0.5)
    scheduler = InverseTimeLR(opt, alpha=0.1)
    assert opt.lr == 0.5
    for t in range(1, 6):
        scheduler.step()
        assert opt.lr == pytest.approx(0.5 / (1 + 0.1 * t), rel=1e-15)
        assert scheduler.get_last_lr() == [opt.lr]


def test_step_lr_and_exponential_lr():
    opt = _sgd(1.0)
    scheduler = StepLR(opt, step_size=3, gamma=0.5)
    lrs = []
    for _ in range(7):
        scheduler.step()
        lrs.append(opt.lr)
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    opt = _sgd(2.0)
    scheduler = ExponentialLR(opt, gamma=0.9)
    scheduler.step()
    scheduler.step()
    assert opt.lr == pytest.approx(2.0 * 0.81, rel=1e-15)


def test_scheduler_changes_the_step_size():
    w = nn.Parameter([0.0])
    opt = optim.SGD([w], lr=1.0)
    scheduler = InverseTimeLR(opt, alpha=1.0)
    scheduler.step()  # lr = 0.5
    w.grad = np.array([1.0])
    opt.step()
    np.testing.assert_allclose(w.data, [-0.5], rtol=1e-15)


def test_scheduler_invalid_arguments():
    with pytest.raises(ValueError, match="invalid alpha -1"):
        InverseTimeLR(_sgd(0.1), alpha=-1)
    with pytest.raises(ValueError, match="step_size must be a positive int, got 0"):
        StepLR(_sgd(0.1), step_size=0)
    with pytest.raises(TypeError, match="expected an Optimizer"):
        StepLR(object(), step_size=2)


def test_scheduler_matches_pytorch():
    torch = _torch()
    w = torch.zeros(1, requires_grad=True)
    theirs = torch.optim.SGD([w], lr=1.0)
    their_scheduler = torch.optim.lr_scheduler.StepLR(theirs, step_size=2, gamma=0.3)
    opt = _sgd(1.0)
    ours = StepLR(opt, step_size=2, gamma=0.3)
    for _ in range(6):
        theirs.step()
        their_scheduler.step()
        ours.step()
        assert ours.get_last_lr() == pytest.approx(their_scheduler.get_last_lr(), rel=1e-12)
