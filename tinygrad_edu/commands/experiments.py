"""`tinygrad-edu experiments`: the course's deeper questions, measured: vanishing gradients,
overfitting with a real validation set, and learning-rate schedules with gradient clipping."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from tinygrad_edu import experiments
from tinygrad_edu.commands.options import int_at_least, non_negative_float, positive_float
from tinygrad_edu.experiments import ScheduleSetting
from tinygrad_edu.files import write_atomic
from tinygrad_edu.i18n import text

HELP = {
    "en": "reproduce the course's deeper questions: vanishing gradients, overfitting, learning-rate schedules",
    "de": "die vertiefenden Fragen der Übung nachrechnen: Vanishing Gradients, Overfitting, Lernratenpläne",
}

TEXT = {
    "en": {
        "experiment": "which experiment to run: vanishing, overfitting, schedule or all (default: all)",
        "depth": "vanishing: number of hidden layers (default: 10)",
        "width": "vanishing: units per hidden layer (default: 16)",
        "grad_seeds": "vanishing: number of weight seeds to average over (default: 5)",
        "train_size": "overfitting: training points (default: 120)",
        "val_size": "overfitting: validation points from the same distribution (default: 400)",
        "noise": "overfitting: standard deviation of the spirals' noise (default: 0.3)",
        "overfit_epochs": "overfitting: full-batch epochs (default: 2000)",
        "overfit_lr": "overfitting: learning rate of Adam (default: 0.005)",
        "weight_decay": "overfitting: weight decay lambda of a second run; 0 skips it (default: 0.001)",
        "patience": "overfitting: epochs without a new lowest validation loss before early stopping (default: 200)",
        "schedule_epochs": "schedule: epochs of each run (default: 300)",
        "small_lr": "schedule: the small constant learning rate (default: 0.1)",
        "lr": "schedule: the large learning rate eta_0, constant, decayed and clipped (default: 1.0)",
        "alpha": "schedule: alpha of eta_t = eta_0 / (1 + alpha t), t in epochs (default: 0.02)",
        "clip_value": "schedule: theta of the element-wise clipping clip(grad, -theta, theta) (default: 0.1)",
        "clip_norm": "schedule: largest global L2 norm of the gradients (default: 1.0)",
        "title": "tinygrad_edu experiments: the course's deeper questions, measured with autodiff",
        "vanishing": "1. Vanishing gradients: MLP {sizes} at initialisation, BCE on the spirals ({n} points), "
        "||dL/dW(l)|| averaged over {seeds} seeds",
        "layer": "layer",
        "ratio": "ratio W(1)/W({last})",
        "factor": "factor per layer",
        "derivative": "mean f'(z) hidden",
        "bound": "  The course's bound: sigma'(z) <= 0.25, so over {steps} layers the sigmoid factors give at most "
        "0.25^{steps} = {bound:.1e}.",
        "vanishing_shown": "  With sigmoid the gradient shrinks by a factor of {factor:.2f} per layer towards the input "
        "(W(1) gets {ratio:.1e} of the gradient norm of W({last})); with ReLU and He initialisation the factor "
        "is {relu_factor:.2f}.",
        "vanishing_not_shown": "  In this run the sigmoid gradient does not shrink clearly faster than the ReLU gradient "
        "(factors {factor:.2f} and {relu_factor:.2f} per layer); use more hidden layers (--depth).",
        "overfitting": "2. Overfitting: MLP {sizes}, {activation}, Adam lr {lr}, full batch, {epochs} epochs; "
        "spirals (noise {noise}) with {n_train} training and {n_val} separate validation points, seed {seed}",
        "course_demo": "  The course's demo takes val_losses from the training data, so its two curves are one "
        "and cannot show overfitting; here the validation points are not trained on.",
        "run_columns": "  {run:<34} {epoch:>6} {train_loss:>11} {val_loss:>9} {train_acc:>10} {val_acc:>8}",
        "run": "run",
        "epoch": "epoch",
        "train_loss": "train loss",
        "val_loss": "val loss",
        "train_acc": "train acc",
        "val_acc": "val acc",
        "plain": "no regularisation",
        "decay": "weight decay {weight_decay:g}",
        "best": "{run}: min val loss",
        "final": "{run}: end",
        "early": "early stopping (patience {patience})",
        "early_line": "  Early stopping with patience {patience} stops at epoch {stop} and keeps the weights of epoch {kept}.",
        "early_shown": "  Early stopping keeps a validation loss of {kept_val:.3f} instead of {final_val:.3f} at the end, "
        "after {stop} of {epochs} epochs.",
        "overfit_shown": "  After epoch {best} the validation loss rises from {best_val:.3f} to {final_val:.3f} while the "
        "training loss falls from {best_train:.4f} to {final_train:.4f}: the network fits the noise of its "
        "{n_train} training points.",
        "overfit_not_shown": "  In this run the validation loss does not rise clearly after its minimum at epoch {best} "
        "({best_val:.3f}, end {final_val:.3f}); train longer (--overfit-epochs) or on fewer points (--train-size).",
        "decay_shown": "  With weight decay {weight_decay:g} the validation loss at the end is {decay_val:.3f} instead of "
        "{plain_val:.3f}.",
        "decay_not_shown": "  Weight decay {weight_decay:g} does not lower the final validation loss in this run "
        "({decay_val:.3f} against {plain_val:.3f}).",
        "schedule": "3. Learning-rate schedule and gradient clipping: MLP {sizes}, ReLU, SGD, batch {batch}, "
        "{epochs} epochs, spirals ({n} points), seed {seed}",
        "schedule_columns": "  {setting:<36} {final:>10} {minimum:>9} {fluctuation:>12} {accuracy:>9} {final_lr:>9}",
        "setting": "setting",
        "final_loss": "final loss",
        "min_loss": "min loss",
        "fluctuation": "fluctuation",
        "accuracy": "accuracy",
        "final_lr": "final lr",
        "constant": "constant lr {lr:g}",
        "inverse_time": "eta_0/(1+alpha t): lr {lr:g}, alpha {alpha:g}",
        "clipped_value": "lr {lr:g}, clip value {clip:g}",
        "clipped_norm": "lr {lr:g}, clip norm {clip:g}",
        "fluctuation_note": "  fluctuation: standard deviation of the loss over the last {window} epochs.",
        "schedule_shown": "  The schedule starts at lr {lr:g} as the constant run does and ends at loss {scheduled:.4f} "
        "instead of {constant:.4f}, with fluctuation {scheduled_fluct:.4f} instead of {constant_fluct:.4f}.",
        "schedule_not_shown": "  In this run the schedule does not end below the constant lr {lr:g} "
        "({scheduled:.4f} against {constant:.4f}).",
        "small_shown": "  The small constant lr {lr:g} is still at loss {loss:.4f} after {epochs} epochs.",
        "clip_shown": "  {setting} ends at loss {clipped:.4f} instead of {constant:.4f} without clipping.",
        "invalid": "invalid option: {error}",
        "files": "Files written to {out}:",
        "no_plots": "  (no pictures: {reason})",
        "time": "Done in {seconds:.1f} s.",
        "plot_layer": "layer l",
        "plot_norm": "||dL/dW(l)||",
        "plot_seeds": "single seeds",
        "plot_mean": "mean",
        "plot_bound": "0.25^(L-l) from W(L)",
        "plot_vanishing_title": "Gradient norm per layer at initialisation",
        "plot_epoch": "epoch",
        "plot_loss": "loss",
        "plot_accuracy": "accuracy",
        "plot_lr": "learning rate",
        "plot_train": "training",
        "plot_val": "validation",
        "plot_min": "min val loss (epoch {epoch})",
        "plot_overfit_title": "Overfitting: loss on training and validation data",
        "plot_schedule_title": "Constant lr, eta_0/(1+alpha t) and clipping",
    },
    "de": {
        "experiment": "welches Experiment: vanishing, overfitting, schedule oder all (Standard: all)",
        "depth": "vanishing: Anzahl verdeckter Schichten (Standard: 10)",
        "width": "vanishing: Neuronen je verdeckter Schicht (Standard: 16)",
        "grad_seeds": "vanishing: Anzahl Seeds der Gewichte, über die gemittelt wird (Standard: 5)",
        "train_size": "overfitting: Trainingspunkte (Standard: 120)",
        "val_size": "overfitting: Validierungspunkte aus derselben Verteilung (Standard: 400)",
        "noise": "overfitting: Standardabweichung des Rauschens der Spiralen (Standard: 0.3)",
        "overfit_epochs": "overfitting: Full-Batch-Epochen (Standard: 2000)",
        "overfit_lr": "overfitting: Lernrate von Adam (Standard: 0.005)",
        "weight_decay": "overfitting: Weight Decay lambda eines zweiten Laufs; 0 lässt ihn weg (Standard: 0.001)",
        "patience": "overfitting: Epochen ohne neuen kleinsten Validierungsverlust bis Early Stopping (Standard: 200)",
        "schedule_epochs": "schedule: Epochen je Lauf (Standard: 300)",
        "small_lr": "schedule: die kleine konstante Lernrate (Standard: 0.1)",
        "lr": "schedule: die große Lernrate eta_0, konstant, abklingend und mit Clipping (Standard: 1.0)",
        "alpha": "schedule: alpha in eta_t = eta_0 / (1 + alpha t), t in Epochen (Standard: 0.02)",
        "clip_value": "schedule: theta des elementweisen Clippings clip(grad, -theta, theta) (Standard: 0.1)",
        "clip_norm": "schedule: größte globale L2-Norm der Gradienten (Standard: 1.0)",
        "title": "tinygrad_edu experiments: die vertiefenden Fragen der Übung, mit Autodiff gemessen",
        "vanishing": "1. Vanishing Gradients: MLP {sizes} bei der Initialisierung, BCE auf den Spiralen ({n} Punkte), "
        "||dL/dW(l)|| gemittelt über {seeds} Seeds",
        "layer": "Schicht",
        "ratio": "Verhältnis W(1)/W({last})",
        "factor": "Faktor je Schicht",
        "derivative": "mittleres f'(z) verdeckt",
        "bound": "  Schranke der Übung: sigma'(z) <= 0.25, also ergeben die Sigmoid-Faktoren über {steps} Schichten "
        "höchstens 0.25^{steps} = {bound:.1e}.",
        "vanishing_shown": "  Mit Sigmoid schrumpft der Gradient zur Eingabe hin um den Faktor {factor:.2f} je Schicht "
        "(W(1) erhält {ratio:.1e} der Gradientennorm von W({last})); mit ReLU und He-Initialisierung ist der "
        "Faktor {relu_factor:.2f}.",
        "vanishing_not_shown": "  In diesem Lauf schrumpft der Sigmoid-Gradient nicht deutlich schneller als der "
        "ReLU-Gradient (Faktoren {factor:.2f} und {relu_factor:.2f} je Schicht); mehr verdeckte Schichten "
        "wählen (--depth).",
        "overfitting": "2. Overfitting: MLP {sizes}, {activation}, Adam lr {lr}, Full-Batch, {epochs} Epochen; "
        "Spiralen (Rauschen {noise}) mit {n_train} Trainings- und {n_val} getrennten Validierungspunkten, Seed {seed}",
        "course_demo": "  Die Demo der Übung berechnet val_losses auf den Trainingsdaten, ihre beiden Kurven sind also "
        "identisch und können kein Overfitting zeigen; hier wird auf den Validierungspunkten nicht trainiert.",
        "run_columns": "  {run:<34} {epoch:>6} {train_loss:>11} {val_loss:>9} {train_acc:>10} {val_acc:>8}",
        "run": "Lauf",
        "epoch": "Epoche",
        "train_loss": "Train-Verl.",
        "val_loss": "Val-Verl.",
        "train_acc": "Train-Gen.",
        "val_acc": "Val-Gen.",
        "plain": "ohne Regularisierung",
        "decay": "Weight Decay {weight_decay:g}",
        "best": "{run}: min. Val-Verlust",
        "final": "{run}: Ende",
        "early": "Early Stopping (Geduld {patience})",
        "early_line": "  Early Stopping mit Geduld {patience} hält in Epoche {stop} an und behält die Gewichte aus "
        "Epoche {kept}.",
        "early_shown": "  Early Stopping behält einen Validierungsverlust von {kept_val:.3f} statt {final_val:.3f} am Ende, "
        "nach {stop} von {epochs} Epochen.",
        "overfit_shown": "  Nach Epoche {best} steigt der Validierungsverlust von {best_val:.3f} auf {final_val:.3f}, "
        "während der Trainingsverlust von {best_train:.4f} auf {final_train:.4f} fällt: das Netz lernt das "
        "Rauschen seiner {n_train} Trainingspunkte.",
        "overfit_not_shown": "  In diesem Lauf steigt der Validierungsverlust nach seinem Minimum in Epoche {best} nicht "
        "deutlich ({best_val:.3f}, Ende {final_val:.3f}); länger trainieren (--overfit-epochs) oder mit weniger "
        "Punkten (--train-size).",
        "decay_shown": "  Mit Weight Decay {weight_decay:g} ist der Validierungsverlust am Ende {decay_val:.3f} statt "
        "{plain_val:.3f}.",
        "decay_not_shown": "  Weight Decay {weight_decay:g} senkt den Validierungsverlust am Ende in diesem Lauf nicht "
        "({decay_val:.3f} gegen {plain_val:.3f}).",
        "schedule": "3. Lernratenplan und Gradient Clipping: MLP {sizes}, ReLU, SGD, Batch {batch}, "
        "{epochs} Epochen, Spiralen ({n} Punkte), Seed {seed}",
        "schedule_columns": "  {setting:<36} {final:>10} {minimum:>9} {fluctuation:>12} {accuracy:>9} {final_lr:>9}",
        "setting": "Einstellung",
        "final_loss": "Endverlust",
        "min_loss": "min. Verl.",
        "fluctuation": "Schwankung",
        "accuracy": "Genauigk.",
        "final_lr": "letzte lr",
        "constant": "konstante lr {lr:g}",
        "inverse_time": "eta_0/(1+alpha t): lr {lr:g}, alpha {alpha:g}",
        "clipped_value": "lr {lr:g}, Clipping nach Wert {clip:g}",
        "clipped_norm": "lr {lr:g}, Clipping nach Norm {clip:g}",
        "fluctuation_note": "  Schwankung: Standardabweichung des Verlusts über die letzten {window} Epochen.",
        "schedule_shown": "  Der Lernratenplan startet wie der konstante Lauf mit lr {lr:g} und endet bei Verlust "
        "{scheduled:.4f} statt {constant:.4f}, mit Schwankung {scheduled_fluct:.4f} statt {constant_fluct:.4f}.",
        "schedule_not_shown": "  In diesem Lauf endet der Lernratenplan nicht unter der konstanten lr {lr:g} "
        "({scheduled:.4f} gegen {constant:.4f}).",
        "small_shown": "  Die kleine konstante lr {lr:g} steht nach {epochs} Epochen noch bei Verlust {loss:.4f}.",
        "clip_shown": "  {setting} endet bei Verlust {clipped:.4f} statt {constant:.4f} ohne Clipping.",
        "invalid": "ungültige Option: {error}",
        "files": "Geschriebene Dateien in {out}:",
        "no_plots": "  (keine Bilder: {reason})",
        "time": "Fertig in {seconds:.1f} s.",
        "plot_layer": "Schicht l",
        "plot_norm": "||dL/dW(l)||",
        "plot_seeds": "einzelne Seeds",
        "plot_mean": "Mittel",
        "plot_bound": "0.25^(L-l) ab W(L)",
        "plot_vanishing_title": "Gradientennorm je Schicht bei der Initialisierung",
        "plot_epoch": "Epoche",
        "plot_loss": "Verlust",
        "plot_accuracy": "Genauigkeit",
        "plot_lr": "Lernrate",
        "plot_train": "Training",
        "plot_val": "Validierung",
        "plot_min": "min. Val-Verlust (Epoche {epoch})",
        "plot_overfit_title": "Overfitting: Verlust auf Trainings- und Validierungsdaten",
        "plot_schedule_title": "Konstante lr, eta_0/(1+alpha t) und Clipping",
    },
}

EXPERIMENTS = ("vanishing", "overfitting", "schedule")
ACTIVATION_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}
INIT_NAMES = {"lecun": "LeCun", "he": "He"}
OVERFIT_SIZES = [2, 50, 50, 1]
OVERFIT_ACTIVATION = "tanh"
SCHEDULE_SIZES = [2, 16, 8, 1]
SCHEDULE_BATCH = 32
SPIRAL_SAMPLES = 400

# A conclusion is printed only when the run's numbers show it by these margins.
VANISHING_SIGMOID_FACTOR = 0.5
VANISHING_RELU_FACTOR = 0.7
OVERFIT_RISE = 1.05


def add_arguments(parser: argparse.ArgumentParser, lang: str) -> None:
    def option(name: str, kind: Callable[[str], Any], default: Any, key: str) -> None:
        parser.add_argument(name, type=kind, default=default, help=text(TEXT, lang, key))

    parser.add_argument(
        "experiment", nargs="?", choices=EXPERIMENTS + ("all",), default="all", help=text(TEXT, lang, "experiment")
    )
    count = int_at_least(1, lang)
    positive = positive_float(lang)
    non_negative = non_negative_float(lang)
    option("--depth", count, 10, "depth")
    option("--width", count, 16, "width")
    option("--grad-seeds", count, 5, "grad_seeds")
    option("--train-size", int_at_least(4, lang), 120, "train_size")
    option("--val-size", int_at_least(2, lang), 400, "val_size")
    option("--noise", non_negative, 0.3, "noise")
    option("--overfit-epochs", count, 2000, "overfit_epochs")
    option("--overfit-lr", positive, 0.005, "overfit_lr")
    option("--weight-decay", non_negative, 1e-3, "weight_decay")
    option("--patience", count, 200, "patience")
    option("--schedule-epochs", count, 300, "schedule_epochs")
    option("--small-lr", positive, 0.1, "small_lr")
    option("--lr", positive, 1.0, "lr")
    option("--alpha", non_negative, 0.02, "alpha")
    option("--clip-value", positive, 0.1, "clip_value")
    option("--clip-norm", positive, 1.0, "clip_norm")


# ---- files ----------------------------------------------------------------------------


def _csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _write_json(path: Path, content: Any) -> Path:
    return write_atomic(path, json.dumps(content, indent=2) + "\n")


def _new_figure(columns: int, width: float = 5.0, height: float = 4.2) -> Any:
    """Return a matplotlib Figure with `columns` side-by-side axes; raise ImportError without matplotlib."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width * columns, height), layout="constrained")
    figure.subplots(1, columns, squeeze=False)
    return figure


