r"""Run the course's deeper questions as experiments: vanishing gradients, overfitting, schedules.

Each function trains or differentiates small MLPs with the engine and returns its
measurements as a dataclass of numbers and per-epoch histories. Nothing here prints or
writes files, because the `tinygrad-edu experiments` command does both.

- `vanishing_gradients`: the norm :math:`\|\partial L / \partial W^{(l)}\|` of every layer of a
  deep MLP at initialisation, for sigmoid, tanh and ReLU.
- `overfitting`: an overparameterised MLP on a small training set, with the validation
  loss measured on separate data from the same distribution.
- `schedule_comparison`: constant learning rate against :math:`\eta_t = \eta_0 / (1 + \alpha t)`
  and gradient clipping on the two spirals.

Example:
    >>> result = vanishing_gradients(activations=("sigmoid",), depth=4, seeds=(0,))
    >>> result["sigmoid"].norms.shape          # (seeds, layers)
    (1, 5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from tinygrad_edu import data, nn, optim, train
from tinygrad_edu.optim.lr_scheduler import InverseTimeLR
from tinygrad_edu.tensor import Tensor, no_grad

__all__ = [
    "ACTIVATION_INIT",
    "SIGMOID_DERIVATIVE_MAX",
    "GradientNorms",
    "OverfittingRun",
    "ScheduleRun",
    "ScheduleSetting",
    "DEFAULT_SCHEDULE_SETTINGS",
    "early_stopping",
    "geometric_bound",
    "layer_gradient_norms",
    "load_spirals",
    "overfitting",
    "overfitting_data",
    "schedule_comparison",
    "vanishing_gradients",
]

# The course's initialisation per activation: N(0, 1/n_in) for sigmoid and tanh, and He's
# N(0, 2/n_in) for ReLU. The course calls the first "Xavier", but that variance is LeCun's.
ACTIVATION_INIT = {"sigmoid": "lecun", "tanh": "lecun", "relu": "he"}

# sigma'(z) = sigma(z) (1 - sigma(z)) is largest at z = 0, where it is 0.5 * 0.5.
SIGMOID_DERIVATIVE_MAX = 0.25


def load_spirals(n_samples: int = 400, noise: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Return the course's two spirals, standardised per feature as the course does."""
    X, y = data.make_spirals(n_samples=n_samples, noise=noise, seed=seed)
    X, _, _ = data.standardize(X)
    return X, y


