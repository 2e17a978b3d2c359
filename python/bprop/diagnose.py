"""Diagnosing a network: bias vs variance, choosing lambda, vanishing gradients.

Each function trains with :func:`bprop.train` (the fast core) and returns the
numbers; :mod:`bprop.plot` draws them. The costs reported are the method's J
*without* the regularisation term (lambda = 0), as the method's diagnostics use:
the penalty is part of training, not of how well the network fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._internal import checks
from .init import initialize
from .network import cost, cost_and_gradient, predict
from .training import History, train


@dataclass
class LearningCurve:
    """Costs after training on the first ``sizes[i]`` samples (see :func:`learning_curve`).

    Parameters
    ----------
    sizes : list of int
        The training-set sizes m.
    train_cost : list of float
        J (without the penalty) on the samples trained on.
    val_cost : list of float
        J (without the penalty) on the whole validation set.

    Examples
    --------
    >>> from bprop.diagnose import LearningCurve
    >>> LearningCurve([10, 100], [0.01, 0.2], [2.5, 0.9]).sizes
    [10, 100]
    """

    sizes: list[int]
    train_cost: list[float]  # on the samples trained on
    val_cost: list[float]  # on the whole validation set


@dataclass
class ValidationCurve:
    """Costs after training with each value of ``parameter`` (see :func:`validation_curve`).

    Parameters
    ----------
    parameter : str
        What was varied: ``"lambda_"`` or ``"hidden"``.
    values : list
        Its values, in the order trained.
    train_cost, val_cost : list of float
        J (without the penalty) on the training and the validation set.
    val_accuracy : list of float
        Accuracy on the validation set.

    Examples
    --------
    >>> from bprop.diagnose import ValidationCurve
    >>> ValidationCurve("lambda_", [0.0, 1.0], [0.1, 0.3], [0.9, 0.5], [0.9, 0.95]).best
    1.0
    """

    parameter: str
    values: list[Any]
    train_cost: list[float]
    val_cost: list[float]
    val_accuracy: list[float]

    @property
    def best(self) -> Any:
        """The value with the lowest validation cost."""
        return self.values[int(np.argmin(self.val_cost))]


@dataclass
class GradientNorms:
    """Gradient norms per layer during training (see :func:`gradient_norms`).

    Parameters
    ----------
    epochs : list of int
        0 (before training), 1, 2, ...
    norms : ndarray, shape (len(epochs), L - 1)
        ``norms[e, l]`` is the Frobenius norm of ``D(l+1)`` on the full
        training set after epoch ``epochs[e]``.
    thetas : list of ndarray
        The trained weights.
    history : History
        What :func:`bprop.train` recorded.

    Examples
    --------
    >>> import numpy as np
    >>> from bprop.diagnose import GradientNorms
    >>> GradientNorms([0, 1], np.array([[1e-4, 0.1], [2e-4, 0.05]]), [], None).norms[0]
    array([0.0001, 0.1   ])
    """

    epochs: list[int]
    norms: np.ndarray
    thetas: list[np.ndarray]
    history: History


def _defaults(train_kwargs: dict[str, Any]) -> dict[str, Any]:
    kw = {"optimizer": "lbfgs", "iterations": 100, "verbose": False}
    kw.update(train_kwargs)
    return kw


def _kind(kw: dict[str, Any]) -> dict[str, Any]:
    return {k: kw[k] for k in ("activation", "output") if k in kw}


def learning_curve(
    layer_sizes: Sequence[int],
    X: Any,
    y: Any,
    X_val: Any,
    y_val: Any,
    *,
    sizes: Sequence[int] | None = None,
    lambda_: float = 0.0,
    seed: Any = 0,
    init: str = "uniform",
    **train_kwargs: Any,
) -> LearningCurve:
    """Train on growing prefixes of (X, y) from the same initial weights.

    A high validation cost that stays far above the training cost as m grows
    means high variance (more data or more lambda helps); both high and close
    means high bias (a bigger network or less lambda helps).

    Parameters
    ----------
    layer_sizes : sequence of int
        The network, e.g. ``[64, 25, 10]``.
    X, y, X_val, y_val : array_like
        Training and validation data.
    sizes : sequence of int, optional
        Training-set sizes; default 8 sizes from 10 samples to all of them.
    lambda_ : float
        Regularisation used in training.
    seed, init :
        Initial weights (``bprop.initialize(layer_sizes, method=init, seed=seed)``).
    **train_kwargs
        Passed to :func:`bprop.train` (default L-BFGS, 100 iterations).

    Returns
    -------
    LearningCurve
        Training and validation cost (without the penalty) per size.

    Raises
    ------
    ValueError
        When a size is outside ``[1, m]``, or for what :func:`bprop.train` refuses.

    Examples
    --------
    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> Xtr, Xva, ytr, yva = bprop.data.train_validation_split(X, y, 0.25, seed=0)
    >>> curve = bprop.diagnose.learning_curve([64, 25, 10], Xtr, ytr, Xva, yva,
    ...                                       sizes=[50, 500], iterations=30)
    >>> curve.sizes, curve.train_cost[0] < curve.val_cost[0]
    ([50, 500], True)
    """
    Xa = np.asarray(X)
    ya = np.asarray(y)
    m = Xa.shape[0]
    if sizes is None:
        sizes = sorted({int(round(v)) for v in np.geomspace(min(10, m), m, 8)})
    sizes = [int(s) for s in sizes]
    if not sizes or min(sizes) < 1 or max(sizes) > m:
        raise ValueError(f"sizes must lie in [1, {m}] (the training set has {m} samples)")
    kw = _defaults(train_kwargs)
    dtype = kw.pop("dtype", np.float64)
    thetas0 = initialize(
        layer_sizes, method=init, seed=seed, dtype=dtype, activation=kw.get("activation", "sigmoid")
    )
    curve = LearningCurve([], [], [])
    for s in sizes:
        trained, _ = train(thetas0, Xa[:s], ya[:s], lambda_=lambda_, **kw)
        curve.sizes.append(s)
        curve.train_cost.append(cost(trained, Xa[:s], ya[:s], 0.0, **_kind(kw)))
        curve.val_cost.append(cost(trained, X_val, y_val, 0.0, **_kind(kw)))
    return curve


def validation_curve(
    layer_sizes: Sequence[int],
    X: Any,
    y: Any,
    X_val: Any,
    y_val: Any,
    *,
    lambdas: Sequence[float] | None = None,
    hidden_sizes: Sequence[int] | None = None,
    lambda_: float = 0.0,
    seed: Any = 0,
    init: str = "uniform",
    **train_kwargs: Any,
) -> ValidationCurve:
    """Train once per value of lambda (default) or of the hidden-layer size.

    With ``hidden_sizes``, every hidden layer of ``layer_sizes`` takes each size
    in turn (trained with ``lambda_``). Returns training and validation cost
    and validation accuracy; ``.best`` is the value with the lowest validation cost.

    Parameters
    ----------
    layer_sizes : sequence of int
        The network, e.g. ``[64, 25, 10]``.
    X, y, X_val, y_val : array_like
        Training and validation data.
    lambdas : sequence of float, optional
        The values of lambda to try (default: 0 and 0.001 to 10 in steps of
        about 3x).
    hidden_sizes : sequence of int, optional
        Hidden-layer sizes to try instead of lambdas.
    lambda_ : float, default 0.0
        Regularisation when ``hidden_sizes`` is given.
    seed, init :
        Initial weights (``bprop.initialize(sizes, method=init, seed=seed)``).
    **train_kwargs
        Passed to :func:`bprop.train` (default L-BFGS, 100 iterations).

    Returns
    -------
    ValidationCurve

    Raises
    ------
    ValueError
        When both ``lambdas`` and ``hidden_sizes`` are given, a lambda is
        negative or a hidden size below 1.

    Examples
    --------
    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> Xtr, Xva, ytr, yva = bprop.data.train_validation_split(X, y, 0.25, seed=0)
    >>> vc = bprop.diagnose.validation_curve([64, 25, 10], Xtr, ytr, Xva, yva,
    ...                                      lambdas=[0.0, 1.0, 100.0], iterations=30)
    >>> vc.parameter, len(vc.val_cost), vc.best in (0.0, 1.0)
    ('lambda_', 3, True)
    """
    if lambdas is not None and hidden_sizes is not None:
        raise ValueError("give lambdas or hidden_sizes, not both")
    kw = _defaults(train_kwargs)
    dtype = kw.pop("dtype", np.float64)
    if hidden_sizes is None:
        parameter = "lambda_"
        values: list[Any] = list(
            lambdas
            if lambdas is not None
            else [0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
        )
        for v in values:
            checks.check_lambda(v)
    else:
        parameter = "hidden"
        values = [int(h) for h in hidden_sizes]
        if min(values) < 1:
            raise ValueError("hidden_sizes must be >= 1")
    curve = ValidationCurve(parameter, [], [], [], [])
    for v in values:
        sizes = list(layer_sizes)
        lam = lambda_
        if parameter == "hidden":
            sizes = [sizes[0], *[v] * (len(sizes) - 2), sizes[-1]]
        else:
            lam = v
        thetas0 = initialize(
            sizes, method=init, seed=seed, dtype=dtype, activation=kw.get("activation", "sigmoid")
        )
        trained, _ = train(thetas0, X, y, lambda_=lam, **kw)
        curve.values.append(v)
        curve.train_cost.append(cost(trained, X, y, 0.0, **_kind(kw)))
        curve.val_cost.append(cost(trained, X_val, y_val, 0.0, **_kind(kw)))
        curve.val_accuracy.append(
            float(np.mean(predict(trained, X_val, **_kind(kw)) == np.asarray(y_val)))
        )
    return curve


def gradient_norms(
    thetas: Any, X: Any, y: Any, *, lambda_: float = 0.0, **train_kwargs: Any
) -> GradientNorms:
    """Train and record ||D(l)|| of every layer on the full training set after
    each epoch (and before the first). In a deep sigmoid network the first
    layers' norms are orders of magnitude below the last one's: the vanishing
    gradient that ReLU and careful initialisation address.

    Parameters
    ----------
    thetas : list of ndarray
        The initial weights.
    X, y : array_like
        Training data.
    lambda_ : float, default 0.0
    **train_kwargs
        Passed to :func:`bprop.train` (e.g. ``optimizer``, ``epochs``,
        ``activation``); ``callbacks`` are called after the norms are recorded.

    Returns
    -------
    GradientNorms

    Raises
    ------
    ValueError
        For what :func:`bprop.train` refuses.

    Examples
    --------
    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> gn = bprop.diagnose.gradient_norms(bprop.initialize([64, 30, 30, 30, 10], seed=0), X, y,
    ...                                    optimizer="gd", learning_rate=0.5, epochs=2)
    >>> gn.norms.shape, bool(gn.norms[0, 0] < gn.norms[0, -1])
    ((3, 4), True)
    """
    kw = dict(train_kwargs)
    kw.setdefault("verbose", False)
    kind = _kind(kw)

    def norms_of(t: list[np.ndarray]) -> list[float]:
        _, grads = cost_and_gradient(t, X, y, lambda_, **kind)
        return [float(np.linalg.norm(g)) for g in grads]

    rows = [norms_of(checks.check_thetas(thetas))]
    user_callbacks = list(kw.pop("callbacks", ()))

    def record(info: dict) -> bool:
        rows.append(norms_of(info["thetas"]))
        return any(cb(info) is True for cb in user_callbacks)

    trained, history = train(thetas, X, y, lambda_=lambda_, callbacks=[record], **kw)
    return GradientNorms(list(range(len(rows))), np.array(rows), trained, history)


__all__ = [
    "learning_curve",
    "validation_curve",
    "gradient_norms",
    "LearningCurve",
    "ValidationCurve",
    "GradientNorms",
]