def _save_plot(draw: Callable[[], Any], path: Path, lang: str, written: list[Path]) -> None:
    """Draw a figure and write it, or print why there is no picture (matplotlib missing)."""
    try:
        from tinygrad_edu import viz

        figure = draw()
        written.append(viz.save_figure(figure, path))
    except ImportError as error:
        print(text(TEXT, lang, "no_plots", reason=error))


# ---- vanishing gradients --------------------------------------------------------------


def _run_vanishing(args: argparse.Namespace, lang: str, written: list[Path]) -> dict[str, Any]:
    seeds = list(range(args.seed, args.seed + args.grad_seeds))
    results = experiments.vanishing_gradients(
        depth=args.depth, width=args.width, seeds=seeds, n_samples=SPIRAL_SAMPLES, data_seed=args.seed
    )
    sizes = next(iter(results.values())).layer_sizes
    layers = len(sizes) - 1
    size_text = f"[{sizes[0]}, {args.width} x {args.depth}, {sizes[-1]}]"
    print(text(TEXT, lang, "vanishing", sizes=size_text, n=SPIRAL_SAMPLES, seeds=len(seeds)))

    names = {key: f"{ACTIVATION_NAMES[key]}+{INIT_NAMES[r.init]}" for key, r in results.items()}
    print("  " + f"{text(TEXT, lang, 'layer'):<24}" + "".join(f"{names[key]:>15}" for key in results))
    for layer in range(layers):
        cells = "".join(f"{r.mean_norms[layer]:>15.2e}" for r in results.values())
        print(f"  {f'W({layer + 1})':<24}{cells}")
    print("  " + f"{text(TEXT, lang, 'ratio', last=layers):<24}" + "".join(f"{r.ratio:>15.2e}" for r in results.values()))
    print("  " + f"{text(TEXT, lang, 'factor'):<24}" + "".join(f"{r.factor_per_layer:>15.3f}" for r in results.values()))
    print(
        "  " + f"{text(TEXT, lang, 'derivative'):<24}"
        + "".join(f"{float(r.mean_derivative.mean()):>15.3f}" for r in results.values())
    )
    steps = layers - 1
    print(text(TEXT, lang, "bound", steps=steps, bound=experiments.geometric_bound(layers)))

    sigmoid, relu = results.get("sigmoid"), results.get("relu")
    if sigmoid is not None and relu is not None:
        shown = sigmoid.factor_per_layer <= VANISHING_SIGMOID_FACTOR and relu.factor_per_layer >= VANISHING_RELU_FACTOR
        key = "vanishing_shown" if shown else "vanishing_not_shown"
        print(
            text(TEXT, lang, key, factor=sigmoid.factor_per_layer, ratio=sigmoid.ratio, last=layers,
                 relu_factor=relu.factor_per_layer)
        )
    print()

    header = ["layer"]
    rows: list[list[Any]] = [[f"W({layer + 1})"] for layer in range(layers)]
    for key, r in results.items():
        header.append(f"{key}_mean")
        header += [f"{key}_seed{seed}" for seed in r.seeds]
        for layer in range(layers):
            rows[layer].append(r.mean_norms[layer])
            rows[layer] += list(r.norms[:, layer])
    written.append(write_atomic(args.out / "vanishing_gradients.csv", _csv_text(header, rows)))
    summary = {
        key: {
            "init": r.init,
            "layer_sizes": r.layer_sizes,
            "seeds": r.seeds,
            "mean_norms": r.mean_norms.tolist(),
            "ratio_first_last": r.ratio,
            "ratio_per_seed": r.ratios.tolist(),
            "factor_per_layer": r.factor_per_layer,
            "mean_derivative": r.mean_derivative.tolist(),
        }
        for key, r in results.items()
    }
    _save_plot(lambda: _plot_vanishing(results, names, lang), args.out / "vanishing_gradients.png", lang, written)
    return summary


