"""Backpropagation for one sample, every intermediate value shown.

``trace`` runs the method's formulas on one sample, layer by layer, and keeps
what they compute: z, a, delta and the sample's contribution ``delta a^T`` to
each Delta. It is for reading, not speed; its gradient is checked against the
fast core's for the same sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._internal import checks
from ._internal.kind import resolve_kind
from .network import cost_and_gradient, network_kind
from .reference._math import (
    activate,
    derivative_from_activation,
    hidden_names,
    output_activation,
    output_cost,
    read_inputs,
    target_matrix,
)


@dataclass
class TraceLayer:
    """Layer ``number`` of the network (1 is the input layer, as in the tutorial).

    ``a`` includes the bias unit first for every layer but the output; ``z`` is
    None for the input layer; ``delta`` is None for the input layer (inputs have
    no error); ``Delta`` is the sample's contribution ``delta(l+1) a(l)^T`` to
    ``Delta(l)`` (None for the output layer, which has no outgoing Theta).

    Parameters
    ----------
    number : int
        The layer's number, 1 for the input layer.
    z : ndarray or None
        ``z(l) = Theta(l-1) a(l-1)``; None for the input layer.
    a : ndarray
        The activations, bias unit first for every layer but the output.
    delta : ndarray or None
        The layer's error; None for the input layer.
    Delta : ndarray or None
        The sample's contribution ``delta(l+1) a(l)^T``, shape of ``Theta(l)``.
    given : bool, default False
        True when ``a`` was supplied, not computed.

    Examples
    --------
    >>> import bprop
    >>> t = bprop.trace(bprop.initialize([2, 3, 2], method="debug"), [0.5, -1.0], 1)
    >>> [(layer.number, layer.a.shape) for layer in t.layers]
    [(1, (3,)), (2, (4,)), (3, (2,))]
    >>> t.layers[0].Delta.shape                          # delta(2) a(1)^T, like Theta1
    (3, 3)
    """

    number: int
    z: np.ndarray | None
    a: np.ndarray
    delta: np.ndarray | None
    Delta: np.ndarray | None
    given: bool = False  # True when ``a`` was supplied, not computed


@dataclass
class Trace:
    """Everything backpropagation computes for one sample (see :func:`trace`).

    Printing a Trace shows a table of every layer's z, a and delta and each
    Delta contribution.

    Parameters
    ----------
    layers : list of TraceLayer
        ``layers[i]`` is layer ``i + 1``.
    y : ndarray, shape (K,)
        The sample's target vector.
    cost : float
        The sample's cost, with ``lambda_`` as for m = 1.
    gradient : list of ndarray
        The sample's gradient, one matrix per Theta.
    core_gradient : list of ndarray or None
        The C++ core's gradient for the same sample (None when activations
        were given); :attr:`matches_core` compares the two.
    activation : list of str
        The hidden layers' activations.
    output : str
        The output layer.

    Examples
    --------
    >>> import bprop
    >>> t = bprop.trace(bprop.initialize([2, 3, 2], method="debug"), [0.5, -1.0], 1)
    >>> t.matches_core, len(t.gradient), t.output
    (True, 2, 'logistic')
    """

    layers: list[TraceLayer]
    y: np.ndarray
    cost: float
    gradient: list[np.ndarray]
    core_gradient: list[np.ndarray] | None = None
    activation: list[str] = field(default_factory=list)
    output: str = "logistic"

    @property
    def matches_core(self) -> bool | None:
        """Whether the traced gradient equals the C++ core's (None when activations were given)."""
        if self.core_gradient is None:
            return None
        return all(
            np.allclose(g, c, rtol=1e-10, atol=1e-13)
            for g, c in zip(self.gradient, self.core_gradient)
        )

    def __str__(self) -> str:
        def fmt(v: np.ndarray | None) -> str:
            if v is None:
                return "-"
            v = np.atleast_1d(v) + 0.0  # no "-0"
            shown = ", ".join(f"{x:.4g}" for x in v.ravel()[:6])
            return f"[{shown}{', ...' if v.size > 6 else ''}]"

        last = len(self.layers) - 1
        sizes = "-".join(str(len(l.a) - (i < last)) for i, l in enumerate(self.layers))
        lines = [
            f"backpropagation trace of one sample, y = {fmt(self.y)}, {sizes} network, "
            f"{self.output} output (a: bias unit first)"
        ]
        rows = [("layer", "z", "a", "delta")] + [
            (str(l.number), fmt(l.z), fmt(l.a) + (" (given)" if l.given else ""), fmt(l.delta))
            for l in self.layers
        ]
        widths = [max(len(r[c]) for r in rows) for c in range(4)]
        for r in rows:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
        for l in self.layers[:-1]:
            assert l.Delta is not None
            matrix = np.array2string(
                l.Delta + 0.0, precision=4, max_line_width=120, suppress_small=True
            )
            lines.append(f"Delta({l.number}) += delta({l.number + 1}) a({l.number})^T =")
            lines.extend("  " + row for row in matrix.splitlines())
        lines.append(f"cost J = {self.cost:.6g}")
        if self.core_gradient is not None:
            lines.append(
                "gradient equals the C++ core's: " + ("yes" if self.matches_core else "NO")
            )
        return "\n".join(lines)


