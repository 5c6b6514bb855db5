"""The README and the guide's front pages: their code runs and their links resolve."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
FRONT_PAGES = ["README.md", "README.de.md", "docs/index.md", "docs/index.de.md"]
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def python_blocks(page: str) -> list[str]:
    return CODE_BLOCK.findall((ROOT / page).read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", FRONT_PAGES)
def test_front_page_code_runs(page, capsys):
    blocks = python_blocks(page)
    assert blocks, f"{page} has no Python example"
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, f"{page} example", "exec"), namespace)
        if "loss" in namespace:
            # The README's XOR example must really learn XOR.
            assert namespace["loss"].item() < 0.1
            prediction = namespace["model"](namespace["X"]).data.ravel()
            np.testing.assert_array_equal(prediction > 0.5, [False, True, True, False])
        if "w" in namespace and "L" in namespace:
            # The guide's first example computes the course's dL/dw(3) = (-0.242, -0.221).
            np.testing.assert_allclose(namespace["w"].grad, [-0.242, -0.221], atol=5e-4)


def markdown_pages() -> list[Path]:
    return sorted([ROOT / "README.md", ROOT / "README.de.md", *(ROOT / "docs").glob("*.md")])


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_every_english_doc_has_a_german_twin():
    for page in (ROOT / "docs").glob("*.md"):
        if page.name.endswith(".de.md"):
            english = page.with_name(page.name.replace(".de.md", ".md"))
            assert english.exists(), f"{page.name} has no English page"
        else:
            german = page.with_name(page.name.replace(".md", ".de.md"))
            assert german.exists(), f"{page.name} has no German page"