def _check_positive_int(function: str, name: str, value: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{function}: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


# ---- vanishing gradients --------------------------------------------------------------


@dataclass
class GradientNorms:
    r"""Per-layer gradient norms of one activation at initialisation, over several seeds.

    Attributes:
        activation: the hidden activation ("sigmoid", "tanh", "relu").
        init: the weight initialisation used ("lecun" or "he").
        layer_sizes: [n_0, ..., n_L] of the network.
        seeds: the weight seeds, one row of `norms` each.
        norms: :math:`\|\partial L / \partial W^{(l)}\|_F` with shape (seeds, L); column 0 is
            W(1) next to the input, the last column is W(L) at the output.
        mean_derivative: the mean of f'(z(l)) over samples, units and seeds for each hidden
            layer l = 1..L-1 (shape (L-1,)), the factor the course bounds by 0.25 for sigmoid.
    """

    activation: str
    init: str
    layer_sizes: list[int]
    seeds: list[int]
    norms: np.ndarray
    mean_derivative: np.ndarray

    @property
    def mean_norms(self) -> np.ndarray:
        """The norm of each layer's gradient, averaged over the seeds, shape (L,)."""
        return self.norms.mean(axis=0)

    @property
    def ratios(self) -> np.ndarray:
        """||dL/dW(1)|| / ||dL/dW(L)|| for each seed, shape (seeds,)."""
        return self.norms[:, 0] / self.norms[:, -1]

    @property
    def ratio(self) -> float:
        """||dL/dW(1)|| / ||dL/dW(L)|| of the seed-averaged norms."""
        mean = self.mean_norms
        return float(mean[0] / mean[-1])

    @property
    def factor_per_layer(self) -> float:
        """The geometric mean of the shrink factor from one layer to the one below it.

        This is ratio ** (1 / (L - 1)): a value below 1 means the gradient shrinks
        geometrically towards the input, as the course's bound 0.25^(L-1) predicts for sigmoid.
        """
        steps = self.norms.shape[1] - 1
        return float(self.ratio ** (1.0 / steps)) if steps else 1.0


def _derivative_from_output(activation: str, a: np.ndarray) -> np.ndarray:
    """Return f'(z) from the activation's output a = f(z)."""
    if activation == "sigmoid":
        return a * (1.0 - a)
    if activation == "tanh":
        return 1.0 - a * a
    if activation == "relu":
        return (a > 0).astype(a.dtype)
    raise ValueError(f"no derivative known for activation {activation!r}; use sigmoid, tanh or relu")


def layer_gradient_norms(model: nn.MLP, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Compute :math:`\|\partial L / \partial W^{(l)}\|_F` for every layer with one backward pass.

    The loss is the mean binary cross-entropy of the whole batch. The model's gradients
    are overwritten.

    Args:
        model: an `nn.MLP` with a sigmoid output.
        X: inputs of shape (N, n_0).
        y: labels 0/1 of shape (N,).

    Returns:
        (norms of shape (L,), mean f'(z(l)) for each hidden layer, shape (L-1,)).

    Example:
        >>> X, y = load_spirals(40)
        >>> norms, derivative = layer_gradient_norms(nn.MLP([2, 8, 8, 1], seed=0), X, y)
        >>> norms.shape, derivative.shape
        ((3,), (2,))
    """
    model.zero_grad()
    hidden_outputs = []
    a = Tensor(np.asarray(X, dtype=model.dtype))
    # Walk the Sequential by hand to keep each hidden activation a(l) for f'(z(l)).
    modules = list(model.layers)
    for index, module in enumerate(modules):
        a = module(a)
        is_hidden_activation = not isinstance(module, nn.Linear) and index < len(modules) - 1
        if is_hidden_activation:
            hidden_outputs.append(a.data)

    target = Tensor(np.asarray(y, dtype=model.dtype).reshape(-1, 1))
    loss = nn.functional.binary_cross_entropy(a, target)
    loss.backward()

    norms = np.array([float(np.linalg.norm(layer.weight.grad)) for layer in model.linear_layers])
    derivative = np.array([float(_derivative_from_output(model.activation, h).mean()) for h in hidden_outputs])
    return norms, derivative


def vanishing_gradients(
    activations: Sequence[str] = ("sigmoid", "tanh", "relu"),
    *,
    depth: int = 10,
    width: int = 16,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    n_samples: int = 400,
    noise: float = 0.3,
    data_seed: int = 0,
) -> dict[str, GradientNorms]:
    r"""Measure how the gradient norm changes from the output layer to the input layer.

    For each activation, MLPs [2, width x depth, 1] get the course's initialisation
    (`ACTIVATION_INIT`: N(0, 1/n_in) for sigmoid and tanh, He for ReLU) with each seed;
    one backward pass of the BCE on the two spirals gives every layer's gradient.

    With sigmoid each layer multiplies the backward signal by :math:`W^{(l)} \sigma'(z^{(l)})`
    with :math:`\sigma' \le 0.25`, so :math:`\|\partial L / \partial W^{(1)}\|` is many orders of
    magnitude below :math:`\|\partial L / \partial W^{(L)}\|`. With ReLU and He's variance
    2/n_in the signal keeps its size.

    Args:
        activations: hidden activations to compare, keys of `ACTIVATION_INIT`.
        depth: number of hidden layers.
        width: units per hidden layer.
        seeds: weight seeds; the norms are averaged over them.
        n_samples, noise: the spirals data.
        data_seed: seed of the spirals' noise.

    Returns:
        {activation: `GradientNorms`} in the order of `activations`.
    """
    depth = _check_positive_int("vanishing_gradients", "depth", depth)
    width = _check_positive_int("vanishing_gradients", "width", width)
    seeds = [int(seed) for seed in seeds]
    if not seeds:
        raise ValueError("vanishing_gradients: seeds is empty; pass at least one seed, e.g. (0, 1, 2)")
    for activation in activations:
        if activation not in ACTIVATION_INIT:
            raise ValueError(
                f"vanishing_gradients: unknown activation {activation!r}; use one of {sorted(ACTIVATION_INIT)}"
            )

    X, y = load_spirals(n_samples, noise, data_seed)
    sizes = [X.shape[1]] + [width] * depth + [1]
    results = {}
    for activation in activations:
        init = ACTIVATION_INIT[activation]
        norms = []
        derivatives = []
        for seed in seeds:
            model = nn.MLP(sizes, activation=activation, init=init, seed=seed)
            layer_norms, derivative = layer_gradient_norms(model, X, y)
            norms.append(layer_norms)
            derivatives.append(derivative)
        results[activation] = GradientNorms(
            activation=activation,
            init=init,
            layer_sizes=sizes,
            seeds=seeds,
            norms=np.array(norms),
            mean_derivative=np.mean(derivatives, axis=0),
        )
    return results


# ---- overfitting ----------------------------------------------------------------------


@dataclass
class OverfittingRun:
    """Per-epoch losses and accuracies of one training run with separate validation data.

    Every list has one entry per epoch, measured after that epoch's update with the
    same parameters on both data sets (entry i belongs to epoch i + 1).

    Attributes:
        label: a short name of the setting, e.g. "no regularisation".
        weight_decay: the L2 penalty lambda of the optimizer.
        train_loss, val_loss: mean BCE on the training and the validation data.
        train_accuracy, val_accuracy: share of correctly classified samples.
        n_train, n_val: sizes of the two data sets.
    """

    label: str
    weight_decay: float
    n_train: int
    n_val: int
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs trained."""
        return len(self.train_loss)

    @property
    def best_epoch(self) -> int:
        """The epoch (counted from 1) with the lowest validation loss; the first one on ties."""
        return int(np.argmin(self.val_loss)) + 1

    def at(self, epoch: int) -> dict[str, float]:
        """Return the four measurements of `epoch` (counted from 1) as a dict."""
        if not 1 <= epoch <= self.epochs:
            raise ValueError(f"OverfittingRun.at: epoch must be in 1..{self.epochs}, got {epoch}")
        i = epoch - 1
        return {
            "epoch": epoch,
            "train_loss": self.train_loss[i],
            "val_loss": self.val_loss[i],
            "train_accuracy": self.train_accuracy[i],
            "val_accuracy": self.val_accuracy[i],
        }

    def summary(self) -> dict[str, object]:
        """Return the best and the final epoch's measurements, ready for JSON."""
        return {
            "label": self.label,
            "weight_decay": self.weight_decay,
            "n_train": self.n_train,
            "n_val": self.n_val,
            "epochs": self.epochs,
            "best": self.at(self.best_epoch),
            "final": self.at(self.epochs),
        }


def overfitting_data(
    n_train: int = 120, n_val: int = 400, noise: float = 0.3, label_noise: float = 0.0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draw one spirals sample and split it into a training and a validation set.

    Both sets come from the same draw, split at random, so they share one distribution.
    `label_noise` flips that share of all labels before the split. Both sets are
    standardised with the training set's mean and standard deviation.

    Returns:
        (X_train, X_val, y_train, y_val).
    """
    n_train = _check_positive_int("overfitting_data", "n_train", n_train, 2)
    n_val = _check_positive_int("overfitting_data", "n_val", n_val, 2)
    if not 0.0 <= label_noise < 0.5:
        raise ValueError(f"overfitting_data: label_noise must be in [0, 0.5), got {label_noise}")
    total = n_train + n_val
    # make_spirals needs an even count; one spare point is dropped by the split below.
    X, y = data.make_spirals(n_samples=total + total % 2, noise=noise, seed=seed)
    rng = np.random.default_rng(seed)
    flip = rng.random(y.shape[0]) < label_noise
    y = np.where(flip, 1.0 - y, y)

    order = rng.permutation(y.shape[0])
    train_rows, val_rows = order[:n_train], order[n_train:total]
    X_train, mean, std = data.standardize(X[train_rows])
    X_val, _, _ = data.standardize(X[val_rows], mean, std)
    return X_train, X_val, y[train_rows], y[val_rows]


def _loss_and_accuracy(model: nn.Module, X: Tensor, target: Tensor) -> tuple[float, float]:
    with no_grad():
        probability = model(X)
        loss = nn.functional.binary_cross_entropy(probability, target).item()
    accuracy = float(np.mean((probability.data > 0.5) == (target.data > 0.5)))
    return loss, accuracy


def overfitting(
    *,
    n_train: int = 120,
    n_val: int = 400,
    noise: float = 0.3,
    label_noise: float = 0.0,
    layer_sizes: Sequence[int] = (2, 50, 50, 1),
    activation: str = "tanh",
    optimizer: str = "adam",
    lr: float = 0.005,
    epochs: int = 2000,
    weight_decay: float = 0.0,
    seed: int = 0,
    label: str = "",
) -> OverfittingRun:
    """Train an overparameterised MLP full-batch and record training and validation loss per epoch.

    The course's demo computes its ``val_losses`` from the training data, so its two
    curves are one. Here the validation set is separate data from the same distribution
    (see `overfitting_data`). It shows where the network starts to fit the noise of its
    few training points: the validation loss turns up while the training loss keeps
    falling.

    Args:
        n_train, n_val: sizes of the training and the validation set.
        noise: standard deviation of the spirals' coordinate noise.
        label_noise: share of labels flipped at random (0 keeps all labels).
        layer_sizes: the network; the course's overfitting demo uses [2, 50, 50, 1].
        activation: hidden activation; the initialisation follows the course (`ACTIVATION_INIT`).
        optimizer: "adam" or "sgd".
        lr: learning rate.
        epochs: full-batch updates.
        weight_decay: L2 penalty lambda added to each gradient as lambda * W.
        seed: seed of the data, the initial weights and the label flips.
        label: name of the run in tables and files.

    Returns:
        An `OverfittingRun` with one measurement per epoch.
    """
    epochs = _check_positive_int("overfitting", "epochs", epochs)
    X_train, X_val, y_train, y_val = overfitting_data(n_train, n_val, noise, label_noise, seed)
    model = nn.MLP(list(layer_sizes), activation=activation, init=ACTIVATION_INIT.get(activation), seed=seed)
    if optimizer == "adam":
        chosen: optim.Optimizer = optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    elif optimizer == "sgd":
        chosen = optim.SGD(model.parameters(), lr=lr, weight_decay=weight_decay)
    else:
        raise ValueError(f"overfitting: optimizer must be 'adam' or 'sgd', got {optimizer!r}")

    run = OverfittingRun(label=label, weight_decay=float(weight_decay), n_train=len(y_train), n_val=len(y_val))
    inputs = Tensor(X_train)
    target = Tensor(y_train.reshape(-1, 1))
    val_inputs = Tensor(X_val)
    val_target = Tensor(y_val.reshape(-1, 1))
    for _ in range(epochs):
        chosen.zero_grad()
        loss = nn.functional.binary_cross_entropy(model(inputs), target)
        loss.backward()
        chosen.step()

        train_loss, train_accuracy = _loss_and_accuracy(model, inputs, target)
        val_loss, val_accuracy = _loss_and_accuracy(model, val_inputs, val_target)
        run.train_loss.append(train_loss)
        run.val_loss.append(val_loss)
        run.train_accuracy.append(train_accuracy)
        run.val_accuracy.append(val_accuracy)
    return run


def early_stopping(val_loss: Sequence[float], patience: int) -> tuple[int, int]:
    """Replay early stopping on a validation-loss history.

    Training stops after `patience` epochs in a row without a new lowest validation
    loss, and the weights of the best epoch so far are kept.

    Args:
        val_loss: validation loss per epoch (entry i is epoch i + 1).
        patience: epochs without improvement before stopping.

    Returns:
        (the epoch at which training stops, the epoch whose weights are kept), both
        counted from 1. Without a stop, the first is the last epoch.

    Example:
        >>> early_stopping([0.9, 0.7, 0.8, 0.85, 0.9, 0.6], patience=2)
        (4, 2)
    """
    patience = _check_positive_int("early_stopping", "patience", patience)
    if len(val_loss) == 0:
        raise ValueError("early_stopping: val_loss is empty")
    best = 0
    for i, value in enumerate(val_loss):
        if value < val_loss[best]:
            best = i
        if i - best >= patience:
            return i + 1, best + 1
    return len(val_loss), best + 1


# ---- learning-rate schedule and clipping ----------------------------------------------


@dataclass(frozen=True)
class ScheduleSetting:
    """One training setting of the schedule comparison.

    Attributes:
        key: a short identifier for files and tables, e.g. "inverse_time".
        lr: eta_0, the initial (or constant) learning rate.
        alpha: decay rate of eta_t = eta_0 / (1 + alpha t), t counted in epochs; None for a
            constant learning rate.
        clip_value: clip each gradient element to [-clip_value, clip_value]; None for none.
        clip_norm: scale the gradients to a global L2 norm of at most clip_norm; None for none.
    """

    key: str
    lr: float
    alpha: float | None = None
    clip_value: float | None = None
    clip_norm: float | None = None


DEFAULT_SCHEDULE_SETTINGS = (
    ScheduleSetting("constant_small", lr=0.1),
    ScheduleSetting("constant_large", lr=1.0),
    ScheduleSetting("inverse_time", lr=1.0, alpha=0.02),
    ScheduleSetting("clip_value", lr=1.0, clip_value=0.1),
    ScheduleSetting("clip_norm", lr=1.0, clip_norm=1.0),
)


@dataclass
class ScheduleRun:
    """One finished run of the schedule comparison.

    Attributes:
        setting: the `ScheduleSetting` trained.
        history: the `train.History` (loss and learning rate per epoch).
        accuracy: training accuracy of the final parameters.
        window: epochs at the end over which `fluctuation` is measured.
    """

    setting: ScheduleSetting
    history: train.History
    accuracy: float
    window: int

    @property
    def final_loss(self) -> float:
        """Training loss of the last epoch."""
        return self.history.loss[-1]

    @property
    def min_loss(self) -> float:
        """Lowest training loss of any epoch."""
        return float(np.min(self.history.loss))

    @property
    def fluctuation(self) -> float:
        """Standard deviation of the loss over the last `window` epochs: how much it still jumps."""
        return float(np.std(self.history.loss[-self.window :]))

    def summary(self) -> dict[str, object]:
        """Return the setting and its results, ready for JSON."""
        return {
            "key": self.setting.key,
            "lr": self.setting.lr,
            "alpha": self.setting.alpha,
            "clip_value": self.setting.clip_value,
            "clip_norm": self.setting.clip_norm,
            "final_loss": self.final_loss,
            "min_loss": self.min_loss,
            "fluctuation": self.fluctuation,
            "accuracy": self.accuracy,
            "final_lr": self.history.lr[-1],
        }


def schedule_comparison(
    settings: Sequence[ScheduleSetting] = DEFAULT_SCHEDULE_SETTINGS,
    *,
    layer_sizes: Sequence[int] = (2, 16, 8, 1),
    activation: str = "relu",
    epochs: int = 300,
    batch_size: int | None = 32,
    n_samples: int = 400,
    noise: float = 0.3,
    seed: int = 0,
    window: int = 50,
) -> list[ScheduleRun]:
    r"""Train the course's spirals network once per setting with SGD and return the runs.

    Every run starts from the same weights (one seed) and gets the batches in the same
    order, so only the learning rate and the clipping differ. The schedule is
    `optim.lr_scheduler.InverseTimeLR`, :math:`\eta_t = \eta_0 / (1 + \alpha t)`, stepped
    once per epoch; clipping is `nn.utils.clip_grad_value_` or `clip_grad_norm_` before
    each update.

    Args:
        settings: the `ScheduleSetting` list to compare.
        layer_sizes, activation: the network (the course's spirals network by default).
        epochs, batch_size: training length and mini-batch size.
        n_samples, noise: the spirals data, standardised.
        seed: seed of the data, the initial weights and the batch order.
        window: epochs at the end over which the loss's fluctuation is measured.

    Returns:
        One `ScheduleRun` per setting, in order.
    """
    epochs = _check_positive_int("schedule_comparison", "epochs", epochs)
    window = min(_check_positive_int("schedule_comparison", "window", window), epochs)
    X, y = load_spirals(n_samples, noise, seed)
    runs = []
    for setting in settings:
        model = nn.MLP(list(layer_sizes), activation=activation, init=ACTIVATION_INIT.get(activation), seed=seed)
        sgd = optim.SGD(model.parameters(), lr=setting.lr)
        scheduler = InverseTimeLR(sgd, setting.alpha) if setting.alpha is not None else None
        history = train.fit(
            model,
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=sgd,
            scheduler=scheduler,
            clip_grad_value=setting.clip_value,
            clip_grad_norm=setting.clip_norm,
            seed=seed,
            progress=False,
        )
        runs.append(ScheduleRun(setting=setting, history=history, accuracy=train.accuracy(model, X, y), window=window))
    return runs


def geometric_bound(layers: int) -> float:
    """Return the course's bound 0.25^(L-1) on the sigmoid factors over L layers."""
    return SIGMOID_DERIVATIVE_MAX ** (layers - 1) if layers >= 1 else math.nan
