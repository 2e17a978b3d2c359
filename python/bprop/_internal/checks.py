"""Input validation with messages a learner can act on.

Everything that reaches ``_core`` has passed through here: shapes chain,
dtypes match, arrays are C-contiguous. NaN/inf in X is found by the core
itself (it reads X anyway) and reported back as a row number.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _core

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def shown(value: Any) -> str:
    """``repr(value)`` with numpy scalars as the plain numbers (or strings) they
    hold: numpy 2 writes ``np.float64(0.0)``, which a message should not."""
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, (list, tuple)):
        inner = ", ".join(shown(v) for v in value)
        if isinstance(value, list):
            return f"[{inner}]"
        return f"({inner}{',' if len(value) == 1 else ''})"
    return repr(value)


def theta_name(l: int) -> str:
    return f"thetas[{l}] (Theta{l + 1})"


def check_dtype(dtype: Any) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}") from None
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dt}")
    return dt


def check_layer_sizes(layer_sizes: Sequence[int]) -> list[int]:
    try:
        sizes = list(layer_sizes)
    except TypeError:
        raise TypeError(
            f"layer_sizes must be a sequence of ints, got {shown(layer_sizes)}"
        ) from None
    if len(sizes) < 2:
        raise ValueError(f"layer_sizes needs at least an input and an output size, got {sizes}")
    for i, s in enumerate(sizes):
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise TypeError(f"layer_sizes[{i}] must be an int, got {shown(s)}")
        if s < 1:
            raise ValueError(f"layer_sizes[{i}] must be >= 1, got {s}")
    return [int(s) for s in sizes]


def check_thetas(thetas: Any, *, finite: bool = True) -> list[np.ndarray]:
    """C-contiguous float matrices of one dtype whose shapes chain."""
    if isinstance(thetas, np.ndarray):
        raise TypeError(
            "thetas must be a list of weight matrices, not one array: "
            "for a single layer pass [Theta1]"
        )
    try:
        items = list(thetas)
    except TypeError:
        raise TypeError(
            f"thetas must be a list of weight matrices, got {type(thetas).__name__}"
        ) from None
    if not items:
        raise ValueError("thetas is empty: a network needs at least one weight matrix")
    out = []
    for l, t in enumerate(items):
        a = np.asarray(t)
        if a.dtype not in FLOAT_DTYPES:
            raise TypeError(
                f"{theta_name(l)} has dtype {a.dtype}; weights must be float32 or "
                "float64 (bprop.initialize creates them)"
            )
        if a.ndim != 2:
            raise ValueError(
                f"{theta_name(l)} must be a 2-D matrix (units out, units in + 1), "
                f"got shape {a.shape}"
            )
        if a.shape[0] < 1 or a.shape[1] < 1:
            raise ValueError(f"{theta_name(l)} is empty: shape {a.shape}")
        out.append(a)
    dtypes = {a.dtype for a in out}
    if len(dtypes) > 1:
        listing = ", ".join(f"{theta_name(l)}: {a.dtype}" for l, a in enumerate(out))
        raise TypeError(f"all weight matrices must share one dtype; got {listing}")
    for l in range(1, len(out)):
        prev, cur = out[l - 1], out[l]
        if cur.shape[1] != prev.shape[0] + 1:
            raise ValueError(
                f"{theta_name(l)} has shape {cur.shape} but {theta_name(l - 1)} outputs "
                f"{prev.shape[0]} units, so {theta_name(l)} needs {prev.shape[0] + 1} columns "
                f"(bias + {prev.shape[0]}): expected shape ({cur.shape[0]}, {prev.shape[0] + 1})"
            )
    if finite:
        for l, a in enumerate(out):
            if not np.isfinite(a).all():
                r, c = np.argwhere(~np.isfinite(a))[0]
                raise ValueError(
                    f"{theta_name(l)} holds {a[r, c]} at row {r}, column {c}; "
                    "weights must be finite"
                )
    return [np.ascontiguousarray(a) for a in out]


def check_numeric(a: np.ndarray, name: str) -> None:
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {a.dtype}")


def as_array(value: Any, name: str) -> np.ndarray:
    try:
        a = np.asarray(value)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{name} cannot be read as an array: {e}") from None
    check_numeric(a, name)
    return a


def is_sparse(X: Any) -> bool:
    """A scipy.sparse matrix or array (without importing SciPy when it is not loaded)."""
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(X))


def check_X(X: Any, thetas: list[np.ndarray]) -> Any:
    """X as the core reads it, C-contiguous (m, n): uint8 pixels, and float32
    under float64 weights, are kept as they are (the core converts a block at a
    time); anything else is converted to the network's dtype. A scipy.sparse X
    becomes canonical CSR (the caller's matrix is never modified)."""
    if is_sparse(X):
        return check_sparse_X(X, thetas)
    a = as_array(X, "X")
    if a.ndim == 1:
        raise ValueError(
            f"X must be 2-D (m samples, n features); got 1-D shape {a.shape}. "
            "For one sample use X.reshape(1, -1)"
        )
    check_X_shape(a.shape, thetas)
    if a.dtype == np.uint8 or (a.dtype == np.float32 and thetas[0].dtype == np.float64):
        return np.ascontiguousarray(a)
    with np.errstate(over="ignore"):  # overflow becomes inf, which the core reports by row
        return np.ascontiguousarray(a, dtype=thetas[0].dtype)


def check_X_shape(shape: tuple, thetas: list[np.ndarray]) -> None:
    """X (dense or sparse) is 2-D, has rows, and one column per network input."""
    n = thetas[0].shape[1] - 1
    if len(shape) != 2:
        raise ValueError(f"X must be 2-D (m samples, n features), got shape {shape}")
    if shape[0] == 0:
        raise ValueError("X is empty: it has 0 samples (rows)")
    if shape[1] != n:
        raise ValueError(
            f"X has {shape[1]} columns (features) but {theta_name(0)} expects "
            f"{n} inputs: its shape {thetas[0].shape} is (hidden units, inputs + 1)"
        )


def check_sparse_X(X: Any, thetas: list[np.ndarray]) -> Any:
    check_X_shape(X.shape, thetas)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"X must hold numbers, got a sparse matrix of dtype {X.dtype}")
    A = X.tocsr()
    if not A.has_canonical_format:
        if A is X:  # sum_duplicates works in place: never on the caller's matrix
            A = A.copy()
        A.sum_duplicates()
    return A