def _plot_vanishing(results: dict[str, experiments.GradientNorms], names: dict[str, str], lang: str) -> Any:
    figure = _new_figure(len(results))
    for axes, (key, r) in zip(figure.axes, results.items()):
        layers = np.arange(1, r.norms.shape[1] + 1)
        for index, norms in enumerate(r.norms):
            # One legend entry stands for all seeds.
            label = text(TEXT, lang, "plot_seeds") if index == 0 else "_nolegend_"
            axes.plot(layers, norms, color="0.7", linewidth=0.8, label=label)
        axes.plot(layers, r.mean_norms, color="#b2182b", linewidth=2.2, marker="o", label=text(TEXT, lang, "plot_mean"))
        if key == "sigmoid":
            bound = r.mean_norms[-1] * experiments.SIGMOID_DERIVATIVE_MAX ** (layers[-1] - layers)
            axes.plot(layers, bound, color="black", linestyle="--", label=text(TEXT, lang, "plot_bound"))
        axes.set_yscale("log")
        axes.set_xticks(layers)
        axes.set_xlabel(text(TEXT, lang, "plot_layer"))
        axes.set_ylabel(text(TEXT, lang, "plot_norm"))
        axes.set_title(names[key])
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize="small")
    figure.suptitle(text(TEXT, lang, "plot_vanishing_title"))
    return figure


