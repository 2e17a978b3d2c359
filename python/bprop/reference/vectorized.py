"""The vectorised (matrix) form of forward and backward propagation in numpy.

All m samples at once: ``Z_{l+1} = A_l Theta_l[:, 1:]^T + Theta_l[:, 0]`` (no
``[1 X]`` copy), ``Delta_l = delta_{l+1}^T [1 A_l]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._math import logistic_cost_sum, regularisation, sigmoid, target_matrix


def _activations(thetas: list[np.ndarray], X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    a = [X]
    z = X
    for t in thetas:
        z = a[-1] @ t[:, 1:].T + t[:, 0]
        a.append(sigmoid(z))
    return a, z


def _inputs(thetas: Any, X: Any) -> tuple[list[np.ndarray], np.ndarray]:
    thetas = [np.asarray(t) for t in thetas]
    return thetas, np.asarray(X, dtype=thetas[0].dtype)


def forward(thetas: Any, X: Any) -> np.ndarray:
    """Outputs (m, K)."""
    thetas, X = _inputs(thetas, X)
    return _activations(thetas, X)[0][-1]


def predict(thetas: Any, X: Any) -> np.ndarray:
    """Labels (m,): argmax of the outputs (threshold 0.5 for one output)."""
    h = forward(thetas, X)
    if h.shape[1] == 1:
        return (h[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(h, axis=1).astype(np.int64)


def cost(thetas: Any, X: Any, y: Any, lambda_: float = 0.0) -> float:
    """Regularised logistic cost."""
    thetas, X = _inputs(thetas, X)
    m = X.shape[0]
    Y = target_matrix(y, thetas[-1].shape[0], X.dtype)
    z = _activations(thetas, X)[1]
    return logistic_cost_sum(z, Y) / m + lambda_ / (2 * m) * regularisation(thetas)


def cost_and_gradient(thetas: Any, X: Any, y: Any, lambda_: float = 0.0
                      ) -> tuple[float, list[np.ndarray]]:
    """Cost and backpropagation gradient in matrix form."""
    thetas, X = _inputs(thetas, X)
    m = X.shape[0]
    Y = target_matrix(y, thetas[-1].shape[0], X.dtype)
    a, z = _activations(thetas, X)
    J = logistic_cost_sum(z, Y) / m + lambda_ / (2 * m) * regularisation(thetas)
    delta = a[-1] - Y
    grads: list[np.ndarray] = [np.empty(0)] * len(thetas)
    for l in range(len(thetas) - 1, -1, -1):
        t = thetas[l]
        g = np.empty_like(t)
        g[:, 0] = delta.sum(axis=0) / m
        g[:, 1:] = (delta.T @ a[l]) / m + (lambda_ / m) * t[:, 1:]
        grads[l] = g
        if l > 0:
            delta = (delta @ t[:, 1:]) * a[l] * (1 - a[l])
    return J, grads
