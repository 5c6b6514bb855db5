"""Layers and activations: values against numpy, gradients against central differences."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor, gradcheck, nn
from tinygrad_edu.nn import functional as F

# float64 central differences with eps 1e-6 are accurate to about 1e-9 here.
TOL = {"atol": 1e-7, "rtol": 1e-6}


def _tensor(rng, *shape, scale=1.0):
    return Tensor(rng.standard_normal(shape) * scale, requires_grad=True)


# ---- Linear -------------------------------------------------------------------------------


def test_linear_weight_and_bias_shapes():
    layer = nn.Linear(3, 5, rng=0)
    assert layer.weight.shape == (5, 3)
    assert layer.bias.shape == (5,)
    assert isinstance(layer.weight, nn.Parameter)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_linear_without_bias():
    layer = nn.Linear(3, 2, bias=False, rng=0)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = np.ones((4, 3))
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T, rtol=1e-14)


def test_linear_forward_matches_numpy():
    rng = np.random.default_rng(1)
    layer = nn.Linear(4, 3, rng=0)
    x = rng.standard_normal((6, 4))
    expected = x @ layer.weight.data.T + layer.bias.data
    np.testing.assert_allclose(layer(Tensor(x)).data, expected, rtol=1e-14)


def test_linear_single_sample_is_course_wx_plus_b():
    # The course's layer 1: z(1) = W(1) x + b(1) = (0.28, -0.03, 0.44).
    layer = nn.Linear(2, 3)
    layer.weight.data[...] = [[0.2, 0.1], [-0.3, 0.4], [0.6, -0.2]]
    layer.bias.data[...] = [0.1, -0.2, 0.3]
    z = layer(np.array([0.5, 0.8]))
    assert z.shape == (3,)
    np.testing.assert_allclose(z.data, [0.28, -0.03, 0.44], atol=1e-12)


def test_linear_default_init_bounds():
    layer = nn.Linear(100, 200, rng=0)
    bound = 1 / np.sqrt(100)
    assert np.abs(layer.weight.data).max() <= bound
    assert np.abs(layer.bias.data).max() <= bound
    # U(-k, k) has variance k^2 / 3; 20,000 draws give it within a few percent.
    assert layer.weight.data.var() == pytest.approx(bound**2 / 3, rel=0.05)


def test_linear_seed_reproducible():
    a, b = nn.Linear(3, 4, rng=7), nn.Linear(3, 4, rng=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert not np.array_equal(a.weight.data, nn.Linear(3, 4, rng=8).weight.data)


@pytest.mark.parametrize("shape", [(4, 2), (2,), (4, 3, 3), ()])
def test_linear_shape_mismatch_names_both_shapes(shape):
    layer = nn.Linear(3, 5, rng=0)
    with pytest.raises(ValueError) as error:
        layer(np.zeros(shape))
    assert str(shape) in str(error.value)
    assert "(5, 3)" in str(error.value)


def test_linear_bad_sizes_raise():
    with pytest.raises(ValueError, match="in_features"):
        nn.Linear(0, 3)
    with pytest.raises(ValueError, match="out_features"):
        nn.Linear(3, 2.5)


@settings(max_examples=20, deadline=None)
@given(
    n=st.integers(1, 4),
    n_in=st.integers(1, 4),
    n_out=st.integers(1, 4),
    batched=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_linear_gradcheck(n, n_in, n_out, batched, seed):
    rng = np.random.default_rng(seed)
    layer = nn.Linear(n_in, n_out, rng=seed)
    x = _tensor(rng, n, n_in) if batched else _tensor(rng, n_in)
    assert gradcheck(lambda x, w, b: layer(x), [x, layer.weight, layer.bias], **TOL)


def test_functional_linear_checks_bias_shape():
    w = Tensor(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"bias shape \(2,\).*\(3, 2\)"):
        F.linear(Tensor(np.zeros(2)), w, Tensor(np.zeros(2)))


# ---- activations ------------------------------------------------------------------------


ACTIVATIONS = [
    (nn.Sigmoid(), lambda z: 1 / (1 + np.exp(-z))),
    (nn.ReLU(), lambda z: np.maximum(z, 0)),
    (nn.Tanh(), np.tanh),
    (nn.LeakyReLU(0.2), lambda z: np.where(z > 0, z, 0.2 * z)),
    (nn.Identity(), lambda z: z),
    (nn.Softmax(axis=1), lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)),
    (nn.LogSoftmax(axis=1), lambda z: z - np.log(np.exp(z).sum(axis=1, keepdims=True))),
]


@pytest.mark.parametrize("module, reference", ACTIVATIONS, ids=lambda a: type(a).__name__)
def test_activation_values(module, reference):
    z = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_allclose(module(Tensor(z)).data, reference(z), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("module, reference", ACTIVATIONS, ids=lambda a: type(a).__name__)
def test_activation_gradcheck(module, reference):
    rng = np.random.default_rng(3)
    z = rng.standard_normal((4, 3))
    # Keep away from the kink of ReLU and LeakyReLU at 0, where the derivative jumps.
    z = np.where(np.abs(z) < 0.05, 0.5, z)
    x = Tensor(z, requires_grad=True)
    if isinstance(module, nn.Identity):
        assert gradcheck(lambda t: module(t) * 1.0, [x], **TOL)
    else:
        assert gradcheck(module, [x], **TOL)


def test_functional_activations_match_modules():
    z = Tensor(np.linspace(-2, 2, 9))
    np.testing.assert_allclose(F.sigmoid(z).data, nn.Sigmoid()(z).data)
    np.testing.assert_allclose(F.relu(z).data, nn.ReLU()(z).data)
    np.testing.assert_allclose(F.tanh(z).data, nn.Tanh()(z).data)
    np.testing.assert_allclose(F.leaky_relu(z, 0.1).data, nn.LeakyReLU(0.1)(z).data)
    np.testing.assert_allclose(F.softmax(z, axis=0).data.sum(), 1.0)
    np.testing.assert_allclose(np.exp(F.log_softmax(z, axis=0).data), F.softmax(z, axis=0).data)


# ---- Sequential -------------------------------------------------------------------------


def test_sequential_indexing_len_iteration():
    first, act, last = nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 1, rng=1)
    net = nn.Sequential(first, act, last)
    assert len(net) == 3
    assert net[0] is first
    assert net[-1] is last
    assert list(net) == [first, act, last]
    assert list(net[1:]) == [act, last]
    with pytest.raises(IndexError, match="out of range"):
        net[3]
    names = [name for name, _ in net.named_parameters()]
    assert names == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_forward_chains():
    first, last = nn.Linear(2, 3, rng=0), nn.Linear(3, 1, rng=1)
    net = nn.Sequential(first, nn.Tanh(), last)
    x = np.random.default_rng(0).standard_normal((5, 2))
    expected = last(first(x).tanh()).data
    np.testing.assert_allclose(net(x).data, expected, rtol=1e-14)


def test_sequential_append():
    net = nn.Sequential(nn.Linear(2, 2, rng=0))
    net.append(nn.Sigmoid())
    assert len(net) == 2
    assert isinstance(net[1], nn.Sigmoid)


# ---- MLP --------------------------------------------------------------------------------


def test_mlp_structure_and_names():
    net = nn.MLP([2, 16, 8, 1], activation="relu", seed=0)
    kinds = [type(m).__name__ for m in net.layers]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear", "Sigmoid"]
    names = [name for name, _ in net.named_parameters()]
    assert names == [
        "layers.0.weight", "layers.0.bias", "layers.2.weight",
        "layers.2.bias", "layers.4.weight", "layers.4.bias",
    ]
    shapes = [p.shape for p in net.parameters()]
    assert shapes == [(16, 2), (16,), (8, 16), (8,), (1, 8), (1,)]


def test_mlp_logits_output_has_no_sigmoid():
    net = nn.MLP([2, 4, 1], output="logits", seed=0)
    assert isinstance(net.layers[-1], nn.Linear)
    probs = nn.MLP([2, 4, 1], output="sigmoid", seed=0)
    x = np.random.default_rng(0).standard_normal((3, 2))
    np.testing.assert_allclose(net(x).sigmoid().data, probs(x).data, rtol=1e-14)


def test_mlp_forward_matches_course_formula():
    # z(l) = W(l) a(l-1) + b(l) on columns, as the course's numpy code computes it.
    net = nn.MLP([3, 5, 4, 1], activation="tanh", seed=2)
    X = np.random.default_rng(0).standard_normal((7, 3))
    A = X.T
    layers = net.linear_layers
    for index, layer in enumerate(layers):
        Z = layer.weight.data @ A + layer.bias.data[:, None]
        A = np.tanh(Z) if index < len(layers) - 1 else 1 / (1 + np.exp(-Z))
    np.testing.assert_allclose(net(X).data, A.T, rtol=1e-13)


@pytest.mark.parametrize(
    "activation, init, variance",
    [
        ("relu", None, lambda n_in, n_out: 2 / n_in),
        ("leaky_relu", None, lambda n_in, n_out: 2 / n_in),
        ("sigmoid", None, lambda n_in, n_out: 1 / n_in),
        ("tanh", None, lambda n_in, n_out: 1 / n_in),
        ("sigmoid", "lecun", lambda n_in, n_out: 1 / n_in),
        ("sigmoid", "glorot", lambda n_in, n_out: 2 / (n_in + n_out)),
        ("sigmoid", "xavier", lambda n_in, n_out: 2 / (n_in + n_out)),
        ("tanh", "he", lambda n_in, n_out: 2 / n_in),
    ],
)
def test_mlp_init_variance(activation, init, variance):
    net = nn.MLP([300, 400, 200], activation=activation, init=init, seed=0)
    for layer in net.linear_layers:
        n_out, n_in = layer.weight.shape
        # 80,000 or more draws: the sample variance is within 2% of the true one.
        assert layer.weight.data.var() == pytest.approx(variance(n_in, n_out), rel=0.02)
        assert abs(layer.weight.data.mean()) < 0.01
        np.testing.assert_array_equal(layer.bias.data, 0.0)


def test_mlp_default_init_names():
    assert nn.MLP([2, 3, 1], activation="relu").init == "he"
    assert nn.MLP([2, 3, 1], activation="sigmoid").init == "lecun"


def test_mlp_pytorch_init_uses_uniform_bounds():
    net = nn.MLP([50, 20, 1], init="pytorch", seed=0)
    layer = net.linear_layers[0]
    assert np.abs(layer.weight.data).max() <= 1 / np.sqrt(50)
    assert np.abs(layer.bias.data).max() > 0


def test_mlp_seed_and_generator_reproducible():
    a = nn.MLP([2, 4, 1], seed=5)
    b = nn.MLP([2, 4, 1], rng=np.random.default_rng(5))
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    c = nn.MLP([2, 4, 1], seed=6)
    assert not np.array_equal(a.linear_layers[0].weight.data, c.linear_layers[0].weight.data)


def test_mlp_course_draw_order():
    # The course draws W(1) then W(2) from one normal stream with std sqrt(1/n_in).
    net = nn.MLP([2, 4, 1], activation="sigmoid", seed=11)
    rng = np.random.default_rng(11)
    w1 = rng.normal(0, np.sqrt(1 / 2), (4, 2))
    w2 = rng.normal(0, np.sqrt(1 / 4), (1, 4))
    np.testing.assert_array_equal(net.linear_layers[0].weight.data, w1)
    np.testing.assert_array_equal(net.linear_layers[1].weight.data, w2)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"layer_sizes": [2]}, "layer_sizes"),
        ({"layer_sizes": [2, 0, 1]}, "layer_sizes"),
        ({"layer_sizes": [2, 1], "activation": "softsign"}, "activation"),
        ({"layer_sizes": [2, 1], "init": "orthogonal"}, "init"),
        ({"layer_sizes": [2, 1], "output": "softmax"}, "output"),
        ({"layer_sizes": [2, 1], "seed": 1, "rng": np.random.default_rng(1)}, "seed or rng"),
    ],
)
def test_mlp_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.MLP(**kwargs)


def test_mlp_float32_end_to_end():
    net = nn.MLP([2, 8, 1], activation="relu", dtype=np.float32, seed=0)
    assert all(p.dtype == np.float32 for p in net.parameters())
    X = np.random.default_rng(0).standard_normal((6, 2))  # float64 input is cast
    out = net(X)
    assert out.dtype == np.float32
    loss = nn.BCELoss()(out, np.ones((6, 1)))
    assert loss.dtype == np.float32
    loss.backward()
    assert all(p.grad.dtype == np.float32 for p in net.parameters())


def test_mlp_gradcheck_against_central_differences():
    net = nn.MLP([3, 4, 2, 1], activation="tanh", seed=0)
    X = Tensor(np.random.default_rng(1).standard_normal((5, 3)))
    y = np.array([[1.0], [0.0], [1.0], [1.0], [0.0]])
    params = list(net.parameters())
    assert gradcheck(lambda *ps: nn.BCELoss()(net(X), y), params, **TOL)


def test_mlp_repr_lists_layers():
    text = repr(nn.MLP([2, 4, 1], seed=0))
    assert text.startswith("MLP(\n  layer_sizes=[2, 4, 1]")
    assert "(0): Linear(in_features=2, out_features=4, bias=True)" in text
    assert "(3): Sigmoid()" in text
