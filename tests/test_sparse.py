"""Sparse (CSR) X read by the core without densifying: the same values as the
dense path (to rounding: the first layer sums its nonzeros in another order),
against the NumPy reference, gradient-checked, and refused clearly when malformed."""

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")

import bprop  # noqa: E402
from bprop import _core  # noqa: E402
from bprop.reference import vectorized  # noqa: E402


def _problem(m=333, n=40, K=4, density=0.07, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    A = sp.random(m, n, density=density, random_state=seed, format="csr", dtype=dtype)
    A.data = (A.data * 4 - 2).astype(dtype)  # signed values
    return A, rng.integers(0, K, m)


def _close(a, b, rtol):
    if isinstance(a, tuple):
        assert a[0] == pytest.approx(b[0], rel=rtol)
        for x, y in zip(a[1], b[1]):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=rtol * 1e-3)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-3)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
@pytest.mark.parametrize(
    "kind",
    [
        dict(),
        dict(activation=["relu", "tanh"], output="softmax"),
        dict(activation="leaky_relu", output="identity"),
    ],
)
@pytest.mark.parametrize("threads", [1, 2])
def test_sparse_equals_dense(dtype, rtol, kind, threads):
    A, y = _problem(dtype=dtype)
    thetas = bprop.initialize([40, 9, 7, 4], seed=1, dtype=dtype)
    if kind.get("output") == "identity":
        y = np.random.default_rng(1).normal(size=(A.shape[0], 4)).astype(dtype)
    w = np.linspace(0.2, 2.0, A.shape[0]).astype(dtype)
    args = dict(num_threads=threads, **kind)
    _close(
        bprop.cost_and_gradient(thetas, A, y, 0.9, sample_weight=w, **args),
        bprop.cost_and_gradient(thetas, A.toarray(), y, 0.9, sample_weight=w, **args),
        rtol,
    )
    dense_out = bprop.forward(thetas, A.toarray(), **args)
    _close(bprop.forward(thetas, A, **args), dense_out, rtol)
    _same_predictions(
        bprop.predict(thetas, A, **args),
        bprop.predict(thetas, A.toarray(), **args),
        dense_out,
        kind.get("output") == "identity",
        rtol,
    )


def _same_predictions(sparse, dense, out, regression, rtol):
    """The sparse and dense paths sum the first layer in other orders, so their outputs
    agree to rounding (rtol), not bit for bit: a regression's predictions are compared
    to that tolerance, and class labels wherever the top two outputs are further apart
    than it (a nearer tie may go either way on any CPU)."""
    if regression:
        np.testing.assert_allclose(sparse, dense, rtol=rtol, atol=rtol * 1e-3)
        return
    top2 = np.sort(out, axis=1)[:, -2:]
    clear = top2[:, 1] - top2[:, 0] > 10 * rtol
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(sparse[clear], dense[clear])


def test_sparse_against_the_reference_and_a_gradient_check():
    A, y = _problem(m=60, n=12, K=3, density=0.2)
    thetas = bprop.initialize([12, 5, 3], seed=2)
    J, grads = bprop.cost_and_gradient(thetas, A, y, 1.3)
    J_ref, grads_ref = vectorized.cost_and_gradient(thetas, A.toarray(), y, 1.3)
    assert J == pytest.approx(J_ref, rel=1e-12)
    for g, r in zip(grads, grads_ref):
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-13)
    assert bprop.gradient_check(thetas, A, y, lambda_=1.3).passed