def trace(
    thetas: Any,
    x: Any,
    y: Any,
    lambda_: float = 0.0,
    *,
    activation: Any = None,
    output: str | None = None,
    given: dict[int, Any] | None = None,
    x_scale: float | None = None,
) -> Trace:
    """Forward and backward propagation for one sample, every value kept.

    Parameters
    ----------
    thetas : list of ndarray
        ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``, bias in column 0.
    x : array_like, shape (n,) or (1, n)
        One sample without the bias unit (``X[i]``, or ``X[i:i+1]``).
    y : int or array_like, shape (K,)
        Its label in ``[0, K)`` (also as ``y[i:i+1]``), or its target vector.
    x_scale : float, optional
        As in :func:`bprop.cost`: uint8 x is read as x/255 by default.
    lambda_ : float, default 0.0
        Added to the gradient as ``lambda_ * Theta`` (m = 1; bias column excluded).
    activation, output :
        As in :func:`bprop.cost` (default: a :class:`bprop.Network`'s own kind).
    given : dict, optional
        ``{layer number: activations}`` to use instead of computing them, layer
        numbers as in the tutorial (2 = first hidden layer), without the bias
        unit: the tutorial's exercises give a(2) and a(3) and ask for the deltas.

    Returns
    -------
    Trace
        ``trace.layers[i]`` for layer ``i + 1``; printing it shows a table.

    Raises
    ------
    ValueError
        When ``x`` is several rows or has the wrong number of values, ``y`` is
        not one sample's label or target vector, a ``given`` layer number is
        not a computed layer or its activations have the wrong size, or for
        the invalid inputs :func:`bprop.cost` refuses.

    Examples
    --------
    The tutorial's exercise: a(2) = [0.6, 0.7], a(3) = 0.8, y = 1, Theta(2) = [0.5, 0.8, 0.9].

    >>> import numpy as np, bprop
    >>> thetas = [np.zeros((2, 2)), np.array([[0.5, 0.8, 0.9]])]
    >>> t = bprop.trace(thetas, [0.5], [1.0], given={2: [0.6, 0.7], 3: [0.8]})
    >>> t.layers[2].delta.round(4), t.layers[1].delta.round(4)
    (array([-0.2]), array([-0.0384, -0.0378]))
    """
    activation, output = network_kind(thetas, activation, output)
    t = [np.asarray(a, dtype=np.float64) for a in checks.check_thetas(thetas)]
    n = t[0].shape[1] - 1
    x_arr = np.asarray(x)
    if x_arr.ndim == 2 and x_arr.shape[0] != 1 and x_arr.shape[1] == n:  # rows of X
        raise ValueError(
            f"trace takes one sample: x of shape ({n},) or (1, {n}), and its label; "
            f"x has {x_arr.shape[0]} rows (shape {x_arr.shape}). For sample i, pass "
            f"X[i] and y[i]"
        )
    x = read_inputs(x_arr.reshape(-1), np.float64, x_scale)
    if x.shape[0] != n:
        raise ValueError(
            f"x has {_count(x.shape[0], 'value')} but Theta1 takes {_count(n, 'input')}"
        )
    K = t[-1].shape[0]
    names = hidden_names(activation, len(t) - 1)
    resolve_kind(t, names, output)  # the names checked as every entry point checks them
    y_arr = checks.as_array(y, "y")
    if output != "identity" and (y_arr.ndim == 0 or y_arr.shape == (1,) and K > 1):
        # a label (or X[:1]'s y[:1]): the same checks as cost's
        labels, Y = checks.check_targets(y_arr.reshape(1), 1, K, np.dtype(np.float64), output)
    else:
        if y_arr.size != K:
            raise ValueError(
                f"y has {_count(y_arr.size, 'value')} but the network has "
                f"{_count(K, 'output')}: give one sample's label, or its target "
                f"vector ({K},)"
            )
        labels, Y = checks.check_targets(y_arr.reshape(1, K), 1, K, np.dtype(np.float64), output)
    yv = (Y if Y is not None else target_matrix(labels, K, np.float64))[0].astype(np.float64)
    given = {} if given is None else dict(given)
    L = len(t) + 1
    for number in given:
        if not 2 <= number <= L:
            raise ValueError(f"given layer {number} is not a computed layer (2..{L})")

    # forward: a(1) = [1; x], z(l+1) = Theta(l) a(l), a(l+1) = g(z(l+1))
    zs: list[np.ndarray | None] = [None]
    acts = [np.concatenate([[1.0], x])]
    is_given = [False]
    for l, theta in enumerate(t):
        number = l + 2
        z = theta @ acts[-1]
        if number in given:
            a = np.asarray(given[number], dtype=np.float64).reshape(-1)
            if a.shape[0] != theta.shape[0]:
                raise ValueError(
                    f"given a({number}) has {a.shape[0]} values; layer {number} has "
                    f"{theta.shape[0]} units"
                )
            if not np.isfinite(a).all():
                raise ValueError(f"given a({number}) holds NaN or inf: {a.tolist()}")
        elif number == L:
            a = output_activation(z[None, :], output)[0]
        else:
            a = activate(z, names[l])
        zs.append(z)
        acts.append(a if number == L else np.concatenate([[1.0], a]))
        is_given.append(number in given)

    # backward: delta(L) = a(L) - y, delta(l) = (Theta(l)^T delta(l+1)) .* g'(z(l))
    errors = {L - 1: acts[-1] - yv}  # by layer index (0 = input layer, which has none)
    for l in range(L - 2, 0, -1):
        back = t[l].T @ errors[l + 1]
        errors[l] = back[1:] * derivative_from_activation(acts[l][1:], names[l - 1])
    deltas = [errors.get(l) for l in range(L)]
    Deltas = [np.outer(errors[l + 1], acts[l]) for l in range(L - 1)]
    gradient = []
    for theta, D in zip(t, Deltas):
        g = D.copy()
        g[:, 1:] += lambda_ * theta[:, 1:]
        gradient.append(g)
    data_cost = (
        _cost_from_a(acts[-1], yv, output) if L in given else float(output_cost(zs[-1], yv, output))
    )
    cost = data_cost + lambda_ / 2 * sum(float(np.sum(th[:, 1:] ** 2)) for th in t)

    core = None
    if not given:  # the fast path on the same sample must agree
        _, core = cost_and_gradient(
            t, x[None, :], yv[None, :], lambda_, activation=names, output=output
        )
    layers = [
        TraceLayer(i + 1, zs[i], acts[i], deltas[i], Deltas[i] if i < L - 1 else None, is_given[i])
        for i in range(L)
    ]
    return Trace(layers, yv, cost, gradient, core, names, output)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _cost_from_a(a: np.ndarray, y: np.ndarray, output: str) -> float:
    """The data cost from given output activations (the exercise's a(L))."""
    with np.errstate(divide="ignore"):
        if output == "logistic":
            return float(-np.sum(y * np.log(a) + (1 - y) * np.log1p(-a)))
        if output == "softmax":
            return float(-np.sum(y * np.log(a)))
    return float(0.5 * np.sum((a - y) ** 2))


__all__ = ["trace", "Trace", "TraceLayer"]
