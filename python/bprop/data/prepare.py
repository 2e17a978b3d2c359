"""Preparing samples: pixels scaled to [0, 1], standardised columns, a seeded
stratified split, one-hot targets."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._internal import checks


def one_hot(labels: Any, num_classes: int) -> np.ndarray:
    """Targets matrix ``(m, num_classes)`` with a 1 in each row's label column.

    Parameters
    ----------
    labels : array_like of int, shape (m,)
        Class labels in ``[0, num_classes)``.
    num_classes : int
        K, the number of columns (>= 1).

    Returns
    -------
    ndarray of float64, shape (m, num_classes)
        Row i is all zeros but for a 1 in column ``labels[i]``.

    Raises
    ------
    ValueError
        When ``num_classes`` is not a positive integer, ``labels`` is not 1-D, or a
        label is not a whole number in ``[0, num_classes)``.
    TypeError
        When ``labels`` does not hold numbers.

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
    bits as this function's float output, from an eighth of float64's memory.

    Parameters
    ----------
    images : array_like, shape (m, ...)
        Images (or rows of pixels), any shape after the first axis.
    dtype : {numpy.float32, numpy.float64, numpy.uint8}, default numpy.float32
        The element type of the result; ``uint8`` keeps the pixels unscaled.
    max_value : float, default 255.0
        The brightest pixel value, which becomes 1.0.

    Returns
    -------
    ndarray, shape (m, pixels)
        ``images / max_value`` in ``dtype``, one image per row (C order).

    Raises
    ------
    TypeError
        When ``dtype`` is not float32, float64 or uint8, or ``dtype=uint8`` is
        asked of images that are not 8-bit with ``max_value=255``.

    Examples
    --------
    >>> import numpy as np
    >>> from bprop.data import scale_pixels
    >>> images = np.array([[[0, 51], [102, 255]]], dtype=np.uint8)     # one 2x2 image
    >>> scale_pixels(images, np.float64)
    array([[0. , 0.2, 0.4, 1. ]])
    >>> scale_pixels(images, np.uint8)
    array([[  0,  51, 102, 255]], dtype=uint8)
    """
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

    Pass the training set's mean and std to standardise validation and test data
    the same way. The mean and std are computed in float64.

    Parameters
    ----------
    X : array_like, shape (m, n)
        Samples in rows.
    mean : array_like, shape (n,), optional
        Column means to subtract; default: ``X``'s own.
    std : array_like, shape (n,), optional
        Column standard deviations to divide by (zeros are taken as 1); default:
        ``X``'s own (population std, ``ddof=0``).

    Returns
    -------
    X_std : ndarray, shape (m, n)
        The standardised samples, in ``X``'s dtype when that is float32 or
        float64, else float64.
    mean : ndarray of float64, shape (n,)
        The means used.
    std : ndarray of float64, shape (n,)
        The standard deviations used, constant columns' zeros replaced by 1.

    Raises
    ------
    TypeError
        When ``X`` does not hold numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from bprop.data import standardize
    >>> X_train = np.array([[1.0, 5.0], [3.0, 5.0]])
    >>> Z, mean, std = standardize(X_train)
    >>> Z, mean, std
    (array([[-1.,  0.],
           [ 1.,  0.]]), array([2., 5.]), array([1., 1.]))
    >>> standardize(np.array([[4.0, 6.0]]), mean, std)[0]               # new data, same scaling
    array([[2., 1.]])
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
    rounding allows): ``round(validation_fraction * count)`` samples of each class
    are held out. Rows keep their original order within each part.

    Parameters
    ----------
    X : array_like, shape (m, ...)
        Samples in rows.
    y : array_like, shape (m,) or (m, K)
        Labels (or targets) of the rows of ``X``.
    validation_fraction : float, default 0.2
        The share held out, in (0, 1).
    seed : int or numpy.random.Generator, optional
        Seeds the permutation (``numpy.random.default_rng(seed)``); None: fresh entropy.
    stratify : bool, default True
        Split each class on its own (``y`` must then hold class labels).

    Returns
    -------
    X_train, X_val : ndarray
        The rows of ``X`` kept for training and held out.
    y_train, y_val : ndarray
        The matching rows of ``y``.

    Raises
    ------
    ValueError
        When ``X`` and ``y`` differ in length, ``validation_fraction`` is outside
        (0, 1), or the split would leave either part empty.

    Examples
    --------
    >>> import numpy as np
    >>> from bprop.data import train_validation_split
    >>> X, y = np.arange(20.0).reshape(10, 2), np.array([0] * 5 + [1] * 5)
    >>> X_tr, X_val, y_tr, y_val = train_validation_split(X, y, 0.4, seed=0)
    >>> X_tr.shape, X_val.shape, np.bincount(y_val).tolist()         # 2 of each class held out
    ((6, 2), (4, 2), [2, 2])
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
