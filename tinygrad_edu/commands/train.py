"""`tinygrad-edu train xor|spirals`: train an MLP on a course data set with chosen settings."""

from __future__ import annotations

import argparse
import json
import sys

from tinygrad_edu.commands import training
from tinygrad_edu.commands.options import fraction, int_at_least, positive_float
from tinygrad_edu.files import write_atomic
from tinygrad_edu.i18n import text

HELP = {
    "en": "train an MLP on XOR or two spirals with your own layer sizes, activation and learning rate",
    "de": "ein MLP auf XOR oder zwei Spiralen trainieren, mit eigenen Schichtgrößen, Aktivierung und Lernrate",
}

TEXT = {
    "en": {
        "task": "data set: xor (4 points) or spirals (400 points, noise 0.3, standardised)",
        "layers": "layer sizes n_0,...,n_L separated by commas, e.g. 2,16,8,1 "
        "(default: 2,4,1 for xor, 2,16,8,1 for spirals)",
        "activation": "activation of the hidden layers (default: sigmoid for xor, relu for spirals); "
        "the output is always a sigmoid",
        "lr": "learning rate eta (default: 0.1)",
        "epochs": "passes over the data (default: 5000 for xor, 2000 for spirals)",
        "batch_size": "samples per mini-batch; 0 for full batch (default: full batch for xor, 32 for spirals)",
        "optimizer": "optimizer: sgd (the course's update) or adam (default: sgd)",
        "momentum": "momentum of SGD (default: 0)",
        "init": "weight initialisation: lecun (variance 1/n_in, the course's default for sigmoid and tanh), "
        "glorot, he, or pytorch (default: he for relu, lecun otherwise)",
        "no_progress": "do not show a progress bar",
        "diverged": "training diverged: the loss became NaN or infinite with lr {lr}, so no plots were drawn; "
        "try a smaller --lr",
        "adam_momentum": "invalid --momentum {momentum} with --optimizer adam: momentum applies to SGD only "
        "(Adam's moment estimates play its part); leave --momentum out or use --optimizer sgd",
        "bad_layers": "invalid --layers {value!r}: give positive whole numbers separated by commas, "
        "starting with 2 (inputs) and ending with 1 (output), e.g. 2,16,8,1",
        "header": "{task}: MLP {sizes}, {activation}, {optimizer} lr {lr}, {batch}, {epochs} epochs, seed {seed}",
        "batch": "batch {size}",
        "full_batch": "full batch",
        "result": "training accuracy {accuracy:.3f}, final loss {loss:.4f}",
        "files": "Files written to {out}:",
        "no_plots": "(no pictures: {reason})",
    },
    "de": {
        "task": "Datensatz: xor (4 Punkte) oder spirals (400 Punkte, Rauschen 0.3, standardisiert)",
        "layers": "Schichtgrößen n_0,...,n_L durch Kommas getrennt, z. B. 2,16,8,1 "
        "(Standard: 2,4,1 für xor, 2,16,8,1 für spirals)",
        "activation": "Aktivierung der verdeckten Schichten (Standard: sigmoid für xor, relu für spirals); "
        "die Ausgabe ist immer ein Sigmoid",
        "lr": "Lernrate eta (Standard: 0.1)",
        "epochs": "Anzahl der Epochen, also der Durchläufe über die Daten (Standard: 5000 für xor, 2000 für spirals)",
        "batch_size": "Beispiele je Mini-Batch; 0 für Full-Batch (Standard: Full-Batch für xor, 32 für spirals)",
        "optimizer": "Optimierer: sgd (die Update-Regel der Übung) oder adam (Standard: sgd)",
        "momentum": "Momentum von SGD (Standard: 0)",
        "init": "Initialisierung der Gewichte: lecun (Varianz 1/n_in, Standard der Übung für Sigmoid und tanh), "
        "glorot, he oder pytorch (Standard: he für relu, sonst lecun)",
        "no_progress": "keinen Fortschrittsbalken zeigen",
        "diverged": "das Training ist divergiert: der Verlust wurde mit lr {lr} NaN oder unendlich, daher keine "
        "Bilder; eine kleinere --lr versuchen",
        "adam_momentum": "ungültiges --momentum {momentum} mit --optimizer adam: Momentum gilt nur für SGD "
        "(bei Adam übernehmen das die Momentenschätzungen); --momentum weglassen oder --optimizer sgd wählen",
        "bad_layers": "ungültiges --layers {value!r}: positive ganze Zahlen durch Kommas getrennt angeben, "
        "beginnend mit 2 (Eingaben) und endend mit 1 (Ausgabe), z. B. 2,16,8,1",
        "header": "{task}: MLP {sizes}, {activation}, {optimizer} lr {lr}, {batch}, {epochs} Epochen, Seed {seed}",
        "batch": "Batch {size}",
        "full_batch": "Full-Batch",
        "result": "Trainingsgenauigkeit {accuracy:.3f}, Endverlust {loss:.4f}",
        "files": "Geschriebene Dateien in {out}:",
        "no_plots": "(keine Bilder: {reason})",
    },
}

