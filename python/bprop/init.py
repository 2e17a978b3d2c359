"""Random initialisation that breaks the symmetry between hidden units.

With equal weights every unit of a layer computes the same value, gets the
same gradient and stays equal to its neighbours forever; small random
weights break that tie and keep the sigmoids out of saturation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._internal import checks
from .reference._math import HIDDEN_ACTIVATIONS


def random_initialize(l_in: int, l_out: int, epsilon: float = 0.12, rng: Any = None) -> np.ndarray:
    """One weight matrix of shape ``(l_out, l_in + 1)``, uniform in [-epsilon, epsilon].

    Parameters
    ----------
    l_in, l_out : int
        Units feeding the layer and units in it.
    epsilon : float, default 0.12
    rng : None, int or numpy.random.Generator
        Seed or generator (``numpy.random.default_rng`` semantics).

    Returns
    -------
    ndarray, shape (l_out, l_in + 1)
        float64; column 0 holds the bias weights.

    Raises
    ------
    ValueError
        For a size below 1 or an ``epsilon`` that is not a positive number.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> W = bprop.random_initialize(784, 25, rng=0)
    >>> W.shape, bool(np.abs(W).max() <= 0.12)
    ((25, 785), True)
    """
    sizes = checks.check_layer_sizes([l_in, l_out])
    eps = checks.check_positive_real(epsilon, "epsilon")
    return np.random.default_rng(rng).uniform(-eps, eps, (sizes[1], sizes[0] + 1))


def debug_matrix(l_in: int, l_out: int) -> np.ndarray:
    """The course's deterministic debug weights: ``sin(1..n)/10`` laid out column-major.

    Used for gradient checks (``initialize(..., method="debug")``) and as
    small test inputs: the same numbers on every machine.

    Parameters
    ----------
    l_in, l_out : int
        Units feeding the layer and units in it.

    Returns
    -------
    ndarray, shape (l_out, l_in + 1)
        Entry ``(i, j)`` is ``sin(1 + i + j * l_out) / 10``.

    Examples
    --------
    >>> from bprop.init import debug_matrix
    >>> debug_matrix(1, 2)
    array([[ 0.0841471 ,  0.014112  ],
           [ 0.09092974, -0.07568025]])
    """
    shape = (l_out, l_in + 1)
    return (
        np.sin(np.arange(1, shape[0] * shape[1] + 1, dtype=np.float64)).reshape(shape, order="F")
        / 10
    )


def initialize(
    layer_sizes: Sequence[int],
    method: str = "uniform",
    epsilon: float = 0.12,
    seed: Any = None,
    dtype: Any = np.float64,
    activation: Any = "sigmoid",
) -> list[np.ndarray]:
    """Weights for a network with ``layer_sizes = [s_1, ..., s_L]``.

    Parameters
    ----------
    layer_sizes : sequence of int
        Units per layer, input first, output last, e.g. ``[784, 25, 10]``.
    method : {"uniform", "xavier", "he", "auto", "debug"}
        ``"uniform"``: U[-epsilon, epsilon]. ``"xavier"``: per layer
        ``epsilon_l = sqrt(6) / sqrt(s_l + s_{l+1})``. ``"he"``: per layer
        ``epsilon_l = sqrt(6 / s_l)`` (for ReLU). ``"auto"``: the rule of the
        hidden activation (``activation``, one name or one per hidden layer):
        "he" for ReLU and leaky ReLU (when any layer is one), else "xavier". ``"debug"``:
        deterministic ``sin(1..n)/10`` weights for gradient checks.
    epsilon : float, default 0.12
        Half-width for ``"uniform"``.
    seed : None, int or numpy.random.Generator
    dtype : float32 or float64
    activation : str or list of str, default "sigmoid"
        The hidden layers' activation, read by ``method="auto"`` only.

    Returns
    -------
    list of ndarray
        ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``.

    Raises
    ------
    ValueError
        For an unknown ``method`` or ``activation``, layer sizes below 1, a
        non-positive ``epsilon`` or a dtype other than float32/float64.

    Examples
    --------
    >>> import bprop
    >>> [t.shape for t in bprop.initialize([784, 25, 10], seed=0)]
    [(25, 785), (10, 26)]
    """
    sizes = checks.check_layer_sizes(layer_sizes)
    dt = checks.check_dtype(dtype)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    if method == "auto":
        names = [activation] if isinstance(activation, str) else list(activation)
        for name in names:
            if name not in checks.ACTIVATIONS:
                raise ValueError(
                    f"activation must be one of {', '.join(checks.ACTIVATIONS)}, "
                    f"got {checks.shown(name)}"
                )
        rules = {HIDDEN_ACTIVATIONS[name][2] for name in names}
        method = "he" if "he" in rules else "xavier"
    if method == "uniform":
        eps = checks.check_positive_real(epsilon, "epsilon")
        rng = np.random.default_rng(checks.check_seed(seed))
        thetas = [rng.uniform(-eps, eps, (o, i + 1)) for i, o in pairs]
    elif method in ("xavier", "he"):
        rng = np.random.default_rng(checks.check_seed(seed))
        thetas = []
        for i, o in pairs:
            e = math.sqrt(6.0) / math.sqrt(i + o) if method == "xavier" else math.sqrt(6.0 / i)
            thetas.append(rng.uniform(-e, e, (o, i + 1)))
    elif method == "debug":
        thetas = [debug_matrix(i, o) for i, o in pairs]
    else:
        raise ValueError(
            f"method must be 'uniform', 'xavier', 'he', 'auto' or 'debug', "
            f"got {checks.shown(method)}"
        )
    return [t.astype(dt) for t in thetas]
