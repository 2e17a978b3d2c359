"""Unrolling, rolling and initialisation."""

import numpy as np
import pytest

import bprop


def test_unroll_roll_round_trip():
    thetas = bprop.initialize([4, 6, 3, 2], seed=1)
    v = bprop.unroll(thetas)
    assert v.shape == (6 * 5 + 3 * 7 + 2 * 4,)
    np.testing.assert_array_equal(v[:5], thetas[0][0])  # row-major, layer order
    back = bprop.roll(v, [4, 6, 3, 2])
    for a, b in zip(thetas, back):
        np.testing.assert_array_equal(a, b)
    assert bprop.layer_sizes(thetas) == [4, 6, 3, 2]


def test_roll_rejects_wrong_length():
    with pytest.raises(ValueError, match="has 10 entries but layer sizes \\[2, 3, 1\\] need 13"):
        bprop.roll(np.zeros(10), [2, 3, 1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniform_initialisation(dtype):
    thetas = bprop.initialize([784, 25, 10], epsilon=0.12, seed=3, dtype=dtype)
    assert [t.shape for t in thetas] == [(25, 785), (10, 26)]
    assert all(t.dtype == dtype for t in thetas)
    allw = bprop.unroll(thetas)
    assert np.abs(allw).max() <= 0.12
    assert np.abs(allw).max() > 0.119  # fills the interval
    assert abs(allw.mean()) < 0.005
    # Seeded: reproducible; different seeds differ (symmetry broken).
    np.testing.assert_array_equal(
        thetas[0], bprop.initialize([784, 25, 10], seed=3, dtype=dtype)[0]
    )
    assert not np.array_equal(thetas[0], bprop.initialize([784, 25, 10], seed=4, dtype=dtype)[0])
    assert len(np.unique(thetas[0][:, 1])) == 25


def test_xavier_epsilon_per_layer():
    thetas = bprop.initialize([784, 25, 10], method="xavier", seed=0)
    for t, (a, b) in zip(thetas, [(784, 25), (25, 10)]):
        eps = np.sqrt(6) / np.sqrt(a + b)
        assert np.abs(t).max() <= eps
        assert np.abs(t).max() > 0.95 * eps


def test_random_initialize():
    t = bprop.random_initialize(3, 5, epsilon=0.5, rng=7)
    assert t.shape == (5, 4)
    assert np.abs(t).max() <= 0.5
    np.testing.assert_array_equal(t, bprop.random_initialize(3, 5, 0.5, np.random.default_rng(7)))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"layer_sizes": [3]}, ValueError, "at least an input and an output"),
        ({"layer_sizes": [3, 0]}, ValueError, "layer_sizes\\[1\\] must be >= 1"),
        ({"layer_sizes": [3, 2.5]}, TypeError, "layer_sizes\\[1\\] must be an int"),
        ({"layer_sizes": [3, 2], "method": "zeros"}, ValueError, "method must be"),
        ({"layer_sizes": [3, 2], "epsilon": -1}, ValueError, "epsilon must be finite and > 0"),
        ({"layer_sizes": [3, 2], "dtype": np.int32}, TypeError, "float32 or float64"),
    ],
)
def test_initialize_rejects_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        bprop.initialize(**kwargs)


def test_one_hot():
    np.testing.assert_array_equal(bprop.one_hot([2, 0, 1], 3), np.eye(3)[[2, 0, 1]])
    with pytest.raises(ValueError, match="look like labels 1..3"):
        bprop.one_hot([1, 2, 3], 3)
