"""Output layers: softmax + cross-entropy and identity + squared error, against
both references, gradient checks, stability and errors."""

import numpy as np
import pytest
from conftest import assert_close_lists, make_problem

import bprop
from bprop import reference

HIDDEN = ["sigmoid", "tanh", "relu", ["relu", "tanh"]]


def _sizes(activation):
    return [6, 7, 5, 4] if isinstance(activation, list) else [6, 7, 4]


def _targets(output, kind, m, K, seed):
    """Labels, one-hot or probability rows (softmax); real targets (identity)."""
    rng = np.random.default_rng(seed)
    if output == "identity":
        return rng.normal(scale=2.0, size=(m, K))
    if kind == "labels":
        return rng.integers(0, K, size=m)
    if kind == "onehot":
        return np.eye(K)[rng.integers(0, K, size=m)]
    p = rng.uniform(size=(m, K))
    return p / p.sum(axis=1, keepdims=True)


@pytest.mark.parametrize(
    "output, kind", [("softmax", "labels"), ("softmax", "soft"), ("identity", "real")]
)
@pytest.mark.parametrize("activation", HIDDEN, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("m", [1, 70, 1100])
def test_core_matches_references(output, kind, activation, dtype, m):
    thetas, X, _ = make_problem(_sizes(activation), m, dtype=dtype, seed=m, scale=0.7)
    y = _targets(output, kind, m, thetas[-1].shape[0], m)
    weights = np.random.default_rng(m).uniform(0, 2, size=m) if m == 70 else None
    for lambda_ in (0.0, 1.5):
        J, grads = bprop.cost_and_gradient(
            thetas, X, y, lambda_, activation=activation, output=output, sample_weight=weights
        )
        t64 = [t.astype(np.float64) for t in thetas]
        X64 = X.astype(np.float64)
        J_ref, g_ref = reference.cost_and_gradient(
            t64, X64, y, lambda_, weights, activation, output
        )
        rtol, atol = (1e-12, 1e-13) if dtype == np.float64 else (2e-5, 2e-6)
        assert J == pytest.approx(J_ref, rel=rtol)
        assert_close_lists(grads, g_ref, rtol=rtol, atol=atol)
        if m <= 70:
            J_loop, g_loop = reference.per_sample.cost_and_gradient(
                t64, X64, y, lambda_, weights, activation, output
            )
            assert J_ref == pytest.approx(J_loop, rel=1e-12)
            assert_close_lists(g_ref, g_loop, rtol=1e-11, atol=1e-14)
    h = bprop.forward(thetas, X, activation=activation, output=output)
    # identity outputs can cancel to near 0: an absolute floor at the outputs' scale (~1)
    np.testing.assert_allclose(
        h,
        reference.forward(t64, X64, activation, output),
        rtol=1e-12 if dtype == np.float64 else 2e-5,
        atol=1e-13 if dtype == np.float64 else 1e-6,
    )


@pytest.mark.parametrize("output", ["logistic", "softmax", "identity"])
@pytest.mark.parametrize("activation", HIDDEN, ids=str)
@pytest.mark.parametrize("weighted", [False, True])
def test_gradient_check(output, activation, weighted):
    thetas, X, _ = make_problem(_sizes(activation), 9, seed=2, scale=0.6)
    y = _targets(output, "soft", 9, thetas[-1].shape[0], 3)
    w = np.random.default_rng(4).uniform(0, 3, size=9) if weighted else None
    r = bprop.gradient_check(
        thetas, X, y, 2.0, activation=activation, output=output, sample_weight=w, epsilon=1e-5
    )
    assert r.relative_difference < 1e-9, r


def test_softmax_cost_by_hand():
    # One sample, z = Theta [1; x] = [1, 2, 3], label 2:
    # cost = log(e + e^2 + e^3) - 3; delta = softmax(z) - e_2.
    thetas = [np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])]
    X = np.array([[5.0]])
    J, (g,) = bprop.cost_and_gradient(thetas, X, [2], output="softmax")
    e = np.exp([1.0, 2.0, 3.0])
    assert J == pytest.approx(np.log(e.sum()) - 3.0, rel=1e-15)
    delta = e / e.sum() - [0, 0, 1]
    np.testing.assert_allclose(g, np.outer(delta, [1.0, 5.0]), rtol=1e-15, atol=1e-17)
    np.testing.assert_allclose(
        bprop.forward(thetas, X, output="softmax")[0], e / e.sum(), rtol=1e-15
    )


def test_squared_error_by_hand():
    # z = 0.5 + 2 x; cost = mean of (z - y)^2 / 2; gradient = mean of (z - y) [1, x].
    thetas = [np.array([[0.5, 2.0]])]
    X = np.array([[1.0], [-1.0], [3.0]])
    y = np.array([2.0, 0.0, 7.0])
    z = 0.5 + 2 * X[:, 0]
    J, (g,) = bprop.cost_and_gradient(thetas, X, y, output="identity")
    assert J == pytest.approx(np.mean((z - y) ** 2) / 2, rel=1e-15)
    np.testing.assert_allclose(g[0], [np.mean(z - y), np.mean((z - y) * X[:, 0])], rtol=1e-15)
    np.testing.assert_array_equal(bprop.predict(thetas, X, output="identity"), z[:, None])


