"""Plot training with matplotlib: the loss curve and the decision boundary of a 2-D classifier.

Every function builds a `matplotlib.figure.Figure` directly and never imports pyplot,
so no GUI backend is chosen or needed. Files are drawn by Agg (PNG) or by the SVG and
PDF backends, also on a machine without a display. The pyplot state of a notebook is
left alone.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from tinygrad_edu.tensor import Tensor, no_grad
from tinygrad_edu.viz._common import check_lang, import_optional, output_format, write_file

__all__ = ["PLOT_FORMATS", "plot_loss", "plot_decision_boundary", "save_figure", "save_training_plots"]

PLOT_FORMATS = ("png", "svg", "pdf")

TEXT = {
    "en": {
        "loss_title": "Loss curve",
        "epoch": "epoch",
        "loss": "loss",
        "train": "training loss",
        "val": "validation loss",
        "boundary_title": "Decision boundary",
        "probability": r"predicted probability $\hat{y}$ of class 1",
        "boundary": r"decision boundary ($\hat{{y}}$ = {threshold:g})",
        "class": "class {label}",
        "run_loss_title": "{name}: loss curve",
        "run_boundary_title": "{name}: decision boundary",
    },
    "de": {
        "loss_title": "Verlustkurve",
        "epoch": "Epoche",
        "loss": "Verlust",
        "train": "Trainingsverlust",
        "val": "Validierungsverlust",
        "boundary_title": "Entscheidungsgrenze",
        "probability": r"vorhergesagte Wahrscheinlichkeit $\hat{y}$ für Klasse 1",
        "boundary": r"Entscheidungsgrenze ($\hat{{y}}$ = {threshold:g})",
        "class": "Klasse {label}",
        "run_loss_title": "{name}: Verlustkurve",
        "run_boundary_title": "{name}: Entscheidungsgrenze",
    },
}

# Keys of a history dict that hold the training loss and the validation loss.
TRAIN_KEYS = ("loss", "train_loss", "train", "training", "training_loss")
VAL_KEYS = ("val_loss", "val", "validation", "validation_loss", "valid_loss")

# Class 0 blue and class 1 red, the two ends of the "RdBu_r" map the probability uses,
# so a point sits on the colour of its own class where the model is right.
CLASS_COLOURS = ("#2166ac", "#b2182b")
PROBABILITY_CMAP = "RdBu_r"


def _new_figure(figsize: tuple[float, float]) -> Any:
    figure_module = import_optional("matplotlib.figure", "tinygrad_edu.viz plots")
    return figure_module.Figure(figsize=figsize, layout="constrained")


# ---- loss curve -----------------------------------------------------------------------


def _loss_curves(history: Any, lang: str) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Return (legend label, epochs, losses) for each loss curve in `history`."""
    words = TEXT[lang]
    if hasattr(history, "to_dict") and callable(history.to_dict):
        history = history.to_dict()

    if isinstance(history, Mapping):
        epochs = history.get("epoch", history.get("epochs"))
        curves = []
        for key, values in history.items():
            if key in TRAIN_KEYS:
                label = words["train"]
            elif key in VAL_KEYS:
                label = words["val"]
            elif isinstance(key, str) and "loss" in key:
                label = key
            else:
                continue
            curves.append((label, _as_curve(key, values)))
        if not curves:
            raise ValueError(
                f"plot_loss: found no loss in the history keys {sorted(map(str, history))}; "
                f"name the training loss one of {TRAIN_KEYS} and the validation loss one of {VAL_KEYS}"
            )
    elif isinstance(history, (Sequence, np.ndarray, Tensor)) and not isinstance(history, str):
        epochs = None
        curves = [(words["train"], _as_curve("history", history))]
    else:
        raise TypeError(
            "plot_loss: history must be a train.History, a dict of lists (e.g. "
            f"{{'loss': [...], 'val_loss': [...]}}) or a list of losses, got {type(history).__name__}"
        )

    result = []
    for label, values in curves:
        x = np.arange(1, len(values) + 1)
        if epochs is not None and len(epochs) == len(values):
            x = np.asarray(epochs)
        result.append((label, x, values))
    return result


