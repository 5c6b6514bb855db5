"""Subcommands of `tinygrad-edu`, one module each.

Each module has `HELP` (a one-line help text per language), `add_arguments(parser,
lang)` for its own options and `run(args, lang) -> int` returning the exit status.
"""

COMMANDS = ("demo", "train", "check", "graph", "experiments")
