"""Preparing samples: pixels scaled to [0, 1], standardised columns, a seeded
stratified split, one-hot targets."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._internal import checks


def one_hot(labels: Any, num_classes: int) -> np.ndarray:
    """Targets matrix ``(m, num_classes)`` with a 1 in each row's label column.

    Examples
    --------
    >>> import bprop
    >>> bprop.one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    num_classes = checks.check_positive_int(num_classes, "num_classes")
    a = checks.as_array(labels, "labels")
    if a.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {a.shape}")
    lab = checks.check_labels(a, int(num_classes)) if a.size else a.astype(np.int64)
    out = np.zeros((lab.shape[0], int(num_classes)))
    out[np.arange(lab.shape[0]), lab] = 1.0
    return out


def scale_pixels(images: Any, dtype: Any = np.float32, max_value: float = 255.0) -> np.ndarray:
    """Pixels to [0, 1] as ``(m, pixels)`` in ``dtype``, flattening each image.

    ``dtype=np.uint8`` keeps 8-bit pixels as they are (flattened, not scaled):
    bprop's functions read them with ``x_scale=1/255`` by default, the same
    bits as this function's float output, from an eighth of float64's memory."""
    a = np.asarray(images)
    a = a.reshape(a.shape[0], -1)
    if np.dtype(dtype) == np.uint8 if _is_dtype(dtype) else False:
        if a.dtype != np.uint8 or max_value != 255.0:
            raise TypeError(
                "dtype=uint8 keeps 8-bit pixels as they are; these images are "
                f"{a.dtype} in [0, {max_value:g}]: ask for float32 or float64"
            )
        return np.ascontiguousarray(a)
    try:
        dt = checks.check_dtype(dtype)
    except TypeError:
        raise TypeError(
            f"dtype must be float32, float64 or (8-bit images only) uint8, got {dtype!r}"
        ) from None
    out = np.empty(a.shape, dtype=dt)
    np.multiply(a, dt.type(1.0 / max_value), out=out, casting="unsafe")
    return out


def _is_dtype(dtype: Any) -> bool:
    try:
        np.dtype(dtype)
    except TypeError:
        return False
    return True


def standardize(
    X: Any, mean: Any = None, std: Any = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X - mean) / std`` per column; constant columns are left centred (std taken as 1).

    Returns ``(X_std, mean, std)``: pass the training set's mean and std to
    standardise validation and test data the same way.
    """
    X = checks.as_array(X, "X")
    dt = X.dtype if X.dtype in checks.FLOAT_DTYPES else np.dtype(np.float64)
    mu = X.mean(axis=0, dtype=np.float64) if mean is None else np.asarray(mean, dtype=np.float64)
    sd = X.std(axis=0, dtype=np.float64) if std is None else np.asarray(std, dtype=np.float64)
    sd = np.where(sd > 0, sd, 1.0)
    return ((X - mu) / sd).astype(dt), mu, sd


def train_validation_split(
    X: Any, y: Any, validation_fraction: float = 0.2, *, seed: Any = None, stratify: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded split into ``(X_train, X_val, y_train, y_val)``.

    With ``stratify`` each class keeps its share in both parts (as far as
    rounding allows).
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries")
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction}")
    empty = empty_part(y, validation_fraction, stratify)
    if empty:
        raise ValueError(f"validation_fraction {validation_fraction:g} {empty}")
    rng = np.random.default_rng(checks.check_seed(seed))
    m = X.shape[0]
    if stratify:
        val = []
        for c in np.unique(y):
            idx = rng.permutation(np.flatnonzero(y == c))
            val.append(idx[: int(round(validation_fraction * idx.size))])
        val_idx = np.sort(np.concatenate(val))
    else:
        val_idx = np.sort(rng.permutation(m)[: int(round(validation_fraction * m))])
    mask = np.zeros(m, dtype=bool)
    mask[val_idx] = True
    return X[~mask], X[mask], y[~mask], y[mask]


def empty_part(y: Any, fraction: float, stratify: bool = True) -> str | None:
    """Why :func:`train_validation_split` of ``y`` by ``fraction`` leaves a part
    empty ("leaves nothing to train on from 1797 samples ..."), or None when it
    does not. The callers name the parameter or flag that gave ``fraction``."""
    y = np.asarray(y)
    sizes = np.unique(y, return_counts=True)[1] if stratify else [y.shape[0]]
    held = sum(int(round(fraction * int(n))) for n in sizes)  # the split's own rounding
    if 0 < held < y.shape[0]:
        return None
    what = "nothing to hold out" if held == 0 else "nothing to train on"
    rounded = (
        f" (each of the {len(sizes)} classes splits by that share, rounded)"
        if stratify and len(sizes) > 1
        else ""
    )
    return f"leaves {what} from {y.shape[0]} samples{rounded}"
