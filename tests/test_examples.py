"""The example scripts: each runs with --quick in a fresh process and prints the right numbers."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_example(name: str, tmp_path: Path, *extra: str) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name), "--quick", *extra],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def number_after(label: str, output: str) -> float:
    """Return the first number printed after `label`."""
    match = re.search(re.escape(label) + r"\s*(-?\d+(?:\.\d+)?(?:e[-+]\d+)?)", output)
    assert match, f"{label!r} not found in:\n{output}"
    return float(match.group(1))


def numbers_in_line(prefix: str, output: str) -> list[float]:
    """Return every number in the first line that starts with `prefix` (after spaces), label excluded."""
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.startswith(prefix):
            rest = stripped[len(prefix):]
            return [float(value) for value in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", rest)]
    raise AssertionError(f"no line starts with {prefix!r} in:\n{output}")


def assert_png(path: Path) -> None:
    assert path.exists(), f"{path} was not written"
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_every_example_has_a_test():
    tested = {
        "01_autograd_basics.py", "02_worked_example.py", "03_mlp_class.py", "04_xor.py", "05_spirals.py",
        "06_vanishing_gradients.py", "07_overfitting.py", "08_check_your_derivation.py",
    }
    assert {path.name for path in EXAMPLES.glob("*.py")} == tested


def test_autograd_basics(tmp_path):
    output = run_example("01_autograd_basics.py", tmp_path)

    # sigma(0.5 * 2 - 0.3) = sigma(0.7); da/dw = a (1 - a) x with x = 2.
    a = 1 / (1 + math.exp(-0.7))
    assert number_after("a = sigma(w x + b) =", output) == pytest.approx(a, abs=1e-6)
    assert number_after("da/dw  autodiff", output) == pytest.approx(a * (1 - a) * 2, abs=1e-6)
    assert number_after("da/db  autodiff", output) == pytest.approx(a * (1 - a), abs=1e-6)
    assert number_after("dy/du autodiff", output) == 7.0
    assert number_after("max difference", output) < 1e-12
    assert output.rstrip().endswith("True")


def test_worked_example(tmp_path):
    output = run_example("02_worked_example.py", tmp_path)

    # z(1) = W(1) x + b(1) from the course's own inputs, not its printed (0.18, 0.12, 0.14).
    assert numbers_in_line("z(1)", output)[:3] == pytest.approx([0.28, -0.03, 0.44], abs=1e-4)
    assert "course: (0.18, 0.12, 0.14)" in output
    y_hat = numbers_in_line("y_hat", output)[0]
    loss = numbers_in_line("L ", output)[0]
    assert loss == pytest.approx(-math.log(y_hat), abs=2e-4)
    assert numbers_in_line("delta(3)", output)[0] == pytest.approx(y_hat - 1, abs=2e-4)
    assert numbers_in_line("delta(1)", output) == pytest.approx([-0.0041, 0.0051, -0.0069], abs=1e-4)
    assert number_after("max difference to worked_example.computed_values:", output) < 1e-12
    verdicts = dict(re.findall(r"^  (\S+)\s+(wrong|correct|follows from an earlier wrong value)$", output, re.M))
    assert verdicts["z(1)"] == "wrong"
    assert verdicts["z(2)"] == "wrong"
    assert verdicts["L"] == "follows from an earlier wrong value"


def test_mlp_class_matches_reference(tmp_path):
    output = run_example("03_mlp_class.py", tmp_path)

    losses = re.findall(r"loss: autodiff (\d\.\d+)\s+hand-derived (\d\.\d+)", output)
    assert losses
    assert losses[0][0] == losses[0][1]
    for line in ("dL/dW(1): max difference autodiff vs hand-derived", "dL/dW(2): max difference autodiff vs hand-derived"):
        assert number_after(line, output) < 1e-12
    steps = re.findall(r"step\s+(\d+): loss autodiff (\d\.\d+)\s+hand-derived (\d\.\d+)", output)
    assert [int(step) for step, _, _ in steps] == [1, 25, 50]
    for _, autodiff, hand in steps:
        assert float(autodiff) == pytest.approx(float(hand), abs=1e-8)
    assert float(steps[-1][1]) < float(steps[0][1])
    assert number_after("after 50 steps: max difference of y_hat", output) < 1e-12


def test_xor(tmp_path):
    output = run_example("04_xor.py", tmp_path, "--out", str(tmp_path / "out"))

    predictions = re.findall(r"x = \((\d), (\d)\)  target (\d)  y_hat (\d\.\d+)", output)
    assert len(predictions) == 4
    for x1, x2, target, y_hat in predictions:
        assert int(target) == int(x1) ^ int(x2)
        assert (float(y_hat) > 0.5) == (target == "1")
    assert number_after("accuracy", output) == 1.0
    assert number_after("last epoch", output) < number_after("epoch 1", output)
    assert_png(tmp_path / "out" / "xor_loss.png")
    assert_png(tmp_path / "out" / "xor_decision_boundary.png")


def test_spirals_writes_boundary(tmp_path):
    output = run_example("05_spirals.py", tmp_path, "--out", str(tmp_path / "out"))

    assert "150 epochs" in output
    assert number_after("last epoch", output) < number_after("epoch 1", output)
    assert 0.5 < number_after("training accuracy", output) <= 1.0
    assert_png(tmp_path / "out" / "spirals_decision_boundary.png")


def test_vanishing_gradients(tmp_path):
    output = run_example("06_vanishing_gradients.py", tmp_path)

    sigmoid_ratio = number_after("sigmoid", output.split("ratio W(1)/W(11):")[1])
    relu_ratio = number_after("ReLU", output.split("ratio W(1)/W(11):")[1])
    assert sigmoid_ratio < 1e-4
    assert relu_ratio > 1e-2
    factor = number_after("factor per layer", output)
    assert 0.0 < factor < 0.5
    assert len(re.findall(r"^  W\(\d+\)", output, re.M)) == 11


def test_overfitting(tmp_path):
    output = run_example("07_overfitting.py", tmp_path)

    best = re.search(r"epoch\s+(\d+) \(min val loss\): train loss (\d\.\d+), val loss (\d\.\d+)", output)
    end = re.search(r"epoch\s+(\d+) \(end\):\s+train loss (\d\.\d+), val loss (\d\.\d+)", output)
    assert best and end
    assert int(best.group(1)) < int(end.group(1)) == 300
    assert float(end.group(3)) > float(best.group(3))
    assert float(end.group(2)) < float(best.group(2))
    assert "40 training and 400 validation points" in output


def test_check_your_derivation(tmp_path):
    output = run_example("08_check_your_derivation.py", tmp_path, "--out", str(tmp_path / "out"))

    assert (tmp_path / "out" / "my_derivation.toml").exists()
    rows = {line.split()[0]: line for line in output.splitlines() if line and not line.startswith(" ")}
    assert "WRONG" in rows["delta(1)"]
    assert "follows from an earlier wrong value" in rows["dL/dW(1)"]
    assert "correct" in rows["z(1)"]
    assert "WRONG" not in rows["dL/da(1)"]
    assert "delta(1): you wrote (0.166, -0.199), autodiff gives [0.055, -0.066]" in output
