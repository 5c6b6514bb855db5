"""Tests of the training plots: loss curve, decision boundary, and the files they write."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="matplotlib (extra 'viz') is not installed")

from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.contour import ContourSet  # noqa: E402

from tinygrad_edu import Tensor, data, nn  # noqa: E402
from tinygrad_edu.reference import ReferenceMLP  # noqa: E402
from tinygrad_edu.train import fit  # noqa: E402
from tinygrad_edu.viz import plot_decision_boundary, plot_loss, save_training_plots  # noqa: E402
from tinygrad_edu.viz.plots import CLASS_COLOURS  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SQUARE = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.2, 0.1], [0.9, 0.7]])
SQUARE_LABELS = np.array([0, 1, 1, 1, 0, 1])


def diagonal_probability(points: np.ndarray) -> np.ndarray:
    """Return sigmoid(6 (x1 + x2 - 1)): the boundary is the line x1 + x2 = 1."""
    return 1.0 / (1.0 + np.exp(-6.0 * (points[:, 0] + points[:, 1] - 1.0)))


def boundary_vertices(figure) -> np.ndarray:
    """Return the vertices of the drawn decision boundary (the one-level contour)."""
    axes = figure.axes[0]
    lines = [c for c in axes.collections if isinstance(c, ContourSet) and len(c.levels) == 1]
    assert len(lines) == 1
    return np.concatenate([path.vertices for path in lines[0].get_paths()])


def scattered(figure) -> dict[str, tuple[np.ndarray, tuple[float, ...]]]:
    """Return legend label -> (points, face colour) of each scatter group."""
    groups = {}
    for collection in figure.axes[0].collections:
        if isinstance(collection, PathCollection):
            groups[collection.get_label()] = (np.asarray(collection.get_offsets()), tuple(collection.get_facecolor()[0]))
    return groups


# ---- loss curve -----------------------------------------------------------------------------


def test_loss_list_drawn_per_epoch():
    losses = [0.9, 0.6, 0.4, 0.35]
    figure = plot_loss(losses)
    (line,) = figure.axes[0].get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(line.get_ydata(), losses)
    assert figure.axes[0].get_xlabel() == "epoch"
    assert figure.axes[0].get_ylabel() == "loss"


def test_loss_history_train_and_validation():
    X, y = data.make_xor()
    net = nn.MLP([2, 4, 1], seed=0)
    history = fit(net, X, y, epochs=20, lr=0.5, X_val=X, y_val=y, progress=False)
    figure = plot_loss(history, lang="de")
    lines = figure.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["Trainingsverlust", "Validierungsverlust"]
    np.testing.assert_array_equal(lines[0].get_ydata(), history.loss)
    np.testing.assert_array_equal(lines[1].get_ydata(), history.val_loss)
    assert figure.axes[0].get_xlabel() == "Epoche"
    assert figure.axes[0].get_ylabel() == "Verlust"
    assert figure.axes[0].get_title() == "Verlustkurve"


def test_loss_dict_with_epochs_and_log_scale():
    history = {"epoch": [0, 10, 20], "train_loss": [0.7, 0.2, 0.05], "val": [0.7, 0.3, 0.2], "accuracy": [0.5, 1, 1]}
    figure = plot_loss(history, log_scale=True, title="Overfitting")
    axes = figure.axes[0]
    assert axes.get_yscale() == "log"
    assert axes.yaxis.get_major_formatter()(0.01, 0) == "0.01"
    assert axes.get_title() == "Overfitting"
    lines = axes.get_lines()
    # Accuracy is not a loss and is left out.
    assert [line.get_label() for line in lines] == ["training loss", "validation loss"]
    np.testing.assert_array_equal(lines[0].get_xdata(), [0, 10, 20])


def test_loss_log_scale_rejects_zero():
    with pytest.raises(ValueError, match="log_scale needs losses > 0.*reaches 0"):
        plot_loss([0.5, 0.0], log_scale=True)


def test_loss_nan_warns():
    with pytest.warns(RuntimeWarning, match="NaN or inf"):
        plot_loss([0.5, float("nan"), 0.3])


@pytest.mark.parametrize(
    ("history", "error", "message"),
    [
        ([], ValueError, "non-empty"),
        ({"accuracy": [1.0]}, ValueError, "found no loss"),
        ("0.5 0.4", TypeError, "history must be"),
        (3.0, TypeError, "history must be"),
        ([[0.5, 0.4]], ValueError, "one per epoch"),
    ],
)
def test_loss_bad_history_raises(history, error, message):
    with pytest.raises(error, match=message):
        plot_loss(history)


def test_loss_written_as_png_and_svg(tmp_path):
    png = tmp_path / "loss.png"
    plot_loss([0.7, 0.5, 0.4], png)
    assert png.read_bytes()[:8] == PNG_SIGNATURE
    assert png.stat().st_size > 1000

    svg = tmp_path / "loss.svg"
    plot_loss([0.7, 0.5, 0.4], svg, lang="de")
    root = ElementTree.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Verlustkurve" in svg.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loss.png", "loss.svg"]


def test_loss_bad_suffix_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match=r"cannot tell the file format.*\.png"):
        plot_loss([0.5], tmp_path / "loss.jpg")
    assert list(tmp_path.iterdir()) == []


# ---- decision boundary ----------------------------------------------------------------------


def test_boundary_lies_on_model_threshold():
    figure = plot_decision_boundary(diagonal_probability, SQUARE, SQUARE_LABELS)
    vertices = boundary_vertices(figure)
    # Grid spacing is 1.2 / 199, and linear interpolation of the sigmoid near 0.5 is close to exact.
    assert np.max(np.abs(vertices.sum(axis=1) - 1.0)) < 1e-3
    assert vertices.shape[0] > 10


def test_boundary_threshold_moves_line():
    figure = plot_decision_boundary(diagonal_probability, SQUARE, SQUARE_LABELS, threshold=0.9)
    vertices = boundary_vertices(figure)
    # sigmoid(6 s) = 0.9 at s = ln(9) / 6.
    np.testing.assert_allclose(vertices.sum(axis=1) - 1.0, np.log(9.0) / 6.0, atol=2e-3)


@pytest.mark.parametrize(
    "labels",
    [
        SQUARE_LABELS.astype(np.float64),
        SQUARE_LABELS.astype(np.int64),
        SQUARE_LABELS.astype(bool),
        SQUARE_LABELS.astype(np.float32).reshape(-1, 1),
        Tensor(SQUARE_LABELS.astype(np.float64)),
        list(SQUARE_LABELS.astype(float)),
    ],
    ids=["float", "int", "bool", "float32 column", "Tensor", "list"],
)
def test_points_coloured_by_label(labels):
    groups = scattered(plot_decision_boundary(diagonal_probability, SQUARE, labels))
    assert sorted(groups) == ["class 0", "class 1"]
    np.testing.assert_array_equal(groups["class 0"][0], SQUARE[SQUARE_LABELS == 0])
    np.testing.assert_array_equal(groups["class 1"][0], SQUARE[SQUARE_LABELS == 1])
    assert groups["class 0"][1] == to_rgba(CLASS_COLOURS[0])
    assert groups["class 1"][1] == to_rgba(CLASS_COLOURS[1])


def test_spirals_float_labels():
    # The course's plot indexes a colour list with these float labels and raises TypeError.
    X, y = data.make_spirals(60, noise=0.2, seed=0)
    assert y.dtype.kind == "f"
    with pytest.raises(TypeError):
        ["blue", "red"][y[0]]

    net = nn.MLP([2, 8, 1], activation="relu", seed=0)
    figure = plot_decision_boundary(net, X, y, lang="de", resolution=50)
    groups = scattered(figure)
    assert sorted(groups) == ["Klasse 0", "Klasse 1"]
    assert groups["Klasse 0"][0].shape == (30, 2)
    assert groups["Klasse 1"][0].shape == (30, 2)
    assert figure.axes[0].get_title() == "Entscheidungsgrenze"


def test_single_class_keeps_its_colour():
    groups = scattered(plot_decision_boundary(diagonal_probability, SQUARE[:2], [1.0, 1.0]))
    assert list(groups) == ["class 1"]
    assert groups["class 1"][1] == to_rgba(CLASS_COLOURS[1])


class CourseStyleModel:
    """A model with predict_proba on numpy arrays, like the course's MLP class."""

    def predict_proba(self, X):
        return diagonal_probability(X)


