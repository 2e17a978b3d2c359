"""The formulas of the method, for one sample or many."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def sigmoid(z: Any) -> np.ndarray:
    """The sigmoid ``g(z) = 1 / (1 + e^-z)``, computed where exp cannot overflow.

    With ``e = exp(-abs(z))``: ``1 / (1 + e)`` for z >= 0 and ``e / (1 + e)``
    for z < 0, so that tiny outputs keep their full relative precision.

    Parameters
    ----------
    z : array_like
        Any shape.

    Returns
    -------
    ndarray
        ``g(z)``, the shape of ``z``, in ``z``'s floating dtype (float64 for
        integers).

    Examples
    --------
    >>> from bprop import reference
    >>> reference.sigmoid([-800.0, 0.0, 2.0])
    array([0.        , 0.5       , 0.88079708])
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(z, np.float32))


def sigmoid_gradient(z: Any) -> np.ndarray:
    """The sigmoid's derivative ``g'(z) = g(z) (1 - g(z))``.

    Parameters
    ----------
    z : array_like
        Any shape.

    Returns
    -------
    ndarray
        ``g'(z)``, the shape of ``z``; at most 1/4 (at z = 0).

    Examples
    --------
    >>> from bprop import reference
    >>> reference.sigmoid_gradient([0.0, 1.0])
    array([0.25      , 0.19661193])
    """
    g = sigmoid(z)
    return g * (1.0 - g)


LEAKY_SLOPE = 0.01  # leaky ReLU's slope below 0, as in the core


# The hidden activations: g(z), g'(z) written with a = g(z), side by side, and
# the initialisation that initialize(method="auto") picks for each. The core
# defines the same ones (csrc/bprop/activations.hpp); tests compare the two.
HIDDEN_ACTIVATIONS: dict[
    str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray], str]
] = {
    "sigmoid": (lambda z: sigmoid(z), lambda a: a * (1 - a), "xavier"),
    "tanh": (np.tanh, lambda a: 1 - a * a, "xavier"),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(a.dtype), "he"),
    "leaky_relu": (
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda a: np.where(a > 0, 1.0, LEAKY_SLOPE).astype(a.dtype),
        "he",
    ),
}


def _hidden(
    name: str,
) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray], str]:
    if name not in HIDDEN_ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}")
    return HIDDEN_ACTIVATIONS[name]


def activate(z: Any, name: str = "sigmoid") -> np.ndarray:
    """g(z) for a hidden layer (see HIDDEN_ACTIVATIONS)."""
    return _hidden(name)[0](np.asarray(z))


def softmax(z: Any) -> np.ndarray:
    """Row-wise softmax ``exp(z_k) / sum_j exp(z_j)``, from z minus its row maximum.

    Parameters
    ----------
    z : array_like, shape (..., K)

    Returns
    -------
    ndarray, shape (..., K)
        Each row sums to 1.

    Examples
    --------
    >>> from bprop import reference
    >>> reference.softmax([[0.0, 0.0], [1000.0, 0.0]])
    array([[0.5, 0.5],
           [1. , 0. ]])
    """
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def output_activation(z: Any, output: str = "logistic") -> np.ndarray:
    """The output layer's activation ``h = g_L(z_L)``.

    Parameters
    ----------
    z : array_like, shape (m, K)
        The output layer's ``z``.
    output : {"logistic", "softmax", "identity"}, default "logistic"
        Sigmoid units, softmax, or the identity (a copy of ``z``).

    Returns
    -------
    ndarray, shape (m, K)

    Raises
    ------
    ValueError
        For another ``output``.

    Examples
    --------
    >>> from bprop import reference
    >>> reference.output_activation([[0.0, 2.0]], "softmax")
    array([[0.11920292, 0.88079708]])
    """
    if output == "logistic":
        return sigmoid(z)
    if output == "softmax":
        return softmax(z)
    if output == "identity":
        return np.array(z, copy=True)
    raise ValueError(f"unknown output {output!r}")


