r"""Hand-derived backpropagation for an MLP with a sigmoid output and BCE, in plain numpy.

This module follows the course's derivation and code layout, and imports nothing
from the engine, so autodiff can be checked against it and benchmarked against it.

Layout (column vectors, as in the course):

- ``A(0) = X^T`` has shape (n_0, m) for a batch ``X`` of shape (m, n_0);
- ``W(l)`` has shape (n_l, n_{l-1}) and ``b(l)`` has shape (n_l, 1);
- ``Z(l) = W(l) A(l-1) + b(l)`` and ``A(l) = f(Z(l))``, with a sigmoid on the last layer.

Backward, with the mean binary cross-entropy over the m samples:

.. math::

    dZ^{(L)} = \hat{Y} - Y, \quad
    dW^{(l)} = \tfrac{1}{m} dZ^{(l)} (A^{(l-1)})^T, \quad
    db^{(l)} = \tfrac{1}{m} \textstyle\sum_j dZ^{(l)}_{:, j}, \quad
    dZ^{(l-1)} = (W^{(l)})^T dZ^{(l)} \odot f'(Z^{(l-1)}).

Unlike the course's training code, the target is reshaped to (1, m) before the loss,
so the logged loss is the BCE and not a (m, m) broadcast of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "sigmoid",
    "init_params",
    "forward",
    "backward",
    "bce_loss",
    "ReferenceMLP",
]


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""Compute $\sigma(z) = 1 / (1 + e^{-z})$ without overflow for large |z|.

    Example:
        >>> float(sigmoid(np.array(0.0)))
        0.5
    """
    # exp(-|z|) is at most 1, so it cannot overflow: sigma(z) = 1 / (1 + e) for z >= 0
    # and e / (1 + e) for z < 0, with e = exp(-|z|).
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def _sigmoid_derivative(z: np.ndarray) -> np.ndarray:
    s = sigmoid(z)
    return s * (1.0 - s)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _relu_derivative(z: np.ndarray) -> np.ndarray:
    # The derivative at z = 0 is taken as 0, as in the course and PyTorch.
    return (z > 0).astype(z.dtype)


def _tanh_derivative(z: np.ndarray) -> np.ndarray:
    return 1.0 - np.tanh(z) ** 2


ACTIVATIONS: dict[str, tuple[Any, Any]] = {
    "sigmoid": (sigmoid, _sigmoid_derivative),
    "relu": (_relu, _relu_derivative),
    "tanh": (np.tanh, _tanh_derivative),
}
"""Hidden-layer activations f and their derivatives f', by name."""

# f'(z) from a = f(z), which `ReferenceMLP.step` has at hand: the same numbers as
# the derivatives above, without recomputing f.
_DERIVATIVES_FROM_OUTPUT = {
    "sigmoid": lambda a: a * (1.0 - a),
    "relu": lambda a: a > 0,
    "tanh": lambda a: 1.0 - a * a,
}


def _activation(name: str) -> tuple[Any, Any]:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(
            f"reference: unknown activation {name!r}; use one of {sorted(ACTIVATIONS)}"
        ) from None


def _num_layers(params: Mapping[str, np.ndarray]) -> int:
    num_layers = len(params) // 2
    for layer in range(1, num_layers + 1):
        if f"W{layer}" not in params or f"b{layer}" not in params:
            raise ValueError(
                f"reference: params must hold W1, b1, ..., W{num_layers}, b{num_layers}; "
                f"got keys {sorted(params)}"
            )
    return num_layers


def init_params(
    layer_sizes: Sequence[int], activation: str = "sigmoid", rng: np.random.Generator | None = None
) -> dict[str, np.ndarray]:
    r"""Draw weights as the course does: He ($\mathcal{N}(0, 2/n_{l-1})$) for ReLU, else LeCun.

    LeCun's variance $1/n_{l-1}$ is what the course calls Xavier. Biases start at zero.

    Args:
        layer_sizes: (n_0, n_1, ..., n_L), input size first.
        activation: "sigmoid", "relu" or "tanh" (hidden layers).
        rng: random generator; a fresh ``np.random.default_rng(0)`` when None.

    Returns:
        ``{"W1": (n_1, n_0), "b1": (n_1, 1), ...}``.

    Example:
        >>> params = init_params([2, 4, 1])
        >>> params["W1"].shape, params["b2"].shape
        ((4, 2), (1, 1))
    """
    _activation(activation)
    if len(layer_sizes) < 2 or any(int(n) < 1 for n in layer_sizes):
        raise ValueError(
            f"init_params: layer_sizes must list at least two positive sizes (input, ..., output), "
            f"got {list(layer_sizes)}"
        )
    rng = np.random.default_rng(0) if rng is None else rng
    params = {}
    for layer in range(1, len(layer_sizes)):
        fan_in, fan_out = int(layer_sizes[layer - 1]), int(layer_sizes[layer])
        std = np.sqrt((2.0 if activation == "relu" else 1.0) / fan_in)
        params[f"W{layer}"] = rng.normal(0.0, std, size=(fan_out, fan_in))
        params[f"b{layer}"] = np.zeros((fan_out, 1))
    return params