# ---- overfitting ----------------------------------------------------------------------


def _overfit_row(lang: str, label: str, measured: dict[str, float]) -> str:
    return (
        f"  {label:<34} {measured['epoch']:>6d} {measured['train_loss']:>11.4f} {measured['val_loss']:>9.3f} "
        f"{measured['train_accuracy']:>10.3f} {measured['val_accuracy']:>8.3f}"
    )


def _run_overfitting(args: argparse.Namespace, lang: str, written: list[Path]) -> dict[str, Any]:
    print(
        text(
            TEXT, lang, "overfitting", sizes=OVERFIT_SIZES, activation=OVERFIT_ACTIVATION, lr=args.overfit_lr,
            epochs=args.overfit_epochs, noise=args.noise, n_train=args.train_size, n_val=args.val_size, seed=args.seed,
        )
    )
    print(text(TEXT, lang, "course_demo"))
    common = dict(
        n_train=args.train_size, n_val=args.val_size, noise=args.noise, layer_sizes=OVERFIT_SIZES,
        activation=OVERFIT_ACTIVATION, optimizer="adam", lr=args.overfit_lr, epochs=args.overfit_epochs, seed=args.seed,
    )
    runs = [experiments.overfitting(label="plain", **common)]
    if args.weight_decay != 0:
        runs.append(experiments.overfitting(label="weight_decay", weight_decay=args.weight_decay, **common))
    plain = runs[0]

    print(
        text(
            TEXT, lang, "run_columns", run=text(TEXT, lang, "run"), epoch=text(TEXT, lang, "epoch"),
            train_loss=text(TEXT, lang, "train_loss"), val_loss=text(TEXT, lang, "val_loss"),
            train_acc=text(TEXT, lang, "train_acc"), val_acc=text(TEXT, lang, "val_acc"),
        )
    )
    labels = {"plain": text(TEXT, lang, "plain"), "weight_decay": text(TEXT, lang, "decay", weight_decay=args.weight_decay)}
    for run in runs:
        print(_overfit_row(lang, text(TEXT, lang, "best", run=labels[run.label]), run.at(run.best_epoch)))
        print(_overfit_row(lang, text(TEXT, lang, "final", run=labels[run.label]), run.at(run.epochs)))
    stop, kept = experiments.early_stopping(plain.val_loss, args.patience)
    print(_overfit_row(lang, text(TEXT, lang, "early", patience=args.patience), plain.at(kept)))
    print(text(TEXT, lang, "early_line", patience=args.patience, stop=stop, kept=kept))

    best, final = plain.at(plain.best_epoch), plain.at(plain.epochs)
    rose = plain.best_epoch < plain.epochs and final["val_loss"] > OVERFIT_RISE * best["val_loss"]
    fell = final["train_loss"] < best["train_loss"]
    values = dict(
        best=plain.best_epoch, best_val=best["val_loss"], final_val=final["val_loss"], best_train=best["train_loss"],
        final_train=final["train_loss"], n_train=plain.n_train,
    )
    print(text(TEXT, lang, "overfit_shown" if rose and fell else "overfit_not_shown", **values))
    kept_val = plain.val_loss[kept - 1]
    if kept_val < final["val_loss"]:
        print(text(TEXT, lang, "early_shown", kept_val=kept_val, final_val=final["val_loss"], stop=stop, epochs=plain.epochs))
    if len(runs) > 1:
        decay_val = runs[1].val_loss[-1]
        key = "decay_shown" if decay_val < final["val_loss"] else "decay_not_shown"
        print(text(TEXT, lang, key, weight_decay=args.weight_decay, decay_val=decay_val, plain_val=final["val_loss"]))
    print()

    header = ["epoch"]
    columns: list[list[float]] = []
    for run in runs:
        prefix = "" if run.label == "plain" else f"{run.label}_"
        header += [f"{prefix}train_loss", f"{prefix}val_loss", f"{prefix}train_accuracy", f"{prefix}val_accuracy"]
        columns += [run.train_loss, run.val_loss, run.train_accuracy, run.val_accuracy]
    rows = [[epoch + 1] + [column[epoch] for column in columns] for epoch in range(plain.epochs)]
    written.append(write_atomic(args.out / "overfitting_history.csv", _csv_text(header, rows)))
    _save_plot(lambda: _plot_overfitting(runs, labels, lang), args.out / "overfitting.png", lang, written)
    return {
        "runs": [run.summary() for run in runs],
        "early_stopping": {"patience": args.patience, "stop_epoch": stop, "kept_epoch": kept, **plain.at(kept)},
    }


