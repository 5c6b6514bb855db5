"""Overfitting, measured correctly: validation loss on separate data, not on the training data.

Run:  python examples/07_overfitting.py [--quick]

The course's demo appends the training loss to val_losses ("Validation on same
data"), so its two curves are identical and cannot show overfitting. Here an
overparameterised network [2, 50, 50, 1] (2751 parameters) learns from 120 spiral
points and is judged on 400 other points from the same distribution. The
validation loss falls, reaches a minimum, and then rises while the training loss
keeps falling: from there on the network fits the noise of its training points.

The full experiment with weight decay, early stopping and plots:
tinygrad-edu experiments overfitting
"""

import argparse

import numpy as np

from tinygrad_edu import Tensor, data, nn, no_grad, optim


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="40 training points and 300 epochs instead of 120 and 2000"
    )
    args = parser.parse_args()
    n_train, epochs, lr = (40, 300, 0.01) if args.quick else (120, 2000, 0.005)

    # One draw of the spirals, split at random: both parts come from the same distribution.
    X, y = data.make_spirals(n_samples=n_train + 400, noise=0.3, seed=0)
    X_train, X_val, y_train, y_val = data.train_val_split(X, y, val_fraction=400 / (n_train + 400), seed=0)
    # Standardise with the training statistics only; the validation data must not leak into training.
    X_train, mean, std = data.standardize(X_train)
    X_val, _, _ = data.standardize(X_val, mean, std)

    model = nn.MLP([2, 50, 50, 1], activation="tanh", seed=0)
    adam = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCELoss()
    inputs, target = Tensor(X_train), Tensor(y_train.reshape(-1, 1))
    val_inputs, val_target = Tensor(X_val), Tensor(y_val.reshape(-1, 1))

    train_losses, val_losses = [], []
    for epoch in range(epochs):
        adam.zero_grad()
        loss = loss_fn(model(inputs), target)
        loss.backward()
        adam.step()

        # Evaluate both sets with the same, updated weights; no_grad builds no graph.
        with no_grad():
            train_losses.append(loss_fn(model(inputs), target).item())
            val_losses.append(loss_fn(model(val_inputs), val_target).item())

    best = int(np.argmin(val_losses))
    print(f"MLP [2, 50, 50, 1], tanh, Adam lr {lr}, {len(y_train)} training and {len(y_val)} validation points")
    print(f"epoch {best + 1:>5} (min val loss): train loss {train_losses[best]:.4f}, val loss {val_losses[best]:.4f}")
    print(f"epoch {epochs:>5} (end):          train loss {train_losses[-1]:.4f}, val loss {val_losses[-1]:.4f}")
    if best + 1 < epochs and val_losses[-1] > val_losses[best] and train_losses[-1] < train_losses[best]:
        print("after the minimum the validation loss rises while the training loss falls: overfitting")


if __name__ == "__main__":
    main()
