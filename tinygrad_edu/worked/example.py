"""Read and validate worked-example files (TOML or JSON).

A worked example is one sample pushed through a small MLP by hand: the network,
the input x and target y, the weights and biases, and any subset of the values the
author claims for each step. Claimed numbers keep the text the author wrote, because
the number of digits written decides how much rounding the checker allows.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "Claim",
    "InvalidExampleError",
    "WorkedExample",
    "canonical_quantity",
    "claim_keys",
    "load",
    "loads",
    "from_dict",
    "rounding_unit",
]

ACTIVATIONS = ("sigmoid", "relu", "tanh")
LOSSES = ("bce", "mse")
COURSE_EXAMPLE = "course.toml"

_TOP_LEVEL_KEYS = ("title", "network", "data", "parameters", "claims")


class Text(NamedTuple):
    """A message part in English and German, so the command can show either."""

    en: str
    de: str

    def __add__(self, other: object) -> Text:  # type: ignore[override]
        if not isinstance(other, Text):
            return NotImplemented
        return Text(self.en + other.en, self.de + other.de)

    def __str__(self) -> str:
        return self.en


class InvalidExampleError(ValueError):
    """A worked-example file that cannot be checked: a missing key, a wrong shape or a non-number.

    The exception's own message is English; `problem_in` and `expected_in` give the parts in German too.

    Attributes:
        key: the offending key as written in the file, e.g. "W(2)" or "network.loss".
        problem: what is wrong, e.g. "found shape (2, 2)".
        expected: what the key should contain, e.g. "numbers in shape (2, 3)".
        source: the file name, if known.
    """

    def __init__(self, key: str, problem: Text | str, expected: Text | str, source: str | None = None):
        self.key = key
        self._problem = problem if isinstance(problem, Text) else Text(problem, problem)
        self._expected = expected if isinstance(expected, Text) else Text(expected, expected)
        self.problem = self._problem.en
        self.expected = self._expected.en
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}invalid worked example at key '{key}': {self.problem}; expected {self.expected}")

    def problem_in(self, lang: str) -> str:
        """Return what is wrong, in "en" or "de"."""
        return self._problem.de if lang == "de" else self._problem.en

    def expected_in(self, lang: str) -> str:
        """Return what the key should contain, in "en" or "de"."""
        return self._expected.de if lang == "de" else self._expected.en


@dataclass(frozen=True)
class Claim:
    """One claimed quantity as the author wrote it.

    Attributes:
        key: the key as written in the file, e.g. "dL/dz(3)".
        quantity: the canonical quantity name, e.g. "delta(3)".
        values: the claimed numbers in the quantity's canonical shape.
        units: for each number, the place value of its last written digit (0.001 for "0.530").
        text: the numbers as written, e.g. "(0.545, 0.530, 0.535)".
        numbers: each number as written, in row-major order of the canonical shape.
    """

    key: str
    quantity: str
    values: np.ndarray
    units: np.ndarray
    text: str
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkedExample:
    """A one-sample MLP computation with the author's claimed values.

    Attributes:
        layer_sizes: (n_0, n_1, ..., n_L).
        activations: one activation name per layer 1..L.
        loss: "bce" (mean binary cross-entropy over the outputs) or "mse" (mean squared error).
        x: the input, shape (n_0,).
        y: the target, shape (n_L,).
        weights: W(1), ..., W(L), each (n_l, n_{l-1}).
        biases: b(1), ..., b(L), each (n_l,).
        claims: canonical quantity name -> Claim.
        title: a free-text title (the English one when the file gives several).
        titles: the title by language code, e.g. {"en": ..., "de": ...}.
        source: the file it was read from, if any.
    """

    layer_sizes: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    x: np.ndarray
    y: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    claims: dict[str, Claim] = field(default_factory=dict)
    title: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    source: str | None = None

    @property
    def num_layers(self) -> int:
        return len(self.layer_sizes) - 1

    def title_in(self, lang: str) -> str:
        """Return the title in `lang` if the file gives one, else the default title."""
        return self.titles.get(lang, self.title)


# ---- quantity names ---------------------------------------------------------------------


def quantity_shape(quantity: str, layer_sizes: tuple[int, ...]) -> tuple[int, ...]:
    """Return the canonical shape of a canonical quantity name, e.g. "dL/dW(2)" -> (n_2, n_1)."""
    num_layers = len(layer_sizes) - 1
    if quantity == "L":
        return ()
    if quantity in ("y_hat", "dL/dy_hat"):
        return (layer_sizes[num_layers],)
    kind, layer = _split_layer(quantity)
    if kind == "dL/dW":
        return (layer_sizes[layer], layer_sizes[layer - 1])
    return (layer_sizes[layer],)


def claim_keys(layer_sizes: tuple[int, ...]) -> list[str]:
    """Return every canonical quantity name of a network, in the order forward then backward."""
    num_layers = len(layer_sizes) - 1
    names = []
    for layer in range(1, num_layers + 1):
        names.append(f"z({layer})")
        names.append("y_hat" if layer == num_layers else f"a({layer})")
    names += ["L", "dL/dy_hat"]
    for layer in range(num_layers, 0, -1):
        if layer < num_layers:
            names.append(f"dL/da({layer})")
        names += [f"delta({layer})", f"dL/dW({layer})", f"dL/db({layer})"]
    return names


_LAYER_KEY = re.compile(r"^(z|a|delta|dL/dz|dL/da|dL/dW|dL/dw|dL/db|W|w|b)\((\d+)\)$")


def _split_layer(name: str) -> tuple[str, int]:
    match = _LAYER_KEY.match(name)
    if not match:
        raise KeyError(name)
    return match.group(1), int(match.group(2))


def canonical_quantity(key: str, layer_sizes: tuple[int, ...]) -> str | None:
    """Map a claim key as written to its canonical name, or None if it names no quantity.

    Aliases: "dL/dz(l)" is "delta(l)", "a(L)" is "y_hat", "dL/da(L)" is "dL/dy_hat",
    "loss" is "L", and "dL/dw(l)" is "dL/dW(l)".

    Example:
        >>> canonical_quantity("dL/dz(3)", (2, 3, 2, 1))
        'delta(3)'
    """
    num_layers = len(layer_sizes) - 1
    key = key.strip()
    if key in ("L", "loss"):
        return "L"
    if key in ("y_hat", "dL/dy_hat"):
        return key
    try:
        kind, layer = _split_layer(key)
    except KeyError:
        return None
    if not 1 <= layer <= num_layers or kind in ("W", "w", "b"):
        return None
    if kind == "dL/dz":
        kind = "delta"
    if kind == "dL/dw":
        kind = "dL/dW"
    if layer == num_layers and kind == "a":
        return "y_hat"
    if layer == num_layers and kind == "dL/da":
        return "dL/dy_hat"
    return f"{kind}({layer})"


# ---- numbers as written -----------------------------------------------------------------


def rounding_unit(text: str) -> float:
    """Return the place value of the last written digit of a number: 0.001 for "0.530", 1 for "12".

    Example:
        >>> rounding_unit("0.60"), rounding_unit("-0.402"), rounding_unit("1.5e-3")
        (0.01, 0.001, 0.0001)
    """
    exponent = Decimal(text).as_tuple().exponent
    return float(Decimal(1).scaleb(exponent))


def _number(value: Any, key: str, expected: Text, source: str | None) -> Decimal:
    if isinstance(value, bool):
        found = str(value).lower()
        problem = Text(f"found the boolean {found}", f"gefunden: der Wahrheitswert {found}")
        raise InvalidExampleError(key, problem, expected, source)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # Reached only for dicts built in Python; files are parsed with Decimal floats.
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidExampleError(
                key, Text(f"{value!r} is not a number", f"{value!r} ist keine Zahl"), expected, source
            ) from None
    else:
        kind = type(value).__name__
        problem = Text(f"found {kind} {value!r}, not a number", f"gefunden: {kind} {value!r}, keine Zahl")
        raise InvalidExampleError(key, problem, expected, source)
    if not number.is_finite():
        raise InvalidExampleError(
            key, Text(f"{value!r} is not a finite number", f"{value!r} ist keine endliche Zahl"), expected, source
        )
    return number


def _nested_shape(value: Any, key: str, expected: Text, source: str | None) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    if not value:
        raise InvalidExampleError(key, Text("found an empty list", "gefunden: eine leere Liste"), expected, source)
    inner = [_nested_shape(item, key, expected, source) for item in value]
    if any(shape != inner[0] for shape in inner):
        raise InvalidExampleError(
            key, Text("the rows have different lengths", "die Zeilen sind verschieden lang"), expected, source
        )
    return (len(value),) + inner[0]


def _flatten(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [item for part in value for item in _flatten(part)]
    return [value]


def _text(value: Any, numbers: list[Decimal]) -> str:
    """Write a nested list of numbers as "(a, b)" / "((a, b), (c, d))", keeping the written digits."""
    iterator = iter(numbers)
    if isinstance(value, list) and len(numbers) == 1 and not isinstance(value[0], list):
        return str(numbers[0])

    def render(part: Any) -> str:
        if isinstance(part, list):
            return "(" + ", ".join(render(item) for item in part) + ")"
        return str(next(iterator))

    return render(value)


def _accepted_shapes(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    # A row vector (1, n) may be written as the flat list the course writes for w(3),
    # and a one-element vector as a plain number.
    squeezed = tuple(d for d in shape if d != 1)
    shapes = [shape, squeezed]
    if shape == ():
        shapes.append((1,))
    return shapes


def _shape_text(shape: tuple[int, ...]) -> Text:
    if shape == ():
        return Text("a single number", "eine einzelne Zahl")
    if len(shape) == 1:
        return Text(f"a list of {shape[0]} numbers", f"eine Liste von {shape[0]} Zahlen")
    dims = ", ".join(map(str, shape))
    return Text(f"numbers in shape ({dims})", f"Zahlen in der Form ({dims})")


def _array(
    value: Any, key: str, shape: tuple[int, ...], source: str | None, note: Text = Text("", "")
) -> tuple[np.ndarray, list[Decimal], Any]:
    expected = _shape_text(shape) + note
    given_shape = _nested_shape(value, key, expected, source)
    numbers = [_number(item, key, expected, source) for item in _flatten(value)]
    if given_shape not in _accepted_shapes(shape):
        found = Text(f"found shape {given_shape}", f"gefunden: Form {given_shape}")
        raise InvalidExampleError(key, found, expected, source)
    array = np.array([float(number) for number in numbers], dtype=np.float64).reshape(shape)
    return array, numbers, value


# ---- parsing ----------------------------------------------------------------------------


def _found(value: Any) -> Text:
    return Text(f"found {value!r}", f"gefunden: {value!r}")


def _found_type(value: Any) -> Text:
    kind = type(value).__name__
    return Text(f"found {kind}", f"gefunden: {kind}")


def _unknown_key() -> Text:
    return Text("unknown key", "unbekannter Schlüssel")


def _table(data: dict[str, Any], key: str, source: str | None) -> dict[str, Any]:
    expected = Text(f"a [{key}] table", f"eine Tabelle [{key}]")
    if key not in data:
        raise InvalidExampleError(key, Text("the table is missing", "die Tabelle fehlt"), expected, source)
    value = data[key]
    if not isinstance(value, dict):
        raise InvalidExampleError(key, _found_type(value), expected, source)
    return value


def _require(table: dict[str, Any], key: str, full_key: str, expected: Text, source: str | None) -> Any:
    if key not in table:
        raise InvalidExampleError(full_key, Text("the key is missing", "der Schlüssel fehlt"), expected, source)
    return table[key]


def _parse_network(data: dict[str, Any], source: str | None) -> tuple[tuple[int, ...], tuple[str, ...], str]:
    network = _table(data, "network", source)
    for key in network:
        if key not in ("layer_sizes", "activations", "activation", "loss"):
            expected = Text("only layer_sizes, activations and loss", "nur layer_sizes, activations und loss")
            raise InvalidExampleError(f"network.{key}", _unknown_key(), expected, source)

    sizes_expected = Text(
        "a list of at least two positive integers, input size first, e.g. [2, 3, 2, 1]",
        "eine Liste von mindestens zwei positiven ganzen Zahlen, Eingabegröße zuerst, z. B. [2, 3, 2, 1]",
    )
    sizes = _require(network, "layer_sizes", "network.layer_sizes", sizes_expected, source)
    if not isinstance(sizes, list) or len(sizes) < 2:
        raise InvalidExampleError("network.layer_sizes", _found(sizes), sizes_expected, source)
    layer_sizes = []
    for size in sizes:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidExampleError("network.layer_sizes", _found(size), sizes_expected, source)
        layer_sizes.append(size)
    num_layers = len(layer_sizes) - 1

    key = "activations" if "activations" in network else "activation"
    activations_expected = Text(
        f"one of {list(ACTIVATIONS)}, or a list of {num_layers} of them (one per layer)",
        f"einer der Werte {list(ACTIVATIONS)} oder eine Liste von {num_layers} solchen Werten (einer je Schicht)",
    )
    activations = _require(network, key, "network.activations", activations_expected, source)
    if isinstance(activations, str):
        activations = [activations] * num_layers
    if not isinstance(activations, list) or len(activations) != num_layers:
        raise InvalidExampleError(f"network.{key}", _found(activations), activations_expected, source)
    for name in activations:
        if name not in ACTIVATIONS:
            unknown = Text(f"unknown activation {name!r}", f"unbekannte Aktivierung {name!r}")
            raise InvalidExampleError(f"network.{key}", unknown, activations_expected, source)

    loss_expected = Text(f"one of {list(LOSSES)}", f"einer der Werte {list(LOSSES)}")
    loss = _require(network, "loss", "network.loss", loss_expected, source)
    if loss not in LOSSES:
        unknown = Text(f"unknown loss {loss!r}", f"unbekannte Verlustfunktion {loss!r}")
        raise InvalidExampleError("network.loss", unknown, loss_expected, source)
    if loss == "bce" and activations[-1] != "sigmoid":
        # BCE needs y_hat in (0, 1): tanh and ReLU outputs can leave it, and log(y_hat) fails.
        raise InvalidExampleError(
            f"network.{key}",
            Text(
                f"the output layer uses {activations[-1]!r} but the bce loss needs probabilities",
                f"die Ausgabeschicht verwendet {activations[-1]!r}, aber der bce-Verlust braucht Wahrscheinlichkeiten",
            ),
            Text(
                "'sigmoid' as the last activation for the bce loss (or the mse loss)",
                "'sigmoid' als letzte Aktivierung für den bce-Verlust (oder den mse-Verlust)",
            ),
            source,
        )
    return tuple(layer_sizes), tuple(activations), loss


def _parse_parameters(
    data: dict[str, Any], layer_sizes: tuple[int, ...], source: str | None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    parameters = _table(data, "parameters", source)
    num_layers = len(layer_sizes) - 1
    weights, biases = [], []
    for layer in range(1, num_layers + 1):
        shape = (layer_sizes[layer], layer_sizes[layer - 1])
        # The course writes a one-unit output layer's weights as the vector w(L).
        key = f"w({layer})" if f"w({layer})" in parameters else f"W({layer})"
        if f"w({layer})" in parameters and f"W({layer})" in parameters:
            both = Text(f"both W({layer}) and w({layer}) are given", f"W({layer}) und w({layer}) sind beide angegeben")
            raise InvalidExampleError(key, both, Text("one of them", "nur einer von beiden"), source)
        note = Text(
            f" (rows: the {shape[0]} units of layer {layer}, columns: the {shape[1]} inputs)",
            f" (Zeilen: die {shape[0]} Neuronen der Schicht {layer}, Spalten: die {shape[1]} Eingaben)",
        )
        value = _require(parameters, key, f"W({layer})", _shape_text(shape) + note, source)
        weights.append(_array(value, key, shape, source, note)[0])

        key = f"b({layer})"
        value = _require(parameters, key, key, _shape_text((layer_sizes[layer],)), source)
        biases.append(_array(value, key, (layer_sizes[layer],), source)[0])

    known = {f"{name}({layer})" for layer in range(1, num_layers + 1) for name in ("W", "w", "b")}
    for key in parameters:
        if key not in known:
            expected = Text(f"W(l) and b(l) for l = 1..{num_layers}", f"W(l) und b(l) für l = 1..{num_layers}")
            raise InvalidExampleError(f"parameters.{key}", _unknown_key(), expected, source)
    return weights, biases


def _parse_claims(data: dict[str, Any], layer_sizes: tuple[int, ...], source: str | None) -> dict[str, Claim]:
    claims: dict[str, Claim] = {}
    raw_claims = data.get("claims", {})
    if not isinstance(raw_claims, dict):
        expected = Text("a [claims] table", "eine Tabelle [claims]")
        raise InvalidExampleError("claims", _found_type(raw_claims), expected, source)
    for key, value in raw_claims.items():
        quantity = canonical_quantity(key, layer_sizes)
        if quantity is None:
            allowed = ", ".join(claim_keys(layer_sizes))
            unknown = Text("unknown quantity", "unbekannte Größe")
            expected = Text(f"one of {allowed}", f"eine der Größen {allowed}")
            raise InvalidExampleError(f"claims.{key}", unknown, expected, source)
        if quantity in claims:
            other = claims[quantity].key
            raise InvalidExampleError(
                f"claims.{key}",
                Text(
                    f"'{key}' and '{other}' name the same quantity",
                    f"'{key}' und '{other}' bezeichnen dieselbe Größe",
                ),
                Text("each quantity claimed once", "jede Größe nur einmal angegeben"),
                source,
            )
        shape = quantity_shape(quantity, layer_sizes)
        values, numbers, written = _array(value, key, shape, source)
        units = np.array([rounding_unit(str(number)) for number in numbers]).reshape(shape)
        claims[quantity] = Claim(
            key, quantity, values, units, _text(written, numbers), tuple(str(number) for number in numbers)
        )
    return claims


def _parse_title(value: Any, source: str | None) -> tuple[str, dict[str, str]]:
    expected = Text(
        'a string, or a table of strings by language such as { en = "...", de = "..." }',
        'ein String oder eine Tabelle von Strings je Sprache wie { en = "...", de = "..." }',
    )
    if isinstance(value, str):
        return value, {}
    if not isinstance(value, dict) or not value or not all(isinstance(text, str) for text in value.values()):
        raise InvalidExampleError("title", _found(value), expected, source)
    titles = dict(value)
    return titles.get("en", next(iter(titles.values()))), titles


def from_dict(data: dict[str, Any], source: str | None = None) -> WorkedExample:
    """Validate a parsed worked example and build a `WorkedExample`.

    Numbers may be ints, Decimals, floats or numeric strings. Give Decimals or strings
    to keep trailing zeros such as "0.60", which decide the allowed rounding.

    Raises:
        InvalidExampleError: naming the key and the expected shape.
    """
    if not isinstance(data, dict):
        expected = Text("a table of tables", "eine Tabelle von Tabellen")
        raise InvalidExampleError("(top level)", _found_type(data), expected, source)
    for key in data:
        if key not in _TOP_LEVEL_KEYS:
            expected = Text(f"only {list(_TOP_LEVEL_KEYS)}", f"nur {list(_TOP_LEVEL_KEYS)}")
            problem = Text("unknown top-level key", "unbekannter Schlüssel oberster Ebene")
            raise InvalidExampleError(key, problem, expected, source)

    layer_sizes, activations, loss = _parse_network(data, source)

    sample = _table(data, "data", source)
    for key in sample:
        if key not in ("x", "y"):
            raise InvalidExampleError(f"data.{key}", _unknown_key(), Text("only x and y", "nur x und y"), source)
    x_value = _require(sample, "x", "data.x", _shape_text((layer_sizes[0],)), source)
    x, _, _ = _array(x_value, "data.x", (layer_sizes[0],), source)
    y_value = _require(sample, "y", "data.y", _shape_text((layer_sizes[-1],)), source)
    y, _, _ = _array(y_value, "data.y", (layer_sizes[-1],), source)
    if loss == "bce" and np.any((y < 0) | (y > 1)):
        expected = Text("targets in [0, 1] for the bce loss", "Ziele in [0, 1] für den bce-Verlust")
        raise InvalidExampleError("data.y", _found(y.tolist()), expected, source)

    weights, biases = _parse_parameters(data, layer_sizes, source)
    claims = _parse_claims(data, layer_sizes, source)

    title, titles = _parse_title(data.get("title", ""), source)
    return WorkedExample(
        layer_sizes=layer_sizes,
        activations=activations,
        loss=loss,
        x=x,
        y=y,
        weights=tuple(weights),
        biases=tuple(biases),
        claims=claims,
        title=title,
        titles=titles,
        source=source,
    )


def _parse_toml(text: str, source: str | None) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        try:
            import tomli as tomllib
        except ImportError:
            raise ImportError(
                "reading TOML worked examples on Python 3.10 needs the tomli package: "
                "run `pip install tomli`, or write the example as JSON"
            ) from None
    try:
        # Decimal keeps each float literal's text, so "0.60" keeps its trailing zero.
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        problem = Text(f"not valid TOML: {error}", f"kein gültiges TOML: {error}")
        raise InvalidExampleError("(file)", problem, Text("a TOML document", "ein TOML-Dokument"), source) from None


def _parse_json(text: str, source: str | None) -> dict[str, Any]:
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        problem = Text(f"not valid JSON: {error}", f"kein gültiges JSON: {error}")
        raise InvalidExampleError("(file)", problem, Text("a JSON document", "ein JSON-Dokument"), source) from None


def loads(text: str, fmt: str = "toml", source: str | None = None) -> WorkedExample:
    """Parse a worked example from TOML or JSON text.

    Args:
        text: the document.
        fmt: "toml" or "json".
        source: a name for error messages, e.g. the file name.
    """
    if fmt not in ("toml", "json"):
        raise ValueError(f"loads: fmt must be 'toml' or 'json', got {fmt!r}")
    data = _parse_toml(text, source) if fmt == "toml" else _parse_json(text, source)
    return from_dict(data, source)


def load(path: str | Path | None = None) -> WorkedExample:
    """Read a worked example from a .toml or .json file; the course's example when path is None.

    Example:
        >>> example = load()
        >>> example.layer_sizes
        (2, 3, 2, 1)
    """
    if path is None:
        text = resources.files("tinygrad_edu.worked_examples").joinpath(COURSE_EXAMPLE).read_text(encoding="utf-8")
        return loads(text, "toml", source=COURSE_EXAMPLE)
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    fmt = "json" if path.suffix.lower() == ".json" else "toml"
    return loads(text, fmt, source=str(path))
