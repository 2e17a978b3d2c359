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
    """Forward propagation one sample at a time, as the textbook loop runs it.

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
    >>> reference.per_sample.forward(thetas, X).round(4)
    array([[0.5192, 0.5221],
           [0.5183, 0.5216]])
    """
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
    """The regularised cost J, summed sample by sample.

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
    >>> round(float(reference.per_sample.cost(thetas, X, [0, 1])), 6)
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
    """Cost and gradient by the textbook loop: one sample at a time.

    For each sample: forward propagation, ``delta_L = a_L - y``
    (:func:`~bprop.reference.output_delta`), the hidden deltas
    (:func:`~bprop.reference.hidden_delta`), ``Delta_l += delta_{l+1} a_l^T``;
    then ``D_l = Delta_l / m + (lambda_/m) Theta_l`` with the bias column
    unregularised. With weights, sample i's cost and Delta contribution count
    ``w_i`` times.

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
    >>> J, grads = reference.per_sample.cost_and_gradient(thetas, X, [0, 1], lambda_=1.0)
    >>> J2, core = bprop.cost_and_gradient(thetas, X, [0, 1], lambda_=1.0)
    >>> bool(np.isclose(J, J2)) and all(np.allclose(a, b) for a, b in zip(grads, core))
    True
    """
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