def _plot_overfitting(runs: list[experiments.OverfittingRun], labels: dict[str, str], lang: str) -> Any:
    figure = _new_figure(2, width=6.0)
    loss_axes, accuracy_axes = figure.axes
    for run, style in zip(runs, ("-", "--")):
        epochs = np.arange(1, run.epochs + 1)
        name = labels[run.label]
        train_label = f"{text(TEXT, lang, 'plot_train')}, {name}"
        val_label = f"{text(TEXT, lang, 'plot_val')}, {name}"
        loss_axes.plot(epochs, run.train_loss, color="#2166ac", linestyle=style, label=train_label)
        loss_axes.plot(epochs, run.val_loss, color="#b2182b", linestyle=style, label=val_label)
        accuracy_axes.plot(epochs, run.train_accuracy, color="#2166ac", linestyle=style, label=train_label)
        accuracy_axes.plot(epochs, run.val_accuracy, color="#b2182b", linestyle=style, label=val_label)
    best = runs[0].best_epoch
    loss_axes.axvline(best, color="black", linestyle=":", label=text(TEXT, lang, "plot_min", epoch=best))
    loss_axes.set_yscale("log")
    loss_axes.set_ylabel(text(TEXT, lang, "plot_loss"))
    accuracy_axes.set_ylabel(text(TEXT, lang, "plot_accuracy"))
    for axes in (loss_axes, accuracy_axes):
        axes.set_xlabel(text(TEXT, lang, "plot_epoch"))
        axes.grid(True, alpha=0.3)
        axes.legend(fontsize="small")
    figure.suptitle(text(TEXT, lang, "plot_overfit_title"))
    return figure