def csr_parts(A: Any, dtype: Any, x_scale: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(indptr, indices, values, n) of a canonical CSR matrix as the core reads
    them: int64 indices and values ``A.data.astype(dtype) * x_scale``."""
    dt = np.dtype(dtype)
    with np.errstate(over="ignore"):
        values = A.data.astype(dt, copy=False)  # read only: no copy when already dt
        if x_scale != 1.0:
            values = values * dt.type(x_scale)
    return (
        np.ascontiguousarray(A.indptr, dtype=np.int64),
        np.ascontiguousarray(A.indices, dtype=np.int64),
        np.ascontiguousarray(values),
        int(A.shape[1]),
    )


def first_non_finite(X: Any) -> tuple[int, int, Any] | None:
    """(row, column, value) of X's first NaN/inf, dense or sparse, or None."""
    if is_sparse(X):
        if np.isfinite(X.data).all():
            return None
        X = X.toarray()
    bad = np.argwhere(~np.isfinite(X))
    if not bad.size:
        return None
    return int(bad[0][0]), int(bad[0][1]), X[tuple(bad[0])]


# Inputs beyond this size (as the core reads them) saturate sigmoid and tanh units
# from the first step: training then tends to stay near chance. The one rule for
# the hint to standardise (bprop.train's InputScaleWarning, the command line's hint).
LARGE_INPUT = 100.0


def largest_input(X: Any, x_scale: float = 1.0) -> float:
    """max |x| over X (dense or sparse) times ``x_scale``, without a copy of X."""
    values = X.data if is_sparse(X) else np.asarray(X)
    if values.size == 0:
        return 0.0
    with np.errstate(over="ignore"):
        return max(float(values.max()), -float(values.min())) * x_scale


def is_large_input(largest: float) -> bool:
    """Whether inputs whose largest |x| is ``largest`` call for standardising
    (NaN/inf not: they are errors of their own)."""
    return LARGE_INPUT < largest < math.inf


def check_x_scale(x_scale: Any, X: np.ndarray) -> float:
    """The factor the core applies to X as it reads it: ``x_scale``, or by
    default 1/255 for uint8 pixels and 1 for anything else."""
    if x_scale is None:
        return 1.0 / 255.0 if X.dtype == np.uint8 else 1.0
    if isinstance(x_scale, (bool, np.bool_)) or not isinstance(x_scale, (int, float, np.number)):
        raise TypeError(f"x_scale must be a number, got {type(x_scale).__name__}")
    value = float(x_scale)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"x_scale must be finite and > 0, got {x_scale}")
    return value


