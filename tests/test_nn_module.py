"""Module and Parameter: registration, names, modes, gradients and state_dict."""

import copy

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 3, rng=0)
        self.out = nn.Linear(3, 1, rng=1)
        self.scale = nn.Parameter([2.0])
        self.note = "not a parameter"

    def forward(self, x):
        return self.out(self.hidden(x).relu()) * self.scale


def test_parameter_is_leaf_requiring_grad():
    p = nn.Parameter(np.zeros((2, 3)))
    assert isinstance(p, Tensor)
    assert p.requires_grad
    assert p.is_leaf
    assert p.dtype == np.float64


def test_parameter_keeps_float32():
    assert nn.Parameter(np.zeros(2, dtype=np.float32)).dtype == np.float32


def test_parameter_converts_python_ints():
    assert nn.Parameter([1, 2]).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.int64, np.bool_, np.complex128])
def test_parameter_rejects_non_float_arrays(dtype):
    with pytest.raises(TypeError, match="floating-point"):
        nn.Parameter(np.zeros(3, dtype=dtype))


def test_named_parameters_own_first_then_submodules():
    # PyTorch's order: a module's own parameters, then each submodule's, depth first.
    names = [name for name, _ in TwoLayer().named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]


def test_shared_parameter_listed_once():
    net = TwoLayer()
    net.out2 = net.out
    assert len(list(net.parameters())) == 5
    assert [name for name, _ in net.named_modules()] == ["", "hidden", "out"]


def test_children_and_modules():
    net = TwoLayer()
    assert list(net.children()) == [net.hidden, net.out]
    assert [name for name, _ in net.named_children()] == ["hidden", "out"]
    assert list(net.modules()) == [net, net.hidden, net.out]


def test_reassigning_attribute_unregisters():
    net = TwoLayer()
    net.scale = 3.0
    assert "scale" not in [name for name, _ in net.named_parameters()]
    del net.out
    assert [name for name, _ in net.named_parameters()] == ["hidden.weight", "hidden.bias"]


def test_assign_before_init_raises():
    class Broken(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="super\\(\\).__init__"):
        Broken()


def test_forward_missing_raises():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)


def test_train_eval_propagate():
    net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5), nn.Sequential(nn.BatchNorm1d(2)))
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_sets_none_or_zero():
    net = TwoLayer()
    net(np.ones((4, 2))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_is_a_copy():
    net = TwoLayer()
    state = net.state_dict()
    assert list(state) == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    state["scale"][0] = 99.0
    assert net.scale.data[0] == 2.0


def test_state_dict_round_trip():
    source, target = nn.MLP([2, 5, 1], seed=0), nn.MLP([2, 5, 1], seed=1)
    X = np.random.default_rng(0).standard_normal((3, 2))
    assert not np.allclose(source(X).data, target(X).data)
    weight_array = target.linear_layers[0].weight.data
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == []
    assert result.unexpected_keys == []
    np.testing.assert_array_equal(source(X).data, target(X).data)
    # Loaded in place: the parameter keeps its array, so optimizers still hold it.
    assert target.linear_layers[0].weight.data is weight_array


def test_load_state_dict_missing_and_unexpected_keys():
    net = nn.MLP([2, 3, 1], seed=0)
    state = net.state_dict()
    del state["layers.2.bias"]
    state["layers.9.weight"] = np.zeros((1, 1))
    with pytest.raises(ValueError) as error:
        net.load_state_dict(state)
    assert "missing keys ['layers.2.bias']" in str(error.value)
    assert "unexpected keys ['layers.9.weight']" in str(error.value)


def test_load_state_dict_shape_mismatch_leaves_module_unchanged():
    net = nn.MLP([2, 3, 1], seed=0)
    before = net.state_dict()
    state = nn.MLP([2, 4, 1], seed=1).state_dict()
    with pytest.raises(ValueError, match=r"'layers.0.weight': expected shape \(3, 2\), got \(4, 2\)"):
        net.load_state_dict(state)
    for name, array in net.state_dict().items():
        np.testing.assert_array_equal(array, before[name])


def test_load_state_dict_not_strict_reports_keys():
    net = nn.MLP([2, 3, 1], seed=0)
    state = net.state_dict()
    del state["layers.0.bias"]
    state["extra"] = np.zeros(1)
    result = net.load_state_dict(state, strict=False)
    assert result.missing_keys == ["layers.0.bias"]
    assert result.unexpected_keys == ["extra"]


def test_load_state_dict_casts_to_parameter_dtype():
    net = nn.MLP([2, 3, 1], dtype=np.float32, seed=0)
    state = {name: array.astype(np.float64) + 1 for name, array in net.state_dict().items()}
    net.load_state_dict(state)
    assert all(p.dtype == np.float32 for p in net.parameters())
    np.testing.assert_allclose(net.linear_layers[0].bias.data, 1.0)


def test_state_dict_includes_batchnorm_buffers():
    net = nn.Sequential(nn.Linear(2, 3, rng=0), nn.BatchNorm1d(3))
    net(np.random.default_rng(0).standard_normal((8, 2)))
    state = net.state_dict()
    assert "1.running_mean" in state
    assert "1.running_var" in state
    fresh = nn.Sequential(nn.Linear(2, 3, rng=5), nn.BatchNorm1d(3))
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh[1].running_mean, net[1].running_mean)


def test_deepcopy_is_independent():
    net = nn.MLP([2, 3, 1], seed=0)
    clone = copy.deepcopy(net)
    clone.linear_layers[0].weight.data[0, 0] = 5.0
    assert net.linear_layers[0].weight.data[0, 0] != 5.0
    assert [name for name, _ in clone.named_parameters()] == [name for name, _ in net.named_parameters()]
    assert clone.layers[0].weight is clone.layers[0]._parameters["weight"]


def test_repr_of_custom_module():
    text = repr(TwoLayer())
    assert text == (
        "TwoLayer(\n"
        "  (hidden): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (out): Linear(in_features=3, out_features=1, bias=True)\n"
        ")"
    )
