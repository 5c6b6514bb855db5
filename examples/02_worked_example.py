"""The course's worked example (exercise 1.2) computed with Tensors, beside the course's numbers.

Run:  python examples/02_worked_example.py [--quick]

The network is the course's 2-3-2-1 MLP with sigmoid activations and binary
cross-entropy, for one sample x = (0.5, 0.8), y = 1. The forward pass is written
out layer by layer; one call of L.backward() then gives every gradient, also the
ones the course leaves to the reader (delta(1), dL/dW(1)).
"""

import argparse

import numpy as np

from tinygrad_edu import Tensor, worked_example
from tinygrad_edu.nn import functional as F


def show(name: str, value: np.ndarray, course: dict) -> None:
    """Print one quantity from autodiff and, when the course states it, the course's number."""
    value = np.asarray(value)
    if value.ndim == 2 and value.shape[0] == 1:
        value = value[0]
    numbers = np.array2string(value, precision=4, suppress_small=True, max_line_width=200).replace("\n", "")
    claim = course.get(name)
    course_text = f"   course: {claim.text}" if claim is not None else ""
    print(f"  {name:<9} = {numbers:<32}{course_text}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted for the tests; this example is fast anyway")
    parser.parse_args()

    # The course's weights and claimed numbers, stored in the package as data.
    example = worked_example.load()
    course = example.claims

    x = Tensor(example.x, name="x")
    y = Tensor(example.y, name="y")
    W1 = Tensor(example.weights[0], requires_grad=True, name="W(1)")
    b1 = Tensor(example.biases[0], requires_grad=True, name="b(1)")
    W2 = Tensor(example.weights[1], requires_grad=True, name="W(2)")
    b2 = Tensor(example.biases[1], requires_grad=True, name="b(2)")
    W3 = Tensor(example.weights[2], requires_grad=True, name="W(3)")
    b3 = Tensor(example.biases[2], requires_grad=True, name="b(3)")

    # Forward pass, as in the course: z(l) = W(l) a(l-1) + b(l), a(l) = sigma(z(l)).
    z1 = W1 @ x + b1
    a1 = z1.sigmoid()
    z2 = W2 @ a1 + b2
    a2 = z2.sigmoid()
    z3 = W3 @ a2 + b3
    y_hat = z3.sigmoid()
    L = F.binary_cross_entropy(y_hat, y)

    # Intermediate (non-leaf) tensors keep their gradient only when asked, as in PyTorch.
    for tensor in (z1, a1, z2, a2, z3):
        tensor.retain_grad()
    L.backward()

    print("Forward pass (autodiff value, then the course's number where it gives one):")
    forward = (("z(1)", z1), ("a(1)", a1), ("z(2)", z2), ("a(2)", a2), ("z(3)", z3), ("y_hat", y_hat), ("L", L))
    for name, tensor in forward:
        show(name, tensor.data, course)

    print("Backward pass (delta(l) = dL/dz(l)):")
    backward = (
        ("delta(3)", z3.grad), ("dL/dW(3)", W3.grad), ("dL/db(3)", b3.grad),
        ("dL/da(2)", a2.grad), ("delta(2)", z2.grad), ("dL/dW(2)", W2.grad), ("dL/db(2)", b2.grad),
        ("dL/da(1)", a1.grad), ("delta(1)", z1.grad), ("dL/dW(1)", W1.grad), ("dL/db(1)", b1.grad),
    )
    for name, grad in backward:
        show(name, grad, course)

    # dL/dz(3) = y_hat - y: the course's derivation, checked on the numbers.
    print(f"check: dL/dz(3) = y_hat - y = {y_hat.item() - example.y.item():.4f}")

    # The package computes the same quantities in tinygrad_edu.worked_example; they must agree.
    reference = worked_example.computed_values(example)
    mine = {"z(1)": z1.data, "a(2)": a2.data, "L": L.data, "delta(2)": z2.grad, "dL/dW(1)": W1.grad}
    difference = max(float(np.max(np.abs(np.ravel(mine[key]) - np.ravel(reference[key])))) for key in mine)
    print(f"max difference to worked_example.computed_values: {difference:.1e}")

    # The package's checker judges every claim: which are wrong, which follow from a wrong one.
    print("Verdicts of tinygrad_edu.worked_example.check() on the course's numbers:")
    for row in worked_example.check(example):
        if row.claimed is not None:
            print(f"  {row.quantity:<9} {row.verdict.value}")


if __name__ == "__main__":
    main()
