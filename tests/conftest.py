"""Shared test settings: hypothesis profiles, the finite-difference helper and gc_disabled.

Profiles (choose one with HYPOTHESIS_PROFILE=name, default "ci"):
    ci        25 examples per property, no deadline: the whole suite stays fast.
    thorough  300 examples per property, for a longer local run before a release.

No deadline in either, because a slow shared CI machine must not turn a correct
property into a flaky failure.
"""

import gc
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    deadline=None,
    max_examples=300,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def gc_disabled():
    """Turn the cyclic garbage collector off for one test, so only reference counting frees memory."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Fourth-order central differences in float64. With step h = 1e-4 the truncation
# error is about h^4 |f'''''| / 30 (below 1e-13 for the inputs the tests draw) and
# the rounding error about 1e-16 |F| / h, so gradients match to FD_RTOL = 1e-6
# relative and FD_ATOL = 1e-8 absolute. Inputs stay at least 2h = 2e-4 away from
# every kink, so no stencil point crosses one.
FD_STEP = 1e-4
FD_RTOL = 1e-6
FD_ATOL = 1e-8


def numeric_gradient(scalar_fn, array):
    """Return d scalar_fn / d array by fourth-order central differences, element by element.

    `scalar_fn()` reads `array` (perturbed in place and restored) and returns a float.
    """
    gradient = np.zeros(array.shape, dtype=np.float64)
    for index in np.ndindex(array.shape):
        original = array[index]
        values = []
        for offset in (-2, -1, 1, 2):
            array[index] = original + offset * FD_STEP
            values.append(scalar_fn())
        array[index] = original
        f_m2, f_m1, f_p1, f_p2 = values
        gradient[index] = (f_m2 - 8 * f_m1 + 8 * f_p1 - f_p2) / (12 * FD_STEP)
    return gradient
