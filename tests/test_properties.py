"""Property tests: random networks, data, strides and NaN positions."""

import numpy as np
import pytest
from conftest import assert_close_lists
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import bprop
from bprop import reference

sizes_st = st.lists(st.integers(1, 7), min_size=2, max_size=5)


@st.composite
def problems(draw):
    sizes = draw(sizes_st)
    m = draw(st.integers(1, 150))
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    thetas = [rng.normal(size=(o, i + 1)).astype(dtype) for i, o in zip(sizes[:-1], sizes[1:])]
    X = rng.normal(scale=draw(st.sampled_from([0.1, 1.0, 30.0])), size=(m, sizes[0]))
    y = rng.integers(0, sizes[-1] if sizes[-1] > 1 else 2, size=m)
    lambda_ = draw(st.sampled_from([0.0, 0.01, 10.0]))
    return thetas, X, y, lambda_


@given(problems())
def test_core_matches_reference(p):
    thetas, X, y, lambda_ = p
    J, grads = bprop.cost_and_gradient(thetas, X, y, lambda_)
    t64 = [t.astype(np.float64) for t in thetas]
    X64 = X.astype(thetas[0].dtype).astype(np.float64)
    J_ref, g_ref = reference.cost_and_gradient(t64, X64, y, lambda_)
    f32 = thetas[0].dtype == np.float32
    assert np.isfinite(J)
    assert J == pytest.approx(J_ref, rel=2e-5 if f32 else 1e-11)
    scale = max(float(np.abs(g).max()) for g in g_ref)
    assert_close_lists(
        grads, g_ref, rtol=1e-4 if f32 else 1e-10, atol=(1e-5 if f32 else 1e-13) * max(scale, 1.0)
    )


@given(problems(), st.integers(0, 2), st.integers(0, 2))
def test_strided_views_match_contiguous(p, step_r, step_c):
    thetas, X, y, lambda_ = p
    big = np.full((X.shape[0] * (step_r + 1), X.shape[1] * (step_c + 1)), np.nan)
    big[:: step_r + 1, :: step_c + 1] = X
    view = big[:: step_r + 1, :: step_c + 1]
    a = bprop.cost_and_gradient(thetas, view, y, lambda_)
    b = bprop.cost_and_gradient(thetas, np.ascontiguousarray(X), y, lambda_)
    assert a[0] == b[0]
    for u, v in zip(a[1], b[1]):
        np.testing.assert_array_equal(u, v)


@given(problems(), st.data())
def test_any_nan_position_is_reported(p, data):
    thetas, X, y, lambda_ = p
    r = data.draw(st.integers(0, X.shape[0] - 1))
    c = data.draw(st.integers(0, X.shape[1] - 1))
    bad = data.draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    X = X.copy()
    X[r, c] = bad
    with pytest.raises(ValueError, match=f"row {r}, column {c}"):
        bprop.cost_and_gradient(thetas, X, y, lambda_)


@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 5), st.integers(0, 5)),
        elements=st.floats(allow_nan=True, allow_infinity=True),
    ),
    st.one_of(st.none(), hnp.arrays(np.int64, st.integers(0, 6), elements=st.integers(-3, 5))),
)
def test_arbitrary_arrays_never_crash(X, y):
    thetas = bprop.initialize([3, 2, 3], seed=0)
    if y is None:
        y = np.zeros(X.shape[0], dtype=np.int64)
    try:
        J, grads = bprop.cost_and_gradient(thetas, X, y)
    except ValueError:
        return
    assert np.isfinite(J) and all(np.isfinite(g).all() for g in grads)


@given(
    st.sampled_from(
        [
            "int8",
            "uint16",
            "int64",
            "float16",
            "float32",
            "float64",
            "bool",
            "complex64",
            "U3",
            "object",
        ]
    ),
    st.sampled_from(["int8", "uint8", "int64", "float32", "float64", "bool", "U1", "object"]),
    st.integers(1, 5),
    st.integers(0, 2**32 - 1),
)
def test_any_dtype_gives_a_result_or_a_clear_error(x_dtype, y_dtype, m, seed):
    rng = np.random.default_rng(seed)
    thetas = bprop.initialize([3, 2, 3], seed=0)
    X = rng.integers(0, 3, size=(m, 3)).astype(x_dtype)
    y = rng.integers(0, 3, size=m).astype(y_dtype)
    numeric = set("biuf")
    try:
        J, grads = bprop.cost_and_gradient(thetas, X, y)
    except TypeError as e:
        assert X.dtype.kind not in numeric or y.dtype.kind not in numeric, e
        return
    except ValueError as e:
        assert "labels" in str(e) or "y" in str(e), e
        return
    assert X.dtype.kind in numeric and y.dtype.kind in numeric
    J_ref, _ = bprop.reference.cost_and_gradient(thetas, X.astype(np.float64), y.astype(np.int64))
    assert J == pytest.approx(J_ref, rel=1e-12)
