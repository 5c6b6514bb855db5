"""Training loop: mini-batch gradient descent with a loss history and a progress bar.

`fit` is the course's ``MLP.train`` for any `nn.Module`: shuffle, cut into batches,
forward, loss, backward, optimizer step, and the mean of the batch losses per epoch.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from tinygrad_edu import nn
from tinygrad_edu.data import batches
from tinygrad_edu.nn.init import as_generator
from tinygrad_edu.optim import SGD, Optimizer
from tinygrad_edu.optim.lr_scheduler import LRScheduler
from tinygrad_edu.tensor import Tensor, no_grad

DEFAULT_PROGRESS_LABELS = {"desc": "training", "unit": "epoch", "loss": "loss"}


@dataclass
class History:
    """Per-epoch records of one `fit` run; every list has one entry per epoch.

    Attributes:
        loss: training loss, the mean of the epoch's batch losses (as the course logs
            it). The parameters change between batches, so this differs slightly from
            the loss of the final parameters on the whole training set.
        val_loss: loss on the validation data after the epoch (empty without it).
        accuracy: training accuracy after the epoch (empty unless ``track_accuracy``).
        val_accuracy: validation accuracy after the epoch (same condition, and X_val).
        lr: learning rate used in the epoch.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        """Number of epochs recorded."""
        return len(self.loss)

    def to_dict(self) -> dict[str, list[float]]:
        """Return the non-empty records as a dict of lists, ready for JSON."""
        return {
            name: list(values)
            for name, values in (
                ("loss", self.loss),
                ("val_loss", self.val_loss),
                ("accuracy", self.accuracy),
                ("val_accuracy", self.val_accuracy),
                ("lr", self.lr),
            )
            if values
        }

    def to_rows(self) -> list[dict[str, float | int]]:
        """Return one dict per epoch (``epoch`` counted from 1), ready for csv.DictWriter."""
        records = self.to_dict()
        return [
            {"epoch": epoch + 1, **{name: values[epoch] for name, values in records.items()}}
            for epoch in range(self.epochs)
        ]


def predict_proba(model: nn.Module, X: Any) -> np.ndarray:
    """Return the model's probability for class 1 for every sample, without a graph.

    The model runs in evaluation mode (its previous mode is restored). An output of
    shape (N, 1) becomes (N,). A model with ``output == "logits"`` (see `nn.MLP`) gets
    a sigmoid applied.

    Example:
        >>> net = nn.MLP([2, 3, 1], seed=0)
        >>> predict_proba(net, np.zeros((5, 2))).shape
        (5,)
    """
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            out = model(_as_input(model, X))
            if getattr(model, "output", None) == "logits":
                out = out.sigmoid()
    finally:
        model.train(was_training)
    probabilities = out.data
    if probabilities.ndim == 2 and probabilities.shape[1] == 1:
        probabilities = probabilities[:, 0]
    return probabilities


def predict(model: nn.Module, X: Any, threshold: float = 0.5) -> np.ndarray:
    """Return class labels 0/1 (int) by thresholding `predict_proba` at ``threshold``."""
    return (predict_proba(model, X) > threshold).astype(int)


def accuracy(model: nn.Module, X: Any, y: Any, threshold: float = 0.5) -> float:
    """Return the share of samples whose thresholded prediction equals the 0/1 label.

    A sample counts as class 1 when its probability is above ``threshold`` (0.5, as
    the course's ``predict``).

    Args:
        model: a module whose output is one probability per sample (or logits, see
            `predict_proba`).
        X: data of shape (N, features).
        y: labels 0 and 1 of shape (N,) or (N, 1).

    Example:
        >>> X, y = data.make_xor()
        >>> 0.0 <= accuracy(nn.MLP([2, 4, 1], seed=0), X, y) <= 1.0
        True
    """
    labels = np.asarray(y).reshape(-1)
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError("accuracy: labels y must be 0 or 1")
    predictions = predict(model, X, threshold)
    if predictions.shape != labels.shape:
        raise ValueError(
            f"accuracy: the model gives predictions of shape {predictions.shape} for X, but y "
            f"has {labels.shape[0]} labels (shape {np.shape(y)})"
        )
    return float(np.mean(predictions == labels))


