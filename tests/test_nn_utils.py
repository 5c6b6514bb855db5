"""Gradient clipping against the numpy formulas."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu import Tensor
from tinygrad_edu.nn.utils import clip_grad_norm_, clip_grad_value_


def _params(seed, scale=1.0, shapes=((3, 2), (3,), (1, 3))):
    rng = np.random.default_rng(seed)
    params = []
    for shape in shapes:
        p = Tensor(np.zeros(shape), requires_grad=True)
        p.grad = rng.standard_normal(shape) * scale
        params.append(p)
    return params


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), clip=st.floats(0.01, 3.0))
def test_clip_grad_value_matches_np_clip(seed, clip):
    params = _params(seed, scale=2.0)
    expected = [np.clip(p.grad, -clip, clip) for p in params]
    arrays = [p.grad for p in params]
    clip_grad_value_(params, clip)
    for p, want, array in zip(params, expected, arrays):
        np.testing.assert_array_equal(p.grad, want)
        assert p.grad is array  # in place


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), max_norm=st.floats(0.1, 10.0), scale=st.floats(0.01, 5.0))
def test_clip_grad_norm_global_l2(seed, max_norm, scale):
    params = _params(seed, scale)
    grads = [p.grad.copy() for p in params]
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    returned = clip_grad_norm_(params, max_norm)
    assert returned == pytest.approx(total, rel=1e-12)
    factor = min(1.0, max_norm / (total + 1e-6))
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad, g * factor, rtol=1e-12)
    clipped = math.sqrt(sum(float(np.sum(p.grad**2)) for p in params))
    assert clipped <= max_norm * (1 + 1e-9) or clipped == pytest.approx(total)


def test_clip_grad_norm_other_norms():
    params = _params(0)
    grads = [p.grad.copy() for p in params]
    flat = np.concatenate([g.ravel() for g in grads])
    assert clip_grad_norm_(params, 1e9, norm_type=math.inf) == pytest.approx(np.abs(flat).max())
    assert clip_grad_norm_(params, 1e9, norm_type=1) == pytest.approx(np.abs(flat).sum())
    for p, g in zip(params, grads):
        np.testing.assert_array_equal(p.grad, g)  # a large max_norm leaves them unchanged


def test_clipping_skips_missing_grads_and_accepts_one_tensor():
    params = _params(1)
    params[1].grad = None
    clip_grad_value_(params, 0.1)
    assert params[1].grad is None
    single = _params(2, shapes=((4,),))[0]
    norm = float(np.linalg.norm(single.grad))
    assert clip_grad_norm_(single, 0.5) == pytest.approx(norm)
    assert np.linalg.norm(single.grad) == pytest.approx(0.5, rel=1e-5)
    assert clip_grad_norm_([Tensor([1.0], requires_grad=True)], 1.0) == 0.0


def test_clip_grad_norm_nonfinite():
    params = _params(3)
    params[0].grad[0, 0] = np.inf
    with pytest.raises(RuntimeError, match="NaN or inf"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)


def test_clipping_invalid_arguments():
    with pytest.raises(ValueError, match="clip_value must be positive, got -1.0"):
        clip_grad_value_(_params(0), -1.0)
    with pytest.raises(ValueError, match="max_norm"):
        clip_grad_norm_(_params(0), -2.0)