def test_softmax_is_stable_for_huge_outputs():
    # z of +-1000: exp overflows without the log-sum-exp; cost and gradient stay exact.
    thetas = [np.array([[1000.0, 0.0], [-1000.0, 0.0], [999.0, 0.0]])]
    X = np.zeros((2, 1))
    J, (g,) = bprop.cost_and_gradient(thetas, X, [0, 1], output="softmax")
    lse = 1000.0 + np.log1p(np.exp(-1.0))
    assert J == pytest.approx(((lse - 1000.0) + (lse + 1000.0)) / 2, rel=1e-15)
    assert np.isfinite(g).all()
    h = bprop.forward(thetas, X, output="softmax")
    np.testing.assert_allclose(h.sum(axis=1), 1.0, rtol=1e-15)
    assert h[0, 1] == 0.0 and h[0, 0] > h[0, 2] > 0


def test_softmax_with_two_units_matches_the_logistic_of_the_difference():
    # softmax([z0, z1])_1 = sigmoid(z1 - z0): an independent check of the pairing.
    rng = np.random.default_rng(5)
    t = [rng.normal(size=(2, 4))]
    X = rng.normal(size=(30, 3))
    y = rng.integers(0, 2, 30)
    d = [(t[0][1] - t[0][0])[None, :]]
    J_soft = bprop.cost(t, X, y, output="softmax")
    J_sig = bprop.cost(d, X, y)  # one sigmoid unit on z1 - z0, logistic cost
    assert J_soft == pytest.approx(J_sig, rel=1e-13)


def test_threads_do_not_change_new_outputs():
    thetas, X, _ = make_problem([20, 16, 5], 3000, seed=3)
    for output, y in (
        ("softmax", _targets("softmax", "labels", 3000, 5, 1)),
        ("identity", _targets("identity", "", 3000, 5, 1)),
    ):
        J1, g1 = bprop.cost_and_gradient(thetas, X, y, 1.0, output=output, num_threads=1)
        J2, g2 = bprop.cost_and_gradient(thetas, X, y, 1.0, output=output, num_threads=3)
        assert J1 == J2
        for a, b in zip(g1, g2):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "output, y, match",
    [
        ("softmax", np.full((4, 3), 0.5), r"row 0 of y sums to 1.5; a softmax output needs"),
        (
            "identity",
            np.zeros(4),
            r"identity \(regression\) output with 3 units needs targets of "
            r"shape \(4, 3\)",
        ),
        ("identity", np.array([[np.nan, 0, 0]] * 4), r"y holds nan at row 0, column 0"),
        ("linear", np.zeros(4), r"output 'linear' is not one of logistic, softmax, identity"),
    ],
)
def test_bad_targets_and_outputs(output, y, match):
    thetas, X, _ = make_problem([4, 3, 3], 4, seed=4)
    with pytest.raises(ValueError, match=match):
        bprop.cost(thetas, X, y, output=output)


def test_softmax_needs_two_units():
    thetas, X, y = make_problem([4, 3, 1], 4, seed=4)
    with pytest.raises(ValueError, match="softmax output needs at least 2 output units"):
        bprop.forward(thetas, X, output="softmax")
    with pytest.raises(ValueError, match="softmax output needs at least 2"):
        core = bprop._core
        core.forward(thetas, core.Samples(X), core.NetworkKind([0], 3), 1)


def test_identity_output_with_one_unit_takes_1d_targets():
    thetas, X, _ = make_problem([3, 4, 1], 20, seed=6)
    y = np.random.default_rng(0).normal(size=20)
    assert bprop.cost(thetas, X, y, output="identity") == pytest.approx(
        bprop.cost(thetas, X, y[:, None], output="identity"), rel=0
    )


def test_training_softmax_classifier_and_regressor():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 300)
    X = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])[y] + rng.normal(size=(300, 2))
    thetas = bprop.initialize([2, 16, 3], method="he", seed=0)
    trained, h = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.02,
        iterations=300,
        activation="relu",
        output="softmax",
        verbose=False,
    )
    assert h.cost[-1] < 0.5 * h.cost[0]
    assert np.mean(bprop.predict(trained, X, activation="relu", output="softmax") == y) > 0.85

    Xr = rng.uniform(-2, 2, size=(400, 1))
    yr = np.sin(Xr[:, 0]) + 0.05 * rng.normal(size=400)
    thetas = bprop.initialize([1, 20, 1], method="xavier", seed=0)
    trained, h = bprop.train(
        thetas,
        Xr,
        yr,
        optimizer="lbfgs",
        iterations=200,
        activation="tanh",
        output="identity",
        verbose=False,
        validation_data=(Xr[:50], yr[:50]),
    )
    pred = bprop.predict(trained, Xr, activation="tanh", output="identity")[:, 0]
    assert np.mean((pred - yr) ** 2) < 0.01
    assert h.val_cost and not h.val_accuracy  # regression: a validation cost, no accuracy
