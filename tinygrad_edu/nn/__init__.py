"""Neural-network building blocks: modules, layers, losses, initialisation, clipping.

Names and behaviour follow ``torch.nn`` where the course is silent, so that code written
here reads the same later in PyTorch.
"""

from tinygrad_edu.nn import functional, init, utils
from tinygrad_edu.nn.activation import Identity, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinygrad_edu.nn.dropout import Dropout
from tinygrad_edu.nn.layers import MLP, Linear, Sequential
from tinygrad_edu.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, MSELoss
from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.nn.normalization import BatchNorm1d

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MLP",
    "MSELoss",
    "Module",
    "Parameter",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "functional",
    "init",
    "utils",
]
