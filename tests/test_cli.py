"""The `tinygrad-edu` command: demo, train, languages and the files it writes."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import cli
from tinygrad_edu.commands import COMMANDS
from tinygrad_edu.i18n import detect_lang


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tinygrad_edu", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def read_history(path: Path) -> list[float]:
    with path.open() as handle:
        return [float(row["loss"]) for row in csv.DictReader(handle)]


def test_demo_short_run_writes_files(tmp_path):
    out = tmp_path / "out"
    result = run_cli("demo", "--xor-epochs", "300", "--spiral-epochs", "3", "--out", str(out), "--lang", "en", "--no-progress")
    assert result.returncode == 0, result.stderr

    # The worked example's table marks the course's two slips and shows the right values.
    assert "Worked example" in result.stdout
    assert "0.18" in result.stdout
    assert "0.2800" in result.stdout
    assert "0.419" in result.stdout
    assert "0.4610" in result.stdout
    assert "2 slip(s) found: z(1), z(2)." in result.stdout

    summary = json.loads((out / "demo_summary.json").read_text())
    assert summary["xor"]["epochs"] == 300
    assert summary["spirals"]["course"]["lr"] == 0.01
    assert summary["spirals"]["working"]["lr"] == 0.1

    for prefix, epochs in (("xor", 300), ("spirals_lr0.01", 3), ("spirals_lr0.1", 3)):
        losses = read_history(out / f"{prefix}_history.csv")
        assert len(losses) == epochs
        assert losses[-1] < losses[0]
        assert (out / f"{prefix}_loss.png").stat().st_size > 1000
        assert (out / f"{prefix}_decision_boundary.png").stat().st_size > 1000


def test_demo_full_xor_reaches_accuracy_one(tmp_path):
    # The course's XOR settings in full; the spirals get few epochs to keep the test short.
    result = run_cli("demo", "--spiral-epochs", "2", "--out", str(tmp_path), "--no-progress")
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "demo_summary.json").read_text())
    assert summary["xor"]["accuracy"] == 1.0
    assert summary["xor"]["epochs"] == 5000
    assert summary["xor"]["final_loss"] < 0.2


def test_demo_speaks_german(tmp_path):
    result = run_cli("--lang", "de", "demo", "--xor-epochs", "10", "--spiral-epochs", "1", "--out", str(tmp_path), "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "Rechenbeispiel" in result.stdout
    assert "Zwei Spiralen" in result.stdout
    assert "Geschriebene Dateien" in result.stdout
    assert "Worked example" not in result.stdout


def test_train_spirals_custom_settings(tmp_path):
    result = run_cli(
        "train", "spirals", "--layers", "2,8,1", "--activation", "tanh", "--lr", "0.05", "--epochs", "4",
        "--batch-size", "50", "--seed", "3", "--out", str(tmp_path), "--no-progress",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "train_spirals_summary.json").read_text())
    assert summary["layer_sizes"] == [2, 8, 1]
    assert summary["activation"] == "tanh"
    assert summary["batch_size"] == 50
    assert summary["seed"] == 3
    assert len(read_history(tmp_path / "train_spirals_history.csv")) == 4


def test_train_rejects_bad_layers(tmp_path):
    result = run_cli("train", "xor", "--layers", "3,4,1", "--out", str(tmp_path), "--lang", "en")
    assert result.returncode == 2
    assert "invalid --layers '3,4,1'" in result.stderr
    assert not (tmp_path / "train_xor_history.csv").exists()


def test_train_is_reproducible_by_seed(tmp_path):
    histories = []
    for name in ("a", "b"):
        out = tmp_path / name
        result = run_cli("train", "spirals", "--epochs", "3", "--seed", "7", "--out", str(out), "--no-progress")
        assert result.returncode == 0, result.stderr
        histories.append(read_history(out / "train_spirals_history.csv"))
    np.testing.assert_array_equal(histories[0], histories[1])


def test_help_in_both_languages(capsys):
    for lang, word in (("en", "usage: "), ("de", "Aufruf: ")):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(["--lang", lang, "--help"])
        assert exit_info.value.code == 0
        output = capsys.readouterr().out
        assert output.startswith(word)
        for name in COMMANDS:
            assert name in output


def test_command_texts_have_same_keys_in_both_languages():
    import importlib

    modules = [cli] + [importlib.import_module(f"tinygrad_edu.commands.{name}") for name in COMMANDS]
    for module in modules:
        assert set(module.TEXT["en"]) == set(module.TEXT["de"]), module.__name__
        if hasattr(module, "HELP"):
            assert set(module.HELP) == {"en", "de"}, module.__name__


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "en_US.UTF-8"}, "en"),
        ({"LC_ALL": "de_AT.UTF-8", "LANG": "en_US.UTF-8"}, "de"),
        ({"LANGUAGE": "en", "LC_ALL": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
    ],
)
def test_language_from_locale(environ, expected):
    assert detect_lang(environ) == expected


def test_subcommand_help_has_one_prefix(capsys):
    for lang, word in (("en", "usage: "), ("de", "Aufruf: ")):
        with pytest.raises(SystemExit):
            cli.main(["check", "--help", "--lang", lang])
        output = capsys.readouterr().out
        assert output.startswith(word + "tinygrad-edu check")
        assert output.count(word) == 1


def test_closed_pipe_ends_quietly():
    # The child writes far more than a pipe buffer holds, so it is still writing
    # when the reader goes away and meets a broken pipe.
    child = (
        "import sys\n"
        "from tinygrad_edu import cli\n"
        "from tinygrad_edu.commands import check\n"
        "def flood(args, lang):\n"
        "    for _ in range(20000):\n"
        "        print('x' * 1000)\n"
        "    return 0\n"
        "check.run = flood\n"
        "sys.exit(cli.main(['check']))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.read(10)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in stderr


def test_graph_invalid_example_names_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[network]\nlayer_sizes = [2, 1]\n")
    for lang in ("en", "de"):
        result = run_cli("graph", "--example", str(bad), "--out", str(tmp_path / "out"), "--lang", lang)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert "activations" in result.stderr or "inputs" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["train", "xor", "--lr", "-0.1"], "argument --lr: -0.1 is invalid: give a finite number greater than 0"),
        (["train", "xor", "--lr", "nan"], "argument --lr: nan is invalid"),
        (["train", "xor", "--lr", "abc"], "argument --lr: 'abc' is not a number"),
        (["train", "xor", "--epochs", "0"], "argument --epochs: 0 is invalid: give a whole number of at least 1"),
        (["train", "spirals", "--batch-size", "-1"], "argument --batch-size: -1 is invalid"),
        (["train", "xor", "--momentum", "1.5"], "argument --momentum: 1.5 is invalid"),
        (["demo", "--xor-epochs", "-1"], "argument --xor-epochs: -1 is invalid"),
        (["--seed", "-1", "train", "xor"], "argument --seed: -1 is invalid: give a whole number of at least 0"),
    ],
)
def test_invalid_option_values_fail_before_training(tmp_path, capsys, arguments, expected):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*arguments, "--out", str(out)])
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err
    assert not out.exists()


def test_train_rejects_empty_layer_and_adam_momentum(tmp_path, capsys):
    assert cli.main(["train", "xor", "--layers", "2,,1", "--out", str(tmp_path)]) == 2
    assert "invalid --layers '2,,1'" in capsys.readouterr().err

    arguments = ["train", "spirals", "--optimizer", "adam", "--momentum", "0.9", "--out", str(tmp_path)]
    assert cli.main(arguments) == 2
    assert "invalid --momentum 0.9 with --optimizer adam" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_out_must_be_a_folder(tmp_path, capsys):
    a_file = tmp_path / "results"
    a_file.write_text("keep me")
    for command in (["train", "xor"], ["demo"], ["experiments", "vanishing"], ["graph"]):
        assert cli.main([*command, "--out", str(a_file), "--lang", "en"]) == 2
        assert f"invalid --out {a_file}: it is a file, not a folder" in capsys.readouterr().err
    assert a_file.read_text() == "keep me"


def test_train_reports_divergence(tmp_path, capsys):
    arguments = ["train", "spirals", "--lr", "1e300", "--epochs", "3", "--out", str(tmp_path), "--no-progress"]
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning, match="training loss is nan"):
        status = cli.main(arguments)
    assert status == 1
    assert "training diverged" in capsys.readouterr().err
    assert (tmp_path / "train_spirals_history.csv").exists()
    assert not (tmp_path / "train_spirals_decision_boundary.png").exists()


def test_check_names_a_folder(tmp_path, capsys):
    assert cli.main(["check", str(tmp_path), "--lang", "en"]) == 2
    assert f"{tmp_path} is a folder, not a worked-example file" in capsys.readouterr().err


def test_check_summary_names_wrong_matrix_entry(tmp_path, capsys):
    source = Path(__file__).parent / "data" / "course_corrected.toml"
    text = source.read_text()
    original = '"dL/dW(1)" = [[-0.0020, -0.0033], [0.0026, 0.0041], [-0.0034, -0.0055]]'
    assert original in text
    slipped = tmp_path / "slipped_entry.toml"
    slipped.write_text(text.replace(original, original.replace("0.0041", "-0.0041")))

    assert cli.main(["check", str(slipped), "--lang", "en"]) == 1
    output = capsys.readouterr().out
    assert "1 slip(s) found: dL/dW(1)." in output
    assert "wrong entries: dL/dW(1)[2, 2] claimed -0.0041, expected 0.0041" in output

    assert cli.main(["check", str(slipped), "--lang", "de"]) == 1
    assert "falsche Einträge: dL/dW(1)[2, 2] angegeben -0.0041, erwartet 0.0041" in capsys.readouterr().out


def test_parse_errors_in_german(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--lang", "de", "train", "bogus"])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith("Aufruf: tinygrad-edu train")
    assert "tinygrad-edu train: Fehler: Argument task: ungültige Auswahl: 'bogus'" in error

    with pytest.raises(SystemExit):
        cli.main(["--lang", "de", "train", "xor", "--epochs", "0"])
    assert "Fehler: Argument --epochs: 0 ist ungültig" in capsys.readouterr().err


def test_graph_names_a_folder_and_speaks_german(tmp_path, capsys):
    assert cli.main(["graph", "--example", str(tmp_path), "--out", str(tmp_path / "out"), "--lang", "en"]) == 2
    assert f"{tmp_path} is a folder, not a worked-example file" in capsys.readouterr().err

    bad = tmp_path / "bad.toml"
    bad.write_text("[network]\nlayer_sizes = [2, 1]\n")
    assert cli.main(["graph", "--example", str(bad), "--out", str(tmp_path / "out"), "--lang", "de"]) == 2
    assert "der Schlüssel fehlt" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