# ---- learning-rate schedule and clipping ----------------------------------------------


def schedule_settings(args: argparse.Namespace) -> list[ScheduleSetting]:
    """Return the compared settings from the command's options."""
    return [
        ScheduleSetting("constant_small", lr=args.small_lr),
        ScheduleSetting("constant_large", lr=args.lr),
        ScheduleSetting("inverse_time", lr=args.lr, alpha=args.alpha),
        ScheduleSetting("clip_value", lr=args.lr, clip_value=args.clip_value),
        ScheduleSetting("clip_norm", lr=args.lr, clip_norm=args.clip_norm),
    ]


def _setting_label(setting: ScheduleSetting, lang: str) -> str:
    if setting.alpha is not None:
        return text(TEXT, lang, "inverse_time", lr=setting.lr, alpha=setting.alpha)
    if setting.clip_value is not None:
        return text(TEXT, lang, "clipped_value", lr=setting.lr, clip=setting.clip_value)
    if setting.clip_norm is not None:
        return text(TEXT, lang, "clipped_norm", lr=setting.lr, clip=setting.clip_norm)
    return text(TEXT, lang, "constant", lr=setting.lr)


def _run_schedule(args: argparse.Namespace, lang: str, written: list[Path]) -> dict[str, Any]:
    print(
        text(
            TEXT, lang, "schedule", sizes=SCHEDULE_SIZES, batch=SCHEDULE_BATCH, epochs=args.schedule_epochs,
            n=SPIRAL_SAMPLES, seed=args.seed,
        )
    )
    runs = experiments.schedule_comparison(
        schedule_settings(args), layer_sizes=SCHEDULE_SIZES, epochs=args.schedule_epochs, batch_size=SCHEDULE_BATCH,
        n_samples=SPIRAL_SAMPLES, seed=args.seed,
    )
    print(
        text(
            TEXT, lang, "schedule_columns", setting=text(TEXT, lang, "setting"), final=text(TEXT, lang, "final_loss"),
            minimum=text(TEXT, lang, "min_loss"), fluctuation=text(TEXT, lang, "fluctuation"),
            accuracy=text(TEXT, lang, "accuracy"), final_lr=text(TEXT, lang, "final_lr"),
        )
    )
    for run in runs:
        print(
            f"  {_setting_label(run.setting, lang):<36} {run.final_loss:>10.4f} {run.min_loss:>9.4f} "
            f"{run.fluctuation:>12.4f} {run.accuracy:>9.3f} {run.history.lr[-1]:>9.4f}"
        )
    print(text(TEXT, lang, "fluctuation_note", window=runs[0].window))
    _print_schedule_conclusions({run.setting.key: run for run in runs}, args, lang)
    print()

    header = ["epoch"]
    columns: list[list[float]] = []
    for run in runs:
        header += [f"{run.setting.key}_loss", f"{run.setting.key}_lr"]
        columns += [run.history.loss, run.history.lr]
    rows = [[epoch + 1] + [column[epoch] for column in columns] for epoch in range(args.schedule_epochs)]
    written.append(write_atomic(args.out / "schedule_history.csv", _csv_text(header, rows)))
    _save_plot(lambda: _plot_schedule(runs, lang), args.out / "schedule.png", lang, written)
    return {"runs": [run.summary() for run in runs]}