def output_cost(z: Any, Y: Any, output: str = "logistic") -> np.ndarray:
    """Each sample's data cost, computed from the output layer's ``z`` in float64.

    The logistic cost summed over the outputs, ``sum_k log(1 + e^z_k) - y_k z_k``;
    the cross-entropy ``sum_k y_k (logsumexp(z) - z_k)``; or the squared error
    ``(1/2) sum_k (z_k - y_k)^2``. Each is written with stable terms, so no log
    of 0 is taken.

    Parameters
    ----------
    z : array_like, shape (m, K)
        The output layer's ``z`` (before its activation).
    Y : array_like, shape (m, K)
        Targets (one-hot rows for classification).
    output : {"logistic", "softmax", "identity"}, default "logistic"

    Returns
    -------
    ndarray, shape (m,)
        One cost per sample (no ``1/m``, no regularisation).

    Raises
    ------
    ValueError
        For another ``output``.

    Examples
    --------
    >>> import numpy as np
    >>> from bprop import reference
    >>> reference.output_cost([[0.0]], [[1.0]])        # -log(g(0)) = log 2
    array([0.69314718])
    """
    z = np.asarray(z, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if output == "logistic":
        return np.sum(np.logaddexp(0.0, z) - Y * z, axis=-1)
    if output == "softmax":
        top = z.max(axis=-1, keepdims=True)
        lse = top + np.log(np.sum(np.exp(z - top), axis=-1, keepdims=True))
        return np.sum(Y * (lse - z), axis=-1)
    if output == "identity":
        return 0.5 * np.sum((z - Y) ** 2, axis=-1)
    raise ValueError(f"unknown output {output!r}")


def derivative_from_activation(a: Any, name: str = "sigmoid") -> np.ndarray:
    """g'(z) written with a = g(z): a (1 - a), 1 - a^2, [a > 0], or 1 / the slope."""
    return _hidden(name)[1](np.asarray(a))


def hidden_names(activation: Any, num_hidden: int) -> list[str]:
    return [activation] * num_hidden if isinstance(activation, str) else list(activation)


def output_delta(a_out: Any, y: Any) -> np.ndarray:
    """The output layer's error ``delta_L = a_L - y``.

    The same rule for each output with its paired cost: sigmoid and logistic
    cost, softmax and cross-entropy, identity and squared error.

    Parameters
    ----------
    a_out : array_like, shape (K,) or (m, K)
        The output activations ``a_L``.
    y : array_like, same shape
        The targets.

    Returns
    -------
    ndarray
        ``a_out - y``.

    Examples
    --------
    The worked example's output error:

    >>> import numpy as np
    >>> from bprop import reference
    >>> reference.output_delta(np.array([0.8]), np.array([1.0]))
    array([-0.2])
    """
    return np.asarray(a_out) - np.asarray(y)


def hidden_delta(theta: Any, delta_next: Any, a: Any, activation: str = "sigmoid") -> np.ndarray:
    """A hidden layer's error ``delta_l = (Theta_l^T delta_{l+1}) .* g'(z_l)``, bias entry dropped.

    For the sigmoid, ``g'(z_l) = a_l (1 - a_l)``, computed from the
    activations.

    Parameters
    ----------
    theta : array_like, shape (s_{l+1}, s_l + 1)
        The weights from layer l to layer l + 1, bias in column 0.
    delta_next : array_like, shape (s_{l+1},)
        The next layer's error.
    a : array_like, shape (s_l + 1,)
        This layer's activations *with* the bias unit first.
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"}, default "sigmoid"

    Returns
    -------
    ndarray, shape (s_l,)

    Raises
    ------
    ValueError
        For an unknown ``activation``.

    Examples
    --------
    The worked example: ``a(2) = [1, 0.6, 0.7]``, ``Theta(2) = [0.5, 0.8, 0.9]``,
    ``delta(3) = -0.2``:

    >>> import numpy as np
    >>> from bprop import reference
    >>> reference.hidden_delta(np.array([[0.5, 0.8, 0.9]]), np.array([-0.2]),
    ...                        np.array([1.0, 0.6, 0.7]))
    array([-0.0384, -0.0378])
    """
    theta = np.asarray(theta)
    a = np.atleast_1d(np.asarray(a))
    back = theta.T @ np.atleast_1d(np.asarray(delta_next))
    return back[1:] * derivative_from_activation(a[1:], activation)


def target_matrix(y: Any, K: int, dtype: Any) -> np.ndarray:
    """(m, K) targets from labels (m,) / (m, 1), or a target matrix as given."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == K:
        return y.astype(dtype)
    labels = y.reshape(-1)
    if K == 1:
        return labels.reshape(-1, 1).astype(dtype)
    Y = np.zeros((labels.shape[0], K), dtype=dtype)
    Y[np.arange(labels.shape[0]), labels.astype(np.int64)] = 1
    return Y


def regularisation(thetas: list[np.ndarray]) -> float:
    return float(sum(np.sum(np.square(t[:, 1:], dtype=np.float64)) for t in thetas))


def read_inputs(X: Any, dtype: Any, x_scale: Any = None) -> np.ndarray:
    """X as the core reads it, by the same rule: ``X.astype(dtype) * x_scale``,
    ``x_scale`` 1/255 by default for uint8 pixels and 1 otherwise; a
    scipy.sparse X densified (the references are about clarity, not memory)."""
    from .._internal.checks import check_x_scale  # the one rule for the default scale

    if hasattr(X, "toarray"):
        X = X.toarray()
    a = np.asarray(X)
    scale = check_x_scale(x_scale, a)
    out = a.astype(dtype)
    return out * np.dtype(dtype).type(scale) if scale != 1.0 else out