@pytest.mark.parametrize(
    "fmt", ["csr_matrix", "csr_array", "csc_matrix", "coo_array", "csr_duplicates"]
)
def test_every_scipy_sparse_format_and_the_callers_matrix_unchanged(fmt):
    A, y = _problem(m=50, n=10)
    X = getattr(sp, fmt.replace("duplicates", "matrix"))(A)
    if fmt == "coo_array":  # duplicates: summed, as scipy means them
        X = sp.coo_array((np.r_[X.data, 1.0], (np.r_[X.row, 0], np.r_[X.col, 0])), shape=X.shape)
    if fmt == "csr_duplicates":  # the first nonzero twice (scipy sums duplicates in place)
        row = int(np.searchsorted(X.indptr, 0, side="right")) - 1
        indptr = X.indptr.copy()
        indptr[row + 1 :] += 1
        X = sp.csr_matrix((np.r_[1.0, X.data], np.r_[X.indices[0], X.indices], indptr), X.shape)
        assert not X.has_canonical_format
    before = X.copy()
    thetas = bprop.initialize([10, 4, 4], seed=0)
    _close(bprop.cost(thetas, X, y), bprop.cost(thetas, X.toarray(), y), 1e-12)
    assert (X != before).nnz == 0 and X.format == before.format
    np.testing.assert_array_equal(X.data, before.data)  # not even its duplicates summed


@pytest.mark.parametrize(
    "optimizer, kw",
    [
        ("lbfgs", dict(iterations=15)),
        ("adam", dict(batch_size=40, epochs=2, seed=0)),
        ("nesterov", dict(batch_size=100, epochs=2, seed=3)),
    ],
)
def test_training_on_sparse_follows_dense(optimizer, kw):
    A, y = _problem(m=250, n=30, K=3)
    Xv, yv = _problem(m=40, n=30, K=3, seed=5)
    thetas = bprop.initialize([30, 6, 3], seed=1)
    a, ha = bprop.train(
        thetas,
        A,
        y,
        lambda_=0.4,
        optimizer=optimizer,
        verbose=False,
        validation_data=(Xv, yv),
        **kw,
    )
    b, hb = bprop.train(
        thetas,
        A.toarray(),
        y,
        lambda_=0.4,
        optimizer=optimizer,
        verbose=False,
        validation_data=(Xv.toarray(), yv),
        **kw,
    )
    np.testing.assert_allclose(ha.cost, hb.cost, rtol=1e-10)
    for s, t in zip(a, b):
        np.testing.assert_allclose(s, t, rtol=1e-8, atol=1e-10)


def test_estimators_take_sparse_input():
    pytest.importorskip("sklearn")
    from bprop.estimators import BackpropClassifier

    A, y = _problem(m=200, n=25, K=3)
    a = BackpropClassifier((6,), max_iter=20, tol=0.0, random_state=0)
    b = BackpropClassifier((6,), max_iter=20, tol=0.0, random_state=0)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a.fit(A, y)
        b.fit(A.toarray(), y)
    for s, t in zip(a.thetas_, b.thetas_):
        np.testing.assert_allclose(s, t, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(a.predict_proba(A), b.predict_proba(A.toarray()), rtol=1e-9)


def test_bad_sparse_input_is_named():
    A, y = _problem(m=30, n=8, K=2)
    thetas = bprop.initialize([8, 3, 2], seed=0)
    B = A.copy()
    B.data[B.indptr[17]] = np.nan
    row, col = 17, int(B.indices[B.indptr[17]])
    with pytest.raises(ValueError, match=rf"X holds nan at row {row}, column {col}"):
        bprop.cost(thetas, B, y)
    with pytest.raises(ValueError, match="8 columns"):
        bprop.cost(bprop.initialize([9, 3, 2], seed=0), A, y)
    with pytest.raises(TypeError, match="numbers"):
        bprop.cost(thetas, A.astype(np.complex128), y)
    # the binding's own checks (the safety net under the Python layer)
    indptr, indices = A.indptr.astype(np.int64), A.indices.astype(np.int64)
    bad_indices = indices.copy()
    bad_indices[0] = 99
    for csr in [
        (indptr, bad_indices, A.data, 8),
        (indptr[::-1].copy(), indices, A.data, 8),
        (indptr, indices, A.data[:-1].copy(), 8),
    ]:
        with pytest.raises(ValueError):
            _core.cost_gradient(
                thetas,
                _core.Samples(labels=y.astype(np.int64), csr=csr),
                _core.NetworkKind(),
                0.0,
                True,
                1,
            )
