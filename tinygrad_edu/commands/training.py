"""Training runs shared by `tinygrad-edu demo` and `tinygrad-edu train`: data, model, files."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu import data, nn, optim, train
from tinygrad_edu.files import write_atomic

TASKS = ("xor", "spirals")
SPIRAL_SAMPLES = 400
SPIRAL_NOISE = 0.3
PROGRESS_WORDS = {"en": {"unit": "epoch", "loss": "loss"}, "de": {"unit": "Epoche", "loss": "Verlust"}}


@dataclass
class Run:
    """One finished training run: the data, the trained model and its records."""

    task: str
    layer_sizes: list[int]
    activation: str
    lr: float
    epochs: int
    batch_size: int | None
    seed: int
    X: np.ndarray
    y: np.ndarray
    model: nn.MLP
    history: train.History
    probabilities: np.ndarray
    accuracy: float

    @property
    def final_loss(self) -> float:
        """Training loss of the last epoch (mean of its batch losses, as the course logs it)."""
        return self.history.loss[-1] if self.history.loss else float("nan")

    @property
    def diverged(self) -> bool:
        """Whether the loss or the predictions became NaN or infinite, e.g. from a too large lr."""
        return not (np.isfinite(self.final_loss) and np.isfinite(self.probabilities).all())

    def summary(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "layer_sizes": self.layer_sizes,
            "activation": self.activation,
            "lr": self.lr,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "seed": self.seed,
            "accuracy": self.accuracy,
            "final_loss": self.final_loss,
        }


def load_task(task: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (X, y) of a course data set: XOR, or two spirals standardised as the course does."""
    if task == "xor":
        return data.make_xor()
    if task == "spirals":
        X, y = data.make_spirals(n_samples=SPIRAL_SAMPLES, noise=SPIRAL_NOISE, seed=seed)
        X, _, _ = data.standardize(X)
        return X, y
    raise ValueError(f"unknown task {task!r}; use one of {TASKS}")


def train_task(
    task: str,
    layer_sizes: list[int],
    activation: str,
    *,
    lr: float,
    epochs: int,
    batch_size: int | None,
    seed: int,
    optimizer: str = "sgd",
    momentum: float = 0.0,
    init: str | None = None,
    progress_label: str | None = None,
    lang: str = "en",
) -> Run:
    """Train an `nn.MLP` on a course task and return the finished `Run`.

    The seed fixes the data (spirals), the initial weights and the batch order.
    `progress_label` None turns the progress bar off; otherwise it is the bar's text,
    and `lang` chooses the language of its unit and loss words.
    """
    X, y = load_task(task, seed)
    model = nn.MLP(layer_sizes, activation=activation, init=init, seed=seed)
    if optimizer == "adam":
        chosen = optim.Adam(model.parameters(), lr=lr)
    else:
        chosen = optim.SGD(model.parameters(), lr=lr, momentum=momentum)

    labels = None
    if progress_label:
        labels = {"desc": progress_label, **PROGRESS_WORDS.get(lang, PROGRESS_WORDS["en"])}
    history = train.fit(
        model,
        X,
        y,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=chosen,
        seed=seed,
        progress=None if progress_label else False,
        progress_labels=labels,
    )
    return Run(
        task=task,
        layer_sizes=list(layer_sizes),
        activation=activation,
        lr=lr,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        X=X,
        y=y,
        model=model,
        history=history,
        probabilities=train.predict_proba(model, X).reshape(-1),
        accuracy=train.accuracy(model, X, y),
    )


def history_csv(history: train.History) -> str:
    """Return the per-epoch records as CSV text with a header row."""
    rows = history.to_rows()
    buffer = io.StringIO()
    fields = list(rows[0].keys()) if rows else ["epoch", "loss"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def save_run(run: Run, out_dir: Path, prefix: str, lang: str) -> tuple[list[Path], str | None]:
    """Write the loss history (CSV), the loss curve and the decision boundary (PNG) of `run`.

    Returns the paths written and, when the pictures could not be drawn because
    matplotlib is missing, the reason (the CSV is written either way).
    """
    written = [write_atomic(out_dir / f"{prefix}_history.csv", history_csv(run.history))]
    if run.diverged:
        # A diverged model has no decision boundary to draw; the caller reports the divergence.
        return written, None
    try:
        from tinygrad_edu import viz

        written += viz.save_training_plots(
            run.history, run.model, run.X, run.y, out_dir, prefix, lang, name=task_title(run, lang)
        )
    except ImportError as error:
        return written, str(error)
    return written, None


def task_title(run: Run, lang: str) -> str:
    """Return the data set's name and learning rate for plot titles, e.g. "XOR, lr 0.1"."""
    names = {"xor": "XOR", "spirals": "Zwei Spiralen" if lang == "de" else "Two spirals"}
    return f"{names[run.task]}, lr {run.lr:g}"
