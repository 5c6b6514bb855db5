"""Files are written whole: a temporary file, then an atomic rename."""

from __future__ import annotations

import os
import stat

import pytest

from tinygrad_edu import files
from tinygrad_edu.files import write_atomic


def test_write_atomic_text_and_bytes(tmp_path):
    text_path = write_atomic(tmp_path / "sub" / "a.txt", "Verlust ä\n")
    assert text_path.read_text(encoding="utf-8") == "Verlust ä\n"
    bytes_path = write_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert bytes_path.read_bytes() == b"\x00\x01"


def test_write_atomic_replaces_and_leaves_no_temp(tmp_path):
    path = tmp_path / "history.csv"
    write_atomic(path, "old")
    write_atomic(path, "new")
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.csv"]


def test_write_atomic_permissions_follow_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        path = write_atomic(tmp_path / "plot.png", b"png")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_failed_write_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / "summary.json"
    write_atomic(path, "old")

    def fail_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", fail_replace)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, "new")
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]
