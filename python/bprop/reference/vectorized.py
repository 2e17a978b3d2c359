"""The vectorised (matrix) form of forward and backward propagation in numpy.

All m samples at once: ``Z_{l+1} = A_l Theta_l[:, 1:]^T + Theta_l[:, 0]`` (no
``[1 X]`` copy), ``Delta_l = delta_{l+1}^T [1 A_l]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._math import (
    activate,
    derivative_from_activation,
    hidden_names,
    output_activation,
    output_cost,
    read_inputs,
    regularisation,
    target_matrix,
)


def _activations(
    thetas: list[np.ndarray], X: np.ndarray, activation: Any = "sigmoid", output: str = "logistic"
) -> tuple[list[np.ndarray], np.ndarray]:
    names = hidden_names(activation, len(thetas) - 1)
    a = [X]
    z = X
    for l, t in enumerate(thetas):
        z = a[-1] @ t[:, 1:].T + t[:, 0]
        a.append(output_activation(z, output) if l == len(thetas) - 1 else activate(z, names[l]))
    return a, z


def _inputs(thetas: Any, X: Any, x_scale: Any = None) -> tuple[list[np.ndarray], np.ndarray]:
    thetas = [np.asarray(t) for t in thetas]
    return thetas, read_inputs(X, thetas[0].dtype, x_scale)


def forward(
    thetas: Any, X: Any, activation: Any = "sigmoid", output: str = "logistic", x_scale: Any = None
) -> np.ndarray:
    """Outputs (m, K)."""
    thetas, X = _inputs(thetas, X, x_scale)
    return _activations(thetas, X, activation, output)[0][-1]


def predict(
    thetas: Any, X: Any, activation: Any = "sigmoid", output: str = "logistic", x_scale: Any = None
) -> np.ndarray:
    """Labels (m,): argmax of the outputs (threshold 0.5 for one output);
    the outputs themselves for an identity output."""
    h = forward(thetas, X, activation, output, x_scale)
    if output == "identity":
        return h
    if h.shape[1] == 1:
        return (h[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(h, axis=1).astype(np.int64)


def _weights(sample_weight: Any, m: int) -> np.ndarray:
    return np.ones(m) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)


def cost(
    thetas: Any,
    X: Any,
    y: Any,
    lambda_: float = 0.0,
    sample_weight: Any = None,
    activation: Any = "sigmoid",
    output: str = "logistic",
    x_scale: Any = None,
) -> float:
    """Regularised cost (weighted mean of the samples' costs when weighted)."""
    return cost_and_gradient(thetas, X, y, lambda_, sample_weight, activation, output, x_scale)[0]


def cost_and_gradient(
    thetas: Any,
    X: Any,
    y: Any,
    lambda_: float = 0.0,
    sample_weight: Any = None,
    activation: Any = "sigmoid",
    output: str = "logistic",
    x_scale: Any = None,
) -> tuple[float, list[np.ndarray]]:
    """Cost and backpropagation gradient in matrix form.

    With ``sample_weight`` the data terms are weighted means (divided by the
    weight sum W); the lambda terms keep ``lambda_/(2m)`` and ``lambda_/m``.
    """
    thetas, X = _inputs(thetas, X, x_scale)
    m = X.shape[0]
    w = _weights(sample_weight, m)
    W = float(w.sum()) if sample_weight is not None else m
    Y = target_matrix(y, thetas[-1].shape[0], X.dtype)
    a, z = _activations(thetas, X, activation, output)
    names = hidden_names(activation, len(thetas) - 1)
    data_sum = float(np.sum(w * output_cost(z, Y, output)))
    J = data_sum / W + lambda_ / (2 * m) * regularisation(thetas)
    delta = a[-1] - Y
    if sample_weight is not None:
        delta = delta * w[:, None].astype(delta.dtype)
    grads: list[np.ndarray] = [np.empty(0)] * len(thetas)
    for l in range(len(thetas) - 1, -1, -1):
        t = thetas[l]
        g = np.empty_like(t)
        g[:, 0] = delta.sum(axis=0) / W
        g[:, 1:] = (delta.T @ a[l]) / W + (lambda_ / m) * t[:, 1:]
        grads[l] = g
        if l > 0:
            delta = (delta @ t[:, 1:]) * derivative_from_activation(a[l], names[l - 1])
    return J, grads
