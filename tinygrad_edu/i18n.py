"""Language choice for everything the `tinygrad-edu` command shows: German or English."""

from __future__ import annotations

import os
from typing import Mapping

LANGUAGES = ("de", "en")


def detect_lang(environ: Mapping[str, str] | None = None) -> str:
    """Return "de" when the locale is German, else "en".

    The variables are read in the order gettext uses: LANGUAGE, LC_ALL,
    LC_MESSAGES, LANG; the first one that is set decides.
    """
    environ = os.environ if environ is None else environ
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            return "de" if value.lower().startswith("de") else "en"
    return "en"


def text(table: Mapping[str, Mapping[str, str]], lang: str, message: str, /, **values: object) -> str:
    """Return the string `message` of `table[lang]`, formatted with `values`.

    The first three parameters are positional-only, so a message may have a
    placeholder named like them (e.g. {key} for the key of an invalid file).
    A message missing in German falls back to English, so a new message never
    crashes the command. The tests check that both languages have the same keys.
    """
    strings = table.get(lang) or table["en"]
    template = strings.get(message, table["en"][message])
    return template.format(**values) if values else template
