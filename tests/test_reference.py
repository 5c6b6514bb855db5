"""The hand-derived reference backpropagation, checked against finite differences and autodiff."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn, ops, optim
from tinygrad_edu.reference import ReferenceMLP, backward, bce_loss, forward, init_params, sigmoid

ACTIVATIONS = ["sigmoid", "tanh", "relu"]


def _random_batch(rng, layer_sizes, m=5):
    X = rng.normal(size=(m, layer_sizes[0]))
    y = rng.integers(0, 2, size=m).astype(float)
    return X, y


def _loss(params, X, y, activation):
    y_hat, _ = forward(params, X, activation)
    return bce_loss(y_hat, y)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_reference_matches_central_differences(activation):
    rng = np.random.default_rng(1)
    sizes = [3, 4, 3, 1]
    params = init_params(sizes, activation, rng)
    for key in params:
        if key.startswith("b"):
            params[key] = rng.normal(scale=0.5, size=params[key].shape)
    X, y = _random_batch(rng, sizes)
    _, cache = forward(params, X, activation)
    grads = backward(params, cache, y, activation)

    h = 1e-6
    for key, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            original = value[index]
            value[index] = original + h
            up = _loss(params, X, y, activation)
            value[index] = original - h
            down = _loss(params, X, y, activation)
            value[index] = original
            numeric[index] = (up - down) / (2 * h)
        # Central differences have error O(h^2) plus rounding of about 1e-16 / h.
        np.testing.assert_allclose(grads["d" + key], numeric, rtol=1e-6, atol=1e-9, err_msg=key)


def _autodiff_gradients(params, X, y, activation):
    """Compute the gradients with plain Tensors and ops.linear, batch rows as samples."""
    num_layers = len(params) // 2
    weights = [Tensor(params[f"W{l}"], requires_grad=True) for l in range(1, num_layers + 1)]
    biases = [Tensor(params[f"b{l}"].ravel(), requires_grad=True) for l in range(1, num_layers + 1)]
    a = Tensor(X)
    for layer, (W, b) in enumerate(zip(weights, biases), start=1):
        z = ops.linear(a, W, b)
        if layer == num_layers:
            a = z.sigmoid()
        else:
            a = {"sigmoid": z.sigmoid, "tanh": z.tanh, "relu": z.relu}[activation]()
    loss = ops.binary_cross_entropy(a.reshape(-1), Tensor(y))
    loss.backward()
    return loss.item(), weights, biases


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_autodiff_equals_reference(activation):
    rng = np.random.default_rng(7)
    sizes = [4, 6, 5, 1]
    for trial in range(5):
        params = init_params(sizes, activation, rng)
        for key in params:
            if key.startswith("b"):
                params[key] = rng.normal(scale=0.3, size=params[key].shape)
        X, y = _random_batch(rng, sizes, m=int(rng.integers(1, 9)))
        y_hat, cache = forward(params, X, activation)
        grads = backward(params, cache, y, activation)

        loss, weights, biases = _autodiff_gradients(params, X, y, activation)
        assert loss == pytest.approx(bce_loss(y_hat, y), rel=1e-12)
        for layer, (W, b) in enumerate(zip(weights, biases), start=1):
            np.testing.assert_allclose(W.grad, grads[f"dW{layer}"], rtol=1e-10, atol=1e-15)
            np.testing.assert_allclose(b.grad, grads[f"db{layer}"].ravel(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_nn_mlp_gradients_equal_reference(activation):
    rng = np.random.default_rng(3)
    net = nn.MLP([3, 5, 4, 1], activation=activation, seed=11)
    X, y = _random_batch(rng, [3], m=6)
    reference = ReferenceMLP.from_state_dict(net.state_dict(), activation)

    loss = nn.BCELoss()(net(Tensor(X)), Tensor(y.reshape(-1, 1)))
    loss.backward()
    grads = reference.gradients(X, y)

    assert loss.item() == pytest.approx(bce_loss(reference.forward(X), y), rel=1e-12)
    for layer, linear in enumerate(net.linear_layers, start=1):
        np.testing.assert_allclose(linear.weight.grad, grads[f"dW{layer}"], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(linear.bias.grad, grads[f"db{layer}"].ravel(), rtol=1e-10, atol=1e-15)


def test_sgd_steps_match_engine_training():
    rng = np.random.default_rng(5)
    net = nn.MLP([2, 4, 1], activation="tanh", seed=2)
    reference = ReferenceMLP.from_state_dict(net.state_dict(), "tanh", lr=0.3)
    optimizer = optim.SGD(net.parameters(), lr=0.3)
    loss_fn = nn.BCELoss()
    for _ in range(20):
        X, y = _random_batch(rng, [2], m=4)
        optimizer.zero_grad()
        loss = loss_fn(net(Tensor(X)), Tensor(y.reshape(-1, 1)))
        loss.backward()
        optimizer.step()
        assert reference.step(X, y) == pytest.approx(loss.item(), rel=1e-10)
    for key, value in reference.state_dict_for(net.state_dict()).items():
        np.testing.assert_allclose(net.state_dict()[key], value, rtol=1e-10, atol=1e-14, err_msg=key)


def test_sigmoid_bce_gradient_is_y_hat_minus_y():
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(scale=10, size=40), [-50.0, 50.0, -30.0, 30.0, 0.0]])
    y = np.concatenate([rng.uniform(0, 1, size=40), [1.0, 0.0, 0.0, 1.0, 0.5]])

    # From the logits, dL/dz = sigmoid(z) - y holds for every z, |z| = 50 included.
    logits = Tensor(z, requires_grad=True)
    ops.binary_cross_entropy_with_logits(logits, Tensor(y), reduction="sum").backward()
    np.testing.assert_allclose(logits.grad, sigmoid(z) - y, rtol=1e-12, atol=1e-15)

    # Through the probability y_hat = sigmoid(z) the chain rule gives the same, as long as
    # y_hat is not rounded to exactly 1 (z > 37 in float64), so z = -50 works but +50 cannot.
    usable = z < 36
    probability_input = Tensor(z[usable], requires_grad=True)
    ops.binary_cross_entropy(probability_input.sigmoid(), Tensor(y[usable]), reduction="sum").backward()
    np.testing.assert_allclose(probability_input.grad, sigmoid(z[usable]) - y[usable], rtol=1e-8, atol=1e-15)


def test_bce_loss_takes_flat_target():
    y_hat = np.array([[0.9, 0.2, 0.6]])
    y = np.array([1.0, 0.0, 1.0])
    expected = -np.mean([np.log(0.9), np.log(0.8), np.log(0.6)])
    assert bce_loss(y_hat, y) == pytest.approx(expected, rel=1e-14)
    assert bce_loss(y_hat, y.reshape(-1, 1)) == pytest.approx(expected, rel=1e-14)
    with pytest.raises(ValueError, match="3 values"):
        bce_loss(np.array([[0.5, 0.5]]), y)


def test_sigmoid_is_stable_far_out():
    z = np.array([-800.0, -50.0, 0.0, 50.0, 800.0])
    with np.errstate(over="raise"):
        s = sigmoid(z)
    np.testing.assert_allclose(s, [0.0, np.exp(-50.0) / (1 + np.exp(-50.0)), 0.5, 1.0, 1.0], rtol=1e-15)


def test_reference_mlp_learns_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    net = ReferenceMLP([2, 4, 1], "sigmoid", lr=2.0, seed=0)
    history = net.fit(X, y, epochs=1500)
    assert history[-1] < history[0] / 5
    assert net.score(X, y) == 1.0
    assert net.predict_proba(X).shape == (4,)


def test_step_changes_weights_by_lr_times_gradient():
    rng = np.random.default_rng(9)
    net = ReferenceMLP([3, 4, 2, 1], "relu", lr=0.05, seed=4)
    X, y = _random_batch(rng, [3], m=7)
    before = {key: value.copy() for key, value in net.params.items()}
    grads = net.gradients(X, y)
    net.step(X, y)
    for key in before:
        np.testing.assert_allclose(net.params[key], before[key] - 0.05 * grads["d" + key], rtol=1e-12, atol=1e-15)


def test_init_params_uses_course_variances():
    rng = np.random.default_rng(0)
    relu = init_params([400, 300, 1], "relu", rng)
    sigmoid_params = init_params([400, 300, 1], "sigmoid", rng)
    assert relu["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert sigmoid_params["W1"].std() == pytest.approx(np.sqrt(1 / 400), rel=0.02)
    assert not relu["b1"].any()
    assert relu["b1"].shape == (300, 1)


def test_invalid_inputs_raise():
    with pytest.raises(ValueError, match="unknown activation"):
        init_params([2, 1], "softsign")
    with pytest.raises(ValueError, match=r"shape \(m, 2\)"):
        forward(init_params([2, 1]), np.zeros((3, 5)))
    with pytest.raises(ValueError, match="lr must be positive"):
        ReferenceMLP([2, 1], lr=0.0)


def test_state_dict_round_trip_with_nn_mlp():
    rng = np.random.default_rng(12)
    reference = ReferenceMLP([3, 4, 1], "tanh", seed=8)
    net = nn.MLP([3, 4, 1], activation="tanh", seed=0)
    net.load_state_dict(reference.state_dict_for(net.state_dict()))
    X = rng.normal(size=(5, 3))
    np.testing.assert_allclose(net(Tensor(X)).data.ravel(), reference.predict_proba(X), rtol=1e-14)

    back = ReferenceMLP.from_state_dict(net.state_dict(), "tanh")
    for key, value in reference.params.items():
        np.testing.assert_array_equal(back.params[key], value)
