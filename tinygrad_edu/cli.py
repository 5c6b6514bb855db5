"""The `tinygrad-edu` command: the course's tasks as subcommands, in German or English."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Sequence

from tinygrad_edu.commands import COMMANDS
from tinygrad_edu.commands.options import int_at_least
from tinygrad_edu.i18n import LANGUAGES, detect_lang, text

TEXT = {
    "en": {
        "description": "tinygrad_edu: autograd on numpy for the course on multi-layer perceptrons and "
        "backpropagation. Each subcommand runs one of the course's tasks.",
        "usage": "usage: ",
        "commands": "subcommands",
        "options": "options",
        "positionals": "arguments",
        "help": "show this help and exit",
        "lang": "language of everything shown on screen and in pictures: de or en "
        "(default: from the locale, here {default})",
        "out": "folder for the files the command writes (default: ./tinygrad-edu-out); "
        "files of the same name in it are replaced",
        "seed": "seed of the random number generators, for reproducible runs (default: 0)",
        "version": "show the version and exit",
        "error": "error",
        "out_not_folder": "invalid --out {path}: it is a file, not a folder; name a folder for the output files",
        "out_failed": "cannot create the output folder {path}: {error}; name a folder you can write to with --out",
    },
    "de": {
        "description": "tinygrad_edu: Autograd auf numpy für die Übung zu Multi-Layer Perceptrons und "
        "Backpropagation. Jeder Unterbefehl führt eine Aufgabe der Übung aus.",
        "usage": "Aufruf: ",
        "commands": "Unterbefehle",
        "options": "Optionen",
        "positionals": "Argumente",
        "help": "diese Hilfe zeigen und beenden",
        "lang": "Sprache aller Ausgaben auf dem Bildschirm und in Bildern: de oder en "
        "(Standard: aus der Locale, hier {default})",
        "out": "Ordner für die Dateien, die der Befehl schreibt (Standard: ./tinygrad-edu-out); "
        "gleichnamige Dateien darin werden ersetzt",
        "seed": "Startwert der Zufallszahlengeneratoren, für wiederholbare Läufe (Standard: 0)",
        "version": "Version zeigen und beenden",
        "error": "Fehler",
        "out_not_folder": "ungültiges --out {path}: das ist eine Datei, kein Ordner; einen Ordner für die Ausgabedateien angeben",
        "out_failed": "Ausgabeordner {path} kann nicht angelegt werden: {error}; mit --out einen beschreibbaren Ordner angeben",
    },
}


def _formatter(lang: str) -> type[argparse.HelpFormatter]:
    class LocalizedFormatter(argparse.HelpFormatter):
        def add_usage(self, usage, actions, groups, prefix=None):
            # argparse passes prefix="" when it builds a subcommand's prog from this usage.
            if prefix is None:
                prefix = text(TEXT, lang, "usage")
            return super().add_usage(usage, actions, groups, prefix=prefix)

    return LocalizedFormatter


# argparse writes its own error fragments in English; these are their German forms.
# A fragment that a future Python words differently stays English, which is harmless.
_ARGPARSE_GERMAN = (
    ("the following arguments are required: ", "diese Argumente fehlen: "),
    ("unrecognized arguments: ", "unbekannte Argumente: "),
    ("invalid choice: ", "ungültige Auswahl: "),
    ("(choose from ", "(Auswahl: "),
    ("expected one argument", "erwartet einen Wert"),
    ("argument ", "Argument "),
)


def _parser_class(lang: str) -> type[argparse.ArgumentParser]:
    class LocalizedParser(argparse.ArgumentParser):
        def error(self, message: str):
            if lang == "de":
                for english, german in _ARGPARSE_GERMAN:
                    message = message.replace(english, german)
            self.print_usage(sys.stderr)
            self.exit(2, f"{self.prog}: {text(TEXT, lang, 'error')}: {message}\n")

    return LocalizedParser


def _localize(parser: argparse.ArgumentParser, lang: str) -> None:
    parser._positionals.title = text(TEXT, lang, "positionals")
    parser._optionals.title = text(TEXT, lang, "options")
    parser.add_argument("-h", "--help", action="help", help=text(TEXT, lang, "help"))


def _add_common_options(parser: argparse.ArgumentParser, lang: str, defaults: bool) -> None:
    # On subcommands the options default to SUPPRESS, so `tinygrad-edu --lang de demo`
    # keeps the value given before the subcommand.
    def default(value):
        return value if defaults else argparse.SUPPRESS

    parser.add_argument(
        "--lang", choices=LANGUAGES, default=default(lang), help=text(TEXT, lang, "lang", default=detect_lang())
    )
    parser.add_argument("--out", type=Path, default=default(Path("tinygrad-edu-out")), help=text(TEXT, lang, "out"))
    parser.add_argument("--seed", type=int_at_least(0, lang), default=default(0), help=text(TEXT, lang, "seed"))


def build_parser(lang: str) -> argparse.ArgumentParser:
    """Build the argument parser with every subcommand, its help in `lang`."""
    from tinygrad_edu import __version__

    formatter = _formatter(lang)
    parser = _parser_class(lang)(
        prog="tinygrad-edu",
        description=text(TEXT, lang, "description"),
        formatter_class=formatter,
        add_help=False,
    )
    _localize(parser, lang)
    parser.add_argument("--version", action="version", version=f"tinygrad-edu {__version__}", help=text(TEXT, lang, "version"))
    _add_common_options(parser, lang, defaults=True)

    subparsers = parser.add_subparsers(dest="command", title=text(TEXT, lang, "commands"), metavar="COMMAND")
    subparsers.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"tinygrad_edu.commands.{name}")
        help_text = module.HELP[lang]
        sub = subparsers.add_parser(name, help=help_text, description=help_text, formatter_class=formatter, add_help=False)
        _localize(sub, lang)
        module.add_arguments(sub, lang)
        _add_common_options(sub, lang, defaults=False)
    return parser


def _language_from_argv(argv: Sequence[str]) -> str:
    """Find --lang before the full parse, because the help texts depend on it."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGUAGES:
            return arg.split("=", 1)[1]
    return detect_lang()


def _prepare_output_folder(out: Path, lang: str) -> bool:
    """Create the output folder; print why and return False when that fails."""
    if out.exists() and not out.is_dir():
        print(text(TEXT, lang, "out_not_folder", path=out), file=sys.stderr)
        return False
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(text(TEXT, lang, "out_failed", path=out, error=error.strerror or error), file=sys.stderr)
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Run `tinygrad-edu` with `argv` (default: the process arguments); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _language_from_argv(argv)
    args = build_parser(lang).parse_args(argv)
    module = importlib.import_module(f"tinygrad_edu.commands.{args.command}")
    writes_files = getattr(module, "WRITES_FILES", True)
    created = writes_files and not args.out.exists()
    if writes_files and not _prepare_output_folder(args.out, args.lang):
        return 2
    try:
        status = int(module.run(args, args.lang) or 0)
        # A command that failed before writing anything leaves no empty folder behind.
        if created and status != 0 and not any(args.out.iterdir()):
            args.out.rmdir()
        return status
    except BrokenPipeError:
        # The reader (e.g. `| head`) closed the pipe: stop quietly, as Unix tools do.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
