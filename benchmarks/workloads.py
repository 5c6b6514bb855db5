"""The four benchmark networks, their data and their shared initial weights.

Every framework starts a workload from the same weights and trains on the same batches,
so their first-step losses agree and a step does the same arithmetic everywhere.

- W1: XOR, [2, 4, 1], sigmoid, the whole data set (4 points) as one batch.
- W2: two spirals (400 points), [2, 16, 8, 1], ReLU, batches of 32.
- W3: random data, [784, 256, 128, 1], ReLU, batches of 256 (BLAS-bound).
- W4: 20 hidden layers of width 8, sigmoid, batch size 1 (per-op overhead only).

Every net ends in a sigmoid unit trained with the mean binary cross-entropy and
plain SGD, as in the course.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tinygrad_edu import data


@dataclass(frozen=True)
class Workload:
    """One benchmark network: its layer sizes, activation, batches and step counts.

    Attributes:
        key: short name used on the command line and in tables ("W1").
        title: one-line description for the table.
        layer_sizes: [n_0, ..., n_L], input size first.
        activation: hidden-layer activation, "sigmoid" or "relu".
        lr: SGD learning rate.
        steps: default number of timed training steps per repeat.
        batches: list of (X, y) with X of shape (m, n_0) and y of shape (m, 1), float64.
    """

    key: str
    title: str
    layer_sizes: tuple[int, ...]
    activation: str
    lr: float
    steps: int
    batches: list[tuple[np.ndarray, np.ndarray]] = field(repr=False)

    @property
    def batch_size(self) -> int:
        return len(self.batches[0][0])

    def initial_weights(self, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
        """Draw (W(l), b(l)) per layer as the course does, W of shape (n_l, n_{l-1}), b of shape (n_l,).

        He normal N(0, 2/n_in) for ReLU nets, N(0, 1/n_in) otherwise; biases are zero.
        """
        rng = np.random.default_rng(seed)
        gain = 2.0 if self.activation == "relu" else 1.0
        weights = []
        for n_in, n_out in zip(self.layer_sizes[:-1], self.layer_sizes[1:]):
            W = rng.normal(0.0, np.sqrt(gain / n_in), size=(n_out, n_in))
            weights.append((W, np.zeros(n_out)))
        return weights


def _split(X: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle once and cut into full batches; a last partial batch is dropped so every step costs the same."""
    order = np.random.default_rng(seed).permutation(len(X))
    X, y = X[order], y[order].reshape(-1, 1)
    return [
        (np.ascontiguousarray(X[start : start + batch_size]), np.ascontiguousarray(y[start : start + batch_size]))
        for start in range(0, len(X) - batch_size + 1, batch_size)
    ]


def _random_data(n_samples: int, n_features: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    y = (rng.random(n_samples) < 0.5).astype(np.float64)
    return X, y


def build_workloads(seed: int = 0) -> dict[str, Workload]:
    """Build W1 to W4 with their data; `seed` fixes data and weights."""
    xor_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    xor_y = np.array([[0.0], [1.0], [1.0], [0.0]])
    spiral_X, spiral_y = data.make_spirals(n_samples=400, noise=0.3, seed=seed)
    spiral_X, _, _ = data.standardize(spiral_X)
    mnist_like_X, mnist_like_y = _random_data(4 * 256, 784, seed)
    deep_X, deep_y = _random_data(64, 8, seed)

    workloads = [
        Workload("W1", "XOR [2,4,1] sigmoid, full batch (4)", (2, 4, 1), "sigmoid", 0.1, 4000, [(xor_X, xor_y)]),
        Workload(
            "W2",
            "two spirals (400) [2,16,8,1] ReLU, batch 32",
            (2, 16, 8, 1),
            "relu",
            0.1,
            2000,
            _split(spiral_X, spiral_y, 32, seed),
        ),
        Workload(
            "W3",
            "random data [784,256,128,1] ReLU, batch 256",
            (784, 256, 128, 1),
            "relu",
            0.01,
            40,
            _split(mnist_like_X, mnist_like_y, 256, seed),
        ),
        Workload(
            "W4",
            "20 hidden layers of width 8, sigmoid, batch 1",
            (8,) + (8,) * 20 + (1,),
            "sigmoid",
            0.1,
            600,
            _split(deep_X, deep_y, 1, seed),
        ),
    ]
    return {workload.key: workload for workload in workloads}
