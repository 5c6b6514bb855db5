"""Check your own hand-derived backpropagation: write a worked-example file, let autodiff judge it.

Run:  python examples/08_check_your_derivation.py [--quick] [--out DIR]

A worked-example file (TOML) contains the network, one sample, the weights and the
numbers you computed by hand, with as many digits as you wrote them. The checker
computes every quantity by autodiff and marks each of your numbers as correct,
correct within rounding, wrong, or following from an earlier wrong number.

The file below is a student's solution for a 2-2-1 network with one typical slip:
delta(1) lacks the factor (1 - a(1)) of sigma'(z) = a (1 - a). The same check on
the command line:  tinygrad-edu check examples-out/my_derivation.toml
"""

import argparse
from pathlib import Path

from tinygrad_edu import worked_example
from tinygrad_edu.commands.check import format_table

MY_DERIVATION = """\
title = "my solution: MLP 2-2-1, sigmoid, binary cross-entropy"

[network]
layer_sizes = [2, 2, 1]
activations = ["sigmoid", "sigmoid"]
loss = "bce"

[data]
x = [1.0, 2.0]
y = 0

[parameters]
"W(1)" = [[0.1, 0.3], [-0.2, 0.4]]
"b(1)" = [0.0, 0.1]
"W(2)" = [0.5, -0.6]
"b(2)" = 0.05

[claims]
# Forward pass: z(1) = W(1) x + b(1), a(1) = sigma(z(1)), z(2) = W(2) a(1) + b(2)
"z(1)" = [0.700, 0.700]
"a(1)" = [0.668, 0.668]
"z(2)" = -0.017
"y_hat" = 0.496
"L" = 0.685

# Backward pass: dL/dz(2) = y_hat - y, dL/dW(2) = dL/dz(2) a(1)^T
"dL/dz(2)" = 0.496
"dL/dW(2)" = [0.331, 0.331]
"dL/da(1)" = [0.248, -0.298]
# The slip: dL/da(1) * a(1) instead of dL/da(1) * a(1) * (1 - a(1)).
"delta(1)" = [0.166, -0.199]
# Computed correctly from the slipped delta(1): delta(1) x^T.
"dL/dW(1)" = [[0.166, 0.332], [-0.199, -0.398]]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted for the tests; this example is fast anyway")
    parser.add_argument("--out", type=Path, default=Path("examples-out"), help="folder for the worked-example file")
    args = parser.parse_args()

    path = args.out / "my_derivation.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(MY_DERIVATION, encoding="utf-8")
    print(f"wrote {path}")

    rows = worked_example.check(path)
    print(format_table(rows, "en"))

    print()
    for row in rows:
        if row.verdict is worked_example.Verdict.WRONG:
            print(f"{row.quantity}: you wrote {row.claimed}, autodiff gives {row.computed.round(4).tolist()}")
        elif row.verdict is worked_example.Verdict.FOLLOWS:
            print(f"{row.quantity}: follows from your wrong {', '.join(row.follows_from)}")


if __name__ == "__main__":
    main()
