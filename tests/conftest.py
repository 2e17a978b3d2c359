import os

import numpy as np
import pytest
from hypothesis import settings

# Property tests must give the same verdict on every run and every machine.
settings.register_profile(
    "bprop", derandomize=True, deadline=None, max_examples=60, print_blob=True
)
settings.load_profile(os.environ.get("BPROP_HYPOTHESIS_PROFILE", "bprop"))


def make_problem(sizes, m, *, dtype=np.float64, seed=0, targets="labels", scale=1.0):
    """Random network, inputs and targets of the given sizes."""
    rng = np.random.default_rng(seed)
    thetas = [
        rng.normal(scale=scale, size=(o, i + 1)).astype(dtype)
        for i, o in zip(sizes[:-1], sizes[1:])
    ]
    X = rng.normal(size=(m, sizes[0])).astype(dtype)
    K = sizes[-1]
    if targets == "labels":
        y = rng.integers(0, K, size=m) if K > 1 else rng.integers(0, 2, size=m)
    elif targets == "onehot":
        y = np.eye(K)[rng.integers(0, K, size=m)]
    else:  # soft targets in [0, 1]
        y = rng.uniform(size=(m, K))
    return thetas, X, y


@pytest.fixture
def problem():
    return make_problem


def assert_close_lists(actual, expected, rtol, atol=0.0):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert a.shape == e.shape
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)
