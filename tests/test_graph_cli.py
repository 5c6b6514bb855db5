"""Tests of `tinygrad-edu graph`: the worked example's graph written into --out and nowhere else."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ElementTree

import pytest

pytest.importorskip("graphviz", reason="the graphviz Python package (extra 'viz') is not installed")

from tinygrad_edu import cli  # noqa: E402
from tinygrad_edu.viz import graph as graph_module  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program `dot` is not installed")


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in an empty folder, so a file written outside --out would show up."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_dot_written_into_out(workdir, capsys):
    out = workdir / "pictures" / "graph"
    status = cli.main(["graph", "--out", str(out), "--format", "dot", "--lang", "en"])
    assert status == 0
    path = out / "worked_example_graph.dot"
    assert capsys.readouterr().out.strip() == f"Wrote {path}"

    source = path.read_text(encoding="utf-8")
    for expected in ("<B>z(1)</B>", "[0.28, -0.03, 0.44]", "<B>y_hat</B>", "<B>L</B>", "∂L/∂W(1) =", "Legend"):
        assert expected in source, expected
    assert sorted(p.name for p in out.iterdir()) == ["worked_example_graph.dot"]
    assert sorted(p.name for p in workdir.iterdir()) == ["pictures"]


def test_german_labels(workdir):
    assert cli.main(["graph", "--out", "out", "--format", "dot", "--lang", "de"]) == 0
    source = (workdir / "out" / "worked_example_graph.dot").read_text(encoding="utf-8")
    for expected in ("Rechenbeispiel", "Legende", "Verlust", "Zwischenergebnis", "Skalar"):
        assert expected in source, expected


def test_no_values_option(workdir):
    assert cli.main(["graph", "--out", "out", "--format", "dot", "--no-values", "--lang", "en"]) == 0
    source = (workdir / "out" / "worked_example_graph.dot").read_text(encoding="utf-8")
    assert "<B>z(1)</B>" in source
    assert "0.28" not in source
    assert "∂L" not in source


def test_existing_file_replaced(workdir):
    out = workdir / "out"
    out.mkdir()
    (out / "worked_example_graph.dot").write_text("old")
    (out / "keep.txt").write_text("unrelated")
    assert cli.main(["graph", "--out", str(out), "--format", "dot", "--lang", "en"]) == 0
    assert (out / "worked_example_graph.dot").read_text(encoding="utf-8").startswith("digraph")
    assert (out / "keep.txt").read_text() == "unrelated"
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt", "worked_example_graph.dot"]


def test_missing_dot_prints_install_hint(workdir, monkeypatch, capsys):
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    status = cli.main(["graph", "--out", "out", "--format", "svg", "--lang", "en"])
    assert status == 1
    error = capsys.readouterr().err
    assert "apt-get install graphviz" in error
    assert "brew install graphviz" in error
    assert sorted(p.name for p in (workdir / "out").iterdir()) == ["worked_example_graph.dot"]
    assert sorted(p.name for p in workdir.iterdir()) == ["out"]


def test_out_is_a_file(workdir, capsys):
    (workdir / "taken").write_text("a file")
    assert cli.main(["graph", "--out", "taken", "--format", "dot", "--lang", "en"]) == 2
    assert "invalid --out taken: it is a file, not a folder" in capsys.readouterr().err
    assert (workdir / "taken").read_text() == "a file"


def test_missing_example_file(workdir, capsys):
    assert cli.main(["graph", "--out", "out", "--example", "nope.toml", "--lang", "en"]) == 2
    assert "nope.toml" in capsys.readouterr().err
    assert list(workdir.iterdir()) == []


@needs_dot
def test_svg_render(workdir):
    assert cli.main(["graph", "--out", "out", "--lang", "en"]) == 0
    path = workdir / "out" / "worked_example_graph.svg"
    root = ElementTree.parse(path).getroot()
    texts = [element.text or "" for element in root.iter("{http://www.w3.org/2000/svg}text")]
    for expected in ("z(1)", "a(2)", "y_hat", "BinaryCrossEntropy", "[0.28, -0.03, 0.44]"):
        assert any(expected in text for text in texts), expected


@needs_dot
def test_png_render(workdir):
    assert cli.main(["graph", "--out", "out", "--format", "png", "--direction", "LR", "--lang", "de"]) == 0
    data = (workdir / "out" / "worked_example_graph.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
