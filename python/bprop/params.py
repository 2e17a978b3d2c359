"""Unrolling weight matrices into one vector and back, for optimisers that
work on a flat parameter vector (L-BFGS, the numerical gradient)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._internal import checks


def layer_sizes(thetas: Any) -> list[int]:
    """``[s_1, ..., s_L]`` of a network: inputs, hidden units, outputs."""
    t = checks.check_thetas(thetas, finite=False)
    return [t[0].shape[1] - 1] + [a.shape[0] for a in t]


def num_parameters(layer_sizes: Sequence[int]) -> int:
    """Number of weights, bias included: ``sum s_{l+1} (s_l + 1)``."""
    s = checks.check_layer_sizes(layer_sizes)
    return sum(s[l + 1] * (s[l] + 1) for l in range(len(s) - 1))


def unroll(thetas: Any) -> np.ndarray:
    """One 1-D vector: each matrix flattened row-major, in layer order.

    Examples
    --------
    >>> import bprop
    >>> v = bprop.unroll(bprop.initialize([784, 25, 10]))
    >>> v.shape
    (19885,)
    """
    t = checks.check_thetas(thetas, finite=False)
    return np.concatenate([a.ravel() for a in t])


def roll(vector: Any, layer_sizes: Sequence[int]) -> list[np.ndarray]:
    """Matrices ``(s_{l+1}, s_l + 1)`` from an unrolled vector.

    The matrices are views into ``vector`` (no copy) when it is a contiguous
    float array; ``roll(unroll(thetas), sizes)`` equals ``thetas``.
    """
    s = checks.check_layer_sizes(layer_sizes)
    v = np.asarray(vector)
    if v.dtype not in checks.FLOAT_DTYPES:
        v = checks.as_array(v, "vector").astype(np.float64)
    if v.ndim != 1:
        raise ValueError(f"vector must be 1-D, got shape {v.shape}")
    expected = num_parameters(s)
    if v.size != expected:
        raise ValueError(f"vector has {v.size} entries but layer sizes {s} need {expected}")
    out, start = [], 0
    for l in range(len(s) - 1):
        shape = (s[l + 1], s[l] + 1)
        size = shape[0] * shape[1]
        out.append(v[start : start + size].reshape(shape))
        start += size
    return out
