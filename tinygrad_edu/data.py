"""The course's data sets (XOR, two spirals), standardisation, splitting and mini-batches.

All functions return plain numpy arrays: X of shape (N, features) with one sample per
row, y of shape (N,) with float labels 0.0 and 1.0.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from tinygrad_edu.nn.init import as_generator


def make_xor() -> tuple[np.ndarray, np.ndarray]:
    """Return the four XOR points and their labels.

    Returns:
        X of shape (4, 2): (0, 0), (0, 1), (1, 0), (1, 1); y of shape (4,): 0, 1, 1, 0.
        Both float64.

    Example:
        >>> X, y = make_xor()
        >>> y
        array([0., 1., 1., 0.])
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    return X, y


def make_spirals(
    n_samples: int = 400, noise: float = 0.3, seed: np.random.Generator | int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    r"""Return two interleaved spirals, built as the course builds them.

    With :math:`t` = n_samples/2 evenly spaced values in :math:`[0, 4\pi]`, class 0 lies at
    :math:`(t \cos t, t \sin t)` and class 1 at :math:`(-t \cos t, -t \sin t)`, each
    coordinate plus Gaussian noise of standard deviation ``noise``. The noise is drawn in
    the course's order (x and y of class 0, then x and y of class 1).

    Args:
        n_samples: total number of points, even (half per class).
        noise: standard deviation of the noise added to each coordinate.
        seed: int seed or numpy Generator; None draws a fresh seed.

    Returns:
        X of shape (n_samples, 2), not standardised (see `standardize`); y of shape
        (n_samples,), 0.0 for the first half and 1.0 for the second.

    Example:
        >>> X, y = make_spirals(400, noise=0.3, seed=0)
        >>> X.shape, float(y.mean())
        ((400, 2), 0.5)
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 2 or n_samples % 2:
        raise ValueError(
            f"make_spirals: n_samples must be an even int >= 2 (half per class), got {n_samples!r}"
        )
    if not noise >= 0:
        raise ValueError(f"make_spirals: noise must be >= 0, got {noise}")
    rng = as_generator(seed)
    half = n_samples // 2

    t = np.linspace(0.0, 4.0 * np.pi, half)
    x0 = t * np.cos(t) + noise * rng.standard_normal(half)
    y0 = t * np.sin(t) + noise * rng.standard_normal(half)
    x1 = -t * np.cos(t) + noise * rng.standard_normal(half)
    y1 = -t * np.sin(t) + noise * rng.standard_normal(half)

    X = np.vstack([np.column_stack([x0, y0]), np.column_stack([x1, y1])])
    y = np.concatenate([np.zeros(half), np.ones(half)])
    return X, y


def standardize(
    X: np.ndarray, mean: np.ndarray | None = None, std: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Shift and scale each feature (column) to mean 0 and standard deviation 1.

    :math:`X' = (X - \mu) / \sigma` with the column mean and the population standard
    deviation (ddof 0, as the course's ``X.std(axis=0)``). Pass the training set's
    ``mean`` and ``std`` to transform validation or test data with the same statistics.
    A constant column has std 0; its std is replaced by 1 (so it becomes all zeros).

    Args:
        X: data of shape (N, features).
        mean, std: statistics of shape (features,); give both or neither.

    Returns:
        (X standardised, mean, std).

    Example:
        >>> Xs, mean, std = standardize(np.array([[1.0], [3.0]]))
        >>> Xs.ravel(), mean, std
        (array([-1.,  1.]), array([2.]), array([1.]))
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"standardize: X must have shape (N, features), got {X.shape}")
    if (mean is None) != (std is None):
        raise ValueError("standardize: pass both mean and std (from the training data), or neither")
    if mean is None:
        if X.shape[0] == 0:
            raise ValueError("standardize: cannot compute statistics of an empty X")
        mean = X.mean(axis=0)
        std = X.std(axis=0)
        std = np.where(std == 0, 1.0, std)
    mean = np.asarray(mean)
    std = np.asarray(std)
    if mean.shape != (X.shape[1],) or std.shape != (X.shape[1],):
        raise ValueError(
            f"standardize: mean {mean.shape} and std {std.shape} must have shape ({X.shape[1]},) "
            f"to match X of shape {X.shape}"
        )
    if np.any(std <= 0):
        raise ValueError(f"standardize: std must be positive, got {std}")
    return (X - mean) / std, mean, std


def train_val_split(
    X: np.ndarray,
    y: np.ndarray,
    val_fraction: float = 0.2,
    seed: np.random.Generator | int | None = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the samples and split off a validation set.

    Args:
        X: data of shape (N, ...).
        y: labels with N rows.
        val_fraction: share of samples for validation, in (0, 1); rounded to a count
            with at least one sample on each side.
        seed: int seed or numpy Generator for the shuffle.

    Returns:
        (X_train, X_val, y_train, y_val), in scikit-learn's order.

    Example:
        >>> X, y = make_spirals(100, seed=0)
        >>> [a.shape[0] for a in train_val_split(X, y, 0.2, seed=0)]
        [80, 20, 80, 20]
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"train_val_split: X has {X.shape[0]} samples (shape {X.shape}) but y has "
            f"{y.shape[0]} (shape {y.shape})"
        )
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"train_val_split: val_fraction must be in (0, 1), got {val_fraction}")
    n = X.shape[0]
    n_val = int(round(n * val_fraction))
    if n_val < 1 or n_val > n - 1:
        raise ValueError(
            f"train_val_split: val_fraction {val_fraction} of {n} samples leaves "
            f"{n_val} for validation and {n - n_val} for training; both need at least one"
        )
    order = as_generator(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return X[train], X[val], y[train], y[val]


def batches(
    X: np.ndarray,
    y: np.ndarray,
    batch_size: int | None = None,
    shuffle: bool = True,
    rng: np.random.Generator | int | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (X_batch, y_batch) pairs that cover the data once (one epoch).

    As in the course, the samples are shuffled, then cut into consecutive batches of
    ``batch_size``; the last batch contains the remainder and may be smaller.

    Args:
        X: data of shape (N, ...).
        y: labels with N rows.
        batch_size: samples per batch; None for one full batch.
        shuffle: shuffle before cutting (a new order each call).
        rng: int seed or numpy Generator for the shuffle; pass one Generator for all
            epochs to get a different order each epoch.

    Example:
        >>> X, y = make_xor()
        >>> [xb.shape for xb, yb in batches(X, y, batch_size=3, rng=0)]
        [(3, 2), (1, 2)]
    """
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"batches: X has {X.shape[0]} samples (shape {X.shape}) but y has "
            f"{y.shape[0]} (shape {y.shape})"
        )
    n = X.shape[0]
    if batch_size is None:
        batch_size = n
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batches: batch_size must be a positive int or None, got {batch_size!r}")
    if shuffle:
        order = as_generator(rng).permutation(n)
        X, y = X[order], y[order]
    for start in range(0, n, batch_size):
        yield X[start : start + batch_size], y[start : start + batch_size]
