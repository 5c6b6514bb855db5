"""`tinygrad-edu demo`: the course's worked example, XOR and two spirals, end to end."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from tinygrad_edu.commands import training
from tinygrad_edu.commands.options import int_at_least
from tinygrad_edu.files import write_atomic
from tinygrad_edu.i18n import text

HELP = {
    "en": "run the course's tasks: the worked example checked by autodiff, XOR, and two spirals",
    "de": "die Aufgaben der Übung ausführen: Rechenbeispiel mit Autodiff geprüft, XOR und zwei Spiralen",
}

TEXT = {
    "en": {
        "title": "tinygrad_edu demo: the course's multi-layer perceptron tasks, computed with autodiff",
        "worked": "1. Worked example (exercise 1.2): every value and gradient from autodiff beside the course's number",
        "xor": "2. XOR: MLP {sizes}, {activation}, SGD lr {lr}, full batch, {epochs} epochs, seed {seed}",
        "xor_columns": "  x1  x2  target  y_hat",
        "xor_row": "  {x1:>2.0f}  {x2:>2.0f}  {target:>6.0f}  {y_hat:>5.3f}",
        "spirals": "3. Two spirals ({n} points, noise {noise}, standardised): MLP {sizes}, {activation}, "
        "batch {batch}, {epochs} epochs, seed {seed}",
        "spiral_columns": "  {setting:<28} {accuracy:>18} {loss:>12}",
        "setting": "setting",
        "accuracy": "training accuracy",
        "final_loss": "final loss",
        "course_setting": "course: lr {lr}",
        "fixed_setting": "learns: lr {lr}",
        "result": "  accuracy {accuracy:.3f}, final loss {loss:.4f}",
        "plateau": "  With the course's lr 0.01 the network stays on a plateau after {epochs} epochs; "
        "the same network with lr 0.1 learns the spirals.",
        "files": "Files written to {out}:",
        "no_plots": "  (no pictures: {reason})",
        "time": "Done in {seconds:.1f} s.",
        "xor_epochs": "epochs for XOR (default: 5000, the course's setting)",
        "spiral_epochs": "epochs for each spirals run (default: 2000, the course's setting)",
        "no_progress": "do not show progress bars",
    },
    "de": {
        "title": "tinygrad_edu demo: die Aufgaben der Übung zu Multi-Layer Perceptrons, mit Autodiff gerechnet",
        "worked": "1. Rechenbeispiel (Aufgabe 1.2): jeder Wert und Gradient aus Autodiff neben der Zahl der Übung",
        "xor": "2. XOR: MLP {sizes}, {activation}, SGD lr {lr}, Full-Batch, {epochs} Epochen, Seed {seed}",
        "xor_columns": "  x1  x2  Ziel  y_hat",
        "xor_row": "  {x1:>2.0f}  {x2:>2.0f}  {target:>4.0f}  {y_hat:>5.3f}",
        "spirals": "3. Zwei Spiralen ({n} Punkte, Rauschen {noise}, standardisiert): MLP {sizes}, {activation}, "
        "Batch {batch}, {epochs} Epochen, Seed {seed}",
        "spiral_columns": "  {setting:<28} {accuracy:>18} {loss:>12}",
        "setting": "Einstellung",
        "accuracy": "Trainingsgenauigkeit",
        "final_loss": "Endverlust",
        "course_setting": "Übung: lr {lr}",
        "fixed_setting": "lernt: lr {lr}",
        "result": "  Genauigkeit {accuracy:.3f}, Endverlust {loss:.4f}",
        "plateau": "  Mit der lr 0.01 der Übung bleibt das Netz nach {epochs} Epochen auf einem Plateau; "
        "dasselbe Netz lernt die Spiralen mit lr 0.1.",
        "files": "Geschriebene Dateien in {out}:",
        "no_plots": "  (keine Bilder: {reason})",
        "time": "Fertig in {seconds:.1f} s.",
        "xor_epochs": "Epochen für XOR (Standard: 5000, wie in der Übung)",
        "spiral_epochs": "Epochen je Spiralen-Lauf (Standard: 2000, wie in der Übung)",
        "no_progress": "keine Fortschrittsbalken zeigen",
    },
}

XOR_SIZES = [2, 4, 1]
SPIRAL_SIZES = [2, 16, 8, 1]
COURSE_SPIRAL_LR = 0.01
WORKING_SPIRAL_LR = 0.1


def add_arguments(parser: argparse.ArgumentParser, lang: str) -> None:
    parser.add_argument("--xor-epochs", type=int_at_least(1, lang), default=5000, help=text(TEXT, lang, "xor_epochs"))
    parser.add_argument("--spiral-epochs", type=int_at_least(1, lang), default=2000, help=text(TEXT, lang, "spiral_epochs"))
    parser.add_argument("--no-progress", action="store_true", help=text(TEXT, lang, "no_progress"))


def _print_worked_example(lang: str) -> None:
    from tinygrad_edu import worked_example
    from tinygrad_edu.commands.check import format_summary, format_table

    print(text(TEXT, lang, "worked"))
    rows = worked_example.check(worked_example.load())
    print(format_table(rows, lang))
    print()
    print(format_summary(rows, lang))
    print()


def _draw_worked_example(args: argparse.Namespace, lang: str, written: list[Path]) -> None:
    """Draw the worked example's graph with every value and gradient, as the graph command does."""
    from tinygrad_edu.commands import graph

    graph_args = argparse.Namespace(example=None, no_values=False, direction="TB", format="png", out=args.out)
    graph.run(graph_args, lang)
    # Without Graphviz's dot program the command still writes the DOT file and prints how to install dot.
    for suffix in ("png", "dot"):
        path = args.out / f"{graph.FILE_STEM}.{suffix}"
        if path.exists():
            written.append(path)
            break