def forward(
    params: Mapping[str, np.ndarray], X: np.ndarray, activation: str = "sigmoid"
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    r"""Run the forward pass $Z^{(l)} = W^{(l)} A^{(l-1)} + b^{(l)}$, $A^{(l)} = f(Z^{(l)})$.

    The last layer always uses the sigmoid, as in the course.

    Args:
        params: ``{"W1", "b1", ..., "WL", "bL"}`` as from `init_params`.
        X: inputs, one sample per row.
        activation: hidden-layer activation name.

    Shape:
        X: (m, n_0). Returns y_hat of shape (1, m) for one output unit, (n_L, m) in general.

    Returns:
        ``(y_hat, cache)`` where cache contains ``"A0"`` = X^T and ``"Z{l}"``, ``"A{l}"`` per layer.

    Example:
        >>> params = {"W1": np.array([[1.0, -1.0]]), "b1": np.zeros((1, 1))}
        >>> y_hat, cache = forward(params, np.array([[2.0, 2.0]]))
        >>> float(y_hat[0, 0])
        0.5
    """
    f, _ = _activation(activation)
    num_layers = _num_layers(params)
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != params["W1"].shape[1]:
        raise ValueError(
            f"reference.forward: X must have shape (m, {params['W1'].shape[1]}) (one sample per row), "
            f"got {X.shape}"
        )

    A = X.T
    cache = {"A0": A}
    for layer in range(1, num_layers + 1):
        Z = params[f"W{layer}"] @ A
        Z += params[f"b{layer}"]
        A = sigmoid(Z) if layer == num_layers else f(Z)
        cache[f"Z{layer}"] = Z
        cache[f"A{layer}"] = A
    return A, cache


def _as_row_target(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=y_hat.dtype)
    if y.size != y_hat.size:
        raise ValueError(
            f"reference: target y has {y.size} values but the prediction y_hat has shape {y_hat.shape}; "
            "pass one target per sample, as shape (m,) or (m, 1)"
        )
    # (m,) and (m, 1) both become (1, m) like y_hat: never broadcast (m,) against (1, m) into (m, m).
    return y.reshape(y_hat.shape)


def bce_loss(y_hat: np.ndarray, y: np.ndarray, eps: float = 1e-15) -> float:
    r"""Compute the mean binary cross-entropy $-\frac{1}{m}\sum [y \log \hat{y} + (1-y) \log(1-\hat{y})]$.

    As in the course, y_hat is clipped to [eps, 1 - eps] so that log(0) never occurs.

    Args:
        y_hat: predicted probabilities, shape (1, m).
        y: targets in [0, 1], shape (m,), (m, 1) or (1, m).

    Returns:
        The loss as a Python float.

    Example:
        >>> round(bce_loss(np.array([[0.5]]), np.array([1.0])), 4)
        0.6931
    """
    y_hat = np.asarray(y_hat, dtype=float)
    y = _as_row_target(y, y_hat)
    return _bce(y_hat, y, eps)


def _bce(y_hat: np.ndarray, y: np.ndarray, eps: float = 1e-15) -> float:
    # ufuncs directly instead of np.clip and np.mean, whose Python wrappers cost
    # more than the arithmetic for the small batches of the course.
    p = np.minimum(np.maximum(y_hat, eps), 1.0 - eps)
    losses = y * np.log(p)
    losses += (1.0 - y) * np.log1p(-p)
    return float(-losses.sum() / losses.size)


def backward(
    params: Mapping[str, np.ndarray],
    cache: Mapping[str, np.ndarray],
    y: np.ndarray,
    activation: str = "sigmoid",
) -> dict[str, np.ndarray]:
    r"""Compute the gradients of the mean BCE by the course's delta rule.

    $dZ^{(L)} = \hat{Y} - Y$ (sigmoid output with BCE), then for l = L, ..., 1:
    $dW^{(l)} = dZ^{(l)} (A^{(l-1)})^T / m$, $db^{(l)}$ = the mean of $dZ^{(l)}$ over the batch,
    and $dZ^{(l-1)} = (W^{(l)})^T dZ^{(l)} \odot f'(Z^{(l-1)})$.

    Args:
        params: the weights used by `forward`.
        cache: the cache returned by `forward`.
        y: targets, shape (m,), (m, 1) or (1, m).
        activation: hidden-layer activation name, as given to `forward`.

    Returns:
        ``{"dW1", "db1", ..., "dWL", "dbL"}`` with the shapes of W(l) and b(l).

    Example:
        >>> params = {"W1": np.array([[0.0, 0.0]]), "b1": np.zeros((1, 1))}
        >>> y_hat, cache = forward(params, np.array([[1.0, 2.0]]))
        >>> backward(params, cache, np.array([1.0]))["dW1"]
        array([[-0.5, -1. ]])
    """
    _, f_prime = _activation(activation)
    num_layers = _num_layers(params)
    y_hat = cache[f"A{num_layers}"]
    m = y_hat.shape[1]

    dZ = y_hat - _as_row_target(y, y_hat)
    grads = {}
    for layer in range(num_layers, 0, -1):
        A_prev = cache[f"A{layer - 1}"]
        grads[f"dW{layer}"] = (dZ @ A_prev.T) / m
        grads[f"db{layer}"] = dZ.mean(axis=1, keepdims=True)
        if layer > 1:
            dZ = params[f"W{layer}"].T @ dZ
            dZ *= f_prime(cache[f"Z{layer - 1}"])
    return grads


class ReferenceMLP:
    """An MLP trained with plain SGD by the hand-derived backward, like the course's MLP class.

    Hidden layers use `activation`, the output layer a sigmoid; the loss is the mean BCE.

    Args:
        layer_sizes: (n_0, ..., n_L); the course's XOR net is [2, 4, 1].
        activation: "sigmoid", "relu" or "tanh".
        lr: SGD learning rate.
        seed: seed of the generator that draws the initial weights and shuffles batches.

    Example:
        >>> net = ReferenceMLP([2, 4, 1], lr=0.5, seed=0)
        >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
        >>> first = net.step(X, np.array([0.0, 1.0, 1.0, 0.0]))
        >>> net.predict_proba(X).shape
        (4,)
    """

    def __init__(self, layer_sizes: Sequence[int], activation: str = "sigmoid", lr: float = 0.01, seed: int = 0):
        if not lr > 0:
            raise ValueError(f"ReferenceMLP: lr must be positive, got {lr}")
        self.layer_sizes = [int(n) for n in layer_sizes]
        self.activation = activation
        self.lr = float(lr)
        self.rng = np.random.default_rng(seed)
        self.params = init_params(self.layer_sizes, activation, self.rng)
        self.losses: list[float] = []

    @property
    def num_layers(self) -> int:
        return len(self.layer_sizes) - 1

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Return y_hat of shape (1, m) for X of shape (m, n_0)."""
        y_hat, _ = forward(self.params, X, self.activation)
        return y_hat

    def gradients(self, X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
        """Return the gradients of the mean BCE on (X, y) without changing the weights."""
        _, cache = forward(self.params, X, self.activation)
        return backward(self.params, cache, y, self.activation)

    def step(self, X: np.ndarray, y: np.ndarray) -> float:
        """Take one SGD step on the batch (X, y) and return the batch's BCE before the step.

        Each layer's weights are updated as soon as its gradient is known, after
        (W(l))^T dZ(l) has been taken with the old W(l), which gives the same result
        as computing every gradient first.
        """
        # The same arithmetic as `forward`, `bce_loss` and `backward`, written out
        # with lists instead of dicts because this is the speed floor of the benchmarks.
        f = ACTIVATIONS[self.activation][0]
        f_prime = _DERIVATIVES_FROM_OUTPUT[self.activation]
        layers = [(self.params[f"W{layer}"], self.params[f"b{layer}"]) for layer in range(1, self.num_layers + 1)]
        last = len(layers) - 1

        A = np.asarray(X).T
        activations = [A]
        for index, (W, b) in enumerate(layers):
            Z = W @ A
            Z += b
            A = sigmoid(Z) if index == last else f(Z)
            activations.append(A)

        y_row = _as_row_target(y, A)
        loss = _bce(A, y_row)
        step = self.lr / A.shape[1]

        dZ = A - y_row
        for index in range(last, -1, -1):
            W, b = layers[index]
            dW = dZ @ activations[index].T
            db = dZ.sum(axis=1, keepdims=True)
            if index > 0:
                dZ = W.T @ dZ
                dZ *= f_prime(activations[index])
            dW *= step
            W -= dW
            db *= step
            b -= db
        return loss

    def fit(
        self, X: np.ndarray, y: np.ndarray, epochs: int = 1000, batch_size: int | None = None, shuffle: bool = True
    ) -> list[float]:
        """Train for `epochs` passes over (X, y) in mini-batches; return the mean batch loss per epoch.

        The per-epoch losses are also appended to ``self.losses``.
        """
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float).reshape(-1)
        if X.ndim != 2 or len(X) != len(y):
            raise ValueError(
                f"ReferenceMLP.fit: X must have shape (m, n_0) and y shape (m,), got {X.shape} and {y.shape}"
            )
        m = len(X)
        batch_size = m if batch_size is None else int(batch_size)
        history = []
        for _ in range(int(epochs)):
            if shuffle:
                order = self.rng.permutation(m)
                X_epoch, y_epoch = X[order], y[order]
            else:
                X_epoch, y_epoch = X, y
            batch_losses = [
                self.step(X_epoch[start : start + batch_size], y_epoch[start : start + batch_size])
                for start in range(0, m, batch_size)
            ]
            history.append(float(np.mean(batch_losses)))
        self.losses.extend(history)
        return history

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Return the predicted probability of class 1 for each row of X, shape (m,)."""
        return self.forward(np.asarray(X, dtype=float))[0].copy()

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Return the predicted class (0 or 1) for each row of X."""
        return (self.predict_proba(X) > 0.5).astype(int)

    def score(self, X: np.ndarray, y: np.ndarray) -> float:
        """Return the accuracy on (X, y)."""
        return float(np.mean(self.predict(X) == np.asarray(y).reshape(-1)))

    # ---- exchange with nn.MLP --------------------------------------------------------------

    @classmethod
    def from_state_dict(
        cls, state_dict: Mapping[str, Any], activation: str = "sigmoid", lr: float = 0.01, seed: int = 0
    ) -> ReferenceMLP:
        """Build a ReferenceMLP with the weights of a module's ``state_dict()``.

        The entries whose names end in "weight" and "bias" are taken in order as
        W(1), b(1), W(2), ...; weights are (out, in) in both, biases (out,) become (out, 1).

        Example:
            >>> state = {"0.weight": np.ones((3, 2)), "0.bias": np.zeros(3),
            ...          "2.weight": np.ones((1, 3)), "2.bias": np.zeros(1)}
            >>> ReferenceMLP.from_state_dict(state).layer_sizes
            [2, 3, 1]
        """
        weights = [np.asarray(v, dtype=float) for k, v in state_dict.items() if k.endswith("weight")]
        biases = [np.asarray(v, dtype=float) for k, v in state_dict.items() if k.endswith("bias")]
        if not weights or len(weights) != len(biases):
            raise ValueError(
                "ReferenceMLP.from_state_dict: expected one '...weight' and one '...bias' entry per "
                f"linear layer, got keys {list(state_dict)}"
            )
        sizes = [weights[0].shape[1]] + [W.shape[0] for W in weights]
        net = cls(sizes, activation, lr, seed)
        for layer, (W, b) in enumerate(zip(weights, biases), start=1):
            if W.shape != (sizes[layer], sizes[layer - 1]) or b.size != sizes[layer]:
                raise ValueError(
                    f"ReferenceMLP.from_state_dict: layer {layer} has weight {W.shape} and bias {b.shape}; "
                    f"expected ({sizes[layer]}, {sizes[layer - 1]}) and ({sizes[layer]},)"
                )
            net.params[f"W{layer}"] = W.copy()
            net.params[f"b{layer}"] = b.reshape(-1, 1).copy()
        return net

    def state_dict_for(self, template: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """Return this net's weights under the keys of a module's ``state_dict()``.

        The result can go to that module's ``load_state_dict``; biases get the
        template's shape, e.g. (out,).
        """
        out = {}
        weight_layer = bias_layer = 0
        for key, value in template.items():
            shape = np.shape(value)
            if key.endswith("weight"):
                weight_layer += 1
                out[key] = self.params[f"W{weight_layer}"].reshape(shape).copy()
            elif key.endswith("bias"):
                bias_layer += 1
                out[key] = self.params[f"b{bias_layer}"].reshape(shape).copy()
        if weight_layer != self.num_layers or bias_layer != self.num_layers:
            raise ValueError(
                f"ReferenceMLP.state_dict_for: the template has {weight_layer} weights and {bias_layer} "
                f"biases, this net has {self.num_layers} layers"
            )
        return out