def _as_curve(key: Any, values: Any) -> np.ndarray:
    array = np.asarray(values.data if isinstance(values, Tensor) else values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"plot_loss: {key!r} must be a non-empty list of numbers, one per epoch, got shape {array.shape}"
        )
    return array


def plot_loss(
    history: Any,
    path: str | os.PathLike | None = None,
    *,
    lang: str = "en",
    title: str | None = None,
    log_scale: bool = False,
) -> Any:
    """Plot the training loss, and the validation loss when recorded, against the epoch.

    Args:
        history: a `train.History` (its ``loss`` and ``val_loss``), a dict of lists,
            or a plain list of losses. In a dict the training loss is "loss" or
            "train_loss" and the validation loss "val_loss" or "val". Other keys
            containing "loss" are drawn under their own name, and an "epoch" list
            gives the x values.
        path: if given, the figure is also written there as PNG, SVG or PDF (by the
            suffix), whole (temporary file, then rename).
        lang: "en" or "de" for the axis labels, legend and default title.
        title: the title; by default "Loss curve" / "Verlustkurve".
        log_scale: a logarithmic loss axis, which shows the late, slow part of training.

    Returns:
        The `matplotlib.figure.Figure`.

    Raises:
        TypeError: `history` has none of these types.
        ValueError: no loss found, an empty curve, or `log_scale` with a loss <= 0.

    Example:
        >>> figure = plot_loss({"loss": [0.7, 0.5, 0.3], "val_loss": [0.7, 0.6, 0.55]})
        >>> [line.get_label() for line in figure.axes[0].get_lines()]
        ['training loss', 'validation loss']
    """
    check_lang("plot_loss", lang)
    words = TEXT[lang]
    curves = _loss_curves(history, lang)

    if log_scale:
        for label, _, values in curves:
            finite = values[np.isfinite(values)]
            if finite.size and finite.min() <= 0:
                raise ValueError(
                    f"plot_loss: log_scale needs losses > 0, but {label!r} reaches {finite.min():g}; "
                    "pass log_scale=False"
                )
    for label, _, values in curves:
        if not np.all(np.isfinite(values)):
            warnings.warn(
                f"plot_loss: {label!r} contains NaN or inf (training diverged?); those epochs are left out",
                RuntimeWarning,
                stacklevel=2,
            )

    figure = _new_figure((7.0, 4.5))
    axes = figure.add_subplot()
    for label, x, values in curves:
        axes.plot(x, values, label=label, linewidth=1.8)
    if log_scale:
        axes.set_yscale("log")
        _plain_log_ticks(axes, np.concatenate([values for _, _, values in curves]))
    axes.set_xlabel(words["epoch"])
    axes.set_ylabel(words["loss"])
    axes.set_title(title if title is not None else words["loss_title"])
    axes.grid(True, alpha=0.3)
    axes.legend()
    if path is not None:
        save_figure(figure, path)
    return figure


def _plain_log_ticks(axes: Any, values: np.ndarray) -> None:
    """Label a log axis with plain numbers (0.01, 0.6) instead of 10^-2 and 6 x 10^-1.

    Within less than one decade there is at most one power of ten to label, so the
    minor ticks (0.6, 0.7, ...) get labels too. Over a wider range they stay unlabelled.
    """
    ticker = import_optional("matplotlib.ticker", "plot_loss")
    plain = ticker.FuncFormatter(lambda value, _: f"{value:.3g}")
    axes.yaxis.set_major_formatter(plain)
    finite = values[np.isfinite(values) & (values > 0)]
    narrow = finite.size > 0 and np.log10(finite.max() / finite.min()) < 1.0
    axes.yaxis.set_minor_formatter(plain if narrow else ticker.NullFormatter())


