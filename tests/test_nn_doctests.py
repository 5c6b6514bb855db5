"""Run the examples in the docstrings and guide pages of nn, optim, data and train."""

import doctest
import importlib
import re
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import Tensor, data, nn, optim, train

MODULES = [
    "tinygrad_edu.nn.module",
    "tinygrad_edu.nn.functional",
    "tinygrad_edu.nn.init",
    "tinygrad_edu.nn.layers",
    "tinygrad_edu.nn.loss",
    "tinygrad_edu.nn.normalization",
    "tinygrad_edu.nn.dropout",
    "tinygrad_edu.nn.utils",
    "tinygrad_edu.optim.sgd",
    "tinygrad_edu.optim.adam",
    "tinygrad_edu.optim.lr_scheduler",
    "tinygrad_edu.data",
    "tinygrad_edu.train",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    names = {
        "np": np, "Tensor": Tensor, "nn": nn, "optim": optim, "data": data, "train": train,
        "SGD": optim.SGD, "Linear": nn.Linear, "ReLU": nn.ReLU,
    }
    result = doctest.testmod(module, extraglobs=names, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


# ---- code in the user guide ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
CODE_BLOCK = re.compile(r"```python\n(.*?)```", re.S)
GUIDE_PAGES = ["docs/nn.md", "docs/training.md"]


def _blocks(page):
    return CODE_BLOCK.findall((ROOT / page).read_text(encoding="utf-8"))


def _without_comments(block):
    return [line.split("#")[0].rstrip() for line in block.splitlines()]


@pytest.mark.parametrize("page", GUIDE_PAGES)
def test_guide_code_runs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the save example writes model.npz
    namespace: dict = {}
    blocks = _blocks(page)
    assert blocks
    for block in blocks:
        exec(compile(block, f"{page} example", "exec"), namespace)
    if page == "docs/training.md":
        # The hand-written loop trains the spirals with lr 0.1 to the documented accuracy.
        assert train.accuracy(namespace["model"], namespace["X"], namespace["y"]) >= 0.93


@pytest.mark.parametrize("page", GUIDE_PAGES)
def test_german_guide_has_the_same_code(page):
    german = page.replace(".md", ".de.md")
    english_blocks = [_without_comments(b) for b in _blocks(page)]
    german_blocks = [_without_comments(b) for b in _blocks(german)]
    assert german_blocks == english_blocks
