"""The graph is freed by reference counting alone: no reference cycles, flat memory.

Every test here runs with the cyclic garbage collector off. A graph that only
the collector could free (a cycle between a tensor and its op) stays alive then,
and the weakref and tracemalloc checks fail.
"""

import tracemalloc
import weakref

import numpy as np

from tinygrad_edu import Tensor, ops


def test_graph_freed_when_output_dropped(gc_disabled):
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = (x * 2.0).sigmoid()
    out = (hidden * x).sum()
    hidden_ref, out_ref = weakref.ref(hidden), weakref.ref(out)
    out.backward()
    del hidden, out
    assert hidden_ref() is None
    assert out_ref() is None
    assert x.grad is not None


def test_deep_chain_freed(gc_disabled):
    x = Tensor(1.0, requires_grad=True)
    y = x
    for step in range(100_000):
        y = y + 1.0
        if step == 50_000:
            middle_ref = weakref.ref(y)
    y.backward()
    assert x.grad == 1.0
    assert middle_ref() is not None
    # Deallocating 100,000 nested objects must not overflow the C stack or raise RecursionError.
    del y
    assert middle_ref() is None


def _train_step(weight, bias, x, y, learning_rate=0.1):
    """Run one step of logistic regression by hand and return the loss tensor."""
    loss = ops.binary_cross_entropy_with_logits(ops.linear(x, weight, bias), y)
    loss.backward()
    weight.data -= learning_rate * weight.grad
    bias.data -= learning_rate * bias.grad
    weight.zero_grad()
    bias.zero_grad()
    return loss


def test_ten_thousand_steps_flat_memory(gc_disabled):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 2))
    y = (x[:, :1] > 0).astype(np.float64)
    weight = Tensor(rng.standard_normal((1, 2)), requires_grad=True)
    bias = Tensor(np.zeros(1), requires_grad=True)

    early_losses = []
    tracemalloc.start()
    try:
        for step in range(10_000):
            loss = _train_step(weight, bias, x, y)
            if step < 10:
                early_losses.append(weakref.ref(loss))
            if step == 1_000:
                memory_at_1000, _ = tracemalloc.get_traced_memory()
        memory_at_end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert all(reference() is None for reference in early_losses)
    # One step's graph costs a few kilobytes, so 9,000 leaked steps would add
    # megabytes; 64 KiB leaves room for numpy's and the interpreter's caches.
    assert memory_at_end - memory_at_1000 < 64 * 1024
    # The loop trains: the loss fell well below ln 2, its value at the start.
    assert loss.item() < 0.3