def _print_schedule_conclusions(runs: dict[str, experiments.ScheduleRun], args: argparse.Namespace, lang: str) -> None:
    constant, scheduled = runs["constant_large"], runs["inverse_time"]
    if scheduled.final_loss < constant.final_loss and scheduled.fluctuation < constant.fluctuation:
        print(
            text(
                TEXT, lang, "schedule_shown", lr=args.lr, scheduled=scheduled.final_loss, constant=constant.final_loss,
                scheduled_fluct=scheduled.fluctuation, constant_fluct=constant.fluctuation,
            )
        )
    elif scheduled.final_loss >= constant.final_loss:
        print(text(TEXT, lang, "schedule_not_shown", lr=args.lr, scheduled=scheduled.final_loss, constant=constant.final_loss))
    small = runs["constant_small"]
    if small.final_loss > scheduled.final_loss:
        print(text(TEXT, lang, "small_shown", lr=args.small_lr, loss=small.final_loss, epochs=args.schedule_epochs))
    for key in ("clip_value", "clip_norm"):
        if runs[key].final_loss < constant.final_loss:
            print(
                text(
                    TEXT, lang, "clip_shown", setting=_setting_label(runs[key].setting, lang),
                    clipped=runs[key].final_loss, constant=constant.final_loss,
                )
            )


