"""One trainer per framework, each running the same training step on the same weights.

A trainer is built from a `Workload` and offers:

- ``prepare(X, y)``: convert one batch to the framework's own type (not timed);
- ``step(batch) -> float``: one training step (forward, mean BCE, backward, SGD
  update) that returns the loss as a Python float, as a training loop that logs
  the loss does;
- ``step_phases(batch) -> (forward, backward, update)``: the same step with the
  seconds spent in each phase.

`FRAMEWORKS` maps a command-line key to a trainer class. `unavailable()` returns why
a framework cannot run here (a missing optional package), or None.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from benchmarks.workloads import Workload


# The clock of step_phases; benchmarks/run.py sets it to time.process_time for --timer cpu.
clock = time.perf_counter


class Trainer:
    """Base of the trainers; a subclass sets `label` and implements the three methods."""

    label = "?"
    dtype: Any = np.float64

    @classmethod
    def unavailable(cls) -> str | None:
        return None

    def prepare(self, X: np.ndarray, y: np.ndarray) -> Any:
        return X.astype(self.dtype), y.astype(self.dtype)

    def step(self, batch: Any) -> float:
        raise NotImplementedError

    def step_phases(self, batch: Any) -> tuple[float, float, float]:
        raise NotImplementedError


# ---- the hand-coded numpy floor ---------------------------------------------------------


class NumpyReference(Trainer):
    """`tinygrad_edu.reference.ReferenceMLP.step`: the course's hand-derived backprop."""

    label = "numpy reference (hand-coded backprop)"

    def __init__(self, workload: Workload):
        from tinygrad_edu import reference

        self.reference = reference
        self.activation = workload.activation
        self.lr = workload.lr
        self.net = reference.ReferenceMLP(list(workload.layer_sizes), workload.activation, workload.lr, seed=0)
        for layer, (W, b) in enumerate(workload.initial_weights(), start=1):
            self.net.params[f"W{layer}"] = W.copy()
            self.net.params[f"b{layer}"] = b.reshape(-1, 1).copy()

    def step(self, batch):
        return self.net.step(*batch)

    def step_phases(self, batch):
        # ReferenceMLP.step interleaves backward and update layer by layer, so the
        # phases are timed with the module's separate forward and backward functions.
        X, y = batch
        ref, params = self.reference, self.net.params
        start = clock()
        y_hat, cache = ref.forward(params, X, self.activation)
        ref.bce_loss(y_hat, y)
        forward_done = clock()
        grads = ref.backward(params, cache, y, self.activation)
        backward_done = clock()
        for name, value in params.items():
            value -= self.lr * grads["d" + name]
        return forward_done - start, backward_done - forward_done, clock() - backward_done


# ---- tinygrad_edu -----------------------------------------------------------------------


def _has_sgd() -> bool:
    try:
        from tinygrad_edu import optim
    except ImportError:
        return False
    return hasattr(optim, "SGD")


class _ManualSGD:
    """Plain SGD in place, used only while `tinygrad_edu.optim` is missing."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        for p in self.params:
            p.data -= self.lr * p.grad


class _ModuleTrainer(Trainer):
    """A step written as a student writes it in PyTorch or tinygrad_edu, which share the API:
    zero_grad, forward, loss, backward, optimizer step."""

    def step(self, batch):
        X, y = batch
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(X), y)
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def step_phases(self, batch):
        X, y = batch
        start = clock()
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(X), y)
        loss.item()
        forward_done = clock()
        loss.backward()
        backward_done = clock()
        self.optimizer.step()
        return forward_done - start, backward_done - forward_done, clock() - backward_done


class TinygradNN(_ModuleTrainer):
    """The user's path: `nn.MLP`, `nn.BCELoss` and `optim.SGD`."""

    label = "tinygrad_edu (nn.MLP, BCELoss, optim.SGD)"
    output = "sigmoid"

    def __init__(self, workload: Workload):
        from tinygrad_edu import Tensor, nn

        self.Tensor = Tensor
        self.model = nn.MLP(
            list(workload.layer_sizes), activation=workload.activation, output=self.output, dtype=self.dtype, seed=0
        )
        for layer, (W, b) in zip(self.model.linear_layers, workload.initial_weights()):
            layer.weight.data[...] = W
            layer.bias.data[...] = b
        self.loss_fn = nn.BCELoss() if self.output == "sigmoid" else nn.BCEWithLogitsLoss()
        if _has_sgd():
            from tinygrad_edu import optim

            self.optimizer = optim.SGD(self.model.parameters(), lr=workload.lr)
        else:
            self.optimizer = _ManualSGD(self.model.parameters(), workload.lr)

    def prepare(self, X, y):
        return self.Tensor(X, dtype=self.dtype), self.Tensor(y, dtype=self.dtype)


class TinygradNN32(TinygradNN):
    label = "tinygrad_edu float32"
    dtype = np.float32


class TinygradLogits(TinygradNN):
    label = "tinygrad_edu, logits + BCEWithLogitsLoss"
    output = "logits"