# ---- decision boundary ----------------------------------------------------------------


def _as_array(value: Any) -> np.ndarray:
    return np.asarray(value.data if isinstance(value, Tensor) else value)


def _class_labels(y: Any, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Return (class index per sample, the distinct labels) for labels given as float, int or bool.

    Float labels such as 0.0 and 1.0 are common (the two-spirals data uses them) and
    cannot index a list of colours, so every label is mapped to the position of its
    value among the distinct labels.
    """
    labels = _as_array(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1 or labels.shape[0] != n_samples:
        raise ValueError(
            f"plot_decision_boundary: y must have one label per point, shape ({n_samples},) or "
            f"({n_samples}, 1), got shape {labels.shape}"
        )
    if labels.dtype == bool:
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iuf":
        raise TypeError(f"plot_decision_boundary: y must hold numbers or booleans, got dtype {labels.dtype}")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or not np.all(labels == np.round(labels)):
            bad = labels[~np.isfinite(labels) | (labels != np.round(labels))][:3]
            raise ValueError(
                f"plot_decision_boundary: y must hold class labels such as 0 and 1, got {bad.tolist()}; "
                "round soft targets to classes first"
            )
    distinct = np.unique(labels)
    # Labels 0 and 1 keep their own colours even when only one of them occurs.
    if np.all(np.isin(distinct, (0, 1))):
        distinct = np.array([0, 1], dtype=labels.dtype)
    return np.searchsorted(distinct, labels), distinct


def _probability_function(model: Any) -> Callable[[np.ndarray], Any]:
    """Return a function from an (M, 2) float array to the model's raw output."""
    from tinygrad_edu import nn
    from tinygrad_edu.train import predict_proba

    if isinstance(model, nn.Module):
        return lambda grid: predict_proba(model, grid)
    if hasattr(model, "predict_proba") and callable(model.predict_proba):
        return model.predict_proba
    if not callable(model):
        raise TypeError(
            "plot_decision_boundary: model must be an nn.Module, an object with predict_proba, or a "
            f"function from an (N, 2) array to probabilities, got {type(model).__name__}"
        )

    def call(grid: np.ndarray) -> Any:
        with no_grad():
            try:
                return model(grid)
            except (TypeError, AttributeError) as array_error:
                # A function written for Tensors (calling .sigmoid() and the like).
                try:
                    return model(Tensor(grid))
                except Exception:
                    raise array_error from None

    return call


def _class_one_probability(output: Any, n_points: int) -> np.ndarray:
    """Return the probability of class 1 (shape (M,)), or the class index for more than two classes."""
    values = np.asarray(output.data if isinstance(output, Tensor) else output, dtype=np.float64)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.shape[0:1] != (n_points,) or values.ndim > 2:
        raise ValueError(
            f"plot_decision_boundary: the model returned shape {values.shape} for {n_points} points; "
            f"expected ({n_points},), ({n_points}, 1) or ({n_points}, classes)"
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("plot_decision_boundary: the model returned NaN or inf for some grid points")
    if values.min() < -1e-9 or values.max() > 1 + 1e-9:
        raise ValueError(
            f"plot_decision_boundary: the model returned values from {values.min():.4g} to "
            f"{values.max():.4g}, not probabilities in [0, 1]; these look like logits, so apply "
            "a sigmoid (or softmax) first, e.g. lambda X: model(X).sigmoid()"
        )
    if values.ndim == 2:
        return values[:, 1] if values.shape[1] == 2 else values
    return values


def plot_decision_boundary(
    model: Any,
    X: Any,
    y: Any,
    path: str | os.PathLike | None = None,
    *,
    lang: str = "en",
    title: str | None = None,
    resolution: int = 200,
    margin: float = 0.1,
    threshold: float = 0.5,
) -> Any:
    r"""Plot the class regions of a 2-D classifier, with the data points on top.

    The model is evaluated on a `resolution` x `resolution` grid covering the data plus
    `margin` times its range on each side. The background shows the probability
    $\hat{y}$ of class 1 (blue for 0, red for 1), a black line marks
    $\hat{y}$ = `threshold`, and each point is coloured by its label.

    Args:
        model: an `nn.Module` returning probabilities (or logits when its ``output`` is
            "logits"), an object with ``predict_proba(X)`` (the course's MLP class), or
            a function from an (N, 2) numpy array (or Tensor) to probabilities of shape
            (N,), (N, 1) or (N, classes).
        X: the points, shape (N, 2).
        y: their labels, shape (N,) or (N, 1): float (0.0, 1.0), int or bool.
        path: if given, the figure is also written there as PNG, SVG or PDF (by the suffix).
        lang: "en" or "de" for labels, legend and default title.
        title: the title; by default "Decision boundary" / "Entscheidungsgrenze".
        resolution: grid points per axis.
        margin: space around the data, as a fraction of its range.
        threshold: the probability drawn as the boundary.

    Returns:
        The `matplotlib.figure.Figure`.

    Raises:
        ValueError: X is not (N, 2), y does not match X or is not class labels, the
            model returns the wrong shape or values outside [0, 1] (logits).
        TypeError: `model` is not callable.

    Example:
        >>> X = np.array([[0.0, 0.0], [1.0, 1.0]])
        >>> figure = plot_decision_boundary(lambda P: 1 / (1 + np.exp(-(P.sum(axis=1) - 1) * 5)), X, [0.0, 1.0])
        >>> figure.axes[0].get_title()
        'Decision boundary'
    """
    check_lang("plot_decision_boundary", lang)
    words = TEXT[lang]
    points = _as_array(X).astype(np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] == 0:
        raise ValueError(
            f"plot_decision_boundary: X must have shape (N, 2), two features per point, got {points.shape}; "
            "a decision boundary can only be drawn in two dimensions"
        )
    if not np.all(np.isfinite(points)):
        raise ValueError("plot_decision_boundary: X contains NaN or inf")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or not 2 <= resolution <= 2000:
        raise ValueError(f"plot_decision_boundary: resolution must be an int from 2 to 2000, got {resolution!r}")
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"plot_decision_boundary: threshold must lie strictly between 0 and 1, got {threshold!r}")
    if margin < 0:
        raise ValueError(f"plot_decision_boundary: margin must be >= 0, got {margin!r}")
    class_index, distinct = _class_labels(y, points.shape[0])

    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    low, high = low - margin * span, high + margin * span
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    probability = _class_one_probability(_probability_function(model)(grid), grid.shape[0])

    figure = _new_figure((7.0, 5.8))
    axes = figure.add_subplot()
    if probability.ndim == 1:
        surface = probability.reshape(xx.shape)
        filled = axes.contourf(xx, yy, surface, levels=np.linspace(0.0, 1.0, 21), cmap=PROBABILITY_CMAP, alpha=0.75)
        colorbar = figure.colorbar(filled, ax=axes)
        colorbar.set_label(words["probability"])
        if surface.min() < threshold < surface.max():
            axes.contour(xx, yy, surface, levels=[threshold], colors="black", linewidths=2.0)
        axes.plot([], [], color="black", linewidth=2.0, label=words["boundary"].format(threshold=threshold))
        colours = CLASS_COLOURS if len(distinct) <= 2 else _many_colours(len(distinct))
    else:
        # More than two classes: colour each region by the most probable class.
        winner = probability.argmax(axis=1).reshape(xx.shape)
        colours = _many_colours(max(len(distinct), probability.shape[1]))
        axes.contourf(
            xx, yy, winner, levels=np.arange(probability.shape[1] + 1) - 0.5,
            colors=colours[: probability.shape[1]], alpha=0.35,
        )

    marker_size = 90 if points.shape[0] <= 50 else 22
    for index, label in enumerate(distinct):
        members = class_index == index
        if not np.any(members):
            continue
        axes.scatter(
            points[members, 0], points[members, 1], s=marker_size, color=colours[index],
            edgecolors="black", linewidths=0.6, label=words["class"].format(label=_label_text(label)), zorder=3,
        )
    axes.set_xlim(low[0], high[0])
    axes.set_ylim(low[1], high[1])
    axes.set_xlabel(r"$x_1$")
    axes.set_ylabel(r"$x_2$")
    axes.set_title(title if title is not None else words["boundary_title"])
    # Below the axes, because any corner inside can hide a data point (XOR has one in each).
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False, fontsize="small")
    if path is not None:
        save_figure(figure, path)
    return figure


