"""XOR with the course's network [2, 4, 1], sigmoid, SGD lr 0.1, full batch, 5000 epochs.

Run:  python examples/04_xor.py [--quick] [--out DIR]

XOR is not linearly separable, so a single neuron cannot learn it; one hidden
layer of four sigmoid units can. The loss curve and the decision boundary are
written as PNG files into --out.
"""

import argparse
from pathlib import Path

from tinygrad_edu import data, nn, optim, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="train 3000 epochs instead of 5000")
    parser.add_argument("--out", type=Path, default=Path("examples-out"), help="folder for the pictures")
    args = parser.parse_args()
    epochs = 3000 if args.quick else 5000

    X, y = data.make_xor()
    model = nn.MLP([2, 4, 1], activation="sigmoid", seed=0)

    # train.fit is the course's MLP.train: forward, loss, backward, SGD step, once per epoch here.
    history = train.fit(model, X, y, epochs=epochs, optimizer=optim.SGD(model.parameters(), lr=0.1), progress=False)

    print(f"XOR, MLP [2, 4, 1], sigmoid, SGD lr 0.1, {epochs} epochs")
    print(f"loss: epoch 1 {history.loss[0]:.4f}, last epoch {history.loss[-1]:.4f}")
    probabilities = train.predict_proba(model, X)
    for x, target, y_hat in zip(X, y, probabilities):
        print(f"  x = ({x[0]:.0f}, {x[1]:.0f})  target {target:.0f}  y_hat {y_hat:.3f}")
    print(f"accuracy {train.accuracy(model, X, y):.2f}")

    try:
        from tinygrad_edu import viz
    except ImportError as error:
        print(f"no pictures: {error}")
        return
    paths = viz.save_training_plots(history, model, X, y, args.out, "xor", name="XOR")
    for path in paths:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
