"""Conversions of one-element tensors and the optimizer's check of its params argument."""

from __future__ import annotations

import pytest

from tinygrad_edu import Tensor, nn, optim


def test_float_and_int_of_one_element():
    assert float(Tensor([2.5])) == 2.5
    assert int(Tensor(3.0)) == 3
    assert isinstance(float(Tensor([[1.0]])), float)


def test_float_of_vector_raises_with_shape():
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        float(Tensor([1.0, 2.0]))


def test_optimizer_given_module_names_fix():
    with pytest.raises(TypeError, match=r"got the module Linear; pass model.parameters\(\)"):
        optim.SGD(nn.Linear(2, 1), lr=0.1)
