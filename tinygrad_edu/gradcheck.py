"""Finite-difference gradient checking for any function of tensors."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from tinygrad_edu.tensor import Tensor, no_grad


class GradcheckError(AssertionError):
    """Autodiff and central differences disagree; the message names the worst element."""


def _op_path(output: Tensor, target: Tensor) -> str:
    """Return the op names on one path from `target` up to `output`, e.g. 'x -> Mul -> Sum'."""
    # Breadth-first from the output; `came_from` remembers each tensor's consumer.
    came_from: dict[int, Tensor | None] = {id(output): None}
    queue = [output]
    found = False
    while queue and not found:
        node = queue.pop(0)
        if node._op is None:
            continue
        for parent in node._op.parents:
            if id(parent) in came_from:
                continue
            came_from[id(parent)] = node
            if parent is target:
                found = True
                break
            queue.append(parent)
    if not found:
        return "(the input is not part of the output's graph)"

    names = [target.name or "input"]
    node = came_from[id(target)]
    while node is not None:
        names.append(node._op.name)
        node = came_from[id(node)]
    return " -> ".join(names)


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    raise_exception: bool = True,
) -> bool:
    r"""Check the autodiff gradient of `fn` against central differences, element by element.

    A non-scalar output is reduced to the scalar $\sum_k v_k f_k$ with a fixed random
    vector v (a random upstream gradient finds more bugs than ones). For every
    element $x_i$ of every input that requires a gradient, the numerical derivative
    $(f(x_i + \varepsilon) - f(x_i - \varepsilon)) / 2\varepsilon$ must match autodiff
    within $|a - n| \le \mathrm{atol} + \mathrm{rtol} |n|$.

    Args:
        fn: function of the input tensors returning a tensor.
        inputs: the tensors to differentiate with respect to (float64 recommended:
            float32 rounding swamps central differences).
        eps: step of the central difference.
        atol, rtol: absolute and relative tolerance.
        seed: seed of the random upstream vector v.
        raise_exception: if False, return False instead of raising.

    Returns:
        True when every element matches. A NaN on either side never matches.

    Note:
        The inputs' `.grad` is reset before the check and contains the autodiff
        gradient afterwards. Each input's data is perturbed in place and restored.

    Raises:
        GradcheckError: names the input, the worst element, both values and the op
            path from that input to the output.

    Example:
        >>> from tinygrad_edu import Tensor, gradcheck
        >>> x = Tensor([0.5, -1.0], requires_grad=True)
        >>> gradcheck(lambda t: (t * t).sigmoid(), [x])
        True
    """
    inputs = list(inputs)
    for index, tensor in enumerate(inputs):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"gradcheck: input {index} is a {type(tensor).__name__}, not a Tensor")

    output = fn(*inputs)
    if not isinstance(output, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(output).__name__}")
    v = np.random.default_rng(seed).standard_normal(output.shape)

    def projected(out: Tensor) -> float:
        return float(np.sum(out.data.astype(np.float64) * v))

    for tensor in inputs:
        tensor.grad = None
    if not output.requires_grad:
        raise ValueError(
            "gradcheck: the output does not depend on any input with requires_grad=True; "
            "create the inputs with requires_grad=True"
        )
    output.backward(v.astype(output.dtype))

    worst = None  # (excess error, input index, element index, analytic, numeric)
    for index, tensor in enumerate(inputs):
        if not tensor.requires_grad:
            continue
        analytic = tensor.grad if tensor.grad is not None else np.zeros_like(tensor.data)
        if not tensor.data.flags.writeable:
            # A broadcast view cannot be perturbed in place; an own copy can.
            tensor.data = tensor.data.copy()
        # Index the array itself: reshape(-1) of a non-contiguous array would be a
        # copy, and perturbing the copy would leave the function unchanged.
        for element in np.ndindex(tensor.shape):
            original = tensor.data[element]
            try:
                with no_grad():
                    tensor.data[element] = original + eps
                    plus = projected(fn(*inputs))
                    tensor.data[element] = original - eps
                    minus = projected(fn(*inputs))
            finally:
                tensor.data[element] = original
            numeric = (plus - minus) / (2 * eps)
            auto = float(analytic[element])
            if np.isnan(auto) or np.isnan(numeric):
                excess = np.inf
            elif np.isinf(auto) or np.isinf(numeric):
                excess = 0.0 if auto == numeric else np.inf
            else:
                excess = abs(auto - numeric) - (atol + rtol * abs(numeric))
            if excess > 0 and (worst is None or excess > worst[0]):
                worst = (excess, index, element, auto, numeric)

    if worst is None:
        return True
    if not raise_exception:
        return False

    _, index, element, auto, numeric = worst
    tensor = inputs[index]
    if np.isfinite(auto) and np.isfinite(numeric):
        comparison = f"difference {abs(auto - numeric):.3g}, allowed {atol + rtol * abs(numeric):.3g}"
    else:
        comparison = "a NaN never matches, and an inf matches only the same inf"
    raise GradcheckError(
        f"gradcheck: input {index}{' (' + tensor.name + ')' if tensor.name else ''} of shape "
        f"{tensor.shape}, element {tuple(int(e) for e in element)}: autodiff gives {auto:.10g}, "
        f"central differences give {numeric:.10g} ({comparison}). Op path: {_op_path(output, tensor)}. "
        "Check the backward of the ops on that path"
    )