class _FunctionalTrainer(Trainer):
    """A step built from a `_loss(X, y)` function and a hand-written `_update()`."""

    def step(self, batch):
        loss = self._loss(*batch)
        loss.backward()
        self._update()
        return loss.item()

    def step_phases(self, batch):
        start = clock()
        loss = self._loss(*batch)
        loss.item()
        forward_done = clock()
        loss.backward()
        backward_done = clock()
        self._update()
        return forward_done - start, backward_done - forward_done, clock() - backward_done


class TinygradOps(_FunctionalTrainer):
    """The engine alone: parameters as tensors, `ops.linear`, activations, BCE, in-place SGD.

    The gap between this row and `TinygradNN` is the cost of the Module and optimizer layer.
    """

    label = "tinygrad_edu ops only (no nn, no optim)"

    def __init__(self, workload: Workload):
        from tinygrad_edu import Tensor, no_grad, ops

        self.Tensor, self.no_grad, self.ops = Tensor, no_grad, ops
        self.lr = workload.lr
        self.hidden = "relu" if workload.activation == "relu" else "sigmoid"
        self.layers = [
            (Tensor(W, requires_grad=True), Tensor(b, requires_grad=True)) for W, b in workload.initial_weights()
        ]
        self.params = [p for layer in self.layers for p in layer]

    def prepare(self, X, y):
        return self.Tensor(X), self.Tensor(y)

    def _loss(self, X, y):
        a = X
        last = len(self.layers) - 1
        for index, (W, b) in enumerate(self.layers):
            z = self.ops.linear(a, W, b)
            a = z.sigmoid() if index == last or self.hidden == "sigmoid" else z.relu()
        return self.ops.binary_cross_entropy(a, y)

    def _update(self):
        for p in self.params:
            p.data -= self.lr * p.grad
            p.grad = None


# ---- PyTorch ----------------------------------------------------------------------------


class Torch64(_ModuleTrainer):
    """PyTorch CPU eager: `torch.nn.Sequential`, `BCELoss`, `torch.optim.SGD`."""

    label = "PyTorch eager float64"
    torch_dtype_name = "float64"

    @classmethod
    def unavailable(cls):
        try:
            import torch  # noqa: F401
        except ImportError:
            return "torch is not installed (pip install torch; a CPU build is enough)"
        return None

    def __init__(self, workload: Workload):
        import torch

        self.torch = torch
        self.torch_dtype = getattr(torch, self.torch_dtype_name)
        layers = []
        last = len(workload.layer_sizes) - 2
        for index, (W, b) in enumerate(workload.initial_weights()):
            linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=self.torch_dtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W))
                linear.bias.copy_(torch.from_numpy(b))
            layers.append(linear)
            if index == last or workload.activation == "sigmoid":
                layers.append(torch.nn.Sigmoid())
            else:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.loss_fn = torch.nn.BCELoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=workload.lr)

    def prepare(self, X, y):
        return (
            self.torch.from_numpy(np.ascontiguousarray(X)).to(self.torch_dtype),
            self.torch.from_numpy(np.ascontiguousarray(y)).to(self.torch_dtype),
        )


class Torch32(Torch64):
    label = "PyTorch eager float32"
    torch_dtype_name = "float32"
    dtype = np.float32


# ---- MyGrad -----------------------------------------------------------------------------


class MyGrad(_FunctionalTrainer):
    """MyGrad: tensors with W stored as (in, out) so each layer is one matmul and one add.

    MyGrad has no BCE loss or optimizer, so the loss is written out from its ops and
    SGD updates ``.data`` in place. The loss has no clamp of the logs.
    """

    label = "MyGrad"

    @classmethod
    def unavailable(cls):
        try:
            import mygrad  # noqa: F401
        except ImportError:
            return "mygrad is not installed (pip install mygrad)"
        return None

    def __init__(self, workload: Workload):
        import mygrad

        self.mg = mygrad
        self.lr = workload.lr
        self.hidden = mygrad.nnet.relu if workload.activation == "relu" else mygrad.nnet.sigmoid
        self.layers = [(mygrad.tensor(W.T.copy()), mygrad.tensor(b.copy())) for W, b in workload.initial_weights()]
        self.params = [p for layer in self.layers for p in layer]

    def _loss(self, X, y):
        mg = self.mg
        a = X
        last = len(self.layers) - 1
        for index, (W, b) in enumerate(self.layers):
            z = a @ W + b
            a = mg.nnet.sigmoid(z) if index == last else self.hidden(z)
        return -mg.mean(y * mg.log(a) + (1 - y) * mg.log(1 - a))

    def _update(self):
        for p in self.params:
            p.data -= self.lr * p.grad


FRAMEWORKS: dict[str, type[Trainer]] = {
    "numpy": NumpyReference,
    "tinygrad": TinygradNN,
    "tinygrad32": TinygradNN32,
    "tinygrad-logits": TinygradLogits,
    "tinygrad-ops": TinygradOps,
    "torch64": Torch64,
    "torch32": Torch32,
    "mygrad": MyGrad,
}
"""Command-line key -> trainer class, in table order; "numpy" is the baseline of every ratio."""
