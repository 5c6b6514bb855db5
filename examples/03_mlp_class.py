"""The course's MLP class with autodiff: nn.Module and nn.Linear instead of a hand-coded backward.

Run:  python examples/03_mlp_class.py [--quick]

The course's class stores weights in dicts and writes _backward by hand. Here the
class only defines the forward pass; loss.backward() finds every gradient.
To show that nothing changed but the work, the same weights go into the course's
hand-derived backpropagation (tinygrad_edu.reference) and both are compared: the
gradients, then a short training run step by step.
"""

import argparse

import numpy as np

from tinygrad_edu import Tensor, data, nn, optim, reference


class MLP(nn.Module):
    """Multi-layer perceptron: z(l) = W(l) a(l-1) + b(l), hidden activation, sigmoid output."""

    def __init__(self, layer_sizes, activation="sigmoid", seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.activation = activation
        self.num_layers = len(layer_sizes) - 1
        for l in range(1, self.num_layers + 1):
            layer = nn.Linear(layer_sizes[l - 1], layer_sizes[l])
            # The course's initialisation: He N(0, 2/n_in) for ReLU, otherwise N(0, 1/n_in).
            variance = (2.0 if activation == "relu" else 1.0) / layer_sizes[l - 1]
            layer.weight.data[...] = rng.normal(0.0, np.sqrt(variance), layer.weight.shape)
            layer.bias.data[...] = 0.0
            # Assigning a module to an attribute registers its parameters (linear1.weight, ...).
            setattr(self, f"linear{l}", layer)

    def forward(self, x):
        a = x
        for l in range(1, self.num_layers + 1):
            z = getattr(self, f"linear{l}")(a)
            is_output = l == self.num_layers
            a = z.sigmoid() if is_output else getattr(z, self.activation)()
        return a


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 50 steps instead of 500")
    args = parser.parse_args()
    steps = 50 if args.quick else 500

    X, y = data.make_xor()
    model = MLP([2, 4, 1], activation="sigmoid", seed=0)
    print(model)

    # The course's hand-derived network with exactly the same weights.
    hand = reference.ReferenceMLP.from_state_dict(model.state_dict(), activation="sigmoid", lr=0.5)

    # 1. Gradients of the mean BCE on the four XOR points.
    y_hat = model(Tensor(X))
    loss = nn.functional.binary_cross_entropy(y_hat, Tensor(y.reshape(-1, 1)))
    loss.backward()
    hand_grads = hand.gradients(X, y)
    print(f"loss: autodiff {loss.item():.10f}   hand-derived {reference.bce_loss(hand.forward(X), y):.10f}")
    for l in (1, 2):
        layer = getattr(model, f"linear{l}")
        difference = np.max(np.abs(layer.weight.grad - hand_grads[f"dW{l}"]))
        print(f"dL/dW({l}): max difference autodiff vs hand-derived {difference:.1e}")

    # 2. Train both with full-batch gradient descent, lr 0.5, and compare the losses.
    sgd = optim.SGD(model.parameters(), lr=0.5)
    target = Tensor(y.reshape(-1, 1))
    for step in range(1, steps + 1):
        sgd.zero_grad()
        loss = nn.functional.binary_cross_entropy(model(Tensor(X)), target)
        loss.backward()
        sgd.step()
        hand_loss = hand.step(X, y)
        if step in (1, steps // 2, steps):
            print(f"step {step:>4}: loss autodiff {loss.item():.8f}   hand-derived {hand_loss:.8f}")

    probabilities = model(Tensor(X)).data.ravel()
    difference = np.max(np.abs(probabilities - hand.predict_proba(X)))
    print(f"after {steps} steps: max difference of y_hat {difference:.1e}")
    print("y_hat on XOR:", np.array2string(probabilities, precision=3))


if __name__ == "__main__":
    main()
