"""Bad input raises at once: the exception type, the op's name and the shapes or values."""

import numpy as np
import pytest

from tinygrad_edu import Tensor, concatenate, ops, stack, where


def ones(*shape):
    return Tensor(np.ones(shape), requires_grad=True)


def test_add_broadcast_mismatch():
    with pytest.raises(ValueError, match=r"Add: shapes \(2, 3\) and \(4,\) cannot be broadcast") as info:
        ones(2, 3) + ones(4)
    assert "reshape" in str(info.value).lower()


def test_mul_broadcast_mismatch_reverse():
    with pytest.raises(ValueError, match=r"Mul: shapes \(3,\) and \(2, 2\)"):
        np.ones(3) * ones(2, 2)


def test_integer_negative_power_not_broadcast_error():
    with pytest.raises(ValueError, match="Pow: Integers to negative integer powers") as info:
        Tensor([2]) ** -1
    assert "broadcast" not in str(info.value)


def test_matmul_inner_mismatch():
    with pytest.raises(ValueError, match=r"MatMul: shapes \(2, 3\) and \(4, 5\) are not aligned") as info:
        ones(2, 3) @ ones(4, 5)
    assert "(3)" in str(info.value)
    assert "(4)" in str(info.value)


def test_matmul_scalar_operand():
    with pytest.raises(ValueError, match=r"MatMul: .*shapes \(\) and \(2,\)"):
        Tensor(2.0) @ ones(2)


def test_matmul_batch_mismatch():
    with pytest.raises(ValueError, match=r"MatMul: batch dimensions of \(2, 2, 3\) and \(3, 3, 4\)"):
        ones(2, 2, 3) @ ones(3, 3, 4)


def test_reshape_size_mismatch():
    with pytest.raises(ValueError, match=r"Reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into \(4, 2\)"):
        ones(2, 3).reshape(4, 2)


def test_transpose_bad_axes():
    with pytest.raises(ValueError, match=r"Transpose: axes \(0, 3\) are not a permutation .* shape \(2, 3\)"):
        ones(2, 3).transpose(0, 3)
    with pytest.raises(ValueError, match=r"Transpose: axes \(0, 0\)"):
        ones(2, 3).transpose(0, 0)


def test_expand_incompatible():
    with pytest.raises(ValueError, match=r"Expand: cannot broadcast shape \(2, 3\) to \(4, 3\)"):
        ones(2, 3).expand(4, 3)


def test_squeeze_non_unit_axis():
    with pytest.raises(ValueError, match=r"squeeze: cannot remove axis 0 from a tensor of shape \(2, 1\)"):
        ones(2, 1).squeeze(0)


def test_unsqueeze_out_of_range():
    with pytest.raises(ValueError, match=r"unsqueeze: axis 3 is out of range for a tensor of shape \(2,\); pass an axis from -2 to 1"):
        ones(2).unsqueeze(3)


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min"])
def test_reduction_axis_out_of_range(method):
    name = method.capitalize()
    with pytest.raises(ValueError, match=rf"{name}: axis -3 is out of range for a tensor with 2 dimensions; pass an axis from -2 to 1"):
        getattr(ones(2, 3), method)(axis=-3)


def test_reduction_repeated_axis():
    with pytest.raises(ValueError, match=r"Sum: axis \(0, -2\) repeats an axis"):
        ones(2, 3).sum(axis=(0, -2))


def test_reduction_axis_wrong_type():
    with pytest.raises(TypeError, match=r"Mean: axis must be an int or a tuple of ints, got 1.0"):
        ones(2, 3).mean(axis=1.0)


def test_max_over_empty_axis():
    with pytest.raises(ValueError, match=r"Max: cannot reduce axes \(0,\) of shape \(0, 3\)"):
        Tensor(np.zeros((0, 3))).max(axis=0)
    with pytest.raises(ValueError, match=r"Min: cannot reduce axes \(0, 1\) of shape \(2, 0\)"):
        Tensor(np.zeros((2, 0))).min()


@pytest.mark.parametrize("method, name", [("softmax", "Softmax"), ("log_softmax", "LogSoftmax")])
def test_softmax_axis_errors(method, name):
    with pytest.raises(ValueError, match=rf"{name}: axis 2 is out of range for a tensor with 2 dimensions"):
        getattr(ones(2, 3), method)(2)
    with pytest.raises(TypeError, match=rf"{name}: axis must be a single int, got \(0, 1\)"):
        getattr(ones(2, 3), method)((0, 1))