def diagonal_module() -> nn.Module:
    layer = nn.Linear(2, 1)
    layer.weight.data[...] = 6.0
    layer.bias.data[...] = -6.0
    return nn.Sequential(layer, nn.Sigmoid())


@pytest.mark.parametrize(
    "model",
    [
        CourseStyleModel(),
        diagonal_module(),
        lambda t: (t.sum(axis=1) - 1.0).__mul__(6.0).sigmoid(),
        lambda X: Tensor(diagonal_probability(X)).reshape(-1, 1),
    ],
    ids=["predict_proba", "Module", "Tensor function", "returns Tensor column"],
)
def test_every_model_kind_same_boundary(model):
    expected = boundary_vertices(plot_decision_boundary(diagonal_probability, SQUARE, SQUARE_LABELS))
    drawn = boundary_vertices(plot_decision_boundary(model, SQUARE, SQUARE_LABELS))
    np.testing.assert_allclose(drawn, expected, atol=1e-9)


def test_reference_mlp_accepted():
    X, y = data.make_xor()
    net = ReferenceMLP([2, 4, 1], lr=0.5, seed=0)
    figure = plot_decision_boundary(net, X, y, resolution=20)
    assert sorted(scattered(figure)) == ["class 0", "class 1"]


def test_logits_rejected():
    with pytest.raises(ValueError, match="look like logits"):
        plot_decision_boundary(lambda X: X.sum(axis=1) * 10.0, SQUARE, SQUARE_LABELS)


