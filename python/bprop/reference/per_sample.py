"""The textbook loop: forward and backward propagation one sample at a time.

This is the algorithm as the tutorial writes it, with the bias unit stored in
each activation vector. Slow; it exists to be obviously right.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._math import (
    activate,
    hidden_delta,
    hidden_names,
    output_activation,
    output_cost,
    output_delta,
    read_inputs,
    regularisation,
    target_matrix,
)


def _forward_sample(
    thetas: list[np.ndarray], x: np.ndarray, names: list[str], output: str = "logistic"
) -> tuple[list[np.ndarray], np.ndarray]:
    """Activations [1; a_l] for l < L (bias first), and z_L."""
    one = np.ones(1, dtype=x.dtype)
    a = [np.concatenate([one, x])]
    z = x
    for l, t in enumerate(thetas):
        z = t @ a[-1]
        if l == len(thetas) - 1:
            a.append(output_activation(z, output))
        else:
            a.append(np.concatenate([one, activate(z, names[l])]))
    return a, z


def forward(
    thetas: Any, X: Any, activation: Any = "sigmoid", output: str = "logistic", x_scale: Any = None
) -> np.ndarray:
    thetas = [np.asarray(t) for t in thetas]
    X = read_inputs(X, thetas[0].dtype, x_scale)
    names = hidden_names(activation, len(thetas) - 1)
    return np.array([_forward_sample(thetas, x, names, output)[0][-1] for x in X])


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
    """The loop; with weights, sample i's cost and Delta contribution count w_i times."""
    thetas = [np.asarray(t) for t in thetas]
    X = read_inputs(X, thetas[0].dtype, x_scale)
    m = X.shape[0]
    w = np.ones(m) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    W = m if sample_weight is None else float(w.sum())
    Y = target_matrix(y, thetas[-1].shape[0], X.dtype)
    names = hidden_names(activation, len(thetas) - 1)
    Delta = [np.zeros_like(t) for t in thetas]
    J = 0.0
    for i in range(m):
        a, zL = _forward_sample(thetas, X[i], names, output)
        J += w[i] * float(output_cost(zL, Y[i], output))
        delta = output_delta(a[-1], Y[i])
        for l in range(len(thetas) - 1, -1, -1):
            Delta[l] += w[i] * np.outer(delta, a[l])
            if l > 0:
                delta = hidden_delta(thetas[l], delta, a[l], names[l - 1])
    J = J / W + lambda_ / (2 * m) * regularisation(thetas)
    grads = []
    for t, D in zip(thetas, Delta):
        g = D / W
        g[:, 1:] += (lambda_ / m) * t[:, 1:]
        grads.append(g)
    return J, grads
