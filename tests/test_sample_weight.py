"""Per-sample weights: weighted-mean cost and gradient, against both references."""

import numpy as np
import pytest
from conftest import assert_close_lists, make_problem

import bprop
from bprop import _core, reference


def _weights(m, seed):
    return np.random.default_rng(seed).uniform(0.0, 3.0, size=m)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("m", [1, 70, 1100])
@pytest.mark.parametrize("targets", ["labels", "soft"])
@pytest.mark.parametrize("lambda_", [0.0, 1.5])
def test_weighted_core_matches_references(dtype, m, targets, lambda_):
    thetas, X, y = make_problem([7, 6, 4], m, dtype=dtype, seed=m, targets=targets)
    w = _weights(m, m) + (1.0 if m == 1 else 0.0)
    J, grads = bprop.cost_and_gradient(thetas, X, y, lambda_, sample_weight=w)
    t64 = [t.astype(np.float64) for t in thetas]
    w_used = w.astype(dtype).astype(np.float64)
    J_ref, g_ref = reference.cost_and_gradient(t64, X.astype(np.float64), y, lambda_, w_used)
    rtol, atol = (1e-12, 1e-13) if dtype == np.float64 else (2e-5, 2e-6)
    assert J == pytest.approx(J_ref, rel=rtol)
    assert_close_lists(grads, g_ref, rtol=rtol, atol=atol)
    if m <= 70:
        J_loop, g_loop = reference.per_sample.cost_and_gradient(
            t64, X.astype(np.float64), y, lambda_, w_used
        )
        assert J_ref == pytest.approx(J_loop, rel=1e-12)
        assert_close_lists(g_ref, g_loop, rtol=1e-11, atol=1e-14)
    assert bprop.cost(thetas, X, y, lambda_, sample_weight=w) == pytest.approx(J, rel=1e-15)


@pytest.mark.parametrize("lambda_", [0.0, 2.0])
def test_weighted_gradient_check(lambda_):
    thetas, X, y = make_problem([3, 4, 3], 8, seed=3, scale=0.5)
    r = bprop.gradient_check(thetas, X, y, lambda_, sample_weight=_weights(8, 1))
    assert r.relative_difference < 1e-9


def test_unit_weights_equal_no_weights():
    thetas, X, y = make_problem([5, 4, 3], 300, seed=4)
    J, g = bprop.cost_and_gradient(thetas, X, y, 1.0)
    Jw, gw = bprop.cost_and_gradient(thetas, X, y, 1.0, sample_weight=np.ones(300))
    assert Jw == pytest.approx(J, rel=1e-14)
    for a, b in zip(g, gw):
        np.testing.assert_array_equal(a, b)


def test_integer_weights_act_like_repeated_samples():
    thetas, X, y = make_problem([5, 4, 3], 40, seed=5)
    counts = np.random.default_rng(0).integers(0, 4, size=40)
    counts[0] = 1
    J, g = bprop.cost_and_gradient(thetas, X, y, 0.0, sample_weight=counts)
    Jr, gr = bprop.cost_and_gradient(
        thetas, np.repeat(X, counts, axis=0), np.repeat(y, counts), 0.0
    )
    assert J == pytest.approx(Jr, rel=1e-12)
    assert_close_lists(g, gr, rtol=1e-10, atol=1e-14)


def test_scaling_all_weights_changes_nothing():
    thetas, X, y = make_problem([5, 4, 3], 50, seed=6)
    w = _weights(50, 2)
    J, g = bprop.cost_and_gradient(thetas, X, y, 3.0, sample_weight=w)
    J10, g10 = bprop.cost_and_gradient(thetas, X, y, 3.0, sample_weight=10 * w)
    assert J10 == pytest.approx(J, rel=1e-13)
    assert_close_lists(g10, g, rtol=1e-12, atol=1e-15)


def test_weighted_results_are_identical_for_any_thread_count():
    thetas, X, y = make_problem([20, 10, 5], 3000, seed=7)
    w = _weights(3000, 3)
    J1, g1 = bprop.cost_and_gradient(thetas, X, y, 1.0, sample_weight=w, num_threads=1)
    for nt in (2, 3):
        J, g = bprop.cost_and_gradient(thetas, X, y, 1.0, sample_weight=w, num_threads=nt)
        assert J == J1
        for a, b in zip(g, g1):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "w, match",
    [
        (np.ones(9), r"sample_weight must have shape \(10,\)"),
        (np.ones((10, 1)), r"sample_weight must have shape \(10,\)"),
        (np.r_[np.ones(9), -1.0], r"sample_weight\[9\] = -1.0 is negative"),
        (np.r_[np.nan, np.ones(9)], r"sample_weight\[0\] is nan"),
        (np.zeros(10), r"sample_weight sums to 0"),
    ],
)
def test_bad_weights(w, match):
    thetas, X, y = make_problem([4, 3, 3], 10, seed=8)
    with pytest.raises(ValueError, match=match):
        bprop.cost_and_gradient(thetas, X, y, sample_weight=w)


def test_binding_rechecks_weights():
    def call(w):
        samples = _core.Samples(np.zeros((4, 2)), np.zeros(4, np.int64), w=w)
        _core.cost_gradient([np.zeros((2, 3))], samples, _core.NetworkKind(), 0.0, True, 1)

    with pytest.raises(ValueError, match="negative or not finite"):
        call(np.array([1.0, -1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="sum to 0"):
        call(np.zeros(4))
    with pytest.raises(ValueError, match=r"shape \(m,\)"):
        call(np.ones(3))


def test_training_with_weights():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    X = np.c_[y * 2.0 + rng.normal(size=400), rng.normal(size=400)]
    w = np.where(y == 1, 5.0, 1.0)
    w[:50] = 0.0
    thetas = bprop.initialize([2, 4, 2], seed=0)
    trained, h = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.05,
        batch_size=25,
        epochs=5,
        seed=0,
        sample_weight=w,
        verbose=False,
    )
    assert bprop.cost(trained, X, y, sample_weight=w) < 0.6 * bprop.cost(
        thetas, X, y, sample_weight=w
    )
    # The weighted model favours class 1.
    plain, _ = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.05,
        batch_size=25,
        epochs=5,
        seed=0,
        verbose=False,
    )
    assert (bprop.predict(trained, X) == 1).sum() > (bprop.predict(plain, X) == 1).sum()


def test_minibatches_whose_weights_are_all_zero_are_skipped():
    thetas, X, y = make_problem([3, 2, 2], 20, seed=9)
    w = np.zeros(20)
    w[7] = 1.0
    trained, h = bprop.train(
        thetas,
        X,
        y,
        optimizer="gd",
        learning_rate=0.5,
        batch_size=1,
        epochs=3,
        seed=0,
        sample_weight=w,
        verbose=False,
    )
    assert h.iterations == 3  # one non-zero batch per epoch
    ref = [t.copy() for t in thetas]
    for _ in range(3):
        _, g = bprop.cost_and_gradient(ref, X[7:8], y[7:8])
        ref = [t - 0.5 * gi for t, gi in zip(ref, g)]
    for a, b in zip(trained, ref):
        np.testing.assert_allclose(a, b, rtol=1e-12)