def test_three_classes_from_softmax():
    def softmax_of_three(X):
        logits = np.stack([X[:, 0], X[:, 1], 1.0 - X.sum(axis=1)], axis=1) * 4.0
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return exp / exp.sum(axis=1, keepdims=True)

    labels = np.array([2, 1, 0, 0, 2, 0])
    groups = scattered(plot_decision_boundary(softmax_of_three, SQUARE, labels))
    assert sorted(groups) == ["class 0", "class 1", "class 2"]
    np.testing.assert_array_equal(groups["class 2"][0], SQUARE[labels == 2])


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((4, 3)), np.zeros(4), r"X must have shape \(N, 2\)"),
        (np.zeros((0, 2)), np.zeros(0), r"X must have shape \(N, 2\)"),
        (SQUARE, SQUARE_LABELS[:4], "one label per point"),
        (SQUARE, np.array([0.0, 0.3, 1.0, 1.0, 0.0, 1.0]), r"class labels.*\[0.3\]"),
        (np.array([[0.0, np.nan], [1.0, 1.0]]), np.array([0, 1]), "NaN"),
    ],
)
def test_bad_data_raises(X, y, message):
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(diagonal_probability, X, y)


def test_wrong_output_shape_raises():
    with pytest.raises(ValueError, match=r"returned shape \(3,\)"):
        plot_decision_boundary(lambda X: np.full(3, 0.5), SQUARE, SQUARE_LABELS)


def test_boundary_written_as_png(tmp_path):
    path = tmp_path / "sub" / "boundary.png"
    plot_decision_boundary(diagonal_probability, SQUARE, SQUARE_LABELS, path, resolution=30)
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert path.stat().st_size > 1000


# ---- save_training_plots and the backend ----------------------------------------------------


def test_training_plots_written_into_out_dir(tmp_path):
    X, y = data.make_xor()
    net = nn.MLP([2, 4, 1], seed=0)
    history = fit(net, X, y, epochs=5, lr=0.5, progress=False)
    out_dir = tmp_path / "out" / "xor"
    paths = save_training_plots(history, net, X, y, out_dir, "xor", "de", name="XOR")
    assert paths == [out_dir / "xor_loss.png", out_dir / "xor_decision_boundary.png"]
    for path in paths:
        assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert sorted(p.name for p in out_dir.iterdir()) == ["xor_decision_boundary.png", "xor_loss.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("prefix", ["../xor", "a/b", "", ".."])
def test_training_plots_prefix_stays_inside(tmp_path, prefix):
    with pytest.raises(ValueError, match="prefix must be a plain file name"):
        save_training_plots([0.5], diagonal_probability, SQUARE, SQUARE_LABELS, tmp_path / "out", prefix)
    assert list(tmp_path.iterdir()) == []


def test_plots_need_no_display(tmp_path):
    # A GUI backend and no display: the plots still render, because pyplot is never imported.
    script = (
        "import sys\n"
        "from tinygrad_edu.viz import plot_loss\n"
        f"plot_loss([0.5, 0.4], {str(tmp_path / 'loss.png')!r})\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    environment = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
    environment["MPLBACKEND"] = "TkAgg"
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parents[1]) + os.pathsep + environment.get("PYTHONPATH", "")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
    assert (tmp_path / "loss.png").read_bytes()[:8] == PNG_SIGNATURE
