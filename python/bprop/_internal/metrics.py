"""Counting right and wrong predictions: the one confusion matrix that the
command line's report and ``bprop.plot`` both draw from."""

from __future__ import annotations

import numpy as np


def confusion_counts(y_true: np.ndarray, y_pred: np.ndarray, K: int) -> np.ndarray:
    """(K, K) int64 counts: row = true class, column = predicted class; labels in [0, K)."""
    cm = np.zeros((K, K), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm
