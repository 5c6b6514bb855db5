"""Vanishing gradients: the gradient norm of every layer of a deep MLP, sigmoid against ReLU.

Run:  python examples/06_vanishing_gradients.py [--quick]

In backpropagation each layer multiplies the backward signal by W(l) and by
f'(z(l)). For the sigmoid f' <= 0.25, so in a deep sigmoid network the gradient
of the first layers is tiny: the course's bound is (0.25)^(L-1). ReLU has
f' = 1 on active units, and He's initialisation N(0, 2/n_in) keeps the signal's
size, so all layers get gradients of similar size.

The full experiment with tables, CSV and plots: tinygrad-edu experiments vanishing
"""

import argparse

import numpy as np

from tinygrad_edu import Tensor, data, nn


def gradient_norms(activation: str, depth: int, seed: int, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Return ||dL/dW(l)|| for l = 1..L of a fresh MLP [2, 16 x depth, 1] after one backward pass."""
    model = nn.MLP([2] + [16] * depth + [1], activation=activation, seed=seed)
    loss = nn.functional.binary_cross_entropy(model(Tensor(X)), Tensor(y.reshape(-1, 1)))
    loss.backward()
    return np.array([np.linalg.norm(layer.weight.grad) for layer in model.linear_layers])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="average over 2 seeds instead of 5")
    parser.add_argument("--depth", type=int, default=10, help="number of hidden layers (default: 10)")
    args = parser.parse_args()
    seeds = range(2 if args.quick else 5)

    X, y = data.make_spirals(400, noise=0.3, seed=0)
    X, _, _ = data.standardize(X)

    # nn.MLP initialises as the course does: N(0, 1/n_in) for sigmoid, He N(0, 2/n_in) for ReLU.
    sigmoid = np.mean([gradient_norms("sigmoid", args.depth, seed, X, y) for seed in seeds], axis=0)
    relu = np.mean([gradient_norms("relu", args.depth, seed, X, y) for seed in seeds], axis=0)

    layers = len(sigmoid)
    print(f"||dL/dW(l)|| at initialisation, MLP [2, 16 x {args.depth}, 1], mean over {len(seeds)} seeds")
    print(f"  {'layer':<7} {'sigmoid':>10} {'ReLU+He':>10}")
    for l in range(layers):
        name = f"W({l + 1})"
        print(f"  {name:<7} {sigmoid[l]:>10.2e} {relu[l]:>10.2e}")
    print(f"ratio W(1)/W({layers}): sigmoid {sigmoid[0] / sigmoid[-1]:.2e}, ReLU {relu[0] / relu[-1]:.2e}")
    factor = (sigmoid[0] / sigmoid[-1]) ** (1 / (layers - 1))
    print(f"sigmoid: factor per layer {factor:.3f}; the course's bound sigma' <= 0.25 gives 0.25^{layers - 1} = "
          f"{0.25 ** (layers - 1):.1e}")


if __name__ == "__main__":
    main()