def test_clip_bounds_errors():
    with pytest.raises(ValueError, match="clip: lo=2.0 is greater than hi=1.0"):
        ones(2).clip(2.0, 1.0)
    with pytest.raises(ValueError, match="clip: lo and hi are both None"):
        ones(2).clip()


def test_concatenate_errors():
    with pytest.raises(ValueError, match=r"concatenate: shapes \[\(2, 3\), \(2, 4\)\] do not match outside axis 0"):
        concatenate([ones(2, 3), ones(2, 4)], axis=0)
    with pytest.raises(ValueError, match=r"concatenate: axis 2 is out of range for tensors with 2 dimensions"):
        concatenate([ones(2, 3), ones(2, 3)], axis=2)
    with pytest.raises(ValueError, match=r"concatenate: 0-d tensors have no axis"):
        concatenate([Tensor(1.0), Tensor(2.0)])
    with pytest.raises(ValueError, match="concatenate: got no tensors"):
        concatenate([])


def test_stack_errors():
    with pytest.raises(ValueError, match=r"stack: all tensors need the same shape, got \[\(2,\), \(3,\)\]"):
        stack([ones(2), ones(3)])
    with pytest.raises(ValueError, match=r"stack: axis 3 is out of range for the stacked result with 2 dimensions"):
        stack([ones(2), ones(2)], axis=3)
    with pytest.raises(ValueError, match="stack: got no tensors"):
        stack([])


def test_where_shape_mismatch():
    with pytest.raises(ValueError, match=r"where: condition \(2,\), a \(3,\) and b \(\) cannot be broadcast"):
        where(np.array([True, False]), ones(3), 0.0)


def test_linear_shape_errors():
    with pytest.raises(ValueError, match=r"Linear: input of shape \(4, 3\) does not fit weight of shape \(2, 5\)"):
        ops.linear(ones(4, 3), ones(2, 5))
    with pytest.raises(ValueError, match=r"Linear: bias of shape \(2, 1\) does not fit weight of shape \(2, 3\); the bias needs shape \(2,\)"):
        ops.linear(ones(2, 3), ones(2, 3), ones(2, 1))


@pytest.mark.parametrize("loss", [ops.binary_cross_entropy, ops.binary_cross_entropy_with_logits])
def test_bce_target_shape_mismatch(loss):
    # (N,) against (N, 1) would broadcast to (N, N) and give a wrong loss silently.
    prediction = Tensor(np.full((4, 1), 0.5), requires_grad=True)
    with pytest.raises(ValueError, match=r"target of shape \(4,\) does not match the prediction of shape \(4, 1\)") as info:
        loss(prediction, np.ones(4))
    assert loss.__name__ in str(info.value)
    assert "reshape(-1, 1)" in str(info.value)


def test_bce_reduction_invalid():
    with pytest.raises(ValueError, match="binary_cross_entropy: reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        ops.binary_cross_entropy(Tensor([0.5]), [1.0], reduction="avg")


def test_cross_entropy_errors():
    logits = ones(2, 3)
    with pytest.raises(ValueError, match=r"cross_entropy: expected logits \(N, C\) and class indices \(N,\), got \(2, 3\) and \(3,\)"):
        ops.cross_entropy(logits, [0, 1, 2])
    with pytest.raises(TypeError, match=r"cross_entropy: class indices must be integers, got dtype float64; convert them with .astype\(int\)"):
        ops.cross_entropy(logits, [0.0, 1.0])
    with pytest.raises(ValueError, match=r"cross_entropy: class indices must lie in \[0, 2\], got values from 0 to 3"):
        ops.cross_entropy(logits, [0, 3])


def test_index_bad_key_type():
    with pytest.raises(IndexError, match=r"Index: .*tensor shape \(3,\), index 1.5"):
        ones(3)[1.5]


def test_item_of_many_elements():
    with pytest.raises(ValueError, match=r"item: only a one-element tensor .* got shape \(2,\)"):
        ones(2).item()


def test_len_of_zero_dimensional():
    with pytest.raises(TypeError, match="len: a 0-d tensor has no length"):
        len(Tensor(1.0))


def test_object_data_rejected():
    with pytest.raises(TypeError, match="Tensor: cannot make a tensor from dict data of dtype object"):
        Tensor({"a": 1})


def test_astype_float_cast_of_int_keeps_values():
    x = Tensor([1, 2]).astype(np.float32)
    assert x.dtype == np.float32
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_astype_to_integer_drops_graph():
    x = Tensor([1.5, -2.5], requires_grad=True)
    y = x.astype(np.int64)
    assert y.dtype == np.int64
    assert y.requires_grad is False
    np.testing.assert_array_equal(y.data, [1, -2])
