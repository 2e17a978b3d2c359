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
    """Forward propagation for all samples at once, in numpy: the outputs ``h_Theta(x)``.

    Parameters
    ----------
    thetas : list of array_like
        ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``, bias in column 0.
    X : array_like, shape (m, n)
        Inputs without a bias column.
    activation : str or list of str, default "sigmoid"
    output : {"logistic", "softmax", "identity"}, default "logistic"
    x_scale : float, optional
        Default 1/255 for uint8 X, else 1.

    Returns
    -------
    ndarray, shape (m, K)

    Raises
    ------
    ValueError
        For an unknown activation or output. The oracles check little else:
        validation is :func:`bprop.cost`'s job.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> from bprop import reference
    >>> thetas = bprop.initialize([2, 3, 2], method="debug")
    >>> X = np.array([[0.5, -1.0], [1.0, 2.0]])
    >>> reference.forward(thetas, X).round(4)
    array([[0.5192, 0.5221],
           [0.5183, 0.5216]])
    """
    thetas, X = _inputs(thetas, X, x_scale)
    return _activations(thetas, X, activation, output)[0][-1]


def predict(
    thetas: Any, X: Any, activation: Any = "sigmoid", output: str = "logistic", x_scale: Any = None
) -> np.ndarray:
    """Predicted labels: the argmax of the outputs (threshold 0.5 for one output).

    Parameters
    ----------
    thetas : list of array_like
        ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``, bias in column 0.
    X : array_like, shape (m, n)
        Inputs without a bias column.
    activation : str or list of str, default "sigmoid"
    output : {"logistic", "softmax", "identity"}, default "logistic"
    x_scale : float, optional
        Default 1/255 for uint8 X, else 1.

    Returns
    -------
    ndarray, shape (m,), int64
        The outputs themselves, (m, K), for an identity output.

    Raises
    ------
    ValueError
        For an unknown activation or output. The oracles check little else:
        validation is :func:`bprop.cost`'s job.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> from bprop import reference
    >>> thetas = bprop.initialize([2, 3, 2], method="debug")
    >>> X = np.array([[0.5, -1.0], [1.0, 2.0]])
    >>> reference.predict(thetas, X)
    array([1, 1])
    """
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
    """The regularised cost J in matrix form (the oracle of :func:`bprop.cost`).

    Parameters
    ----------
    thetas : list of array_like
        ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``, bias in column 0; the
        computation runs in their dtype.
    X : array_like, shape (m, n)
        Inputs without a bias column (uint8 read as ``x * x_scale``).
    y : array_like, shape (m,) or (m, K)
        Class labels in ``[0, K)``, or targets.
    lambda_ : float, default 0.0
        L2 strength; the bias column is not regularised.
    sample_weight : array_like, shape (m,), optional
        The data terms become weighted means; the lambda terms keep
        ``lambda_/(2m)`` and ``lambda_/m``.
    activation : str or list of str, default "sigmoid"
        The hidden layers' activation (one name, or one per hidden layer).
    output : {"logistic", "softmax", "identity"}, default "logistic"
    x_scale : float, optional
        Default 1/255 for uint8 X, else 1.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For an unknown activation or output. The oracles check little else:
        validation is :func:`bprop.cost`'s job.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> from bprop import reference
    >>> thetas = bprop.initialize([2, 3, 2], method="debug")
    >>> X = np.array([[0.5, -1.0], [1.0, 2.0]])
    >>> round(reference.cost(thetas, X, [0, 1]), 6)
    1.387559
    """
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
    """Cost and backpropagation gradient in matrix form (the oracle of
    :func:`bprop.cost_and_gradient`).

    All samples at once: ``delta_L = A_L - Y``, ``delta_l = (delta_{l+1}
    Theta_l[:, 1:]) .* g'(Z_l)``, ``D_l = delta_{l+1}^T [1 A_l] / m + (lambda_/m)
    Theta_l`` (bias column unregularised). With ``sample_weight`` the data
    terms are weighted means (divided by the weight sum W); the lambda terms
    keep ``lambda_/(2m)`` and ``lambda_/m``.

    Parameters
    ----------
    thetas : list of array_like
        ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``, bias in column 0; the
        computation runs in their dtype.
    X : array_like, shape (m, n)
        Inputs without a bias column (uint8 read as ``x * x_scale``).
    y : array_like, shape (m,) or (m, K)
        Class labels in ``[0, K)``, or targets.
    lambda_ : float, default 0.0
        L2 strength; the bias column is not regularised.
    sample_weight : array_like, shape (m,), optional
        The data terms become weighted means; the lambda terms keep
        ``lambda_/(2m)`` and ``lambda_/m``.
    activation : str or list of str, default "sigmoid"
        The hidden layers' activation (one name, or one per hidden layer).
    output : {"logistic", "softmax", "identity"}, default "logistic"
    x_scale : float, optional
        Default 1/255 for uint8 X, else 1.

    Returns
    -------
    J : float
    grads : list of ndarray
        ``grads[l]`` has the shape of ``thetas[l]``.

    Raises
    ------
    ValueError
        For an unknown activation or output. The oracles check little else:
        validation is :func:`bprop.cost`'s job.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> from bprop import reference
    >>> thetas = bprop.initialize([2, 3, 2], method="debug")
    >>> X = np.array([[0.5, -1.0], [1.0, 2.0]])
    >>> J, grads = reference.cost_and_gradient(thetas, X, [0, 1])
    >>> J2, core = bprop.cost_and_gradient(thetas, X, [0, 1])
    >>> all(np.allclose(a, b) for a, b in zip(grads, core))
    True
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
