"""bprop.trace against hand-computed numbers, and the gradient-check report
catching mistakes made on purpose."""

import numpy as np
import pytest

import bprop
from bprop import reference

SIG = reference.sigmoid


def test_trace_reproduces_the_tutorials_exercise():
    # Given a(2) = [0.6, 0.7], a(3) = 0.8, y = 1, Theta(2) = [0.5, 0.8, 0.9].
    thetas = [np.zeros((2, 2)), np.array([[0.5, 0.8, 0.9]])]
    t = bprop.trace(thetas, [0.5], 1.0, given={2: [0.6, 0.7], 3: [0.8]})
    np.testing.assert_allclose(t.layers[0].a, [1.0, 0.5])
    np.testing.assert_allclose(t.layers[2].delta, [-0.2], rtol=1e-14)
    np.testing.assert_allclose(t.layers[1].delta, [-0.0384, -0.0378], rtol=1e-12)
    np.testing.assert_allclose(t.layers[1].Delta, [[-0.2, -0.12, -0.14]], rtol=1e-12)
    np.testing.assert_allclose(
        t.layers[0].Delta, [[-0.0384, -0.0192], [-0.0378, -0.0189]], rtol=1e-12
    )
    assert t.cost == pytest.approx(-np.log(0.8), rel=1e-14)
    assert t.matches_core is None  # given activations: not the network's own
    text = str(t)
    assert "[-0.0384, -0.0378]" in text and "(given)" in text and "[-0.2]" in text


def test_trace_by_hand_and_against_the_core():
    t1 = np.array([[0.1, 0.3], [-0.2, 0.4]])
    t2 = np.array([[0.5, 0.8, 0.9]])
    x, y = 0.5, 1.0
    a2 = SIG(t1 @ [1.0, x])
    z3 = t2 @ np.r_[1.0, a2]
    a3 = SIG(z3)
    d3 = a3 - y
    d2 = t2[0, 1:] * d3 * a2 * (1 - a2)
    tr = bprop.trace([t1, t2], [x], [y], lambda_=0.5)
    np.testing.assert_allclose(tr.layers[1].z, t1 @ [1.0, x], rtol=1e-15)
    np.testing.assert_allclose(tr.layers[1].a, np.r_[1.0, a2], rtol=1e-15)
    np.testing.assert_allclose(tr.layers[2].z, z3, rtol=1e-15)
    np.testing.assert_allclose(tr.layers[2].delta, d3, rtol=1e-14)
    np.testing.assert_allclose(tr.layers[1].delta, d2, rtol=1e-14)
    expected = np.outer(d2, [1.0, x])
    expected[:, 1:] += 0.5 * t1[:, 1:]
    np.testing.assert_allclose(tr.gradient[0], expected, rtol=1e-14)
    assert tr.matches_core is True
    assert tr.cost == pytest.approx(
        -np.log(a3[0]) + 0.25 * (0.3**2 + 0.4**2 + 0.8**2 + 0.9**2), rel=1e-14
    )


@pytest.mark.parametrize(
    "activation, output, y",
    [
        ("relu", "softmax", 2),
        ("tanh", "identity", [0.3, -1.0, 2.0]),
        (["tanh", "relu"], "logistic", [0, 1, 1]),
    ],
)
def test_trace_matches_the_core_for_other_networks(activation, output, y):
    sizes = [4, 5, 4, 3] if isinstance(activation, list) else [4, 5, 3]
    thetas = bprop.initialize(sizes, method="xavier", seed=1)
    tr = bprop.trace(
        thetas, [0.2, -0.4, 0.9, 0.1], y, lambda_=0.3, activation=activation, output=output
    )
    assert tr.matches_core is True
    J = bprop.cost(
        thetas,
        [[0.2, -0.4, 0.9, 0.1]],
        np.atleast_2d(tr.y),
        0.3,
        activation=activation,
        output=output,
    )
    assert tr.cost == pytest.approx(J, rel=1e-12)