def _label_text(label: Any) -> str:
    value = float(label)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _many_colours(count: int) -> list[str]:
    palette = ["#2166ac", "#b2182b", "#1b7837", "#762a83", "#e08214", "#01665e", "#8c510a", "#4d4d4d"]
    return [palette[i % len(palette)] for i in range(count)]


# ---- files ----------------------------------------------------------------------------


def save_figure(figure: Any, path: str | os.PathLike, dpi: int = 150) -> Path:
    """Write a matplotlib figure as PNG, SVG or PDF, chosen by the suffix, whole.

    The picture is rendered in memory and then written through a temporary file and
    a rename, so a reader never sees half a file. The folder is created if missing.

    Returns:
        The path written.
    """
    path, file_format = output_format("save_figure", path, PLOT_FORMATS)
    buffer = io.BytesIO()
    # No date in SVG and PDF, so the same figure gives the same bytes on every run.
    metadata = {"Date": None} if file_format in ("svg", "pdf") else None
    figure.savefig(buffer, format=file_format, dpi=dpi, metadata=metadata)
    return write_file(path, buffer.getvalue())


def save_training_plots(
    history: Any,
    model: Any,
    X: Any,
    y: Any,
    out_dir: str | os.PathLike,
    prefix: str,
    lang: str = "en",
    *,
    name: str | None = None,
    file_format: str = "png",
) -> list[Path]:
    """Write the loss curve and the decision boundary of one training run into `out_dir`.

    The files are ``{prefix}_loss.{file_format}`` and
    ``{prefix}_decision_boundary.{file_format}``; an existing file of the same name in
    `out_dir` is replaced whole. `out_dir` is created if missing.

    Args:
        history: anything `plot_loss` takes (a `train.History`, a dict, a list).
        model: anything `plot_decision_boundary` takes (an `nn.Module`, ...).
        X, y: the training points (N, 2) and their labels.
        out_dir: the output folder.
        prefix: the start of the file names, e.g. "xor" or "spirals_lr0.1"; a plain
            name, so the files stay inside `out_dir`.
        lang: "en" or "de".
        name: the data set's name in the titles ("XOR: loss curve"); default `prefix`.
        file_format: "png", "svg" or "pdf".

    Returns:
        The two paths written: [loss curve, decision boundary].
    """
    check_lang("save_training_plots", lang)
    if not prefix or not isinstance(prefix, str) or prefix in (".", "..") or any(sep in prefix for sep in "/\\"):
        raise ValueError(
            f"save_training_plots: prefix must be a plain file name start such as 'xor', got {prefix!r}; "
            "put folders into out_dir instead"
        )
    if file_format not in PLOT_FORMATS:
        raise ValueError(f"save_training_plots: file_format must be one of {PLOT_FORMATS}, got {file_format!r}")
    words = TEXT[lang]
    name = prefix if name is None else name
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    loss_path = out_dir / f"{prefix}_loss.{file_format}"
    boundary_path = out_dir / f"{prefix}_decision_boundary.{file_format}"
    plot_loss(history, loss_path, lang=lang, title=words["run_loss_title"].format(name=name))
    plot_decision_boundary(model, X, y, boundary_path, lang=lang, title=words["run_boundary_title"].format(name=name))
    return [loss_path, boundary_path]