def _as_input(model: nn.Module, X: Any) -> Tensor:
    if isinstance(X, Tensor):
        return X
    return Tensor(np.asarray(X, dtype=_model_dtype(model)))


def _model_dtype(model: nn.Module) -> np.dtype:
    for param in model.parameters():
        return param.data.dtype
    return np.dtype(np.float64)


def _default_loss(model: nn.Module) -> nn.Module:
    if getattr(model, "output", None) == "logits":
        return nn.BCEWithLogitsLoss()
    return nn.BCELoss()


def _target_like(y: np.ndarray, prediction: Tensor) -> np.ndarray:
    # The models give (N, 1) for N samples; reshaping here is what the course's code
    # forgot, and the losses raise when called directly with (N,).
    if y.ndim == 1 and prediction.ndim == 2 and prediction.shape[1] == 1:
        return y.reshape(-1, 1)
    return y


class _Progress:
    """Epoch progress on stderr: tqdm when installed, else a plain line; off when not a terminal."""

    def __init__(self, total: int, enabled: bool | None, labels: Mapping[str, str] | None) -> None:
        self.labels = {**DEFAULT_PROGRESS_LABELS, **(labels or {})}
        if enabled is None:
            enabled = sys.stderr.isatty()
        self.enabled = bool(enabled)
        self.total = total
        self.bar = None
        self.last_draw = 0.0
        if not self.enabled:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, desc=self.labels["desc"], unit=self.labels["unit"],
                        file=sys.stderr, leave=True, dynamic_ncols=True)

    def update(self, epoch: int, loss: float) -> None:
        if not self.enabled:
            return
        text = f"{self.labels['loss']}={loss:.4f}"
        if self.bar is not None:
            self.bar.set_postfix_str(text, refresh=False)
            self.bar.update(1)
            return
        now = time.monotonic()
        if now - self.last_draw >= 0.2 or epoch == self.total:
            self.last_draw = now
            sys.stderr.write(
                f"\r{self.labels['desc']}: {epoch}/{self.total} {self.labels['unit']}, {text}"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def fit(
    model: nn.Module,
    X: Any,
    y: Any,
    *,
    epochs: int = 1000,
    lr: float = 0.1,
    batch_size: int | None = None,
    loss_fn: Callable[[Tensor, Any], Tensor] | None = None,
    optimizer: Optimizer | None = None,
    scheduler: LRScheduler | Callable[[Optimizer], LRScheduler] | None = None,
    X_val: Any = None,
    y_val: Any = None,
    seed: np.random.Generator | int | None = 0,
    shuffle: bool = True,
    clip_grad_value: float | None = None,
    clip_grad_norm: float | None = None,
    track_accuracy: bool = False,
    progress: bool | None = None,
    progress_labels: Mapping[str, str] | None = None,
) -> History:
    """Train ``model`` on (X, y) with mini-batch gradient descent; return the `History`.

    Each epoch shuffles the samples (a new order per epoch, from ``seed``), cuts them
    into batches of ``batch_size`` and, for each batch, runs forward, the loss,
    ``loss.backward()``, optional gradient clipping and ``optimizer.step()``. After the
    epoch the scheduler steps and the validation loss is computed in evaluation mode.

    Labels y of shape (N,) are reshaped to (N, 1) to match a model output of shape
    (N, 1). Called directly, the loss functions raise on that mismatch instead.

    Args:
        model: the network; its parameters are updated in place.
        X: training data (N, features); cast to the model's parameter dtype.
        y: labels (N,) or (N, 1).
        epochs: passes over the data.
        lr: learning rate of the default optimizer; ignored when ``optimizer`` is given.
        batch_size: samples per batch; None for full-batch gradient descent.
        loss_fn: callable(prediction, target) -> scalar Tensor; by default `nn.BCELoss`,
            or `nn.BCEWithLogitsLoss` for a model with ``output == "logits"``.
        optimizer: by default ``optim.SGD(model.parameters(), lr)``, the course's update.
        scheduler: an `LRScheduler` on ``optimizer``, or a callable that builds one
            from the optimizer (e.g. ``lambda opt: InverseTimeLR(opt, 0.01)``); it
            steps once per epoch.
        X_val, y_val: validation data, evaluated after every epoch.
        seed: int seed or numpy Generator for the shuffling. The initial weights come
            from the model's own seed, not from this one.
        shuffle: shuffle before each epoch (as the course); False keeps the order.
        clip_grad_value: clip each gradient element to [-value, value] before each step.
        clip_grad_norm: scale the gradients to a global L2 norm of at most this value.
        track_accuracy: also record training (and validation) accuracy per epoch.
        progress: show a progress bar on stderr; None shows it only when stderr is a
            terminal.
        progress_labels: texts of the bar: {"desc": ..., "unit": ..., "loss": ...}, so a
            caller can pass another language.

    Returns:
        A `History` with one loss per epoch (the mean of the batch losses).

    Example:
        >>> X, y = data.make_xor()
        >>> net = nn.MLP([2, 4, 1], seed=0)
        >>> history = fit(net, X, y, epochs=10, lr=0.1, progress=False)
        >>> len(history.loss)
        10
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"fit: epochs must be a non-negative int, got {epochs!r}")
    X = np.asarray(X.data if isinstance(X, Tensor) else X, dtype=_model_dtype(model))
    y = np.asarray(y.data if isinstance(y, Tensor) else y, dtype=X.dtype)
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"fit: X has {X.shape[0]} samples (shape {X.shape}) but y has {y.shape[0]} "
            f"(shape {y.shape}); pass one label per row of X"
        )
    if (X_val is None) != (y_val is None):
        raise ValueError("fit: pass both X_val and y_val, or neither")
    if X_val is not None:
        X_val = np.asarray(X_val, dtype=X.dtype)
        y_val = np.asarray(y_val, dtype=X.dtype)

    if loss_fn is None:
        loss_fn = _default_loss(model)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=lr)
    if scheduler is not None and not isinstance(scheduler, LRScheduler):
        scheduler = scheduler(optimizer)
    if scheduler is not None and scheduler.optimizer is not optimizer:
        raise ValueError("fit: the scheduler must belong to the optimizer used for training")

    params = list(model.parameters())
    rng = as_generator(seed)
    history = History()
    bar = _Progress(int(epochs), progress, progress_labels)
    warned_nonfinite = False

    model.train()
    try:
        for epoch in range(1, epochs + 1):
            history.lr.append(optimizer.lr)
            total = 0.0
            count = 0

            for X_batch, y_batch in batches(X, y, batch_size, shuffle=shuffle, rng=rng):
                optimizer.zero_grad()
                prediction = model(Tensor(X_batch))
                loss = loss_fn(prediction, _target_like(y_batch, prediction))
                loss.backward()

                if clip_grad_value is not None:
                    nn.utils.clip_grad_value_(params, clip_grad_value)
                if clip_grad_norm is not None:
                    nn.utils.clip_grad_norm_(params, clip_grad_norm)
                optimizer.step()

                total += loss.item()
                count += 1

            epoch_loss = total / count if count else math.nan
            history.loss.append(epoch_loss)
            if not math.isfinite(epoch_loss) and not warned_nonfinite:
                warned_nonfinite = True
                warnings.warn(
                    f"fit: the training loss is {epoch_loss} in epoch {epoch}; lower the "
                    f"learning rate or clip the gradients",
                    RuntimeWarning,
                    stacklevel=2,
                )
            if scheduler is not None:
                scheduler.step()

            if X_val is not None:
                history.val_loss.append(_evaluate_loss(model, loss_fn, X_val, y_val))
            if track_accuracy:
                history.accuracy.append(accuracy(model, X, y))
                if X_val is not None:
                    history.val_accuracy.append(accuracy(model, X_val, y_val))
            bar.update(epoch, epoch_loss)
    finally:
        bar.close()
    return history


def _evaluate_loss(model: nn.Module, loss_fn: Callable, X: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    try:
        with no_grad():
            prediction = model(Tensor(X))
            return float(loss_fn(prediction, _target_like(y, prediction)).item())
    finally:
        model.train()
