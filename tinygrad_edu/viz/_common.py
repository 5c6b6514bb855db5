"""Helpers shared by the graph and plot modules: language check, optional imports, writing."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from types import ModuleType

from tinygrad_edu.files import write_atomic

LANGUAGES = ("en", "de")


def check_lang(function: str, lang: str) -> None:
    """Raise ValueError unless `lang` is one of the supported languages."""
    if lang not in LANGUAGES:
        raise ValueError(f"{function}: lang must be 'en' or 'de', got {lang!r}")


def import_optional(module_name: str, function: str) -> ModuleType:
    """Import an optional dependency of the `viz` extra, or raise ImportError with the install command."""
    try:
        return importlib.import_module(module_name)
    except ImportError as error:
        package = module_name.split(".")[0]
        raise ImportError(
            f"{function} needs the Python package {package!r}, which is not installed; "
            f"install it with `pip install {package}` or `pip install 'tinygrad-edu[viz]'`"
        ) from error


def output_format(function: str, path: str | os.PathLike, allowed: tuple[str, ...]) -> tuple[Path, str]:
    """Return the path as a Path and its file format, taken from the suffix."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in allowed:
        choices = ", ".join("." + name for name in allowed)
        raise ValueError(
            f"{function}: cannot tell the file format from {str(path)!r}; "
            f"give the path one of the suffixes {choices}"
        )
    return path, suffix


def write_file(path: Path, data: bytes | str) -> Path:
    """Write a whole file: readers see the old content or the new one, never a part."""
    return write_atomic(path, data)
