"""Every op against PyTorch: forward values and gradients for the same random inputs.

Runs when torch is importable and skips with a message otherwise. Both sides
compute in float64; the tolerance rtol = 1e-10 allows for different summation
orders and formulas (e.g. softplus through logaddexp here, a threshold in torch).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ops_cases import CASES, draw_inputs

from tinygrad_edu import Tensor

torch = pytest.importorskip("torch", reason="torch is not installed; install it to compare every op with PyTorch")

TORCH_CASES = [case for case in CASES if case.torch_run is not None]
RTOL, ATOL = 1e-10, 1e-12

pytestmark = pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered")


@pytest.mark.parametrize("case", TORCH_CASES, ids=repr)
@settings(max_examples=15)
@given(data=st.data())
def test_matches_torch(case, data):
    arrays, options = draw_inputs(case, data)
    tensors = [Tensor(array, requires_grad=True) for array in arrays]
    torch_tensors = [torch.tensor(array, dtype=torch.float64, requires_grad=True) for array in arrays]

    out = case.run(*tensors, **options)
    torch_out = case.torch_run(*torch_tensors, **options)
    assert out.shape == tuple(torch_out.shape)
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg="forward")

    upstream = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).standard_normal(out.shape)
    if case.finite_differences:
        out.backward(upstream)
        torch_out.backward(torch.as_tensor(upstream, dtype=torch_out.dtype))
    else:
        # A dtype cast: feed each side an upstream gradient in its own output dtype.
        out.backward(upstream.astype(out.dtype))
        torch_out.backward(torch.as_tensor(upstream.astype(out.dtype)))

    for position, (tensor, torch_tensor) in enumerate(zip(tensors, torch_tensors)):
        expected = torch_tensor.grad
        expected = np.zeros(tensor.shape) if expected is None else expected.numpy()
        np.testing.assert_allclose(tensor.grad, expected, rtol=RTOL, atol=ATOL, err_msg=f"gradient of input {position}")


# Kinks, ties and domain edges, which finite differences cannot check: each entry
# is (label, input values, our function, torch function).
KINK_CASES = [
    ("relu at 0", [-1.0, 0.0, 1.0], lambda x: x.relu(), lambda x: x.relu()),
    ("abs at 0", [-1.0, 0.0, 1.0], lambda x: x.abs(), lambda x: x.abs()),
    ("leaky_relu at 0", [-1.0, 0.0, 1.0], lambda x: x.leaky_relu(0.1), lambda x: torch.nn.functional.leaky_relu(x, 0.1)),
    ("clip at bounds", [-2.0, -1.0, 0.0, 1.0, 2.0], lambda x: x.clip(-1.0, 1.0), lambda x: x.clamp(-1.0, 1.0)),
    ("max ties", [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], lambda x: x.max(axis=1), lambda x: x.amax(dim=1)),
    ("max ties all axes", [[1.0, 3.0], [3.0, 0.0]], lambda x: x.max(), lambda x: x.amax()),
    ("min ties keepdims", [[1.0, 1.0], [0.0, 5.0]], lambda x: x.min(axis=0, keepdims=True), lambda x: x.amin(dim=0, keepdim=True)),
    ("sqrt at 0", [0.0, 1.0], lambda x: x.sqrt(), lambda x: x.sqrt()),
    ("pow 0 ** 0", [0.0, 2.0], lambda x: x**0.0, lambda x: x**0.0),
    ("pow 0 ** 0.5", [0.0, 2.0], lambda x: x**0.5, lambda x: x**0.5),
    ("sigmoid at extremes", [-800.0, 0.0, 800.0], lambda x: x.sigmoid(), lambda x: x.sigmoid()),
    ("logsigmoid at extremes", [-800.0, 800.0], lambda x: x.logsigmoid(), lambda x: torch.nn.functional.logsigmoid(x)),
    ("softplus at extremes", [-800.0, 800.0], lambda x: x.softplus(), lambda x: torch.nn.functional.softplus(x)),
    ("softmax of large logits", [1000.0, 0.0, -1000.0], lambda x: x.softmax(), lambda x: x.softmax(-1)),
]


@pytest.mark.parametrize("label, values, run, torch_run", KINK_CASES, ids=[case[0] for case in KINK_CASES])
def test_kink_conventions_match_torch(label, values, run, torch_run):
    x = Tensor(values, requires_grad=True)
    torch_x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    out = run(x)
    torch_out = torch_run(torch_x)
    upstream = np.arange(1.0, out.size + 1).reshape(out.shape)

    with np.errstate(divide="ignore", invalid="ignore"):
        out.backward(upstream)
    torch_out.backward(torch.as_tensor(upstream))

    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(x.grad, torch_x.grad.numpy(), rtol=1e-14)


def test_bce_clamp_matches_torch():
    values = [0.0, 1e-30, 0.5, 1.0]
    targets = np.array([1.0, 1.0, 0.0, 0.0])
    from tinygrad_edu import ops

    p = Tensor(values, requires_grad=True)
    torch_p = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    loss = ops.binary_cross_entropy(p, targets, reduction="none")
    torch_loss = torch.nn.functional.binary_cross_entropy(torch_p, torch.as_tensor(targets), reduction="none")
    np.testing.assert_allclose(loss.data, torch_loss.detach().numpy(), rtol=1e-14)
