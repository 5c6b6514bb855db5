"""`tinygrad-edu graph`: draw the worked example's computation graph with every value and gradient."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tinygrad_edu.commands.check import load_example
from tinygrad_edu.i18n import text

HELP = {
    "en": "draw the computation graph of the worked example with every z, a, y_hat, L and gradient (autodiff)",
    "de": "den Berechnungsgraphen des Rechenbeispiels mit allen z, a, y_hat, L und Gradienten (Autodiff) zeichnen",
}

TEXT = {
    "en": {
        "format": "file format of the picture: svg, png, pdf (need Graphviz's dot program) or dot "
        "(the graph description as text); default: svg",
        "no_values": "draw only names, shapes and ops, without values and gradients",
        "direction": "layout direction: TB (top to bottom, default) or LR (left to right)",
        "example": "worked example as .toml or .json (default: the course's example)",
        "title": "Worked example: values (black) and gradients ∂L/∂· (red) from autodiff",
        "title_plain": "Worked example: computation graph",
        "wrote": "Wrote {path}",
        "no_graphviz": "The Python package graphviz is missing: {error}",
        "out_dir": "Cannot create the output folder {path}: {error}",
    },
    "de": {
        "format": "Dateiformat des Bildes: svg, png, pdf (brauchen das Graphviz-Programm dot) oder dot "
        "(die Graphbeschreibung als Text); Standard: svg",
        "no_values": "nur Namen, Formen und Operationen zeichnen, ohne Werte und Gradienten",
        "direction": "Richtung des Layouts: TB (von oben nach unten, Standard) oder LR (von links nach rechts)",
        "example": "Rechenbeispiel als .toml oder .json (Standard: das Beispiel der Übung)",
        "title": "Rechenbeispiel: Werte (schwarz) und Gradienten ∂L/∂· (rot) aus Autodiff",
        "title_plain": "Rechenbeispiel: Berechnungsgraph",
        "wrote": "Geschrieben: {path}",
        "no_graphviz": "Das Python-Paket graphviz fehlt: {error}",
        "out_dir": "Der Ausgabeordner {path} kann nicht angelegt werden: {error}",
    },
}

FILE_STEM = "worked_example_graph"


def add_arguments(parser: argparse.ArgumentParser, lang: str) -> None:
    parser.add_argument("--format", choices=("svg", "png", "pdf", "dot"), default="svg", help=text(TEXT, lang, "format"))
    parser.add_argument("--no-values", action="store_true", help=text(TEXT, lang, "no_values"))
    parser.add_argument("--direction", choices=("TB", "LR"), default="TB", help=text(TEXT, lang, "direction"))
    parser.add_argument("--example", type=Path, default=None, metavar="FILE", help=text(TEXT, lang, "example"))


def run(args: argparse.Namespace, lang: str) -> int:
    """Write the graph picture into args.out; return 0, 1 when Graphviz is missing, 2 for bad input."""
    from tinygrad_edu import worked_example

    # The same loading and the same messages for a bad file as `tinygrad-edu check`.
    example = load_example(args.example, lang)
    if example is None:
        return 2
    tensors = worked_example.build_graph(example)

    try:
        from tinygrad_edu.viz import GraphvizNotFoundError, draw_graph, save_graph
    except ImportError as error:
        print(text(TEXT, lang, "no_graphviz", error=error), file=sys.stderr)
        return 1

    show_values = not args.no_values
    graph = draw_graph(
        tensors["L"],
        names=tensors,
        show_values=show_values,
        show_grads=show_values,
        lang=lang,
        rankdir=args.direction,
        title=text(TEXT, lang, "title" if show_values else "title_plain"),
    )

    out_dir = Path(args.out)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(text(TEXT, lang, "out_dir", path=out_dir, error=error), file=sys.stderr)
        return 2
    path = out_dir / f"{FILE_STEM}.{args.format}"
    try:
        save_graph(graph, path, lang=lang)
    except GraphvizNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print(text(TEXT, lang, "wrote", path=path))
    return 0
