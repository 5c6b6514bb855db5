"""`tinygrad-edu check`: table, summary, explanation and exit status."""

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from tinygrad_edu import worked_example
from tinygrad_edu.commands import check as check_command

DATA = Path(__file__).parent / "data"
COURSE_TEXT = (Path(worked_example.__file__).parent / "worked_examples" / "course.toml").read_text()


def _run(capsys, file=None, lang="en", explain=False, latex=False):
    status = check_command.run(argparse.Namespace(file=file, explain=explain, latex=latex), lang)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_course_example_exits_1_and_names_slips(capsys):
    status, out, err = _run(capsys)
    assert status == 1
    assert err == ""
    assert "2 slip(s) found: z(1), z(2)." in out
    assert "z(2): claimed (0.419, 0.195); from the claimed a(1) the formula gives (0.4255, 0.0600)" in out
    assert "the true value is (0.4610, 0.0169)" in out
    assert "L: 0.515 holds only through the rounding of y_hat: the formula gives 0.5142" in out


def test_course_table_rows(capsys):
    _, out, _ = _run(capsys)
    lines = out.splitlines()
    z1 = next(line for line in lines if line.startswith("z(1) "))
    assert "0.18" in z1
    assert "0.2800" in z1
    assert "WRONG" in z1
    y_hat = next(line for line in lines if line.startswith("y_hat "))
    assert "0.598" in y_hat
    assert "0.6027" in y_hat
    assert "follows from an earlier wrong value" in y_hat
    delta1 = next(line for line in lines if line.startswith("delta(1) "))
    assert "not claimed" in delta1
    assert "-0.0041" in delta1


def test_course_table_in_german(capsys):
    status, out, _ = _run(capsys, lang="de")
    assert status == 1
    assert "Größe" in out
    assert "angegeben" in out
    assert "berechnet" in out
    assert "2 Fehler gefunden: z(1), z(2)." in out
    assert "FALSCH" in out
    assert "folgt aus früherem falschem Wert" in out


def test_explain_and_latex(capsys):
    _, out, _ = _run(capsys, explain=True)
    assert "## Backward pass (chain rule)" in out
    assert "delta(2) = dL/da(2) * a(2) * (1 - a(2))" in out
    _, out, _ = _run(capsys, latex=True, lang="de")
    assert r"\subsection*{Rückwärtsdurchlauf (Kettenregel)}" in out


def test_file_where_every_claim_holds_exits_0(capsys):
    status, out, _ = _run(capsys, file=DATA / "two_outputs_mse.toml")
    assert status == 0
    assert "All 13 claims hold." in out


def test_deep_slip_exits_1(capsys):
    status, out, _ = _run(capsys, file=DATA / "slipped_delta.toml")
    assert status == 1
    assert "1 slip(s) found: delta(2)." in out
    assert "6 later claim(s) are right given an earlier wrong value" in out


INVALID = [
    ("missing key", '"b(2)" = [0.1, -0.1]\n', "", "'b(2)'", "a list of 2 numbers"),
    ("wrong shape", '"W(1)" = [[0.2, 0.1], [-0.3, 0.4], [0.6, -0.2]]', '"W(1)" = [[0.2, 0.1, 0.0]]', "'W(1)'", "shape (3, 2)"),
    ("non-number", '"a(2)" = [0.603, 0.549]', '"a(2)" = [0.603, true]', "'a(2)'", "a list of 2 numbers"),
    ("syntax", "[claims]", "[claims", "'(file)'", "TOML"),
]


@pytest.mark.parametrize("name, old, new, key, expected", INVALID, ids=[case[0] for case in INVALID])
def test_invalid_file_exits_2(capsys, tmp_path, name, old, new, key, expected):
    path = tmp_path / "bad.toml"
    assert old in COURSE_TEXT
    path.write_text(COURSE_TEXT.replace(old, new, 1))
    status, out, err = _run(capsys, file=path)
    assert status == 2
    assert out == ""
    assert key in err
    assert expected in err


def test_missing_file_exits_2(capsys, tmp_path):
    status, _, err = _run(capsys, file=tmp_path / "nothing.toml", lang="de")
    assert status == 2
    assert "Datei nicht gefunden" in err


def test_format_table_lists_every_row():
    rows = worked_example.check()
    table = check_command.format_table(rows, "en")
    for row in rows:
        assert any(line.startswith(row.quantity + " ") for line in table.splitlines()), row.quantity
    assert table.splitlines()[0].split() == ["quantity", "formula", "claimed", "computed", "from", "claims", "verdict"]


def test_text_tables_have_same_keys():
    assert set(check_command.TEXT["en"]) == set(check_command.TEXT["de"])
    assert set(check_command.HELP) == {"en", "de"}


def test_python_m_check_subprocess(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "check", "--lang", "en"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "2 slip(s) found: z(1), z(2)." in result.stdout

    bad = tmp_path / "bad.json"
    bad.write_text('{"network": {"layer_sizes": [2, 1], "activations": "sigmoid"}}')
    result = subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", "check", str(bad), "--lang", "en"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 2
    assert "network.loss" in result.stderr


def test_invalid_file_message_in_german(capsys, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(COURSE_TEXT.replace('"b(2)" = [0.1, -0.1]', '"b(2)" = [0.1, -0.1, 0.3]', 1))
    status, _, err = _run(capsys, file=path, lang="de")
    assert status == 2
    assert "Schlüssel 'b(2)'" in err
    assert "gefunden: Form (3,)" in err
    assert "erwartet: eine Liste von 2 Zahlen" in err
