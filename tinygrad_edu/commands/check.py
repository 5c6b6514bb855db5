"""`tinygrad-edu check [FILE]`: judge a hand-derived worked example against autodiff, step by step."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tinygrad_edu.i18n import text
from tinygrad_edu.worked.checker import Row, Verdict
from tinygrad_edu.worked.example import WorkedExample

# check only reads its input, so the command line does not create the output folder for it.
WRITES_FILES = False

HELP = {
    "en": "check a hand-derived forward and backward pass (default: the course's worked example) against autodiff",
    "de": "eine von Hand gerechnete Vorwärts- und Rückwärtsrechnung (Standard: das Rechenbeispiel der Übung) "
    "mit Autodiff prüfen",
}

TEXT = {
    "en": {
        "file": "worked example as .toml or .json (default: the course's example, section 1.2)",
        "explain": "also write out the chain rule of the backward pass with numbers (Markdown)",
        "latex": "write the chain-rule steps as LaTeX instead of Markdown (implies --explain)",
        "quantity": "quantity",
        "formula": "formula",
        "claimed": "claimed",
        "computed": "computed",
        "recomputed": "from claims",
        "verdict": "verdict",
        "correct": "correct",
        "correct within rounding": "correct within rounding",
        "follows from an earlier wrong value": "follows from an earlier wrong value",
        "wrong": "WRONG",
        "not claimed": "not claimed",
        "from": "  from {names}",
        "rounding_slip": "  rounding slip",
        "agrees": "  (rounds to the computed value)",
        "legend": "computed: by autodiff from the file's inputs. from claims: the formula applied to the "
        "author's own earlier claimed values.",
        "title": "Worked example: {title}",
        "no_slip": "All {count} claims hold.",
        "slips": "{count} slip(s) found: {names}.",
        "slip_direct": "  {name}: claimed {claimed}; {formula} gives {computed}.",
        "wrong_entries": "    wrong entries: {entries}",
        "wrong_entry": "{name}{index} claimed {claimed}, expected {expected}",
        "slip_chain": "  {name}: claimed {claimed}; from the claimed {sources} the formula gives {recomputed}; "
        "the true value is {computed}.",
        "followers": "{count} later claim(s) are right given an earlier wrong value: {names}.",
        "rounding": "  {name}: {claimed} holds only through the rounding of {sources}: "
        "the formula gives {recomputed} from the claimed values.",
        "rounding_title": "Rounding slips (counted as holding):",
        "unclaimed": "Not claimed (computed above): {names}.",
        "invalid": "Invalid worked example {source}: key '{name}': {problem}; expected {expected}.",
        "missing": "File not found: {path}",
        "directory": "{path} is a folder, not a worked-example file; name a .toml or .json file",
    },
    "de": {
        "file": "Rechenbeispiel als .toml oder .json (Standard: das Beispiel der Übung, Abschnitt 1.2)",
        "explain": "zusätzlich die Kettenregel des Rückwärtsdurchlaufs mit Zahlen ausschreiben (Markdown)",
        "latex": "die Schritte der Kettenregel als LaTeX statt Markdown schreiben (schließt --explain ein)",
        "quantity": "Größe",
        "formula": "Formel",
        "claimed": "angegeben",
        "computed": "berechnet",
        "recomputed": "aus Angaben",
        "verdict": "Urteil",
        "correct": "richtig",
        "correct within rounding": "richtig bis auf Rundung",
        "follows from an earlier wrong value": "folgt aus früherem falschem Wert",
        "wrong": "FALSCH",
        "not claimed": "nicht angegeben",
        "from": "  aus {names}",
        "rounding_slip": "  Rundungsfehler",
        "agrees": "  (gerundet gleich dem berechneten Wert)",
        "legend": "berechnet: per Autodiff aus den Eingaben der Datei. aus Angaben: die Formel, angewandt "
        "auf die früheren Angaben des Autors.",
        "title": "Rechenbeispiel: {title}",
        "no_slip": "Alle {count} Angaben stimmen.",
        "slips": "{count} Fehler gefunden: {names}.",
        "slip_direct": "  {name}: angegeben {claimed}; {formula} ergibt {computed}.",
        "wrong_entries": "    falsche Einträge: {entries}",
        "wrong_entry": "{name}{index} angegeben {claimed}, erwartet {expected}",
        "slip_chain": "  {name}: angegeben {claimed}; aus den angegebenen {sources} ergibt die Formel {recomputed}; "
        "richtig ist {computed}.",
        "followers": "{count} spätere Angabe(n) stimmen, ausgehend von einem früheren falschen Wert: {names}.",
        "rounding": "  {name}: {claimed} stimmt nur dank der Rundung von {sources}; "
        "aus den Angaben ergibt die Formel {recomputed}.",
        "rounding_title": "Rundungsfehler (als richtig gezählt):",
        "unclaimed": "Nicht angegeben (oben berechnet): {names}.",
        "invalid": "Ungültiges Rechenbeispiel {source}: Schlüssel '{name}': {problem}; erwartet: {expected}.",
        "missing": "Datei nicht gefunden: {path}",
        "directory": "{path} ist ein Ordner, keine Datei mit einem Rechenbeispiel; eine .toml- oder .json-Datei angeben",
    },
}


def add_arguments(parser: argparse.ArgumentParser, lang: str) -> None:
    """Add the options of `tinygrad-edu check`."""
    parser.add_argument("file", nargs="?", type=Path, default=None, metavar="FILE", help=text(TEXT, lang, "file"))
    parser.add_argument("--explain", action="store_true", help=text(TEXT, lang, "explain"))
    parser.add_argument("--latex", action="store_true", help=text(TEXT, lang, "latex"))


def _lines(values: np.ndarray | None) -> list[str]:
    """Write a value as lines: one number per line for a vector, one row per line for a matrix."""
    if values is None:
        return ["-"]
    array = np.asarray(values, dtype=np.float64)
    if array.ndim <= 1:
        return [f"{v:.4f}" for v in array.ravel()]
    return ["(" + ", ".join(f"{v:.4f}" for v in row) + ")" for row in array]


def _claimed_lines(row: Row) -> list[str]:
    """Write the claimed numbers as written, laid out like `_lines`."""
    if row.claimed is None:
        return ["-"]
    numbers = list(row.claimed_numbers)
    if row.claimed_values.ndim <= 1:
        return numbers
    width = row.claimed_values.shape[1]
    return ["(" + ", ".join(numbers[start : start + width]) + ")" for start in range(0, len(numbers), width)]


def _short(values: np.ndarray) -> str:
    array = np.asarray(values, dtype=np.float64)
    if array.size == 1:
        return f"{array.item():.4f}"
    if array.ndim == 1:
        return "(" + ", ".join(f"{v:.4f}" for v in array) + ")"
    return "(" + ", ".join("(" + ", ".join(f"{v:.4f}" for v in r) + ")" for r in array) + ")"


def format_table(rows: Sequence[Row], lang: str) -> str:
    """Return the check table: quantity, formula, claimed, computed, from claims, verdict.

    The formula column shows the right-hand side; the quantity column names the left.

    Vectors take one line per number and matrices one line per row, so the columns
    stay narrow. The claimed numbers keep the digits the author wrote.
    """
    strings = TEXT.get(lang, TEXT["en"])
    header = [strings[key] for key in ("quantity", "formula", "claimed", "computed", "recomputed", "verdict")]
    blocks = []
    for row in rows:
        verdict = [strings[row.verdict.value]]
        if row.follows_from:
            verdict.append(strings["from"].format(names=", ".join(row.follows_from)))
        if row.rounding_slip:
            verdict.append(strings["rounding_slip"])
        if row.verdict is Verdict.FOLLOWS and row.agrees_with_computed:
            verdict.append(strings["agrees"])
        columns = [
            [row.quantity],
            [row.formula.split(" = ", 1)[-1]],
            _claimed_lines(row),
            _lines(row.computed),
            _lines(row.recomputed),
            verdict,
        ]
        height = max(len(column) for column in columns)
        blocks.append([column + [""] * (height - len(column)) for column in columns])

    widths = [len(title) for title in header]
    for block in blocks:
        for index, column in enumerate(block):
            widths[index] = max(widths[index], *(len(cell) for cell in column))

    def render(cells: Sequence[str]) -> str:
        parts = []
        for index, cell in enumerate(cells):
            # Numbers right-aligned so the decimal points line up.
            parts.append(cell.rjust(widths[index]) if index in (2, 3, 4) else cell.ljust(widths[index]))
        return "  ".join(parts).rstrip()

    lines = [render(header), "  ".join("-" * width for width in widths)]
    for block in blocks:
        for line in zip(*block):
            lines.append(render(line))
    lines += ["", strings["legend"]]
    return "\n".join(lines)


def _wrong_entries(row: Row, strings: dict[str, str]) -> str | None:
    """Name the wrong entries of a vector or matrix claim in which only some numbers are wrong."""
    verdicts = row.number_verdicts
    wrong = [i for i, verdict in enumerate(verdicts) if verdict is Verdict.WRONG]
    if len(verdicts) < 2 or not wrong or len(wrong) == len(verdicts):
        return None
    # The expected value is the one the formula gives from the author's own claims,
    # the same value the verdict compared against.
    expected = np.asarray(row.recomputed if row.depends_on else row.computed, dtype=np.float64)
    entries = []
    for i in wrong:
        index = np.unravel_index(i, expected.shape) if expected.ndim else ()
        entries.append(
            strings["wrong_entry"].format(
                name=row.quantity,
                index="[" + ", ".join(str(int(k) + 1) for k in index) + "]",
                claimed=row.claimed_numbers[i],
                expected=f"{expected.reshape(-1)[i]:.4f}",
            )
        )
    return strings["wrong_entries"].format(entries="; ".join(entries))


def _describe_slip(row: Row, strings: dict[str, str]) -> str:
    """Say what a wrong claim should have been: from its inputs, and if they are claims, also in truth."""
    entries = _wrong_entries(row, strings)
    text_line = _describe_whole_slip(row, strings)
    return text_line if entries is None else text_line + "\n" + entries


def _describe_whole_slip(row: Row, strings: dict[str, str]) -> str:
    if row.depends_on:
        return strings["slip_chain"].format(
            name=row.quantity,
            claimed=row.claimed,
            sources=", ".join(row.depends_on),
            recomputed=_short(row.recomputed),
            computed=_short(row.computed),
        )
    return strings["slip_direct"].format(
        name=row.quantity,
        claimed=row.claimed,
        formula=row.formula.split(" = ", 1)[-1],
        computed=_short(row.computed),
    )


def format_summary(rows: Sequence[Row], lang: str) -> str:
    """Return a few lines naming the slips, what follows from them, and the rounding slips."""
    strings = TEXT.get(lang, TEXT["en"])
    claimed = [row for row in rows if row.claimed is not None]
    wrong = [row for row in claimed if row.verdict is Verdict.WRONG]
    lines = []

    if wrong:
        lines.append(strings["slips"].format(count=len(wrong), names=", ".join(row.quantity for row in wrong)))
        lines += [_describe_slip(row, strings) for row in wrong]
    else:
        lines.append(strings["no_slip"].format(count=len(claimed)))

    followers = [row.quantity for row in claimed if row.verdict is Verdict.FOLLOWS]
    if followers:
        lines.append(strings["followers"].format(count=len(followers), names=", ".join(followers)))

    rounding_slips = [row for row in claimed if row.rounding_slip]
    if rounding_slips:
        lines.append(strings["rounding_title"])
    for row in rounding_slips:
        lines.append(
            strings["rounding"].format(
                name=row.quantity,
                claimed=row.claimed,
                sources=", ".join(row.depends_on),
                recomputed=_short(row.recomputed),
            )
        )

    unclaimed = [row.quantity for row in rows if row.claimed is None]
    if unclaimed:
        lines.append(strings["unclaimed"].format(names=", ".join(unclaimed)))
    return "\n".join(lines)


def load_example(path: Path | None, lang: str) -> WorkedExample | None:
    """Load a worked-example file (None: the course's), or print why it cannot be used and return None."""
    from tinygrad_edu import worked_example

    try:
        return worked_example.load(path)
    except worked_example.InvalidExampleError as error:
        print(
            text(
                TEXT,
                lang,
                "invalid",
                source=error.source or "",
                name=error.key,
                problem=error.problem_in(lang),
                expected=error.expected_in(lang),
            ),
            file=sys.stderr,
        )
    except FileNotFoundError:
        print(text(TEXT, lang, "missing", path=path), file=sys.stderr)
    except IsADirectoryError:
        print(text(TEXT, lang, "directory", path=path), file=sys.stderr)
    return None


def run(args: argparse.Namespace, lang: str) -> int:
    """Print the check table and summary; return 0 if every claim holds, 1 if any is wrong, 2 for a bad file."""
    from tinygrad_edu import worked_example

    example = load_example(getattr(args, "file", None), lang)
    if example is None:
        return 2

    rows = worked_example.check(example)
    if example.title:
        print(text(TEXT, lang, "title", title=example.title_in(lang)))
        print()
    print(format_table(rows, lang))
    print()
    print(format_summary(rows, lang))

    if getattr(args, "explain", False) or getattr(args, "latex", False):
        print()
        print(worked_example.explain(example, lang, fmt="latex" if getattr(args, "latex", False) else "markdown"))

    # A FOLLOWS row always has a WRONG row before it; both mean a claim is not right.
    any_wrong = any(row.verdict in (Verdict.WRONG, Verdict.FOLLOWS) for row in rows)
    return 1 if any_wrong else 0