def raise_non_finite_X(
    X_original: Any,
    X_kept: np.ndarray,
    row: int,
    dtype: Any = None,
    x_scale: float = 1.0,
    rows: Any = None,
) -> None:
    """Name the first entry of X's ``row`` that is not finite as the core read
    it (``X_kept`` converted to ``dtype`` and scaled by ``x_scale``). ``rows``:
    where X_kept's rows are in X_original (a mini-batch), to name the row there."""
    dt = np.dtype(dtype if dtype is not None else X_kept.dtype)
    kept_row = X_kept[row].toarray().ravel() if is_sparse(X_kept) else X_kept[row]
    with np.errstate(over="ignore", invalid="ignore"):
        read = kept_row.astype(dt) * dt.type(x_scale)
    col = int(np.flatnonzero(~np.isfinite(read))[0])
    row = row if rows is None else int(rows[row])
    original = X_original[row, col] if is_sparse(X_original) else np.asarray(X_original)[row, col]
    if np.isfinite(original):
        scaled = f" times x_scale {x_scale:g}" if x_scale != 1.0 else ""
        remedy = "scale the data" + (" or use float64 weights" if dt == np.float32 else "")
        raise ValueError(f"X[{row}, {col}] = {original}{scaled} overflows {dt}; {remedy}")
    raise ValueError(f"X holds {original} at row {row}, column {col}; inputs must be finite")


