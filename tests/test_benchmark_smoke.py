"""The benchmark command runs end to end in its quick mode and writes its report.

Only the smallest workload and two frameworks run, so this stays fast. The test
checks the report's content and no timing, because unit tests assert no times.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_run_writes_markdown_report(tmp_path):
    report_path = tmp_path / "report.md"
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--workloads", "W1",
            "--frameworks", "numpy,tinygrad",
            "--memory-steps", "50",
            "--no-phases",
            "--output", str(report_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stderr

    report = report_path.read_text(encoding="utf-8")
    assert report == completed.stdout
    assert "| numpy reference (hand-coded backprop) | 1.00x" in report
    assert "| tinygrad_edu (nn.MLP, BCELoss, optim.SGD) |" in report
    assert "| BLAS |" in report
    # Every framework starts from the same weights, so no first-loss mismatch is noted.
    assert "not comparable" not in report
    assert "W2 memory flat (cyclic GC off)" in report


def test_unknown_framework_rejected():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--frameworks", "numpy,jax"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "unknown framework(s) ['jax']" in completed.stderr


def test_missing_torch_and_mygrad_skipped_with_note(tmp_path):
    # None in sys.modules makes `import torch` raise ImportError, as on a machine without it.
    script = (
        "import runpy, sys\n"
        "sys.modules['torch'] = None\n"
        "sys.modules['mygrad'] = None\n"
        "sys.argv = ['run.py', '--quick', '--workloads', 'W1', '--memory-steps', '0', '--no-phases']\n"
        f"runpy.run_path({str(ROOT / 'benchmarks' / 'run.py')!r}, run_name='__main__')\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr
    assert "PyTorch eager float64: skipped, torch is not installed" in completed.stdout
    assert "MyGrad: skipped, mygrad is not installed" in completed.stdout
    assert "| PyTorch eager float64 |" not in completed.stdout
    assert "| torch | not installed |" in completed.stdout
