"""Check each claimed value of a worked example against autodiff and against the author's own numbers.

Each claimed number c, written with last-digit place value u, is compared with two values:

- v, the true value, computed by autodiff from the file's inputs;
- r, the value the course's formula gives from the author's own earlier claimed
  values (unclaimed intermediate values are recomputed from the claims before them).

The earlier claims are rounded too, so r is uncertain by e = sum_j |dr/dc_j| u_j / 2:
how far r moves, to first order, when each claimed input c_j moves by half a unit of
its last digit. The derivatives come from autodiff. The rules, tried in this order:

1. follows from an earlier wrong value: |c - r| <= u/2 + e, and an earlier claimed
   number with a non-zero dr/dc_j is wrong or itself inherited. This rule wins even
   where c happens to round to v, so the table shows how the claim was derived.
2. correct: c equals v up to float64 noise.
3. correct within rounding: |c - v| <= u/2 (c is v rounded to the digits written),
   or |c - r| <= u/2 + e with every earlier claim right.
4. wrong: none of these. The slip happened at this step.

A vector claim gets the worst verdict among its numbers (wrong, then follows, then
within rounding, then correct). A claim that holds only through its inputs' rounding,
u/2 < |c - r| <= u/2 + e, is flagged as a rounding slip. The course's L = 0.515 is
one: -ln(0.598) = 0.5142, but 0.598 stands for any y_hat in [0.5975, 0.5985] and
-ln(0.5975) = 0.5150.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tinygrad_edu import ops
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.worked.example import WorkedExample, load, quantity_shape
from tinygrad_edu.worked.steps import Step, build_steps, display_name

__all__ = ["Verdict", "Row", "build_graph", "check", "computed_values", "resolve_example"]

# Float64 noise allowed on top of the written rounding: relative to the value's size,
# plus a floor far below any digit an author writes by hand.
_FLOAT_TOLERANCE = 1e-9
_FLOAT_FLOOR = 1e-12


class Verdict(str, enum.Enum):
    """The judgement of one claimed quantity."""

    CORRECT = "correct"
    WITHIN_ROUNDING = "correct within rounding"
    FOLLOWS = "follows from an earlier wrong value"
    WRONG = "wrong"
    NOT_CLAIMED = "not claimed"

    @property
    def holds(self) -> bool:
        """Whether the claim is right (exactly or up to the author's rounding)."""
        return self in (Verdict.CORRECT, Verdict.WITHIN_ROUNDING)


# Worse verdicts win when the numbers of one vector disagree.
_SEVERITY = {Verdict.CORRECT: 0, Verdict.WITHIN_ROUNDING: 1, Verdict.FOLLOWS: 2, Verdict.WRONG: 3}


@dataclass(frozen=True)
class Row:
    """One line of the check table.

    Attributes:
        quantity: the name as the author wrote it, else the course's name (e.g. "dL/dz(3)").
        key: the canonical quantity name (e.g. "delta(3)").
        formula: how the quantity is computed, in the course's notation.
        claimed: the claimed numbers as written, or None if not claimed.
        computed: the true value from autodiff, in the claim's canonical shape.
        recomputed: the value the formula gives from the author's own earlier claimed values.
        verdict: the judgement (see `Verdict`).
        claimed_values: the claimed numbers as floats (canonical shape), or None.
        claimed_numbers: each claimed number as written, row-major in the canonical shape.
        number_verdicts: the verdict of each claimed number, in the same order.
        tolerance: per number, u/2 + e: how far the claim may be from `recomputed`, or None.
        rounding_slip: True when the claim holds only through the rounding of its inputs
            (|claimed - recomputed| > u/2), as the course's L = 0.515.
        agrees_with_computed: True when every claimed number is the computed value
            rounded to the digits written; a FOLLOWS row can agree by chance.
        follows_from: the earlier wrong claims that numbers of this claim inherit from (as written).
        depends_on: the claimed quantities `recomputed` was computed from (as written).
        layer: the layer l of the quantity, or None (L).
    """

    quantity: str
    key: str
    formula: str
    claimed: str | None
    computed: np.ndarray
    recomputed: np.ndarray
    verdict: Verdict
    claimed_values: np.ndarray | None = None
    claimed_numbers: tuple[str, ...] = ()
    number_verdicts: tuple[Verdict, ...] = ()
    tolerance: np.ndarray | None = None
    rounding_slip: bool = False
    agrees_with_computed: bool = False
    follows_from: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    layer: int | None = None


def resolve_example(example: WorkedExample | str | Path | None) -> WorkedExample:
    """Return `example` as a WorkedExample, loading a path, or the course's example for None."""
    if isinstance(example, WorkedExample):
        return example
    return load(example)


def build_graph(example: WorkedExample | str | Path | None = None) -> dict[str, Tensor]:
    """Build the example's forward pass as named Tensors and run backward on the loss.

    Every tensor keeps its gradient (non-leaf ones through ``retain_grad()``), so a
    drawing of the graph can show values and gradients side by side.

    Args:
        example: a WorkedExample, a path to a file, or None for the course's example.

    Returns:
        ``{"x", "y", "W(1)", "b(1)", "z(1)", "a(1)", ..., "z(L)", "y_hat", "L"}`` in
        forward order; the output layer's activation is named "y_hat".

    Example:
        >>> graph = build_graph()
        >>> round(float(graph["z(3)"].grad[0]), 4)  # dL/dz(3) = y_hat - y
        -0.3973
    """
    example = resolve_example(example)
    num_layers = example.num_layers
    tensors: dict[str, Tensor] = {"x": Tensor(example.x, name="x"), "y": Tensor(example.y, name="y")}
    a = tensors["x"]
    for layer in range(1, num_layers + 1):
        W = Tensor(example.weights[layer - 1], requires_grad=True, name=f"W({layer})")
        b = Tensor(example.biases[layer - 1], requires_grad=True, name=f"b({layer})")
        z = ops.linear(a, W, b)
        z.name = f"z({layer})"
        activation = example.activations[layer - 1]
        a = {"sigmoid": Tensor.sigmoid, "relu": Tensor.relu, "tanh": Tensor.tanh}[activation](z)
        a.name = "y_hat" if layer == num_layers else f"a({layer})"
        z.retain_grad()
        a.retain_grad()
        tensors.update({W.name: W, b.name: b, z.name: z, a.name: a})

    if example.loss == "bce":
        loss = ops.binary_cross_entropy(a, tensors["y"])
    else:
        loss = ((a - tensors["y"]) ** 2).mean()
    loss.name = "L"
    tensors["L"] = loss
    loss.backward()
    return tensors


def computed_values(example: WorkedExample | str | Path | None = None) -> dict[str, np.ndarray]:
    """Return every quantity's true value, keyed by canonical name: forward values and gradients from autodiff."""
    example = resolve_example(example)
    graph = build_graph(example)
    num_layers = example.num_layers
    values = {"L": graph["L"].data, "y_hat": graph["y_hat"].data, "dL/dy_hat": graph["y_hat"].grad}
    for layer in range(1, num_layers + 1):
        values[f"z({layer})"] = graph[f"z({layer})"].data
        values[f"delta({layer})"] = graph[f"z({layer})"].grad
        values[f"dL/dW({layer})"] = graph[f"W({layer})"].grad
        values[f"dL/db({layer})"] = graph[f"b({layer})"].grad
        if layer < num_layers:
            values[f"a({layer})"] = graph[f"a({layer})"].data
            values[f"dL/da({layer})"] = graph[f"a({layer})"].grad
    return values


class _AuthorChain:
    """Recompute quantities from the author's claimed values, with first-order error bounds."""

    def __init__(self, example: WorkedExample, steps: dict[str, Step]):
        self.example = example
        self.steps = steps

    def _build(self, target: str) -> tuple[Tensor, dict[str, Tensor]]:
        """Compute `target` from its inputs' author values; claimed inputs become leaves."""
        leaves: dict[str, Tensor] = {}
        memo: dict[str, Tensor] = {"x": Tensor(self.example.x)}

        def author_value(name: str) -> Tensor:
            if name in memo:
                return memo[name]
            claim = self.example.claims.get(name)
            if claim is not None:
                shape = quantity_shape(name, self.example.layer_sizes)
                value = Tensor(claim.values.reshape(shape), requires_grad=True)
                leaves[name] = value
            else:
                step = self.steps[name]
                value = step.compute(*(author_value(i) for i in step.inputs))
            memo[name] = value
            return value

        step = self.steps[target]
        result = step.compute(*(author_value(i) for i in step.inputs))
        return result, leaves

    def recompute(self, target: str) -> tuple[np.ndarray, np.ndarray, list[set[tuple[str, int]]]]:
        """Return the author's value r of `target`, its bound e, and each number's sources.

        The sources of number k are the claimed numbers (quantity, flat index) that r_k
        has a non-zero derivative for, so a slip in one entry of a vector only taints
        the numbers computed from that entry.
        """
        result, leaves = self._build(target)
        value = np.array(result.data, dtype=np.float64)
        bound = np.zeros(value.shape)
        sources: list[set[tuple[str, int]]] = [set() for _ in range(value.size)]
        if not leaves or not result.requires_grad:
            return value, bound, sources

        for flat_index, index in enumerate(np.ndindex(value.shape)):
            # A fresh graph per number, so no gradient of an earlier pass leaks in.
            result, leaves = self._build(target)
            seed = np.zeros(value.shape)
            seed[index] = 1.0
            result.backward(seed)
            for name, leaf in leaves.items():
                if leaf.grad is None:
                    continue
                units = self.example.claims[name].units.reshape(leaf.shape)
                bound[index] += float(np.sum(np.abs(leaf.grad) * units / 2))
                sources[flat_index].update((name, int(i)) for i in np.flatnonzero(leaf.grad))
        return value, bound, sources


def _judge_number(c: float, u: float, v: float, r: float, e: float, inputs_hold: bool) -> tuple[Verdict, bool, bool]:
    """Judge one claimed number; return (verdict, rounding slip, agrees with the computed value)."""
    noise = _FLOAT_TOLERANCE * max(abs(c), abs(v)) + _FLOAT_FLOOR
    matches_true = abs(c - v) <= u / 2 + noise
    consistent = abs(c - r) <= u / 2 + e + noise
    slip = consistent and not matches_true and abs(c - r) > u / 2 + noise

    # A claim computed from wrong inputs is reported as inherited even where it
    # happens to round to the true value, so the table shows how it was derived.
    if consistent and not inputs_hold:
        return Verdict.FOLLOWS, slip, matches_true
    if abs(c - v) <= noise:
        return Verdict.CORRECT, slip, matches_true
    if matches_true or consistent:
        return Verdict.WITHIN_ROUNDING, slip, matches_true
    return Verdict.WRONG, slip, matches_true


def check(example: WorkedExample | str | Path | None = None) -> list[Row]:
    """Judge every claimed value of a worked example; list every quantity, claimed or not.

    The true values come from the engine's autodiff (see `build_graph`). Each claim is
    also recomputed from the author's own earlier claims. So a slip is reported once,
    where it happened, and the later claims that follow from it are marked so.

    Args:
        example: a WorkedExample, a path to a .toml/.json file, or None for the course's example.

    Returns:
        One `Row` per quantity, forward pass first, then backward from the output layer.

    Example:
        >>> rows = check()
        >>> [row.quantity for row in rows if row.verdict is Verdict.WRONG]
        ['z(1)', 'z(2)']
    """
    example = resolve_example(example)
    steps = build_steps(example)
    true = computed_values(example)
    chain = _AuthorChain(example, steps)
    num_layers = example.num_layers

    # Per claimed quantity, the verdict of each number and, for inherited numbers,
    # the wrong claims they come from (flat order of the canonical shape).
    number_verdicts: dict[str, list[Verdict]] = {}
    number_origins: dict[str, list[tuple[str, ...]]] = {}
    rows = []
    for name, step in steps.items():
        claim = example.claims.get(name)
        recomputed, bound, sources = chain.recompute(name)
        shape = recomputed.shape
        computed = np.asarray(true[name], dtype=np.float64).reshape(shape)
        used = sorted({source for number_sources in sources for source, _ in number_sources}, key=list(steps).index)
        common = dict(
            key=name,
            formula=step.formula,
            computed=computed,
            recomputed=recomputed,
            depends_on=tuple(example.claims[source].key for source in used),
            layer=step.layer,
        )
        if claim is None:
            quantity = display_name(name, num_layers)
            rows.append(Row(quantity=quantity, claimed=None, verdict=Verdict.NOT_CLAIMED, **common))
            continue

        claimed = claim.values.reshape(shape)
        units = claim.units.reshape(shape)
        verdicts, origins = [], []
        slip = False
        agrees = True
        for k in range(claimed.size):
            bad = [(source, i) for source, i in sources[k] if not number_verdicts[source][i].holds]
            verdict, number_slip, number_agrees = _judge_number(
                claimed.flat[k], units.flat[k], computed.flat[k], recomputed.flat[k], bound.flat[k], not bad
            )
            origin: list[str] = []
            if verdict is Verdict.FOLLOWS:
                for source, i in bad:
                    inherited = (source,) if number_verdicts[source][i] is Verdict.WRONG else number_origins[source][i]
                    origin += [item for item in inherited if item not in origin]
            verdicts.append(verdict)
            origins.append(tuple(origin))
            slip = slip or number_slip
            agrees = agrees and number_agrees
        number_verdicts[name] = verdicts
        number_origins[name] = origins

        # A vector claim gets its worst number's verdict.
        verdict = max(verdicts, key=_SEVERITY.__getitem__)
        follows_from = sorted({item for origin in origins for item in origin}, key=list(steps).index)
        rows.append(
            Row(
                quantity=claim.key,
                claimed=claim.text,
                verdict=verdict,
                claimed_values=claimed,
                claimed_numbers=claim.numbers,
                number_verdicts=tuple(verdicts),
                tolerance=units / 2 + bound,
                rounding_slip=slip,
                agrees_with_computed=agrees,
                follows_from=tuple(example.claims[item].key for item in follows_from),
                **common,
            )
        )
    return rows
