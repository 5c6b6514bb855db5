"""Training the spirals network frees each step's graph by reference counting alone.

The network is the benchmark's W2: nn.MLP [2, 16, 8, 1] with ReLU, batches of 32
from the 400 two-spirals points, BCELoss and optim.SGD. The cyclic garbage
collector is off for the whole run. A graph that only the collector could free,
because a tensor and the op that made it refer to each other, would stay alive.
Then the weakrefs would not die and traced memory would grow by KiB per step.
"""

import gc
import tracemalloc
import weakref

import numpy as np

from tinygrad_edu import nn, optim
from tinygrad_edu.data import make_spirals, standardize

STEPS = 10_000
BATCH_SIZE = 32
# Python keeps freed tuples on free lists, which tracemalloc counts as in use.
# They fill within the first 1,000 steps, so memory is compared from there on.
BASELINE_STEP = 1_000
# One W2 graph uses several KiB of arrays, so 9,000 leaked steps would add tens
# of MiB. The 64 KiB allow for numpy's and the interpreter's caches.
MAX_GROWTH_BYTES = 64 * 1024


def _spiral_batches():
    X, y = make_spirals(400, noise=0.3, seed=0)
    X, _, _ = standardize(X)
    # Shuffled once, so each batch contains both classes.
    order = np.random.default_rng(0).permutation(len(X))
    X, y = X[order], y[order].reshape(-1, 1)
    starts = range(0, len(X) - BATCH_SIZE + 1, BATCH_SIZE)
    return [(X[start : start + BATCH_SIZE], y[start : start + BATCH_SIZE]) for start in starts]


def _train_step(model, loss_fn, optimizer, X, y):
    """Run one training step; return the loss and the first hidden activation."""
    optimizer.zero_grad()
    hidden = model.layers[1](model.layers[0](X))
    y_hat = model.layers[5](model.layers[4](model.layers[3](model.layers[2](hidden))))
    loss = loss_fn(y_hat, y)
    loss.backward()
    optimizer.step()
    return loss, hidden


def test_spirals_training_frees_graphs_without_gc(gc_disabled):
    batches = _spiral_batches()
    model = nn.MLP([2, 16, 8, 1], activation="relu", seed=0)
    loss_fn = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)

    first_loss = None
    tracemalloc.start()
    try:
        for step in range(STEPS):
            X, y = batches[step % len(batches)]
            loss, hidden = _train_step(model, loss_fn, optimizer, X, y)
            if first_loss is None:
                first_loss = loss.item()
            if step == BASELINE_STEP:
                memory_at_baseline, _ = tracemalloc.get_traced_memory()
                loss_ref, hidden_ref = weakref.ref(loss), weakref.ref(hidden)
            if step == BASELINE_STEP + 1:
                # The previous step's graph lost its last reference when loss and hidden were rebound.
                assert loss_ref() is None
                assert hidden_ref() is None
        memory_at_end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    growth = memory_at_end - memory_at_baseline
    assert growth < MAX_GROWTH_BYTES, f"traced memory grew by {growth} bytes over {STEPS - BASELINE_STEP} steps"
    # Nothing the steps left behind needs the cyclic collector.
    del loss, hidden
    assert gc.collect() == 0
    # The loop really trained: the mean loss over one pass fell well below its start.
    final_losses = [_train_step(model, loss_fn, optimizer, X, y)[0].item() for X, y in batches]
    assert np.mean(final_losses) < 0.9 * first_loss


def test_float32_model_frees_graphs_without_gc(gc_disabled):
    batches = [(X.astype(np.float32), y.astype(np.float32)) for X, y in _spiral_batches()]
    model = nn.MLP([2, 16, 8, 1], activation="relu", dtype=np.float32, seed=0)
    loss_fn = nn.BCELoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)

    references = []
    for step in range(200):
        X, y = batches[step % len(batches)]
        loss, hidden = _train_step(model, loss_fn, optimizer, X, y)
        assert loss.dtype == np.float32
        references.append(weakref.ref(hidden))
    del loss, hidden

    assert all(reference() is None for reference in references)
    assert all(parameter.data.dtype == np.float32 for parameter in model.parameters())
