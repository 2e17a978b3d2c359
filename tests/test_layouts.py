"""Non-contiguous, Fortran-ordered and other-dtype inputs give the contiguous answer."""

import numpy as np
from conftest import make_problem

import bprop


def _same(a, b):
    assert a[0] == b[0]
    for x, z in zip(a[1], b[1]):
        np.testing.assert_array_equal(x, z)


def test_fortran_and_strided_inputs():
    thetas, X, y = make_problem([6, 5, 3], 200, seed=1)
    expected = bprop.cost_and_gradient(thetas, X, y, 0.5)
    _same(bprop.cost_and_gradient(thetas, np.asfortranarray(X), y, 0.5), expected)
    _same(bprop.cost_and_gradient([np.asfortranarray(t) for t in thetas], X, y, 0.5), expected)
    wide = np.zeros((400, 12))
    wide[::2, ::2] = X
    _same(bprop.cost_and_gradient(thetas, wide[::2, ::2], y, 0.5), expected)
    Y = bprop.one_hot(y, 3)
    _same(bprop.cost_and_gradient(thetas, X, np.asfortranarray(Y), 0.5), expected)
    ystrided = np.repeat(y, 2)[::2]
    _same(bprop.cost_and_gradient(thetas, X, ystrided, 0.5), expected)


def test_x_and_labels_of_other_dtypes():
    thetas, X, y = make_problem([4, 3, 3], 50, seed=2)
    Xi = np.round(X * 10).astype(np.int16)
    expected = bprop.cost_and_gradient(thetas, Xi.astype(np.float64), y)
    _same(bprop.cost_and_gradient(thetas, Xi, y.astype(np.uint8)), expected)
    _same(bprop.cost_and_gradient(thetas, Xi.tolist(), y.astype(np.float32)), expected)


def test_network_dtype_decides():
    thetas, X, y = make_problem([4, 3, 3], 50, dtype=np.float32, seed=3)
    J, grads = bprop.cost_and_gradient(thetas, X.astype(np.float64), y)
    assert all(g.dtype == np.float32 for g in grads)
    _same((J, grads), bprop.cost_and_gradient(thetas, X.astype(np.float32), y))


def test_inputs_are_not_modified():
    thetas, X, y = make_problem([4, 3, 3], 50, seed=4)
    copies = [t.copy() for t in thetas], X.copy(), y.copy()
    bprop.cost_and_gradient(thetas, X, y, 2.0)
    for a, b in zip(thetas, copies[0]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(X, copies[1])
    np.testing.assert_array_equal(y, copies[2])


def test_c_contiguous_input_of_the_right_dtype_is_not_copied():
    from bprop._internal import checks as _checks

    for dtype in (np.float64, np.float32):
        thetas, X, _ = make_problem([4, 3, 3], 50, dtype=dtype, seed=5)
        assert _checks.check_X(X, _checks.check_thetas(thetas)) is X
        assert _checks.check_X(np.asfortranarray(X), _checks.check_thetas(thetas)) is not X
