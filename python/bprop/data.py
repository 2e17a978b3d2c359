"""Data helpers."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import _checks


def one_hot(labels: Any, num_classes: int) -> np.ndarray:
    """Targets matrix ``(m, num_classes)`` with a 1 in each row's label column.

    Examples
    --------
    >>> import bprop
    >>> bprop.one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, numbers.Integral) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    a = _checks.as_array(labels, "labels")
    if a.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {a.shape}")
    lab = _checks.check_labels(a, int(num_classes)) if a.size else a.astype(np.int64)
    out = np.zeros((lab.shape[0], int(num_classes)))
    out[np.arange(lab.shape[0]), lab] = 1.0
    return out