def _run_xor(args: argparse.Namespace, lang: str, written: list[Path]) -> dict:
    print(text(TEXT, lang, "xor", sizes=XOR_SIZES, activation="sigmoid", lr=0.1, epochs=args.xor_epochs, seed=args.seed))
    run = training.train_task(
        "xor",
        XOR_SIZES,
        "sigmoid",
        lr=0.1,
        epochs=args.xor_epochs,
        batch_size=None,
        seed=args.seed,
        progress_label=None if args.no_progress else "XOR",
        lang=lang,
    )
    print(text(TEXT, lang, "xor_columns"))
    for x, target, y_hat in zip(run.X, run.y, run.probabilities):
        print(text(TEXT, lang, "xor_row", x1=x[0], x2=x[1], target=target, y_hat=y_hat))
    print(text(TEXT, lang, "result", accuracy=run.accuracy, loss=run.final_loss))
    _save(run, args, "xor", lang, written)
    print()
    return run.summary()


def _run_spirals(args: argparse.Namespace, lang: str, written: list[Path]) -> dict:
    print(
        text(
            TEXT, lang, "spirals", n=400, noise=0.3, sizes=SPIRAL_SIZES, activation="ReLU", batch=32,
            epochs=args.spiral_epochs, seed=args.seed,
        )
    )
    header = text(
        TEXT, lang, "spiral_columns",
        setting=text(TEXT, lang, "setting"), accuracy=text(TEXT, lang, "accuracy"), loss=text(TEXT, lang, "final_loss"),
    )
    results = {}
    lines = []
    for key, lr, label in (
        ("course", COURSE_SPIRAL_LR, text(TEXT, lang, "course_setting", lr=COURSE_SPIRAL_LR)),
        ("working", WORKING_SPIRAL_LR, text(TEXT, lang, "fixed_setting", lr=WORKING_SPIRAL_LR)),
    ):
        run = training.train_task(
            "spirals",
            SPIRAL_SIZES,
            "relu",
            lr=lr,
            epochs=args.spiral_epochs,
            batch_size=32,
            seed=args.seed,
            progress_label=None if args.no_progress else label,
            lang=lang,
        )
        lines.append(f"  {label:<28} {run.accuracy:>18.3f} {run.final_loss:>12.4f}")
        _save(run, args, f"spirals_lr{lr:g}", lang, written)
        results[key] = run.summary()

    print(header)
    print("\n".join(lines))
    # Say it only when this run shows it: short test runs learn neither setting.
    if results["course"]["accuracy"] < 0.8 <= 0.9 <= results["working"]["accuracy"]:
        print(text(TEXT, lang, "plateau", epochs=args.spiral_epochs))
    print()
    return results


def _save(run: training.Run, args: argparse.Namespace, prefix: str, lang: str, written: list[Path]) -> None:
    paths, missing = training.save_run(run, args.out, prefix, lang)
    written += paths
    if missing:
        print(text(TEXT, lang, "no_plots", reason=missing))


def run(args: argparse.Namespace, lang: str) -> int:
    started = time.perf_counter()
    written: list[Path] = []
    print(text(TEXT, lang, "title"))
    print()

    _print_worked_example(lang)
    _draw_worked_example(args, lang, written)
    print()
    summary = {"seed": args.seed, "xor": _run_xor(args, lang, written), "spirals": _run_spirals(args, lang, written)}

    summary_path = write_atomic(args.out / "demo_summary.json", json.dumps(summary, indent=2) + "\n")
    written.append(summary_path)
    print(text(TEXT, lang, "files", out=args.out))
    for path in written:
        print(f"  {path.name}")
    print(text(TEXT, lang, "time", seconds=time.perf_counter() - started))
    return 0
