"""The course's deeper questions as experiments: vanishing gradients, overfitting, schedules, and the command."""

from __future__ import annotations

import csv
import doctest
import json

import numpy as np
import pytest

from tinygrad_edu import cli, experiments, nn, reference
from tinygrad_edu.commands import experiments as command
from tinygrad_edu.experiments import ScheduleSetting

# ---- vanishing gradients --------------------------------------------------------------


@pytest.fixture(scope="module")
def deep_norms():
    # Ten seeds of the default network [2, 16 x 10, 1]: one backward pass each, fast.
    return experiments.vanishing_gradients(seeds=range(10))


def test_sigmoid_ratio_far_below_relu(deep_norms):
    sigmoid, relu = deep_norms["sigmoid"], deep_norms["relu"]

    # Measured over seeds 0-9: sigmoid at most 2.4e-5, ReLU+He at least 0.13.
    assert sigmoid.ratios.max() < 1e-4
    assert relu.ratios.min() > 1e-2
    assert sigmoid.ratios.max() * 1000 < relu.ratios.min()


def test_sigmoid_shrinks_every_layer(deep_norms):
    sigmoid = deep_norms["sigmoid"].mean_norms

    # Geometric decay towards the input: each layer's mean norm is below the one above it.
    assert np.all(sigmoid[:-1] < sigmoid[1:])
    assert deep_norms["sigmoid"].factor_per_layer < 0.5
    assert deep_norms["relu"].factor_per_layer > 0.7


def test_sigmoid_derivative_below_quarter(deep_norms):
    derivative = deep_norms["sigmoid"].mean_derivative

    # sigma'(z) = a (1 - a) <= 0.25 for every z, and near 0.25 at initialisation (z near 0).
    assert derivative.shape == (10,)
    assert np.all(derivative <= experiments.SIGMOID_DERIVATIVE_MAX)
    assert np.all(derivative > 0.15)


def test_relu_derivative_is_active_share(deep_norms):
    # ReLU's derivative is 1 on active units, so its mean is the share of active units.
    derivative = deep_norms["relu"].mean_derivative
    assert np.all((derivative > 0.2) & (derivative < 0.8))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_gradient_norms_match_reference(activation):
    X, y = experiments.load_spirals(60, seed=3)
    model = nn.MLP([2, 6, 5, 4, 1], activation=activation, init=experiments.ACTIVATION_INIT[activation], seed=1)

    norms, _ = experiments.layer_gradient_norms(model, X, y)

    # The course's hand-derived backward on the same weights gives the same gradients.
    hand = reference.ReferenceMLP.from_state_dict(model.state_dict(), activation=activation)
    grads = hand.gradients(X, y)
    expected = [np.linalg.norm(grads[f"dW{layer}"]) for layer in range(1, 5)]
    np.testing.assert_allclose(norms, expected, rtol=1e-10)


def test_vanishing_rejects_unknown_activation():
    with pytest.raises(ValueError, match="leaky"):
        experiments.vanishing_gradients(activations=("leaky",))


# ---- overfitting ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_run():
    # 40 training points and 300 epochs: the network memorises them within the run.
    return experiments.overfitting(n_train=40, n_val=200, lr=0.01, epochs=300, seed=0)


def test_validation_minimum_before_end(small_run):
    best = small_run.best_epoch
    final_val = small_run.val_loss[-1]
    min_val = min(small_run.val_loss)

    assert best < small_run.epochs
    assert final_val > min_val
    assert small_run.val_loss[best - 1] == min_val


def test_training_loss_keeps_falling(small_run):
    best = small_run.at(small_run.best_epoch)
    final = small_run.at(small_run.epochs)

    assert final["train_loss"] < best["train_loss"]
    assert final["train_accuracy"] == 1.0


def test_validation_curve_differs_from_training(small_run):
    # The course's demo copies the training loss into val_losses; here they are separate data.
    train_loss = np.array(small_run.train_loss)
    val_loss = np.array(small_run.val_loss)
    assert np.max(np.abs(train_loss - val_loss)) > 0.5


