"""Unrolling weight matrices into one vector and back, for optimisers that
work on a flat parameter vector (L-BFGS, the numerical gradient)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._internal import checks


def layer_sizes(thetas: Any) -> list[int]:
    """The layer sizes ``[s_1, ..., s_L]`` of a network: inputs, hidden units, outputs.

    Parameters
    ----------
    thetas : list of ndarray
        ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``.

    Returns
    -------
    list of int

    Raises
    ------
    ValueError
        When the matrices do not chain (``thetas[l + 1]`` needs ``s_{l+1} + 1``
        columns) or are not 2-D.

    Examples
    --------
    >>> import bprop
    >>> bprop.layer_sizes(bprop.initialize([784, 25, 10]))
    [784, 25, 10]
    """
    t = checks.check_thetas(thetas, finite=False)
    return [t[0].shape[1] - 1] + [a.shape[0] for a in t]


def num_parameters(layer_sizes: Sequence[int]) -> int:
    """The number of weights, bias weights included: ``sum_l s_{l+1} (s_l + 1)``.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[s_1, ..., s_L]``, at least two positive sizes.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        For fewer than two sizes or a size below 1.

    Examples
    --------
    >>> import bprop
    >>> bprop.num_parameters([784, 25, 10])             # 25 * 785 + 10 * 26
    19885
    """
    s = checks.check_layer_sizes(layer_sizes)
    return sum(s[l + 1] * (s[l] + 1) for l in range(len(s) - 1))


def unroll(thetas: Any) -> np.ndarray:
    """Unroll the weight matrices into one 1-D vector.

    Each matrix is flattened row-major, in layer order: the vector that L-BFGS
    and the numerical gradient work on.

    Parameters
    ----------
    thetas : list of ndarray
        ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``.

    Returns
    -------
    ndarray, shape (num_parameters(layer_sizes(thetas)),)

    Raises
    ------
    ValueError
        When the matrices do not chain.

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
    """Roll an unrolled vector back into the weight matrices.

    The matrices are views into ``vector`` (no copy) when it is a contiguous
    float array; ``roll(unroll(thetas), sizes)`` equals ``thetas``.

    Parameters
    ----------
    vector : array_like, shape (num_parameters(layer_sizes),)
    layer_sizes : sequence of int
        ``[s_1, ..., s_L]``.

    Returns
    -------
    list of ndarray
        ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``.

    Raises
    ------
    ValueError
        When ``vector`` is not 1-D or its length is not the number of weights
        of ``layer_sizes``.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> [t.shape for t in bprop.roll(np.arange(17.0), [2, 3, 2])]
    [(3, 3), (2, 4)]
    >>> bprop.roll(np.arange(17.0), [2, 3, 2])[1][0]
    array([ 9., 10., 11., 12.])
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
