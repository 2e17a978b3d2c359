"""Hidden activations tanh, ReLU and leaky ReLU (and mixes), against both references."""

import numpy as np
import pytest
from conftest import assert_close_lists, make_problem

import bprop
from bprop import reference

ACTIVATIONS = [
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    ["relu", "tanh"],
    ["tanh", "sigmoid"],
    ["leaky_relu", "sigmoid"],
]


def _sizes(activation):
    return [6, 7, 5, 4] if isinstance(activation, list) else [6, 7, 4]


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("m", [1, 70, 1100])
@pytest.mark.parametrize("lambda_", [0.0, 1.0])
def test_core_matches_references(activation, dtype, m, lambda_):
    thetas, X, y = make_problem(_sizes(activation), m, dtype=dtype, seed=m, scale=0.7)
    J, grads = bprop.cost_and_gradient(thetas, X, y, lambda_, activation=activation)
    t64 = [t.astype(np.float64) for t in thetas]
    X64 = X.astype(np.float64)
    J_ref, g_ref = reference.cost_and_gradient(t64, X64, y, lambda_, activation=activation)
    rtol, atol = (1e-12, 1e-13) if dtype == np.float64 else (2e-5, 2e-6)
    assert J == pytest.approx(J_ref, rel=rtol)
    assert_close_lists(grads, g_ref, rtol=rtol, atol=atol)
    if m <= 70:
        J_loop, g_loop = reference.per_sample.cost_and_gradient(
            t64, X64, y, lambda_, activation=activation
        )
        assert J_ref == pytest.approx(J_loop, rel=1e-12)
        assert_close_lists(g_ref, g_loop, rtol=1e-11, atol=1e-14)
    h = bprop.forward(thetas, X, activation=activation)
    np.testing.assert_allclose(
        h,
        reference.forward(t64, X64, activation),
        rtol=1e-12 if dtype == np.float64 else 2e-5,
        atol=1e-7,
    )


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=str)
@pytest.mark.parametrize("lambda_", [0.0, 2.0])
def test_gradient_check(activation, lambda_):
    # epsilon 1e-5: tanh's larger third derivative puts the central difference's own
    # O(epsilon^2) error at ~1e-9 with the default 1e-4.
    thetas, X, y = make_problem(_sizes(activation), 9, seed=2, scale=0.6)
    r = bprop.gradient_check(thetas, X, y, lambda_, activation=activation, epsilon=1e-5)
    assert r.relative_difference < 1e-9, r


def test_activation_changes_the_result_and_threads_do_not():
    thetas, X, y = make_problem([20, 16, 5], 3000, seed=3)
    results = {}
    for g in ("sigmoid", "tanh", "relu"):
        J1, g1 = bprop.cost_and_gradient(thetas, X, y, 1.0, activation=g, num_threads=1)
        J2, g2 = bprop.cost_and_gradient(thetas, X, y, 1.0, activation=g, num_threads=3)
        assert J1 == J2
        for a, b in zip(g1, g2):
            np.testing.assert_array_equal(a, b)
        results[g] = J1
    assert len(set(results.values())) == 3


def test_relu_units_that_never_fire_get_no_gradient():
    thetas = bprop.initialize([3, 4, 2], seed=0)
    thetas[0][2, :] = [-100.0, 0.0, 0.0, 0.0]  # unit 3 is always off
    X = np.random.default_rng(0).normal(size=(50, 3))
    _, grads = bprop.cost_and_gradient(thetas, X, np.arange(50) % 2, activation="relu")
    np.testing.assert_array_equal(grads[0][2], 0.0)
    assert np.abs(grads[0][[0, 1, 3]]).max() > 0


@pytest.mark.parametrize(
    "activation, match",
    [
        ("softsign", r"activation 'softsign' \(hidden layer 1\) is not one of sigmoid, tanh, relu"),
        (["relu"], r"activation lists 1 names but the network has 2 hidden layers"),
    ],
)
def test_bad_activation(activation, match):
    thetas, X, y = make_problem([4, 3, 3, 2], 10, seed=4)
    with pytest.raises(ValueError, match=match):
        bprop.cost(thetas, X, y, activation=activation)


def test_he_and_auto_initialisation():
    he = bprop.initialize([784, 100, 10], method="he", seed=0)
    for t, fan_in in zip(he, (784, 100)):
        eps = np.sqrt(6.0 / fan_in)
        assert eps * 0.95 < np.abs(t).max() <= eps
    for t, u in zip(bprop.initialize([784, 100, 10], method="auto", activation="relu", seed=0), he):
        np.testing.assert_array_equal(t, u)
    xav = bprop.initialize([784, 100, 10], method="xavier", seed=0)
    for t, u in zip(
        bprop.initialize([784, 100, 10], method="auto", activation="tanh", seed=0), xav
    ):
        np.testing.assert_array_equal(t, u)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_training_with_other_activations(activation):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, 300)
    X = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])[y] + rng.normal(size=(300, 2))
    thetas = bprop.initialize([2, 16, 3], method="auto", activation=activation, seed=0)
    trained, h = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.02,
        iterations=300,
        activation=activation,
        verbose=False,
    )
    assert h.cost[-1] < 0.5 * h.cost[0]
    assert np.mean(bprop.predict(trained, X, activation=activation) == y) > 0.85


def test_leaky_relu_by_hand():
    # One hidden unit with weight 1 and bias 0 passes z through g; the output unit
    # (weight 1, bias 0, identity) shows g(z) itself.
    thetas = [np.array([[0.0, 1.0]]), np.array([[0.0, 1.0]])]
    z = np.array([[-2.0], [-0.5], [0.0], [0.5], [3.0]])
    out = bprop.forward(thetas, z, activation="leaky_relu", output="identity")[:, 0]
    np.testing.assert_array_equal(out, [-0.02, -0.005, 0.0, 0.5, 3.0])
    assert bprop._core.LEAKY_SLOPE == reference._math.LEAKY_SLOPE == 0.01
    # d J / d (hidden weight) = (out - y) * g'(z) * x: slope 0.01 below 0, 1 above
    J, grads = bprop.cost_and_gradient(
        thetas, np.array([[-2.0]]), np.array([[1.0]]), activation="leaky_relu", output="identity"
    )
    assert grads[0][0, 1] == pytest.approx((-0.02 - 1.0) * 0.01 * -2.0, rel=1e-15)
    names = bprop._internal.checks.ACTIVATIONS
    assert set(names) == set(reference._math.HIDDEN_ACTIVATIONS)  # one list in both languages
    assert (
        bprop.initialize([3, 4, 2], method="auto", activation="leaky_relu", seed=0)[0].std()
        > bprop.initialize([3, 4, 2], method="auto", activation="tanh", seed=0)[0].std()
    )
