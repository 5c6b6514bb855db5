"""Run the examples in the docstrings of nn, optim, data and train."""

import doctest
import importlib

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