def test_overfitting_data_disjoint():
    X_train, X_val, y_train, y_val = experiments.overfitting_data(n_train=40, n_val=101, seed=2)

    assert X_train.shape == (40, 2)
    assert X_val.shape == (101, 2)
    assert y_val.shape == (101,)
    train_rows = {tuple(row) for row in X_train.round(12)}
    assert not any(tuple(row) in train_rows for row in X_val.round(12))
    # Standardised with the training statistics: mean 0 and std 1 on the training set only.
    np.testing.assert_allclose(X_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X_train.std(axis=0), 1.0, rtol=1e-12)


def test_label_noise_flips_share():
    _, _, clean_train, clean_val = experiments.overfitting_data(n_train=200, n_val=200, seed=5)
    _, _, noisy_train, noisy_val = experiments.overfitting_data(n_train=200, n_val=200, label_noise=0.2, seed=5)

    flipped = np.mean(np.concatenate([clean_train != noisy_train, clean_val != noisy_val]))
    assert 0.15 < flipped < 0.25


def test_weight_decay_raises_training_loss():
    plain = experiments.overfitting(n_train=40, n_val=40, epochs=50, seed=1)
    decayed = experiments.overfitting(n_train=40, n_val=40, epochs=50, seed=1, weight_decay=0.1)

    # lambda * W in each gradient pulls the network towards smaller, less confident outputs.
    assert decayed.train_loss[-1] > plain.train_loss[-1]
    assert decayed.weight_decay == 0.1


@pytest.mark.parametrize(
    ("val_loss", "patience", "expected"),
    [
        ([0.9, 0.7, 0.8, 0.85, 0.9, 0.6], 2, (4, 2)),
        ([0.9, 0.7, 0.8, 0.85, 0.9, 0.6], 5, (6, 6)),
        ([0.5, 0.4, 0.3], 1, (3, 3)),
        ([0.5, 0.5, 0.5], 2, (3, 1)),
    ],
)
def test_early_stopping_replay(val_loss, patience, expected):
    assert experiments.early_stopping(val_loss, patience) == expected


def test_early_stopping_rejects_zero_patience():
    with pytest.raises(ValueError, match="patience"):
        experiments.early_stopping([0.5], 0)


# ---- learning-rate schedule and clipping ----------------------------------------------


def test_schedule_follows_inverse_time():
    setting = ScheduleSetting("inverse_time", lr=0.8, alpha=0.3)
    (run,) = experiments.schedule_comparison([setting], epochs=12, window=5)

    expected = [0.8 / (1.0 + 0.3 * t) for t in range(12)]
    assert run.history.lr == expected
    assert run.summary()["final_lr"] == expected[-1]


def test_schedule_constant_keeps_rate():
    (run,) = experiments.schedule_comparison([ScheduleSetting("constant", lr=0.25)], epochs=6, window=3)
    assert run.history.lr == [0.25] * 6


def test_clipping_changes_only_clipped_run():
    settings = [
        ScheduleSetting("constant", lr=1.0),
        ScheduleSetting("clip_value", lr=1.0, clip_value=1e-3),
        ScheduleSetting("clip_norm", lr=1.0, clip_norm=1e-3),
    ]
    constant, by_value, by_norm = experiments.schedule_comparison(settings, epochs=5, window=5)

    # Same weights and batch order in all three runs, so only the tiny clips slow the descent.
    assert by_value.final_loss > constant.final_loss
    assert by_norm.final_loss > constant.final_loss


def test_fluctuation_is_window_std():
    (run,) = experiments.schedule_comparison([ScheduleSetting("constant", lr=0.5)], epochs=10, window=4)
    assert run.fluctuation == pytest.approx(np.std(run.history.loss[-4:]), rel=1e-12)
    assert run.min_loss == min(run.history.loss)


# ---- command --------------------------------------------------------------------------

QUICK = [
    "--depth", "3", "--grad-seeds", "2",
    "--train-size", "20", "--val-size", "40", "--overfit-epochs", "30", "--patience", "5",
    "--schedule-epochs", "4",
]


