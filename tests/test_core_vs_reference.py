"""The C++ core against both numpy references, over many shapes and options."""

import numpy as np
import pytest
from conftest import assert_close_lists, make_problem

import bprop
from bprop import reference

SHAPES = [
    [1, 1, 1],
    [2, 3, 1],
    [4, 5, 3],
    [20, 25, 10],
    [7, 9, 8, 6, 4],  # 3 hidden layers
    [5, 3, 4, 6, 2, 5],  # 4 hidden layers
    [3, 4],  # no hidden layer: logistic regression
]
# 1 sample, around the 64-sample block, beyond one wave of 16 single-block chunks
# (1100), with 2-block chunks (2200) and several waves of 4-block chunks (4500).
SIZES_M = [1, 63, 64, 65, 1100, 2200, 4500]


def _tolerances(dtype):
    return (1e-12, 1e-13) if dtype == np.float64 else (1e-5, 1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sizes", SHAPES, ids=lambda s: "-".join(map(str, s)))
@pytest.mark.parametrize("m", SIZES_M)
@pytest.mark.parametrize("lambda_", [0.0, 1.5])
def test_matches_vectorized_reference(dtype, sizes, m, lambda_):
    thetas, X, y = make_problem(sizes, m, dtype=dtype, seed=m + len(sizes))
    J, grads = bprop.cost_and_gradient(thetas, X, y, lambda_)
    t64 = [t.astype(np.float64) for t in thetas]
    J_ref, grads_ref = reference.cost_and_gradient(t64, X.astype(np.float64), y, lambda_)
    rtol, atol = _tolerances(dtype)
    assert J == pytest.approx(J_ref, rel=rtol)
    assert all(g.dtype == dtype for g in grads)
    assert_close_lists(grads, grads_ref, rtol=rtol, atol=atol)
    assert bprop.cost(thetas, X, y, lambda_) == J


@pytest.mark.parametrize("targets", ["labels", "onehot", "soft"])
@pytest.mark.parametrize("sizes", [[4, 5, 3], [6, 4, 3, 5], [3, 2, 1]], ids=str)
def test_matches_per_sample_loop(sizes, targets):
    thetas, X, y = make_problem(sizes, 37, seed=3, targets=targets)
    J, grads = bprop.cost_and_gradient(thetas, X, y, 0.7)
    J_ref, grads_ref = reference.per_sample.cost_and_gradient(thetas, X, y, 0.7)
    assert J == pytest.approx(J_ref, rel=1e-12)
    assert_close_lists(grads, grads_ref, rtol=1e-12, atol=1e-14)


def test_label_and_one_hot_targets_agree():
    thetas, X, y = make_problem([5, 6, 4], 50, seed=1)
    J1, g1 = bprop.cost_and_gradient(thetas, X, y, 1.0)
    J2, g2 = bprop.cost_and_gradient(thetas, X, bprop.one_hot(y, 4), 1.0)
    assert J1 == J2
    assert_close_lists(g1, g2, rtol=0)


def test_label_column_is_read_as_labels():
    thetas, X, y = make_problem([5, 6, 4], 20, seed=2)
    assert bprop.cost(thetas, X, y.reshape(-1, 1)) == bprop.cost(thetas, X, y)


def test_single_output_takes_binary_targets():
    thetas, X, y = make_problem([3, 4, 1], 30, seed=4)
    J, grads = bprop.cost_and_gradient(thetas, X, y)
    J_ref, grads_ref = reference.cost_and_gradient(thetas, X, y.reshape(-1, 1))
    assert J == pytest.approx(J_ref, rel=1e-12)
    assert_close_lists(grads, grads_ref, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_and_predict_match_reference(dtype):
    thetas, X, _ = make_problem([6, 7, 5, 4], 300, dtype=dtype, seed=5)
    h = bprop.forward(thetas, X)
    assert h.dtype == dtype and h.shape == (300, 4)
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(h, reference.forward(thetas, X), rtol=rtol)
    np.testing.assert_allclose(h, reference.per_sample.forward(thetas, X), rtol=rtol)
    np.testing.assert_array_equal(bprop.predict(thetas, X), np.argmax(h, axis=1))


def test_predict_single_output_thresholds_at_half():
    thetas = [np.array([[0.0, 1.0]])]
    np.testing.assert_array_equal(bprop.predict(thetas, [[-2.0], [0.0], [3.0]]), [0, 1, 1])


def test_regularisation_term_and_bias_column():
    thetas, X, y = make_problem([3, 4, 2], 10, seed=6)
    J0, g0 = bprop.cost_and_gradient(thetas, X, y, 0.0)
    J1, g1 = bprop.cost_and_gradient(thetas, X, y, 2.0)
    m = 10
    reg = sum(float(np.sum(t[:, 1:] ** 2)) for t in thetas)
    assert J1 - J0 == pytest.approx(2.0 / (2 * m) * reg, rel=1e-12)
    for t, a, b in zip(thetas, g0, g1):
        np.testing.assert_array_equal(a[:, 0], b[:, 0])  # bias column unregularised
        np.testing.assert_allclose(b[:, 1:] - a[:, 1:], 2.0 / m * t[:, 1:], rtol=1e-10)


def test_saturated_outputs_give_finite_exact_cost():
    # |z| of several hundred: log(h) would be log(0) = -inf; the stable form is exact.
    thetas = [np.array([[0.0, 500.0], [0.0, -500.0]])]
    X = np.array([[1.0]])
    J, grads = bprop.cost_and_gradient(thetas, X, [1])
    # output 0: z = 500, y = 0 -> cost 500; output 1: z = -500, y = 1 -> cost 500
    assert J == pytest.approx(1000.0, rel=1e-15)
    assert np.isfinite(grads[0]).all()
    np.testing.assert_allclose(grads[0], [[1.0, 1.0], [-1.0, -1.0]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("m", [63, 300, 4500])
def test_a_first_layer_summed_per_chunk(dtype, m):
    # A first layer larger than 256 KB (400 x 201 weights) has its Delta summed once per
    # chunk of up to 4 blocks, from the blocks' kept delta rows and the chunk's inputs
    # (uint8 X: converted into one chunk-sized buffer). Against the reference to the
    # rounding of the sums, and bit for bit between thread counts and input types.
    sizes = [400, 200, 3]
    thetas, _, y = make_problem(sizes, m, dtype=dtype, seed=m, scale=0.1)
    X8 = np.random.default_rng(m).integers(0, 256, size=(m, sizes[0]), dtype=np.uint8)
    X = X8.astype(dtype) * dtype(1 / 255)
    J, grads = bprop.cost_and_gradient(thetas, X8, y, 0.5, num_threads=1)
    t64 = [t.astype(np.float64) for t in thetas]
    J_ref, grads_ref = reference.cost_and_gradient(t64, X.astype(np.float64), y, 0.5)
    rtol, atol = _tolerances(dtype)
    assert J == pytest.approx(J_ref, rel=rtol)
    assert_close_lists(grads, grads_ref, rtol=rtol, atol=atol)
    for other in (
        bprop.cost_and_gradient(thetas, X8, y, 0.5, num_threads=2),
        bprop.cost_and_gradient(thetas, X, y, 0.5, num_threads=2, x_scale=1),
    ):
        assert other[0] == J
        for g, h in zip(other[1], grads):
            np.testing.assert_array_equal(g, h)
