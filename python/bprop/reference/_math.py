"""The formulas of the method, for one sample or many."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np


def sigmoid(z: Any) -> np.ndarray:
    """g(z) = 1 / (1 + e^-z), computed on the side where exp cannot overflow.

    With e = exp(-|z|): 1 / (1 + e) for z >= 0 and e / (1 + e) for z < 0, so that
    tiny outputs keep their full relative precision.
    """
    z = np.asarray(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(np.result_type(z, np.float32))


def sigmoid_gradient(z: Any) -> np.ndarray:
    """g'(z) = g(z) (1 - g(z))."""
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
    """Row-wise softmax exp(z_k) / sum_j exp(z_j), from z minus its row maximum."""
    z = np.asarray(z)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def output_activation(z: Any, output: str = "logistic") -> np.ndarray:
    """h = g_L(z_L): sigmoid ("logistic"), softmax, or identity."""
    if output == "logistic":
        return sigmoid(z)
    if output == "softmax":
        return softmax(z)
    if output == "identity":
        return np.array(z, copy=True)
    raise ValueError(f"unknown output {output!r}")


def output_cost(z: Any, Y: Any, output: str = "logistic") -> np.ndarray:
    """Each sample's data cost from z_L (rows): logistic cost summed over the
    outputs, cross-entropy sum_k y_k (logsumexp(z) - z_k), or (1/2) ||z - y||^2.
    Computed in float64."""
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
    """Error of the output layer: delta_L = a_L - y (for each output with its
    paired cost: sigmoid/logistic, softmax/cross-entropy, identity/squared error)."""
    return np.asarray(a_out) - np.asarray(y)


def hidden_delta(theta: Any, delta_next: Any, a: Any, activation: str = "sigmoid") -> np.ndarray:
    """delta_l = (Theta_l^T delta_{l+1}) .* g'(z_l), bias entry dropped.

    ``theta`` is ``(s_{l+1}, s_l + 1)``; ``a`` is the layer's activations
    *with* the bias unit first, ``(s_l + 1,)``; returns ``(s_l,)``. For the
    sigmoid, g'(z_l) = a_l (1 - a_l).
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
