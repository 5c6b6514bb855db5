"""The steps of a worked example as the author computes them, one formula per quantity.

Each step computes one quantity from earlier ones with the course's hand-derived
formula (z(l) = W(l) a(l-1) + b(l), delta(l) = dL/da(l) * f'(z(l)), ...). The checker
feeds these steps with the author's claimed values, which gives the value each claim
should have given the author's own earlier numbers. The true values come from autodiff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tinygrad_edu.tensor import Tensor
from tinygrad_edu.worked.example import WorkedExample, claim_keys

__all__ = ["Step", "build_steps", "display_name", "evaluate"]

# Keeps log(p) and log(1 - p) finite when an author's rounded y_hat is exactly 0 or 1.
_PROBABILITY_EPS = 1e-12


@dataclass(frozen=True)
class Step:
    """The formula of one quantity and the earlier quantities it reads.

    Attributes:
        quantity: canonical name, e.g. "delta(2)".
        inputs: canonical names of the quantities it is computed from; "x" is the given input.
        compute: the formula on Tensors, taking the inputs in order.
        formula: the formula in the course's notation, e.g. "delta(2) = dL/da(2) * a(2) * (1 - a(2))".
        layer: the layer l the quantity belongs to, or None for y_hat-free scalars such as L.
    """

    quantity: str
    inputs: tuple[str, ...]
    compute: Callable[..., Tensor]
    formula: str
    layer: int | None


def display_name(quantity: str, num_layers: int) -> str:
    """Return the course's name for a quantity: the output layer's delta is written dL/dz(L)."""
    if quantity == f"delta({num_layers})":
        return f"dL/dz({num_layers})"
    return quantity


def _activation_name(quantity: str, activation: str) -> str:
    return {"sigmoid": "sigma", "relu": "ReLU", "tanh": "tanh"}[activation] + f"({quantity})"


def _derivative_from_output(activation: str, a: Tensor) -> Tensor:
    """Return f'(z) written in terms of a = f(z), as the course does for the sigmoid."""
    if activation == "sigmoid":
        return a * (1.0 - a)
    if activation == "tanh":
        return 1.0 - a * a
    # ReLU: f'(z) = 1 where a = relu(z) > 0; the mask is a constant without a gradient.
    return Tensor((a.data > 0).astype(a.data.dtype))


def _derivative_text(activation: str, a: str) -> str:
    if activation == "sigmoid":
        return f"{a} * (1 - {a})"
    if activation == "tanh":
        return f"(1 - {a}^2)"
    return f"[{a} > 0]"


