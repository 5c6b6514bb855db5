"""Backward never lets two tensors, or a tensor and the caller, share a .grad array.

Backward keeps a freshly computed gradient as .grad without copying it. These
tests check the cases where it must copy, because the optimizer and gradient
clipping change .grad in place.
"""

import numpy as np

from tinygrad_edu import Tensor, ops


def test_add_gives_leaves_separate_arrays():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad *= 10.0
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    assert not np.shares_memory(a.grad, b.grad)


def test_view_gradient_copied():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones(6), requires_grad=True)
    (a + b.reshape(2, 3)).sum().backward()
    assert not np.shares_memory(a.grad, b.grad)


def test_caller_gradient_not_kept():
    leaf = Tensor([1.0, 2.0], requires_grad=True)
    upstream = np.array([0.5, -1.0])
    leaf.backward(upstream)
    leaf.grad *= 2.0
    np.testing.assert_array_equal(upstream, [0.5, -1.0])


def test_retained_and_leaf_grads_separate():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x + 0.0
    y.retain_grad()
    y.sum().backward()
    assert not np.shares_memory(x.grad, y.grad)


def test_linear_grads_owned_and_correct():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((5, 3)))
    weight = Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    bias = Tensor(np.zeros(2), requires_grad=True)
    ops.linear(x, weight, bias).sum().backward()
    # dL/dW = G^T x with G all ones; dL/db = the column sums of G.
    np.testing.assert_allclose(weight.grad, np.ones((5, 2)).T @ x.data)
    np.testing.assert_array_equal(bias.grad, [5.0, 5.0])
    assert weight.grad.flags.writeable
    assert bias.grad.flags.writeable


def test_second_backward_adds_without_aliasing():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    loss = (a * b).sum()
    loss.backward()
    first = a.grad
    loss.backward()
    np.testing.assert_array_equal(a.grad, [6.0, 8.0])
    np.testing.assert_array_equal(first, [3.0, 4.0])
