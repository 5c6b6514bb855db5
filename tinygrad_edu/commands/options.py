"""Checked option types for the subcommands: a bad value fails at parse time, before any training.

argparse turns the ArgumentTypeError raised here into "error: argument --lr: ..."
on stderr and exit status 2, naming the option, so each message only gives the
value and the allowed range.
"""

from __future__ import annotations

import argparse
import math
from typing import Callable

from tinygrad_edu.i18n import text

TEXT = {
    "en": {
        "not_number": "{value!r} is not a number",
        "not_integer": "{value!r} is not a whole number",
        "positive": "{value} is invalid: give a finite number greater than 0",
        "at_least": "{value} is invalid: give a whole number of at least {minimum}",
        "fraction": "{value} is invalid: give a number from 0 up to, but not including, 1",
        "non_negative": "{value} is invalid: give a finite number of at least 0",
    },
    "de": {
        "not_number": "{value!r} ist keine Zahl",
        "not_integer": "{value!r} ist keine ganze Zahl",
        "positive": "{value} ist ungültig: eine endliche Zahl größer als 0 angeben",
        "at_least": "{value} ist ungültig: eine ganze Zahl von mindestens {minimum} angeben",
        "fraction": "{value} ist ungültig: eine Zahl von 0 bis ausschließlich 1 angeben",
        "non_negative": "{value} ist ungültig: eine endliche Zahl von mindestens 0 angeben",
    },
}


def _float(value: str, lang: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(text(TEXT, lang, "not_number", value=value)) from None


def positive_float(lang: str) -> Callable[[str], float]:
    """Return an argparse type for a finite float > 0, such as a learning rate."""

    def parse(value: str) -> float:
        number = _float(value, lang)
        if not math.isfinite(number) or number <= 0:
            raise argparse.ArgumentTypeError(text(TEXT, lang, "positive", value=value))
        return number

    return parse


def non_negative_float(lang: str) -> Callable[[str], float]:
    """Return an argparse type for a finite float >= 0, such as a weight decay or noise level."""

    def parse(value: str) -> float:
        number = _float(value, lang)
        if not math.isfinite(number) or number < 0:
            raise argparse.ArgumentTypeError(text(TEXT, lang, "non_negative", value=value))
        return number

    return parse


def fraction(lang: str) -> Callable[[str], float]:
    """Return an argparse type for a float in [0, 1), such as SGD's momentum."""

    def parse(value: str) -> float:
        number = _float(value, lang)
        if not 0 <= number < 1:
            raise argparse.ArgumentTypeError(text(TEXT, lang, "fraction", value=value))
        return number

    return parse


def int_at_least(minimum: int, lang: str) -> Callable[[str], int]:
    """Return an argparse type for a whole number >= `minimum`, such as epochs or a seed."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(text(TEXT, lang, "not_integer", value=value)) from None
        if number < minimum:
            raise argparse.ArgumentTypeError(text(TEXT, lang, "at_least", value=value, minimum=minimum))
        return number

    return parse