def test_cli_writes_files_into_out(tmp_path, capsys):
    out = tmp_path / "results"

    status = cli.main(["experiments", "all", "--out", str(out), "--lang", "en", *QUICK])

    assert status == 0
    names = {path.name for path in out.iterdir()}
    expected = {
        "vanishing_gradients.csv", "vanishing_gradients.png", "overfitting_history.csv", "overfitting.png",
        "schedule_history.csv", "schedule.png", "experiments_summary.json",
    }
    assert names == expected
    printed = capsys.readouterr().out
    assert "Vanishing gradients" in printed
    assert "ratio W(1)/W(4)" in printed
    for name in expected:
        assert name in printed


def test_cli_numbers_match_files(tmp_path, capsys):
    out = tmp_path / "results"
    cli.main(["experiments", "all", "--out", str(out), "--lang", "en", *QUICK])
    summary = json.loads((out / "experiments_summary.json").read_text())

    with (out / "vanishing_gradients.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["layer"] for row in rows] == ["W(1)", "W(2)", "W(3)", "W(4)"]
    csv_means = [float(row["sigmoid_mean"]) for row in rows]
    np.testing.assert_allclose(csv_means, summary["vanishing"]["sigmoid"]["mean_norms"], rtol=1e-12)

    with (out / "overfitting_history.csv").open() as handle:
        history = list(csv.DictReader(handle))
    assert len(history) == 30
    plain = summary["overfitting"]["runs"][0]
    assert float(history[-1]["val_loss"]) == pytest.approx(plain["final"]["val_loss"], rel=1e-12)
    assert "weight_decay_val_loss" in history[0]

    with (out / "schedule_history.csv").open() as handle:
        schedule = list(csv.DictReader(handle))
    lrs = [float(row["inverse_time_lr"]) for row in schedule]
    np.testing.assert_allclose(lrs, [1.0 / (1.0 + 0.02 * t) for t in range(4)], rtol=1e-15)
    printed = capsys.readouterr().out
    assert f"{plain['final']['val_loss']:.3f}" in printed


def test_cli_prints_german(tmp_path, capsys):
    out = tmp_path / "de"

    status = cli.main(["experiments", "vanishing", "--out", str(out), "--lang", "de", "--depth", "3", "--grad-seeds", "2"])

    assert status == 0
    printed = capsys.readouterr().out
    assert "Vanishing Gradients" in printed
    assert "Schicht" in printed
    assert "Faktor je Schicht" in printed
    assert "Geschriebene Dateien" in printed
    assert "layer" not in printed
    assert (out / "vanishing_gradients.csv").exists()
    assert not (out / "schedule_history.csv").exists()


@pytest.mark.parametrize(
    ("experiment", "option", "value", "expected"),
    [
        ("overfitting", "--train-size", "1", "argument --train-size: 1 is invalid: give a whole number of at least 4"),
        ("overfitting", "--weight-decay", "-1", "argument --weight-decay: -1 is invalid: give a finite number of at least 0"),
        ("vanishing", "--grad-seeds", "0", "argument --grad-seeds: 0 is invalid: give a whole number of at least 1"),
        ("schedule", "--schedule-epochs", "0", "argument --schedule-epochs: 0 is invalid: give a whole number of at least 1"),
        ("schedule", "--lr", "inf", "argument --lr: inf is invalid: give a finite number greater than 0"),
    ],
)
def test_cli_rejects_invalid_option(tmp_path, capsys, experiment, option, value, expected):
    arguments = ["experiments", experiment, "--out", str(tmp_path), "--lang", "en", option, value]

    with pytest.raises(SystemExit) as exit_info:
        cli.main(arguments)

    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert expected in captured.err
    assert captured.out == ""
    assert list(tmp_path.iterdir()) == []


def test_library_docstring_examples():
    result = doctest.testmod(experiments, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 3
    assert result.failed == 0


def test_text_keys_match_languages():
    assert set(command.TEXT["en"]) == set(command.TEXT["de"])
    assert set(command.HELP) == {"en", "de"}
