"""Optimizers that update parameters from their gradients, and learning-rate schedules."""

from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.optim.adam import Adam
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.sgd import SGD

__all__ = ["Adam", "Optimizer", "SGD", "lr_scheduler"]
