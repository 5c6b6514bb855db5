"""Autograd in five steps: build a small expression, call backward, read the gradients.

Run:  python examples/01_autograd_basics.py [--quick]

Every Tensor created with requires_grad=True is a leaf of the computation graph.
The ops applied to it record the graph, and loss.backward() runs the chain rule
backwards through it, so each leaf's .grad contains dL/d(leaf).
"""

import argparse

import numpy as np

from tinygrad_edu import Tensor, gradcheck


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="accepted for the tests; this example is fast anyway")
    parser.parse_args()

    # 1. One neuron: z = w x + b, a = sigma(z). The chain rule by hand gives
    #    da/dw = sigma'(z) x = a (1 - a) x and da/db = a (1 - a).
    x = Tensor(2.0)
    w = Tensor(0.5, requires_grad=True, name="w")
    b = Tensor(-0.3, requires_grad=True, name="b")
    a = (w * x + b).sigmoid()
    a.backward()
    by_hand = a.item() * (1 - a.item())
    print(f"a = sigma(w x + b) = {a.item():.6f}")
    print(f"da/dw  autodiff {w.grad.item():.6f}   by hand a(1-a)x {by_hand * 2.0:.6f}")
    print(f"da/db  autodiff {b.grad.item():.6f}   by hand a(1-a)  {by_hand:.6f}")

    # 2. A tensor used twice receives the sum of both gradients: y = u*u + u, so dy/du = 2u + 1.
    u = Tensor(3.0, requires_grad=True)
    y = u * u + u
    y.backward()
    print(f"y = u^2 + u at u = 3: dy/du autodiff {u.grad.item():.1f}   by hand 2u+1 {2 * 3.0 + 1:.1f}")

    # 3. Vectors and matrices work the same way; a gradient has the shape of its tensor.
    W = Tensor(np.array([[0.2, -0.4], [0.7, 0.1]]), requires_grad=True)
    v = Tensor(np.array([1.0, 2.0]))
    loss = (W @ v).tanh().sum()
    loss.backward()
    # d/dW sum(tanh(W v)) = (1 - tanh^2(W v)) v^T, an outer product.
    expected = np.outer(1 - np.tanh(W.data @ v.data) ** 2, v.data)
    print("dL/dW autodiff:", np.array2string(W.grad, precision=6))
    print("dL/dW by hand: ", np.array2string(expected, precision=6))
    print(f"max difference {np.max(np.abs(W.grad - expected)):.1e}")

    # 4. gradcheck compares autodiff with central differences (f(x+h) - f(x-h)) / 2h,
    #    element by element, and raises GradcheckError naming the worst element if they differ.
    p = Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    q = Tensor(np.array([1.5, 0.4, -0.7]), requires_grad=True)
    ok = gradcheck(lambda p, q: (p * q).sigmoid().log().sum() + (p / (1 + q * q)).sum(), [p, q])
    print(f"gradcheck of log(sigmoid(p q)) + p / (1 + q^2): {ok}")


if __name__ == "__main__":
    main()