DEFAULTS = {
    "xor": {"layers": [2, 4, 1], "activation": "sigmoid", "epochs": 5000, "batch_size": None},
    "spirals": {"layers": [2, 16, 8, 1], "activation": "relu", "epochs": 2000, "batch_size": 32},
}


def add_arguments(parser: argparse.ArgumentParser, lang: str) -> None:
    parser.add_argument("task", choices=training.TASKS, help=text(TEXT, lang, "task"))
    parser.add_argument("--layers", help=text(TEXT, lang, "layers"))
    parser.add_argument("--activation", choices=("sigmoid", "relu", "tanh", "leaky_relu"), help=text(TEXT, lang, "activation"))
    parser.add_argument("--lr", type=positive_float(lang), default=0.1, help=text(TEXT, lang, "lr"))
    parser.add_argument("--epochs", type=int_at_least(1, lang), help=text(TEXT, lang, "epochs"))
    parser.add_argument("--batch-size", type=int_at_least(0, lang), help=text(TEXT, lang, "batch_size"))
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd", help=text(TEXT, lang, "optimizer"))
    parser.add_argument("--momentum", type=fraction(lang), default=0.0, help=text(TEXT, lang, "momentum"))
    parser.add_argument("--init", choices=("lecun", "glorot", "he", "pytorch"), help=text(TEXT, lang, "init"))
    parser.add_argument("--no-progress", action="store_true", help=text(TEXT, lang, "no_progress"))


def parse_layers(value: str) -> list[int]:
    """Parse "2,16,8,1" into [2, 16, 8, 1]; raise ValueError unless it fits the data (2 in, 1 out)."""
    sizes = [int(part) for part in value.replace(" ", "").split(",")]
    if len(sizes) < 2 or sizes[0] != 2 or sizes[-1] != 1 or min(sizes) < 1:
        raise ValueError(value)
    return sizes


def run(args: argparse.Namespace, lang: str) -> int:
    defaults = DEFAULTS[args.task]
    try:
        sizes = parse_layers(args.layers) if args.layers else defaults["layers"]
    except ValueError:
        print(text(TEXT, lang, "bad_layers", value=args.layers), file=sys.stderr)
        return 2
    if args.optimizer == "adam" and args.momentum:
        print(text(TEXT, lang, "adam_momentum", momentum=args.momentum), file=sys.stderr)
        return 2
    activation = args.activation or defaults["activation"]
    epochs = args.epochs if args.epochs is not None else defaults["epochs"]
    batch_size = defaults["batch_size"] if args.batch_size is None else (args.batch_size or None)

    task_names = {"xor": "XOR", "spirals": "Spiralen" if lang == "de" else "Spirals"}
    task_name = task_names[args.task]
    print(
        text(
            TEXT, lang, "header", task=task_name, sizes=sizes, activation=activation, optimizer={"sgd": "SGD", "adam": "Adam"}[args.optimizer],
            lr=args.lr, batch=text(TEXT, lang, "batch", size=batch_size) if batch_size else text(TEXT, lang, "full_batch"), epochs=epochs, seed=args.seed,
        )
    )
    run_result = training.train_task(
        args.task,
        sizes,
        activation,
        lr=args.lr,
        epochs=epochs,
        batch_size=batch_size,
        seed=args.seed,
        optimizer=args.optimizer,
        momentum=args.momentum,
        init=args.init,
        progress_label=None if args.no_progress else task_name,
        lang=lang,
    )
    print(text(TEXT, lang, "result", accuracy=run_result.accuracy, loss=run_result.final_loss))
    if run_result.diverged:
        print(text(TEXT, lang, "diverged", lr=args.lr), file=sys.stderr)

    prefix = f"train_{args.task}"
    written, missing = training.save_run(run_result, args.out, prefix, lang)
    written.append(write_atomic(args.out / f"{prefix}_summary.json", json.dumps(run_result.summary(), indent=2) + "\n"))
    if missing:
        print(text(TEXT, lang, "no_plots", reason=missing))
    print(text(TEXT, lang, "files", out=args.out))
    for path in written:
        print(f"  {path.name}")
    return 1 if run_result.diverged else 0
