"""Every differentiable op: forward against numpy, backward against finite differences.

Inputs are float64 and of random shapes (0 to 3 dimensions, sides 0 to 4, so
empty and size-1 dimensions occur), with broadcasting between operands, keepdims
and negative axes where an op takes them. The upstream gradient is random, not
ones, so a backward that mixes up elements or axes cannot pass by symmetry.
Tolerances: FD_RTOL = 1e-6 and FD_ATOL = 1e-8 (see conftest.py for why
fourth-order central differences reach them).
"""

import numpy as np
import pytest
from conftest import FD_ATOL, FD_RTOL, numeric_gradient
from hypothesis import given
from hypothesis import strategies as st
from test_ops_cases import CASES, draw_inputs

from tinygrad_edu import Tensor, no_grad

FD_CASES = [case for case in CASES if case.finite_differences]

# numpy warns when it averages an empty axis (PyTorch returns NaN there too).
pytestmark = pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered")


def run_plain(case, arrays, options):
    """Run the op without recording a graph, on fresh tensors made from `arrays`."""
    with no_grad():
        return case.run(*[Tensor(array) for array in arrays], **options)


@pytest.mark.parametrize("case", CASES, ids=repr)
@given(data=st.data())
def test_forward_matches_numpy(case, data):
    arrays, options = draw_inputs(case, data)
    out = case.run(*[Tensor(array) for array in arrays], **options)
    expected = np.asarray(case.reference(*arrays, **options))

    assert isinstance(out.data, np.ndarray)
    assert out.shape == expected.shape
    assert out.dtype == expected.dtype
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", FD_CASES, ids=repr)
@given(data=st.data())
def test_gradient_matches_finite_differences(case, data):
    arrays, options = draw_inputs(case, data)
    tensors = [Tensor(array, requires_grad=True) for array in arrays]
    out = case.run(*tensors, **options)
    upstream = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).standard_normal(out.shape)
    out.backward(upstream)

    for position, (array, tensor) in enumerate(zip(arrays, tensors)):

        def projected_output():
            return float(np.sum(run_plain(case, arrays, options).data * upstream))

        expected = numeric_gradient(projected_output, array)
        assert isinstance(tensor.grad, np.ndarray), f"input {position}"
        assert tensor.grad.shape == array.shape, f"input {position}"
        np.testing.assert_allclose(
            tensor.grad, expected, rtol=FD_RTOL, atol=FD_ATOL, err_msg=f"{case.label}: input {position}"
        )


@pytest.mark.parametrize("case", FD_CASES, ids=repr)
@given(data=st.data())
def test_gradient_float32_kept(case, data):
    arrays, options = draw_inputs(case, data)
    arrays32 = [array.astype(np.float32) for array in arrays]
    options32 = {
        name: value.astype(np.float32) if isinstance(value, np.ndarray) and value.dtype == np.float64 else value
        for name, value in options.items()
    }
    tensors = [Tensor(array, requires_grad=True) for array in arrays32]
    out = case.run(*tensors, **options32)
    upstream = np.random.default_rng(0).standard_normal(out.shape).astype(np.float32)

    assert out.dtype == np.float32
    input_grads = out.op.backward(upstream)
    for position, grad in enumerate(input_grads):
        if grad is not None:
            assert grad.dtype == np.float32, f"{case.label}: backward gives {grad.dtype} for input {position}"

    out.backward(upstream)
    tensors64 = [Tensor(array, requires_grad=True) for array in arrays32]
    out64 = case.run(*[t.astype(np.float64) for t in tensors64], **options)
    out64.backward(upstream.astype(np.float64))
    np.testing.assert_allclose(out.data, out64.data, rtol=1e-4, atol=1e-5)
    for position, (tensor, tensor64) in enumerate(zip(tensors, tensors64)):
        assert tensor.grad.dtype == np.float32, f"input {position}"
        np.testing.assert_allclose(tensor.grad, tensor64.grad, rtol=1e-4, atol=1e-5, err_msg=f"input {position}")


def test_cast_gradient_exact():
    x = Tensor(np.array([1.0, -2.5, 3.25]), requires_grad=True)
    y = x.astype(np.float32)
    upstream = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    y.backward(upstream)

    assert y.dtype == np.float32
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, upstream.astype(np.float64))