def build_steps(example: WorkedExample) -> dict[str, Step]:
    """Return the step of every quantity of the example's network, in table order."""
    num_layers = example.num_layers
    n_out = example.layer_sizes[-1]
    y = Tensor(example.y, name="y")
    weights = [Tensor(W, name=f"W({layer})") for layer, W in enumerate(example.weights, start=1)]
    biases = [Tensor(b, name=f"b({layer})") for layer, b in enumerate(example.biases, start=1)]

    def output_name(layer: int) -> str:
        if layer == 0:
            return "x"
        return "y_hat" if layer == num_layers else f"a({layer})"

    steps: dict[str, Step] = {}
    for layer in range(1, num_layers + 1):
        W, b = weights[layer - 1], biases[layer - 1]
        a_prev = output_name(layer - 1)
        steps[f"z({layer})"] = Step(
            f"z({layer})",
            (a_prev,),
            lambda a, W=W, b=b: W @ a + b,
            f"z({layer}) = W({layer}) {a_prev} + b({layer})",
            layer,
        )
        activation = example.activations[layer - 1]
        steps[output_name(layer)] = Step(
            output_name(layer),
            (f"z({layer})",),
            {"sigmoid": Tensor.sigmoid, "relu": Tensor.relu, "tanh": Tensor.tanh}[activation],
            f"{output_name(layer)} = {_activation_name(f'z({layer})', activation)}",
            layer,
        )

    if example.loss == "bce":

        def loss(p: Tensor) -> Tensor:
            p = p.clip(_PROBABILITY_EPS, 1.0 - _PROBABILITY_EPS)
            return -(y * p.log() + (1.0 - y) * (1.0 - p).log()).mean()

        def loss_gradient(p: Tensor) -> Tensor:
            p = p.clip(_PROBABILITY_EPS, 1.0 - _PROBABILITY_EPS)
            return (-y / p + (1.0 - y) / (1.0 - p)) / n_out

        mean = "" if n_out == 1 else "mean of "
        loss_text = f"L = -{mean}[y log(y_hat) + (1 - y) log(1 - y_hat)]"
        gradient_text = "dL/dy_hat = -y / y_hat + (1 - y) / (1 - y_hat)"
        if n_out > 1:
            gradient_text = f"dL/dy_hat = (-y / y_hat + (1 - y) / (1 - y_hat)) / {n_out}"
    else:

        def loss(p: Tensor) -> Tensor:
            return ((p - y) ** 2).mean()

        def loss_gradient(p: Tensor) -> Tensor:
            return (p - y) * (2.0 / n_out)

        # Written with n_L = 2 spelled out, so that the mean over two outputs is not
        # mistaken for the 1/2 sum((y_hat - y)^2) convention of some textbooks.
        loss_text = "L = (y_hat - y)^2" if n_out == 1 else f"L = sum((y_hat - y)^2) / n_L, n_L = {n_out}"
        gradient_text = (
            "dL/dy_hat = 2 (y_hat - y)" if n_out == 1 else f"dL/dy_hat = 2 (y_hat - y) / n_L, n_L = {n_out}"
        )

    steps["L"] = Step("L", ("y_hat",), loss, loss_text, None)
    steps["dL/dy_hat"] = Step("dL/dy_hat", ("y_hat",), loss_gradient, gradient_text, num_layers)

    for layer in range(num_layers, 0, -1):
        activation = example.activations[layer - 1]
        a_name = output_name(layer)
        upstream = "dL/dy_hat" if layer == num_layers else f"dL/da({layer})"
        delta = f"delta({layer})"
        shown = display_name(delta, num_layers)
        formula = f"{shown} = {upstream} * {_derivative_text(activation, a_name)}"
        if layer == num_layers and activation == "sigmoid" and example.loss == "bce":
            # dL/dy_hat * y_hat (1 - y_hat) simplifies to the course's y_hat - y.
            formula = f"{shown} = y_hat - y"
        steps[delta] = Step(
            delta,
            (upstream, a_name),
            lambda g, a, activation=activation: g * _derivative_from_output(activation, a),
            formula,
            layer,
        )

        a_prev = output_name(layer - 1)
        rows, columns = example.layer_sizes[layer], example.layer_sizes[layer - 1]
        steps[f"dL/dW({layer})"] = Step(
            f"dL/dW({layer})",
            (delta, a_prev),
            lambda d, a, rows=rows, columns=columns: d.reshape(rows, 1) @ a.reshape(1, columns),
            f"dL/dW({layer}) = {shown} ({a_prev})^T",
            layer,
        )
        steps[f"dL/db({layer})"] = Step(
            f"dL/db({layer})", (delta,), lambda d: d, f"dL/db({layer}) = {shown}", layer
        )
        if layer > 1:
            W = weights[layer - 1]
            steps[f"dL/da({layer - 1})"] = Step(
                f"dL/da({layer - 1})",
                (delta,),
                lambda d, W=W: W.T @ d,
                f"dL/da({layer - 1}) = (W({layer}))^T {shown}",
                layer - 1,
            )

    order = claim_keys(example.layer_sizes)
    return {name: steps[name] for name in order}


def evaluate(steps: dict[str, Step], x: np.ndarray) -> dict[str, np.ndarray]:
    """Compute every quantity by the hand-derived steps from the exact inputs, without claims."""
    values: dict[str, Tensor] = {"x": Tensor(x)}
    for name, step in steps.items():
        values[name] = step.compute(*(values[i] for i in step.inputs))
    return {name: tensor.data for name, tensor in values.items() if name != "x"}