def check_targets(
    y: Any, m: int, K: int, dtype: np.dtype, output: str = "logistic"
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(labels, None) for class labels or (None, Y) for a target matrix.

    Labels: shape (m,) (or (m, 1)), whole numbers in [0, K). Target matrix:
    shape (m, K), values in [0, 1] (rows summing to 1 for a softmax output).
    With a single output unit (K = 1) a 1-D y is that unit's target. An
    identity output (regression) takes real targets: (m, K), or (m,) when K = 1.
    """
    a = as_array(y, "y")
    if output == "identity":
        return None, check_regression_targets(a, m, K, dtype)
    if a.ndim == 2 and a.shape[1] == 1 and K > 1:
        a = a[:, 0]  # a column of labels, as in the course's data files
    if a.ndim == 1:
        if a.shape[0] != m:
            raise ValueError(f"y has {a.shape[0]} entries but X has {m} samples (rows)")
        if K == 1:
            return None, check_target_matrix(a.reshape(m, 1), m, K, dtype)
        return check_labels(a, K), None
    if a.ndim == 2:
        Y = check_target_matrix(a, m, K, dtype)
        if output == "softmax":
            check_rows_sum_to_one(Y)
        return None, Y
    raise ValueError(
        f"y must be labels of shape ({m},) or targets of shape ({m}, {K}), got shape {a.shape}"
    )


def check_labels(a: np.ndarray, K: int | None, name: str = "y") -> np.ndarray:
    """Whole numbers in [0, K) (K None: any >= 0) as int64."""
    check_numeric(a, name)
    if a.dtype.kind == "b":
        a = a.astype(np.int64)
    if a.dtype.kind in "fc":
        if not np.isfinite(a).all():
            i = int(np.flatnonzero(~np.isfinite(a))[0])
            raise ValueError(f"{name} holds {a[i]} at index {i}; labels must be finite")
        if not (a == np.round(a)).all():
            i = int(np.flatnonzero(a != np.round(a))[0])
            span = f"[0, {K})" if K is not None else "0, 1, 2, ..."
            raise ValueError(
                f"{name}[{i}] = {a[i]} is not a whole number; class labels must be "
                f"integers in {span}"
            )
    if a.size == 0:
        return a.astype(np.int64)
    lo, hi = a.min(), a.max()
    if K is None:
        if lo < 0:
            i = int(np.argmin(a))
            raise ValueError(f"{name}[{i}] = {lo:g}; class labels must be >= 0")
    elif lo < 0 or hi >= K:
        hint = ""
        if lo >= 1 and hi == K:
            hint = f"; they look like labels 1..{K}: pass y - 1 to use 0..{K - 1}"
        raise ValueError(
            f"labels must be in [0, {K}) for {K} output units, found values from "
            f"{lo:g} to {hi:g}{hint}"
        )
    return np.ascontiguousarray(a, dtype=np.int64)


def check_target_matrix(a: np.ndarray, m: int, K: int, dtype: np.dtype) -> np.ndarray:
    if a.shape != (m, K):
        raise ValueError(
            f"y has shape {a.shape} but targets must have shape ({m}, {K}): "
            f"one row per sample, one column per output unit"
        )
    if not np.isfinite(a).all():
        r, c = np.argwhere(~np.isfinite(a))[0]
        raise ValueError(f"y holds {a[r, c]} at row {r}, column {c}; targets must be finite")
    lo, hi = a.min(), a.max()
    if lo < 0 or hi > 1:
        raise ValueError(
            f"targets must lie in [0, 1] (one-hot rows), found values from {lo:g} to {hi:g}"
        )
    return np.ascontiguousarray(a, dtype=dtype)


def check_regression_targets(a: np.ndarray, m: int, K: int, dtype: np.dtype) -> np.ndarray:
    if a.ndim == 1 and K == 1:
        a = a.reshape(-1, 1)
    if a.ndim != 2 or a.shape != (m, K):
        raise ValueError(
            f"y has shape {a.shape} but an identity (regression) output with {K} "
            f"units needs targets of shape ({m}, {K})" + (f" or ({m},)" if K == 1 else "")
        )
    if not np.isfinite(a).all():
        r, c = np.argwhere(~np.isfinite(a))[0]
        raise ValueError(f"y holds {a[r, c]} at row {r}, column {c}; targets must be finite")
    Y = np.ascontiguousarray(a, dtype=dtype)
    if not np.isfinite(Y).all():
        raise ValueError(f"targets overflow {Y.dtype}; scale them or use float64 weights")
    return Y


def check_rows_sum_to_one(Y: np.ndarray) -> None:
    """Softmax targets are distributions: delta_L = a_L - y needs sum_k y_k = 1."""
    tol = 1e-6 if Y.dtype == np.float64 else 1e-4
    sums = Y.sum(axis=1, dtype=np.float64)
    bad = np.flatnonzero(np.abs(sums - 1) > tol)
    if bad.size:
        i = int(bad[0])
        raise ValueError(
            f"row {i} of y sums to {sums[i]:g}; a softmax output needs target rows "
            "that sum to 1 (one-hot rows or probabilities)"
        )


def check_sample_weight(sample_weight: Any, m: int, dtype: np.dtype) -> np.ndarray | None:
    """None, or weights (m,) in the network's dtype: finite, >= 0, not all zero."""
    if sample_weight is None:
        return None
    w = as_array(sample_weight, "sample_weight")
    if w.ndim != 1 or w.shape[0] != m:
        raise ValueError(
            f"sample_weight must have shape ({m},) (one weight per sample), got shape {w.shape}"
        )
    if not np.isfinite(w).all():
        i = int(np.flatnonzero(~np.isfinite(w))[0])
        raise ValueError(f"sample_weight[{i}] is {w[i]}; weights must be finite")
    if (w < 0).any():
        i = int(np.flatnonzero(w < 0)[0])
        raise ValueError(f"sample_weight[{i}] = {w[i]} is negative; weights must be >= 0")
    if not w.sum() > 0:
        raise ValueError("sample_weight sums to 0: at least one sample needs a positive weight")
    return np.ascontiguousarray(w, dtype=dtype)


# Names and core codes of the hidden activations and of the output layers (each
# output with the cost paired with it, so that delta_L = a_L - y), as the core
# defines them (csrc/bprop/activations.hpp).
ACTIVATIONS: dict[str, int] = dict(_core.HIDDEN_ACTIVATIONS)
OUTPUTS: dict[str, int] = dict(_core.OUTPUT_ACTIVATIONS)


def check_output(output: Any, K: int) -> int:
    """Core code of the output layer: "logistic" (sigmoid), "softmax" or "identity"."""
    if not isinstance(output, str) or output not in OUTPUTS:
        raise ValueError(f"output {shown(output)} is not one of {', '.join(OUTPUTS)}")
    if output == "softmax" and K < 2:
        raise ValueError(
            "a softmax output needs at least 2 output units (the last Theta has "
            f"{K} row); use output='logistic' for one unit"
        )
    return OUTPUTS[output]


def check_activations(activation: Any, num_hidden: int) -> list[int]:
    """Codes of the hidden layers' activations, from one name or one name per hidden layer."""
    names = [activation] * num_hidden if isinstance(activation, str) else list(activation)
    if len(names) != num_hidden:
        raise ValueError(
            f"activation lists {len(names)} names but the network has {num_hidden} "
            "hidden layers (give one name per hidden layer, or one for all)"
        )
    for i, name in enumerate(names):
        if name not in ACTIVATIONS:
            raise ValueError(
                f"activation {shown(name)} (hidden layer {i + 1}) is not one of "
                f"{', '.join(ACTIVATIONS)}"
            )
    return [ACTIVATIONS[n] for n in names]


def check_seed(seed: Any, name: str = "seed") -> Any:
    """A seed numpy takes: None, a whole number >= 0 or a sequence of them (bools
    refused), or a Generator / SeedSequence as it is; an error naming ``name``
    otherwise (numpy's own names none)."""
    if seed is None or isinstance(seed, (np.random.Generator, np.random.SeedSequence)):
        return seed
    parts = list(seed) if isinstance(seed, (list, tuple)) and seed else [seed]
    for part in parts:
        if isinstance(part, bool) or not isinstance(part, numbers.Integral):
            raise TypeError(f"{name} must be a whole number >= 0 or None, got {shown(seed)}")
        if part < 0:
            raise ValueError(f"{name} must be a whole number >= 0 or None, got {shown(seed)}")
    return seed


def check_positive_int(value: Any, name: str) -> int:
    """A whole number >= 1 (bools and floats refused), as int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {shown(value)}")
    return int(value)


def check_nonnegative_real(value: Any, name: str) -> float:
    """A finite number >= 0 (numpy scalars too; bools refused), as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {shown(value)}")
    number = float(value)
    if not (math.isfinite(number) and number >= 0):
        raise ValueError(f"{name} must be finite and >= 0, got {shown(value)}")
    return number


def check_positive_real(value: Any, name: str) -> float:
    """A finite number > 0 (numpy scalars too; bools refused), as float."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {shown(value)}")
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be finite and > 0, got {shown(value)}")
    return number


def check_lambda(lambda_: Any) -> float:
    if isinstance(lambda_, (np.ndarray, str)) or not isinstance(lambda_, numbers.Real):
        raise TypeError(f"lambda_ must be a real number, got {shown(lambda_)}")
    value = float(lambda_)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"lambda_ must be finite and >= 0, got {value}")
    return value
