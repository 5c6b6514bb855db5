"""The op table in docs/ops.md and docs/ops.de.md matches the code."""

from pathlib import Path

import numpy as np
import pytest
from test_ops_cases import op_classes

from tinygrad_edu import Tensor, concatenate, op_table, ops, stack, where

DOCS = Path(__file__).resolve().parent.parent / "docs"


def call_namespace(op_name: str) -> dict:
    """Return the names that the table's `call` column uses, bound to small tensors."""
    rng = np.random.default_rng(0)

    def tensor(*shape, low=0.1, high=0.9):
        return Tensor(rng.uniform(low, high, size=shape), requires_grad=True)

    namespace = {
        "np": np, "ops": ops, "concatenate": concatenate, "stack": stack, "where": where,
        "a": tensor(2, 3), "b": tensor(2, 3), "x": tensor(2, 3), "z": tensor(2, 3, low=-2, high=2),
        "lo": 0.3, "hi": 0.6, "negative_slope": 0.01, "axis": -1, "keepdims": False,
        "shape": (3, 2), "axes": (1, 0), "sizes": (4, 2, 3), "key": (0, slice(None, None, -1)),
        "W": tensor(4, 3), "bias": tensor(4), "p": tensor(2, 3), "y": rng.uniform(0, 1, (2, 3)),
        "logits": tensor(2, 3, low=-2, high=2), "t": np.array([0, 2]), "condition": rng.random((2, 3)) < 0.5,
    }
    if op_name == "MatMul":
        namespace["b"] = tensor(3, 2)
    return namespace


def test_every_op_has_row():
    rows = [row.op for row in op_table.ROWS]
    assert sorted(set(op_classes()) - set(rows)) == []
    assert sorted(set(rows) - set(op_classes())) == []
    assert len(rows) == len(set(rows)), "an op has two rows"


@pytest.mark.parametrize("row", op_table.ROWS, ids=lambda row: row.op)
def test_call_runs_its_op(row):
    result = eval(row.call, call_namespace(row.op))
    assert isinstance(result, Tensor)
    assert result.op is not None, f"{row.call} recorded no op"
    assert result.op.name == row.op


@pytest.mark.parametrize("lang", ["en", "de"])
def test_page_equals_generator_output(lang):
    page = op_table.page_path(DOCS, lang)
    assert page.read_text(encoding="utf-8") == op_table.render(lang), (
        f"{page.name} is out of date; run python -m tinygrad_edu.op_table"
    )


@pytest.mark.parametrize("lang", ["en", "de"])
def test_page_names_every_op(lang):
    text = op_table.page_path(DOCS, lang).read_text(encoding="utf-8")
    for name in op_classes():
        assert f"| `{name}` |" in text, f"{name} is missing from {lang} page"


def test_cells_keep_table_intact():
    for row in op_table.ROWS:
        cells = [row.call, *row.forward, *row.backward, *row.notes.values()]
        for cell in cells:
            assert "|" not in cell, f"{row.op}: a '|' would split the table row"
            assert "\n" not in cell, f"{row.op}: a line break would end the table row"


def test_notes_in_both_languages():
    for row in op_table.ROWS:
        assert set(row.notes) == {"en", "de"}
        assert bool(row.notes["en"]) == bool(row.notes["de"]), f"{row.op}: a note is missing in one language"


def test_render_rejects_unknown_language():
    with pytest.raises(ValueError, match="lang must be 'en' or 'de', got 'fr'"):
        op_table.render("fr")


def test_german_formulas_have_no_english_words():
    from tinygrad_edu import op_table

    english_words = (" where ", " else ", " of ", " over ", " the ", " with ", " along ", " cast ", "broadcast back", "reshaped")
    for section in op_table.SECTIONS:
        for row in section.rows:
            for formula in op_table._formulas(row.forward + row.backward, "de"):
                for word in english_words:
                    assert word not in f" {formula} ", f"{row.op}: {formula!r} is English in the German table"


def test_every_german_formula_belongs_to_a_row():
    from tinygrad_edu import op_table

    used = {formula for section in op_table.SECTIONS for row in section.rows for formula in row.forward + row.backward}
    assert set(op_table.FORMULAS_DE) <= used
