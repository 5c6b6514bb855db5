"""The course's worked example as data, and a checker for hand-derived backpropagation.

A worked example (a TOML or JSON file, see docs/worked-examples.md) gives a small MLP,
one input and target, its weights, and the numbers an author claims for each step of
the forward and backward pass. `check` computes every quantity by autodiff and judges
each claim. `explain` writes out the chain rule with numbers, and `build_graph` returns
the computation as named Tensors for drawing.

Example:
    >>> from tinygrad_edu import worked_example
    >>> rows = worked_example.check()          # the course's example
    >>> [row.quantity for row in rows if row.verdict is worked_example.Verdict.WRONG]
    ['z(1)', 'z(2)']
"""

from tinygrad_edu.worked.checker import Row, Verdict, build_graph, check, computed_values
from tinygrad_edu.worked.example import (
    Claim,
    InvalidExampleError,
    WorkedExample,
    from_dict,
    load,
    loads,
    rounding_unit,
)
from tinygrad_edu.worked.explain import explain

__all__ = [
    "Claim",
    "InvalidExampleError",
    "Row",
    "Verdict",
    "WorkedExample",
    "build_graph",
    "check",
    "computed_values",
    "explain",
    "from_dict",
    "load",
    "loads",
    "rounding_unit",
]