def _plot_schedule(runs: list[experiments.ScheduleRun], lang: str) -> Any:
    figure = _new_figure(2, width=6.0)
    loss_axes, lr_axes = figure.axes
    for run in runs:
        epochs = np.arange(1, len(run.history.loss) + 1)
        label = _setting_label(run.setting, lang)
        loss_axes.plot(epochs, run.history.loss, linewidth=1.2, label=label)
        lr_axes.plot(epochs, run.history.lr, linewidth=1.5, label=label)
    loss_axes.set_yscale("log")
    loss_axes.set_ylabel(text(TEXT, lang, "plot_loss"))
    lr_axes.set_ylabel(text(TEXT, lang, "plot_lr"))
    for axes in (loss_axes, lr_axes):
        axes.set_xlabel(text(TEXT, lang, "plot_epoch"))
        axes.grid(True, alpha=0.3)
    loss_axes.legend(fontsize="small")
    figure.suptitle(text(TEXT, lang, "plot_schedule_title"))
    return figure


RUNNERS = {"vanishing": _run_vanishing, "overfitting": _run_overfitting, "schedule": _run_schedule}


def run(args: argparse.Namespace, lang: str) -> int:
    started = time.perf_counter()
    written: list[Path] = []
    print(text(TEXT, lang, "title"))
    print()

    selected = EXPERIMENTS if args.experiment == "all" else (args.experiment,)
    summary: dict[str, Any] = {"seed": args.seed}
    try:
        for name in selected:
            summary[name] = RUNNERS[name](args, lang, written)
    except ValueError as error:
        # Invalid option values (a too small --train-size, a negative --lr) reach the library's checks.
        print(text(TEXT, lang, "invalid", error=error), file=sys.stderr)
        return 2

    written.append(_write_json(args.out / "experiments_summary.json", summary))
    print(text(TEXT, lang, "files", out=args.out))
    for path in written:
        print(f"  {path.name}")
    print(text(TEXT, lang, "time", seconds=time.perf_counter() - started))
    return 0
