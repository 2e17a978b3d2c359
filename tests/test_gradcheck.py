"""Gradient checks: central differences prove the backpropagation gradient."""

import numpy as np
import pytest
from conftest import make_problem

import bprop


@pytest.mark.parametrize(
    "sizes", [[3, 5, 3], [4, 3, 2, 3], [2, 4, 3, 3, 2], [3, 1], [1, 2, 1]], ids=str
)
@pytest.mark.parametrize("lambda_", [0.0, 3.0])
@pytest.mark.parametrize("targets", ["labels", "soft"])
def test_gradients_pass_the_check(sizes, lambda_, targets):
    thetas, X, y = make_problem(sizes, 7, seed=sum(sizes), targets=targets, scale=0.5)
    r = bprop.gradient_check(thetas, X, y, lambda_)
    assert r.passed
    assert r.relative_difference < 1e-9
    assert len(r.layer_max_errors) == len(thetas)
    assert max(r.layer_max_errors) < 1e-8
    assert r.numerical.shape == r.analytical.shape == (bprop.num_parameters(sizes),)


def test_debug_network_like_the_course():
    thetas = bprop.initialize([3, 5, 3], method="debug")
    X = bprop.init.debug_matrix(2, 5)  # (5, 3) inputs, as the course builds them
    y = np.arange(1, 6) % 3
    r = bprop.gradient_check(thetas, X, y, lambda_=3.0)
    assert r.relative_difference < 1e-9
    assert "passed" in str(r)


def test_float32_network_is_checked_in_float64():
    thetas, X, y = make_problem([4, 5, 3], 6, dtype=np.float32, seed=9, scale=0.5)
    r = bprop.gradient_check(thetas, X, y, 1.0)
    assert r.numerical.dtype == np.float64
    assert r.relative_difference < 1e-9


def test_check_catches_a_wrong_gradient(monkeypatch):
    # Break backprop on purpose (forget the regularisation of one layer): the check fails
    # and points at that layer.
    import bprop.gradcheck as gc

    real = gc.evaluate

    def broken(thetas, problem, with_gradient):
        J, grads = real(thetas, problem, with_gradient)
        if grads is not None:
            grads[1][:, 1:] -= problem.lambda_ / problem.X.shape[0] * thetas[1][:, 1:]
        return J, grads

    monkeypatch.setattr(gc, "evaluate", broken)
    thetas, X, y = make_problem([3, 4, 3], 5, seed=1)
    r = bprop.gradient_check(thetas, X, y, 2.0)
    assert not r.passed
    assert r.relative_difference > 1e-4
    assert r.worst[0].layer == 1
    assert r.layer_max_errors[1] > 1e3 * r.layer_max_errors[0]
    assert "FAILED" in str(r)


def test_numerical_gradient_of_known_function():
    def f(v):
        return float(np.sin(v[0]) * v[1] ** 3)

    v = np.array([0.3, -1.2])
    g = bprop.numerical_gradient(f, v, 1e-5)
    np.testing.assert_allclose(g, [np.cos(0.3) * (-1.2) ** 3, np.sin(0.3) * 3 * 1.44], rtol=1e-8)
    np.testing.assert_array_equal(v, [0.3, -1.2])  # input untouched


@pytest.mark.parametrize("eps", [0.0, -1e-4, float("nan")])
def test_numerical_gradient_rejects_bad_epsilon(eps):
    with pytest.raises(ValueError, match="epsilon"):
        bprop.numerical_gradient(lambda v: 0.0, np.zeros(2), eps)