def test_trace_errors():
    thetas = bprop.initialize([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="x has 3 values but Theta1 takes 2 inputs"):
        bprop.trace(thetas, [1, 2, 3], 0)
    with pytest.raises(ValueError, match=r"given a\(2\) has 2 values; layer 2 has 3 units"):
        bprop.trace(thetas, [1, 2], 0, given={2: [0.1, 0.2]})
    with pytest.raises(ValueError, match=r"given layer 1 is not a computed layer \(2..3\)"):
        bprop.trace(thetas, [1, 2], 0, given={1: [0.1, 0.2]})


# ---- a learner's backprop, broken on purpose --------------------------------


def my_backprop(thetas, X, y, lambda_, mistake=None):
    """The tutorial's loop for a 3-layer sigmoid network, with one optional mistake."""
    t1, t2 = thetas
    m = X.shape[0]
    Y = np.eye(t2.shape[0])[y]
    D1, D2 = np.zeros_like(t1), np.zeros_like(t2)
    for i in range(m):
        a1 = np.r_[1.0, X[i]]
        a2 = np.r_[1.0, SIG(t1 @ a1)]
        a3 = SIG(t2 @ a2)
        d3 = a3 - Y[i] if mistake != "sign" else Y[i] - a3
        d2 = (t2.T @ d3)[1:]
        if mistake != "no_derivative":
            d2 = d2 * a2[1:] * (1 - a2[1:])
        D2 += np.outer(d3, a2)
        D1 += np.outer(d2, a1)
    if mistake != "no_divide":
        D1, D2 = D1 / m, D2 / m
    for D, t in ((D1, t1), (D2, t2)):
        if mistake == "bias_regularised":
            D += lambda_ / m * t
        elif mistake != "no_regularisation":
            D[:, 1:] += lambda_ / m * t[:, 1:]
    if mistake == "transpose":
        D2 = D2[::-1, ::-1].copy()
    return [D1, D2]


@pytest.mark.parametrize(
    "mistake, hint",
    [
        (None, None),
        ("bias_regularised", "bias weights are regularised"),
        ("no_regularisation", "regularisation term of the gradient is missing"),
        ("no_derivative", "output layer's gradient is right but Theta1 is not"),
        ("no_divide", "analytical = 7 x numerical: Delta is not divided by m"),
        ("sign", "sign flipped"),
        ("transpose", "Theta2 holds the right numbers in the wrong places"),
    ],
)
def test_gradient_check_catches_the_tutorials_mistakes(mistake, hint):
    rng = np.random.default_rng(0)
    thetas = bprop.initialize([4, 5, 3], method="debug")
    X = rng.normal(size=(7, 4))
    y = rng.integers(0, 3, 7)
    r = bprop.gradient_check(
        thetas, X, y, 2.0, gradient=lambda t: my_backprop(t, X, y, 2.0, mistake)
    )
    if mistake is None:
        assert r.passed and r.verdict == "passed" and r.hints == ()
        return
    assert not r.passed
    assert r.verdict.startswith("FAILED: likely a bug")
    assert any(hint in h for h in r.hints), r.hints
    assert "hint: " in str(r) and "relative difference" in str(r)


def test_report_table_and_suspicious_verdict():
    thetas = bprop.initialize([3, 4, 2], method="debug")
    X = np.random.default_rng(1).normal(size=(5, 3))
    y = [0, 1, 1, 0, 1]

    # a tiny error in one entry: between the thresholds
    def nudged(t):
        g = bprop.cost_and_gradient(t, X, y, 1.0)[1]
        g[0][1, 1] += 1e-5
        return g

    r = bprop.gradient_check(thetas, X, y, 1.0, gradient=nudged)
    assert 1e-7 < r.relative_difference < 1e-4
    assert r.verdict.startswith("FAILED: suspicious")
    assert r.worst[0][:3] == (0, 1, 1)
    lines = str(r).splitlines()
    assert lines[1].split() == ["layer", "max", "|num", "-", "ana|", "relative", "difference"]
    assert lines[2].startswith("  Theta1") and lines[3].startswith("  Theta2")
    assert len(r.layer_relative_errors) == 2 and r.layer_relative_errors[1] < 1e-9


def test_gradient_callable_with_wrong_shapes_is_named():
    thetas = bprop.initialize([3, 4, 2], method="debug")
    with pytest.raises(ValueError, match=r"gradient returned arrays of shapes \[\(4, 4\)\]"):
        bprop.gradient_check(thetas, np.ones((2, 3)), [0, 1], gradient=lambda t: [t[0]])


@pytest.mark.parametrize(
    "label, match",
    [
        (-1, r"labels must be in \[0, 10\)"),
        (2.7, "not a whole number"),
        (12, r"labels must be in \[0, 10\)"),
        (float("nan"), "labels must be finite"),
        ("seven", "must hold numbers"),
    ],
)
def test_trace_checks_its_label_as_cost_does(label, match):
    thetas = bprop.initialize([3, 4, 10], seed=0)
    with pytest.raises((ValueError, TypeError), match=match):
        bprop.trace(thetas, [0.1, 0.2, 0.3], label)
    with pytest.raises((ValueError, TypeError), match=match):
        bprop.cost(thetas, np.array([[0.1, 0.2, 0.3]]), np.array([label]))
