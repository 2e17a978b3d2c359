"""Every bad input gives a clear exception that names the problem; none crashes."""

import numpy as np
import pytest
from conftest import make_problem

import bprop
from bprop import _core

THETAS, X, Y = make_problem([4, 5, 3], 10, seed=0)


def _cost(thetas=None, X_=None, y=None, lambda_=0.0):
    return bprop.cost_and_gradient(
        THETAS if thetas is None else thetas,
        X if X_ is None else X_,
        Y if y is None else y,
        lambda_,
    )


def _with(a, index, value):
    a = np.array(a, dtype=float)
    a[index] = value
    return a


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X_": _with(X, (3, 2), np.nan)}, r"X holds nan at row 3, column 2"),
        ({"X_": _with(X, (9, 0), np.inf)}, r"X holds inf at row 9, column 0"),
        ({"X_": _with(X, (0, 3), -np.inf)}, r"X holds -inf at row 0, column 3"),
        (
            {"thetas": [_with(THETAS[0], (1, 2), np.nan), THETAS[1]]},
            r"thetas\[0\] \(Theta1\) holds nan at row 1, column 2",
        ),
        ({"thetas": [THETAS[0], _with(THETAS[1], (0, 0), np.inf)]}, r"Theta2\) holds inf"),
        ({"y": _with(np.eye(3)[Y], (2, 1), np.nan)}, r"y holds nan at row 2, column 1"),
        ({"y": _with(Y, 4, np.nan)}, r"y holds nan at index 4"),
        (
            {"thetas": [THETAS[0], np.zeros((3, 5))]},
            r"thetas\[1\] \(Theta2\) has shape \(3, 5\) but thetas\[0\] \(Theta1\) "
            r"outputs 5 units.*"
            r"expected shape \(3, 6\)",
        ),
        (
            {"X_": np.zeros((10, 3))},
            r"X has 3 columns \(features\) but thetas\[0\] \(Theta1\) expects 4",
        ),
        ({"y": Y[:7]}, r"y has 7 entries but X has 10 samples"),
        ({"y": np.full(10, 3)}, r"labels must be in \[0, 3\).*from 3 to 3"),
        ({"y": np.array([1, 2, 3] * 3 + [1])}, r"look like labels 1..3: pass y - 1"),
        ({"y": np.full(10, -1)}, r"labels must be in \[0, 3\)"),
        ({"y": Y + 0.5}, r"y\[0\] = .* is not a whole number"),
        ({"y": np.zeros((10, 4))}, r"y has shape \(10, 4\) but targets must have shape \(10, 3\)"),
        ({"y": np.full((10, 3), 2.0)}, r"targets must lie in \[0, 1\]"),
        ({"y": np.zeros((10, 3, 1))}, r"y must be labels of shape \(10,\) or targets"),
        ({"X_": np.zeros((0, 4)), "y": np.zeros(0, int)}, r"X is empty"),
        ({"lambda_": -1.0}, r"lambda_ must be finite and >= 0, got -1.0"),
        ({"lambda_": float("nan")}, r"lambda_ must be finite"),
        ({"X_": X[0]}, r"X must be 2-D .* For one sample use X.reshape\(1, -1\)"),
        ({"X_": X[None]}, r"X must be 2-D"),
        ({"thetas": [THETAS[0][0], THETAS[1]]}, r"Theta1\) must be a 2-D matrix"),
        ({"thetas": []}, r"thetas is empty"),
        ({"thetas": [np.zeros((0, 5))]}, r"Theta1\) is empty"),
        ({"X_": [[1, 2, 3, 4], [1, 2]]}, r"X cannot be read as an array"),
    ],
)
def test_value_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        _cost(**kwargs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"X_": np.array([["a"] * 4] * 10)}, r"X must hold numbers, got an array of dtype <U1"),
        ({"X_": np.array([[object()] * 4] * 10)}, r"X must hold numbers"),
        ({"y": np.array(["cat"] * 10)}, r"y must hold numbers"),
        ({"thetas": [t.astype(np.int64) for t in THETAS]}, r"Theta1\) has dtype int64"),
        ({"thetas": [THETAS[0], THETAS[1].astype(np.float32)]}, r"share one dtype"),
        ({"thetas": THETAS[0]}, r"not one array"),
        ({"thetas": 3}, r"list of weight matrices"),
        ({"lambda_": "1"}, r"lambda_ must be a real number"),
        ({"X_": X.astype(complex)}, r"X must hold numbers"),
    ],
)
def test_type_errors(kwargs, match):
    with pytest.raises(TypeError, match=match):
        _cost(**kwargs)


