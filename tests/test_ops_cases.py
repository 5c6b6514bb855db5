"""One test case per differentiable op, shared by the gradient, dtype and PyTorch tests.

Each `OpCase` draws random inputs (shapes from hypothesis, values from a seeded
numpy generator), runs the op through the public API, and gives an independent
numpy forward and, where PyTorch has the same function, a torch forward.

Inputs stay away from kinks (relu, abs, clip, leaky_relu at their corners, max
and min at ties) and from the edges of a domain (log, sqrt, division), by at
least 0.05, far more than the finite-difference stencil's 2e-4. The kinks
themselves are tested with exact values in test_ops_forward.py.

The test in this file checks that every Op subclass in the ops package has a case.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor, concatenate, ops, stack, where

MAX_SIDE = 4


@dataclass(frozen=True)
class OpCase:
    """Inputs, public call and reference forwards of one op."""

    label: str
    op: str
    draw: Callable[[Any, np.random.Generator], tuple[list[np.ndarray], dict]]
    run: Callable[..., Tensor]
    reference: Callable[..., np.ndarray]
    torch_run: Callable[..., Any] | None
    finite_differences: bool = True

    def __repr__(self) -> str:
        return self.label


# ---- drawing helpers ------------------------------------------------------------------------


def any_shape(data, min_dims=0, max_dims=3, min_side=0):
    return data.draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=MAX_SIDE))


def broadcast_shapes(data, count=2):
    shapes = hnp.mutually_broadcastable_shapes(num_shapes=count, min_dims=0, max_dims=3, min_side=0, max_side=MAX_SIDE)
    return data.draw(shapes).input_shapes


def uniform(rng, shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


def away_from_zero(rng, shape, low=0.05, high=2.0):
    """Draw values with |x| in [low, high] and a random sign: no kink at 0."""
    sign = np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    return sign * rng.uniform(low, high, size=shape)


def distinct(rng, shape):
    """Draw values that differ pairwise by at least 0.05, so max and min have no ties."""
    size = int(np.prod(shape))
    return (rng.permutation(size) * 0.05 - 0.5).reshape(shape).astype(np.float64)


def reduction_axis(data, shape, nonempty=False):
    """Draw None, an int or a tuple of axes (negative ones too) for a reduction over `shape`."""
    ndim = len(shape)
    candidates = [i for i in range(ndim) if not nonempty or shape[i] > 0]
    kind = data.draw(st.sampled_from(["none", "int", "tuple"]))
    if ndim == 0:
        return data.draw(st.sampled_from([None, 0, -1]))
    if kind == "none" and (not nonempty or len(candidates) == ndim):
        return None
    if not candidates:
        return None if not nonempty else ()
    axes = data.draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=len(candidates), unique=True))
    axes = [a - ndim if data.draw(st.booleans()) else a for a in axes]
    return axes[0] if kind == "int" else tuple(axes)


def single_axis(data, ndim):
    if ndim == 0:
        return data.draw(st.sampled_from([0, -1]))
    return data.draw(st.integers(-ndim, ndim - 1))


def torch_axes(axis, ndim):
    """Return numpy's `axis` as torch's `dim`: None means every axis, 0-d tensors take 0 or -1."""
    if axis is None:
        return tuple(range(ndim)) if ndim else None
    return axis


def torch_reduce(name):
    def run(x, axis, keepdims):
        dim = torch_axes(axis, x.ndim)
        if dim is None:
            return getattr(x, name)()
        return getattr(x, name)(dim=dim, keepdim=keepdims)

    return run


# ---- element-wise ---------------------------------------------------------------------------


def unary(values=uniform):
    def draw(data, rng):
        return [values(rng, any_shape(data))], {}

    return draw


def draw_binary(a_values=uniform, b_values=uniform):
    def draw(data, rng):
        a_shape, b_shape = broadcast_shapes(data)
        return [a_values(rng, a_shape), b_values(rng, b_shape)], {}

    return draw


def positive(rng, shape):
    return rng.uniform(0.1, 3.0, size=shape)


def base_values(rng, shape):
    return rng.uniform(0.2, 2.0, size=shape)


def draw_clip(data, rng):
    shape = any_shape(data)
    lo, hi = data.draw(st.sampled_from([(-0.5, 0.5), (-0.5, None), (None, 0.5), (0.5, 0.5)]))
    # Three bands that keep every value at least 0.05 away from -0.5 and 0.5.
    bands = np.array([[-2.0, -0.55], [-0.45, 0.45], [0.55, 2.0]])
    chosen = bands[rng.integers(0, 3, size=shape)]
    x = rng.uniform(chosen[..., 0], chosen[..., 1]) if shape else rng.uniform(*bands[rng.integers(0, 3)])
    return [np.asarray(x, dtype=np.float64)], {"lo": lo, "hi": hi}


def draw_leaky(data, rng):
    slope = data.draw(st.sampled_from([0.01, 0.2, 1.5]))
    return [away_from_zero(rng, any_shape(data))], {"negative_slope": slope}


def draw_scalar_left(data, rng):
    """Draw a tensor and a constant numpy array (or Python number) for `constant op tensor`."""
    a_shape, b_shape = broadcast_shapes(data)
    constant = data.draw(st.sampled_from(["array", "number"]))
    left = uniform(rng, a_shape) if constant == "array" else float(rng.uniform(0.5, 2.0))
    return [away_from_zero(rng, b_shape, low=0.5)], {"left": left}


def draw_pow_number_base(data, rng):
    return [uniform(rng, any_shape(data))], {"base": float(rng.uniform(0.5, 3.0))}


def draw_pow_int_exponent(data, rng):
    return [away_from_zero(rng, any_shape(data), low=0.5)], {"exponent": data.draw(st.sampled_from([0, 1, 2, 3, -1]))}


# ---- reductions -----------------------------------------------------------------------------


def draw_reduce(data, rng):
    shape = any_shape(data)
    return [uniform(rng, shape)], {"axis": reduction_axis(data, shape), "keepdims": data.draw(st.booleans())}


def draw_extreme(data, rng):
    shape = any_shape(data)
    axis = reduction_axis(data, shape, nonempty=True)
    if axis == ():
        # Every axis is empty, and the extreme of no elements is undefined, so
        # make the axes non-empty (test_ops_forward.py checks the error).
        shape = tuple(max(side, 1) for side in shape)
        axis = None
    return [distinct(rng, shape)], {"axis": axis, "keepdims": data.draw(st.booleans())}


def draw_softmax(data, rng):
    shape = any_shape(data)
    return [uniform(rng, shape, -3, 3)], {"axis": single_axis(data, len(shape))}


# ---- shape ----------------------------------------------------------------------------------


def draw_reshape(data, rng):
    shape = any_shape(data)
    target = data.draw(st.sampled_from(["flat", "reversed", "unsqueeze", "squeeze"]))
    if target == "flat":
        new_shape = (-1,)
    elif target == "reversed":
        new_shape = tuple(reversed(shape))
    elif target == "unsqueeze":
        position = data.draw(st.integers(0, len(shape)))
        new_shape = shape[:position] + (1,) + shape[position:]
    else:
        new_shape = tuple(side for side in shape if side != 1)
    return [uniform(rng, shape)], {"shape": new_shape}


def draw_transpose(data, rng):
    shape = any_shape(data)
    ndim = len(shape)
    permutation = data.draw(st.permutations(list(range(ndim))))
    axes = tuple(a - ndim if data.draw(st.booleans()) else a for a in permutation)
    return [uniform(rng, shape)], {"axes": axes}


def draw_expand(data, rng):
    target = any_shape(data)
    keep = data.draw(st.integers(0, len(target)))
    source = tuple(1 if data.draw(st.booleans()) else side for side in target[len(target) - keep:])
    return [uniform(rng, source)], {"shape": target}


def draw_index(data, rng):
    shape = any_shape(data, min_dims=1)
    first = shape[0]
    kinds = ["slice", "negative_step", "mask", "ellipsis"]
    if first > 0:
        kinds += ["int", "int_array", "tensor_array"]
        if len(shape) >= 2:
            kinds += ["array_and_slice"]
    kind = data.draw(st.sampled_from(kinds))
    if kind == "int":
        key = int(rng.integers(-first, first))
    elif kind == "slice":
        key = slice(data.draw(st.integers(-5, 5)), data.draw(st.integers(-5, 5)), data.draw(st.sampled_from([1, 2])))
    elif kind == "negative_step":
        key = slice(None, None, data.draw(st.sampled_from([-1, -2])))
    elif kind == "mask":
        key = rng.random(shape) < 0.5
    elif kind == "ellipsis":
        key = (Ellipsis, None)
    elif kind in ("int_array", "tensor_array"):
        # Repeated indices on purpose: their gradients must add up.
        key = rng.integers(-first, first, size=data.draw(st.integers(0, 6)))
    else:
        key = (rng.integers(-first, first, size=3), slice(None, None, -1))
    return [uniform(rng, shape)], {"key": key, "as_tensor": kind == "tensor_array"}


def run_index(x, key, as_tensor):
    return x[Tensor(key)] if as_tensor else x[key]


def torch_index(x, key, as_tensor):
    import torch

    # torch rejects negative steps, so index the flat positions instead; the
    # gradient of that gather accumulates repeats as numpy's add.at does.
    positions = np.arange(x.numel()).reshape(tuple(x.shape))[key].copy()
    return x.reshape(-1)[torch.as_tensor(positions, dtype=torch.long)]


def draw_concatenate(data, rng):
    shape = any_shape(data, min_dims=1)
    ndim = len(shape)
    axis = data.draw(st.integers(-ndim, ndim - 1))
    count = data.draw(st.integers(1, 3))
    arrays = []
    for _ in range(count):
        piece_shape = list(shape)
        piece_shape[axis] = data.draw(st.integers(0, 3))
        arrays.append(uniform(rng, tuple(piece_shape)))
    return arrays, {"axis": axis}


def draw_stack(data, rng):
    shape = any_shape(data, max_dims=2)
    ndim = len(shape) + 1
    count = data.draw(st.integers(1, 3))
    return [uniform(rng, shape) for _ in range(count)], {"axis": data.draw(st.integers(-ndim, ndim - 1))}


def draw_where(data, rng):
    condition_shape, a_shape, b_shape = broadcast_shapes(data, count=3)
    condition = rng.random(condition_shape) < 0.5
    return [uniform(rng, a_shape), uniform(rng, b_shape)], {"condition": condition}


# ---- fused layers and losses ----------------------------------------------------------------


def draw_linear(data, rng):
    features_in = data.draw(st.integers(1, 3))
    features_out = data.draw(st.integers(1, 3))
    batch = data.draw(st.sampled_from([(), (0,), (1,), (3,), (2, 3)]))
    arrays = [uniform(rng, batch + (features_in,)), uniform(rng, (features_out, features_in))]
    if data.draw(st.booleans()):
        arrays.append(uniform(rng, (features_out,)))
    return arrays, {}


def draw_reduction_kind(data):
    return data.draw(st.sampled_from(["mean", "sum", "none"]))


def draw_bce(data, rng):
    shape = any_shape(data, min_side=1)
    # A target may broadcast to the prediction's shape, as a scalar 1 does.
    target_shape = shape if data.draw(st.booleans()) else ()
    p = rng.uniform(0.05, 0.95, size=shape)
    y = rng.uniform(0.0, 1.0, size=target_shape)
    return [p], {"y": y, "reduction": draw_reduction_kind(data)}


def draw_bce_target(data, rng):
    shape = any_shape(data, min_side=1)
    return [rng.uniform(0.05, 0.95, size=shape), rng.uniform(0, 1, size=shape)], {"reduction": draw_reduction_kind(data)}


def draw_bce_logits(data, rng):
    shape = any_shape(data, min_side=1)
    return [uniform(rng, shape, -4, 4), rng.uniform(0, 1, size=shape)], {"reduction": draw_reduction_kind(data)}


def draw_cross_entropy(data, rng):
    count = data.draw(st.integers(1, 4))
    classes = data.draw(st.integers(1, 4))
    targets = rng.integers(0, classes, size=count)
    return [uniform(rng, (count, classes), -3, 3)], {"targets": targets, "reduction": draw_reduction_kind(data)}


# ---- numpy references -----------------------------------------------------------------------


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_gelu(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


def np_softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))
    return e / e.sum(axis=axis, keepdims=True)


def np_reduce(function):
    def reference(x, axis, keepdims):
        axes = () if (x.ndim == 0 and axis is not None) else axis
        return function(x, axis=axes, keepdims=keepdims)

    return reference


def np_loss(losses, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](losses)


def np_bce(p, y, reduction):
    return np_loss(-(y * np.log(p) + (1 - y) * np.log(1 - p)), reduction)


def np_bce_logits(z, y, reduction):
    return np_bce(np_sigmoid(z), y, reduction)


def np_cross_entropy(logits, targets, reduction):
    log_probs = np.log(np_softmax(logits, 1))
    return np_loss(-log_probs[np.arange(len(targets)), targets], reduction)


def np_linear(x, weight, bias=None):
    z = x @ weight.T
    return z if bias is None else z + bias


# ---- torch forwards -------------------------------------------------------------------------


def tf():
    import torch.nn.functional

    return torch.nn.functional


def as_torch(array):
    import torch

    return torch.as_tensor(np.asarray(array))


def torch_bce(p, y, reduction):
    return tf().binary_cross_entropy(p, as_torch(y).expand(p.shape), reduction=reduction)


# ---- the cases ------------------------------------------------------------------------------


CASES = [
    OpCase("Add", "Add", draw_binary(), lambda a, b: a + b, np.add, lambda a, b: a + b),
    OpCase(
        "Add (constant + tensor)", "Add", draw_scalar_left,
        lambda b, left: left + b, lambda b, left: left + b, lambda b, left: as_torch(left) + b,
    ),
    OpCase("Sub", "Sub", draw_binary(), lambda a, b: a - b, np.subtract, lambda a, b: a - b),
    OpCase(
        "Sub (constant - tensor)", "Sub", draw_scalar_left,
        lambda b, left: left - b, lambda b, left: left - b, lambda b, left: as_torch(left) - b,
    ),
    OpCase("Mul", "Mul", draw_binary(), lambda a, b: a * b, np.multiply, lambda a, b: a * b),
    OpCase(
        "Mul (constant * tensor)", "Mul", draw_scalar_left,
        lambda b, left: left * b, lambda b, left: left * b, lambda b, left: as_torch(left) * b,
    ),
    OpCase(
        "Div", "Div", draw_binary(b_values=lambda rng, s: away_from_zero(rng, s, low=0.5)),
        lambda a, b: a / b, np.divide, lambda a, b: a / b,
    ),
    OpCase(
        "Div (constant / tensor)", "Div", draw_scalar_left,
        lambda b, left: left / b, lambda b, left: left / b, lambda b, left: as_torch(left) / b,
    ),
    OpCase(
        "Pow", "Pow", draw_binary(a_values=base_values), lambda a, b: a**b, np.power, lambda a, b: a**b,
    ),
    OpCase(
        "Pow (number ** tensor)", "Pow", draw_pow_number_base,
        lambda x, base: base**x, lambda x, base: base**x, lambda x, base: base**x,
    ),
    OpCase(
        "Pow (tensor ** int)", "Pow", draw_pow_int_exponent,
        lambda x, exponent: x**exponent, lambda x, exponent: x ** float(exponent), lambda x, exponent: x**exponent,
    ),
    OpCase("Neg", "Neg", unary(), lambda x: -x, np.negative, lambda x: -x),
    OpCase(
        "Cast", "Cast", unary(), lambda x: x.astype(np.float32), lambda x: x.astype(np.float32),
        lambda x: x.float(), finite_differences=False,
    ),
    OpCase(
        "MatMul", "MatMul",
        lambda data, rng: (
            [uniform(rng, s) for s in data.draw(
                hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, min_side=0, max_side=3)
            ).input_shapes],
            {},
        ),
        lambda a, b: a @ b, np.matmul, lambda a, b: a @ b,
    ),
    OpCase("Exp", "Exp", unary(), lambda x: x.exp(), np.exp, lambda x: x.exp()),
    OpCase("Log", "Log", unary(positive), lambda x: x.log(), np.log, lambda x: x.log()),
    OpCase("Sqrt", "Sqrt", unary(positive), lambda x: x.sqrt(), np.sqrt, lambda x: x.sqrt()),
    OpCase("Square", "Square", unary(), lambda x: x.square(), np.square, lambda x: x.square()),
    OpCase("Abs", "Abs", unary(away_from_zero), lambda x: x.abs(), np.abs, lambda x: x.abs()),
    OpCase(
        "Clip", "Clip", draw_clip, lambda x, lo, hi: x.clip(lo, hi),
        lambda x, lo, hi: np.clip(x, lo, hi), lambda x, lo, hi: x.clamp(lo, hi),
    ),
    OpCase("Sigmoid", "Sigmoid", unary(lambda r, s: uniform(r, s, -5, 5)), lambda x: x.sigmoid(), np_sigmoid,
           lambda x: x.sigmoid()),
    OpCase("Tanh", "Tanh", unary(), lambda x: x.tanh(), np.tanh, lambda x: x.tanh()),
    OpCase("ReLU", "ReLU", unary(away_from_zero), lambda x: x.relu(), lambda x: np.maximum(x, 0), lambda x: x.relu()),
    OpCase(
        "LeakyReLU", "LeakyReLU", draw_leaky, lambda x, negative_slope: x.leaky_relu(negative_slope),
        lambda x, negative_slope: np.where(x > 0, x, negative_slope * x),
        lambda x, negative_slope: tf().leaky_relu(x, negative_slope),
    ),
    OpCase(
        "Softplus", "Softplus", unary(lambda r, s: uniform(r, s, -5, 5)), lambda x: x.softplus(),
        lambda x: np.log(1 + np.exp(x)), lambda x: tf().softplus(x),
    ),
    OpCase(
        "LogSigmoid", "LogSigmoid", unary(lambda r, s: uniform(r, s, -5, 5)), lambda x: x.logsigmoid(),
        lambda x: np.log(np_sigmoid(x)), lambda x: tf().logsigmoid(x),
    ),
    OpCase("GELU", "GELU", unary(lambda r, s: uniform(r, s, -3, 3)), lambda x: x.gelu(), np_gelu,
           lambda x: tf().gelu(x, approximate="tanh")),
    OpCase(
        "Sum", "Sum", draw_reduce, lambda x, axis, keepdims: x.sum(axis, keepdims),
        np_reduce(np.sum), torch_reduce("sum"),
    ),
    OpCase(
        "Mean", "Mean", draw_reduce, lambda x, axis, keepdims: x.mean(axis, keepdims),
        np_reduce(np.mean), torch_reduce("mean"),
    ),
    OpCase(
        "Max", "Max", draw_extreme, lambda x, axis, keepdims: x.max(axis, keepdims),
        np_reduce(np.max), torch_reduce("amax"),
    ),
    OpCase(
        "Min", "Min", draw_extreme, lambda x, axis, keepdims: x.min(axis, keepdims),
        np_reduce(np.min), torch_reduce("amin"),
    ),
    OpCase(
        "Softmax", "Softmax", draw_softmax, lambda x, axis: x.softmax(axis),
        lambda x, axis: np_softmax(x, axis if x.ndim else ()), lambda x, axis: x.softmax(axis),
    ),
    OpCase(
        "LogSoftmax", "LogSoftmax", draw_softmax, lambda x, axis: x.log_softmax(axis),
        lambda x, axis: np.log(np_softmax(x, axis if x.ndim else ())), lambda x, axis: x.log_softmax(axis),
    ),
    OpCase(
        "Reshape", "Reshape", draw_reshape, lambda x, shape: x.reshape(shape),
        lambda x, shape: x.reshape(shape), lambda x, shape: x.reshape(shape),
    ),
    OpCase(
        "Transpose", "Transpose", draw_transpose, lambda x, axes: x.transpose(axes),
        lambda x, axes: np.transpose(x, axes), lambda x, axes: x.permute(axes),
    ),
    OpCase(
        "Expand", "Expand", draw_expand, lambda x, shape: x.expand(shape),
        lambda x, shape: np.broadcast_to(x, shape), lambda x, shape: x.expand(shape),
    ),
    OpCase(
        "Index", "Index", draw_index, run_index, lambda x, key, as_tensor: x[key], torch_index,
    ),
    OpCase(
        "Concatenate", "Concatenate", draw_concatenate, lambda *xs, axis: concatenate(list(xs), axis),
        lambda *xs, axis: np.concatenate(xs, axis), lambda *xs, axis: __import__("torch").cat(xs, axis),
    ),
    OpCase(
        "Stack", "Stack", draw_stack, lambda *xs, axis: stack(list(xs), axis),
        lambda *xs, axis: np.stack(xs, axis), lambda *xs, axis: __import__("torch").stack(xs, axis),
    ),
    OpCase(
        "Where", "Where", draw_where, lambda a, b, condition: where(condition, a, b),
        lambda a, b, condition: np.where(condition, a, b),
        lambda a, b, condition: __import__("torch").where(as_torch(condition), a, b),
    ),
    OpCase("Linear", "Linear", draw_linear, ops.linear, np_linear, lambda *args: tf().linear(*args)),
    OpCase(
        "BinaryCrossEntropy", "BinaryCrossEntropy", draw_bce,
        lambda p, y, reduction: ops.binary_cross_entropy(p, y, reduction), np_bce, torch_bce,
    ),
    OpCase(
        "BinaryCrossEntropy (target gradient)", "BinaryCrossEntropy", draw_bce_target,
        lambda p, y, reduction: ops.binary_cross_entropy(p, y, reduction), np_bce,
        lambda p, y, reduction: tf().binary_cross_entropy(p, y, reduction=reduction),
    ),
    OpCase(
        "BinaryCrossEntropyWithLogits", "BinaryCrossEntropyWithLogits", draw_bce_logits,
        lambda z, y, reduction: ops.binary_cross_entropy_with_logits(z, y, reduction), np_bce_logits,
        lambda z, y, reduction: tf().binary_cross_entropy_with_logits(z, y, reduction=reduction),
    ),
    OpCase(
        "CrossEntropy", "CrossEntropy", draw_cross_entropy,
        lambda logits, targets, reduction: ops.cross_entropy(logits, targets, reduction), np_cross_entropy,
        lambda logits, targets, reduction: tf().cross_entropy(
            logits, as_torch(targets), reduction=reduction
        ),
    ),
]


def draw_inputs(case: OpCase, data) -> tuple[list[np.ndarray], dict]:
    """Draw one example of `case`'s inputs: a seed from hypothesis, values from numpy."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    arrays, options = case.draw(data, rng)
    # rng.uniform(size=()) gives a Python float; the tests perturb arrays in place.
    return [np.array(array, dtype=np.float64) for array in arrays], options


# ---- coverage -------------------------------------------------------------------------------


def op_classes() -> dict[str, type]:
    """Return every public Op subclass defined in the ops package, by name."""
    from tinygrad_edu.tensor import Op

    return {
        name: cls
        for name, cls in inspect.getmembers(ops, inspect.isclass)
        if issubclass(cls, Op) and cls is not Op and not name.startswith("_") and cls.__module__.startswith(ops.__name__ + ".")
    }


def test_every_op_has_case():
    covered = {case.op for case in CASES}
    missing = sorted(set(op_classes()) - covered)
    assert missing == [], f"ops without a test case: {missing}"


def test_cases_name_real_ops():
    unknown = sorted({case.op for case in CASES} - set(op_classes()))
    assert unknown == [], f"cases for ops that the ops package does not define: {unknown}"