def test_float32_overflow_of_x_is_named():
    thetas = [t.astype(np.float32) for t in THETAS]
    with pytest.raises(ValueError, match=r"X\[5, 1\] = 1e\+300 overflows float32"):
        bprop.cost(thetas, _with(X, (5, 1), 1e300), Y)


def test_forward_and_predict_reject_bad_x():
    with pytest.raises(ValueError, match=r"X holds nan at row 70, column 1"):
        bprop.forward(THETAS, _with(np.zeros((100, 4)), (70, 1), np.nan))
    with pytest.raises(ValueError, match=r"expects 4 inputs"):
        bprop.predict(THETAS, np.zeros((2, 5)))


def test_overflowing_weights_raise_instead_of_nan():
    thetas = [np.array([[0.0, 1e308, 1e308]])]
    with pytest.raises(FloatingPointError, match="largest \\|weight\\| = 1e\\+308"):
        bprop.cost(thetas, [[10.0, 10.0]], [1])


def _cost_gradient(thetas, X, labels, lambda_=0.0, num_threads=1):
    """The binding's cost_gradient with a network of sigmoid units."""
    samples = _core.Samples(X, labels)
    return _core.cost_gradient(thetas, samples, _core.NetworkKind(), lambda_, True, num_threads)


def _forward(thetas, X):
    return _core.forward(thetas, _core.Samples(X), _core.NetworkKind(), 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: _cost_gradient([np.zeros((2, 3))], np.zeros((4, 5)), np.zeros(4, np.int64)),
        lambda: _cost_gradient([np.zeros((2, 3))], np.zeros((4, 2)), np.full(4, 7, np.int64)),
        lambda: _cost_gradient([np.zeros((2, 3))], np.zeros((4, 2)), None),
        lambda: _cost_gradient(
            [np.zeros((2, 3)), np.zeros((1, 2))], np.zeros((4, 2)), np.zeros(4, np.int64)
        ),
        lambda: _cost_gradient(
            [np.zeros((2, 3))], np.zeros((4, 2)), np.zeros(4, np.int64), lambda_=-1.0
        ),
        lambda: _cost_gradient(
            [np.zeros((2, 3))], np.zeros((4, 2)), np.zeros(4, np.int64), num_threads=0
        ),
        lambda: _forward([np.zeros((2, 3))], np.zeros((0, 2))),
    ],
)
def test_binding_is_a_safety_net(call):
    # Shapes the Python layer would have refused never reach a kernel.
    with pytest.raises(ValueError):
        call()


def test_binding_refuses_hidden_copies():
    with pytest.raises(TypeError):
        _cost_gradient([np.zeros((2, 3), order="F")], np.zeros((4, 2)), np.zeros(4, np.int64))
    with pytest.raises(TypeError):  # X in neither the weights' dtype nor one read as it is
        _forward([np.zeros((2, 3), np.float32)], np.zeros((4, 2)))
    with pytest.raises(TypeError):
        _forward([np.zeros((2, 3))], np.zeros((4, 2), np.float16))
    with pytest.raises(TypeError):
        _forward([np.zeros((2, 3))], np.zeros((4, 2), order="F"))
    with pytest.raises(TypeError):
        _forward([np.zeros((2, 3))], np.zeros((4, 2), np.int64))
