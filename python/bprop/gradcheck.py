"""Numerical gradient checking: central differences against backpropagation.

``dJ/dtheta_i ~ (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)``. Slow
(two cost evaluations per parameter): use it on small networks to prove the
gradient right, then switch it off for training.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np

from ._internal import checks
from ._internal.gradcheck_hints import hints as find_hints
from ._internal.gradcheck_hints import relative, verdict
from ._internal.kind import resolve_kind
from ._internal.problem import evaluate, prepare
from .params import layer_sizes, roll, unroll


def numerical_gradient(
    f: Callable[[np.ndarray], float], theta_vector: Any, epsilon: float = 1e-4
) -> np.ndarray:
    """Central-difference gradient of a scalar function of a vector.

    Parameters
    ----------
    f : callable
        ``f(vector) -> float``.
    theta_vector : array_like, shape (P,)
    epsilon : float, default 1e-4

    Returns
    -------
    ndarray, shape (P,), float64

    Raises
    ------
    ValueError
        When ``theta_vector`` is not 1-D or ``epsilon`` is not a positive number.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> g = bprop.numerical_gradient(lambda v: float(np.sum(v ** 2)), np.array([1.0, -2.0]))
    >>> np.round(g, 6)
    array([ 2., -4.])
    """
    eps = checks.check_positive_real(epsilon, "epsilon")
    theta = np.array(checks.as_array(theta_vector, "theta_vector"), dtype=np.float64)
    if theta.ndim != 1:
        raise ValueError(f"theta_vector must be 1-D, got shape {theta.shape}")
    grad = np.empty_like(theta)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + eps
        plus = f(theta)
        theta[i] = old - eps
        minus = f(theta)
        theta[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


class WorstEntry(NamedTuple):
    """One parameter where the two gradients disagree most.

    Parameters
    ----------
    layer : int
        0 for ``Theta1``, 1 for ``Theta2``...
    row, column : int
        The entry of that matrix (column 0: a bias weight).
    numerical, analytical : float
        The central difference and the backpropagation gradient there.
    error : float
        ``abs(numerical - analytical)``.

    Examples
    --------
    >>> import bprop
    >>> w = bprop.WorstEntry(layer=1, row=0, column=2, numerical=0.5, analytical=0.25, error=0.25)
    >>> f"Theta{w.layer + 1}[{w.row}, {w.column}]"
    'Theta2[0, 2]'
    """

    layer: int
    row: int
    column: int
    numerical: float
    analytical: float
    error: float


@dataclass(frozen=True)
class GradientCheckResult:
    """Outcome of :func:`gradient_check`.

    Attributes
    ----------
    relative_difference : float
        ``||num - ana|| / ||num + ana||``.
    passed : bool
        ``relative_difference < threshold``.
    layer_max_errors : tuple of float
        Largest ``|num - ana|`` in each layer's matrix.
    worst : tuple of WorstEntry
        The entries with the largest errors, largest first.
    numerical, analytical : ndarray, shape (P,)
        Both gradients, unrolled.
    layer_relative_errors : tuple of float
        ``||num - ana|| / ||num + ana||`` for each layer's matrix.
    hints : tuple of str
        Likely mistakes (from the tutorial's list) that the pattern of errors
        suggests; empty when the check passes or no pattern fits.
    threshold, epsilon : float
        The settings of the check.

    Examples
    --------
    Printing a result gives a report, per layer:

    >>> import numpy as np, bprop
    >>> thetas = bprop.initialize([3, 5, 3], method="debug")
    >>> r = bprop.gradient_check(thetas, bprop.init.debug_matrix(2, 5), [1, 2, 0, 1, 2])
    >>> print(r)                                     # doctest: +ELLIPSIS
    gradient check passed: relative difference ...e-1... (threshold 1e-07, epsilon 0.0001)
      layer   max |num - ana|  relative difference
      Theta1  ...
      Theta2  ...
      worst entries:
    ...
    >>> r.passed, len(r.layer_max_errors), r.numerical.shape
    (True, 2, (38,))
    """

    relative_difference: float
    passed: bool
    threshold: float
    epsilon: float
    layer_max_errors: tuple[float, ...]
    worst: tuple[WorstEntry, ...]
    numerical: np.ndarray
    analytical: np.ndarray
    layer_relative_errors: tuple[float, ...] = ()
    hints: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        """The verdict: "passed", or why not, by the tutorial's thresholds (< 1e-7 good;
        > 1e-4 likely a bug)."""
        return verdict(self.relative_difference, self.threshold)

    def __str__(self) -> str:
        lines = [
            f"gradient check {self.verdict}: relative difference "
            f"{self.relative_difference:.3e} (threshold {self.threshold:.0e}, "
            f"epsilon {self.epsilon:g})"
        ]
        rows = [("layer", "max |num - ana|", "relative difference")]
        rows += [
            (f"Theta{l + 1}", f"{e:.3e}", f"{r:.3e}")
            for l, (e, r) in enumerate(zip(self.layer_max_errors, self.layer_relative_errors))
        ]
        widths = [max(len(r[c]) for r in rows) for c in range(3)]
        lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        if self.worst:
            lines.append("  worst entries:")
        for w in self.worst:
            lines.append(
                f"    Theta{w.layer + 1}[{w.row}, {w.column}]: numerical "
                f"{w.numerical:.10g}, analytical {w.analytical:.10g}"
            )
        lines += [f"  hint: {h}" for h in self.hints]
        return "\n".join(lines)


def gradient_check(
    thetas: Any,
    X: Any,
    y: Any,
    lambda_: float = 0.0,
    *,
    epsilon: float = 1e-4,
    threshold: float = 1e-7,
    num_threads: int | None = None,
    num_worst: int = 5,
    sample_weight: Any = None,
    activation: Any = "sigmoid",
    output: str = "logistic",
    gradient: Callable[[list[np.ndarray]], Any] | None = None,
    x_scale: float | None = None,
) -> GradientCheckResult:
    """Compare the backpropagation gradient with central differences.

    Always computed in float64, whatever the network's dtype. When the check
    fails, ``hints`` names the tutorial's common mistakes that the pattern of
    errors suggests (bias regularised, missing g'(z), a missing 1/m, ...).

    Parameters
    ----------
    thetas, X, y, lambda_ :
        As in :func:`bprop.cost`.
    epsilon : float, default 1e-4
        Perturbation of each parameter.
    threshold : float, default 1e-7
        ``passed`` is ``relative_difference < threshold``.
    num_threads : int, optional
        Threads of each cost and gradient evaluation; ``None`` uses
        :func:`bprop.get_num_threads`, ``-1`` all cores.
    num_worst : int, default 5
        How many worst entries to report.
    sample_weight, activation, output, x_scale :
        As in :func:`bprop.cost`.
    gradient : callable, optional
        ``gradient(thetas) -> list of arrays``: your own backpropagation, to be
        checked instead of bprop's (the numerical side is always bprop's cost).

    Returns
    -------
    GradientCheckResult
        The relative difference, ``passed``, the per-layer errors, the worst
        entries and hints; ``print`` it for a report.

    Raises
    ------
    ValueError
        For the invalid inputs that :func:`bprop.cost` refuses; when
        ``gradient`` returns arrays of other shapes than the weights'; when
        ``threshold`` is not a positive number.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> rng = np.random.default_rng(0)
    >>> thetas = bprop.initialize([3, 5, 3], method="debug")
    >>> r = bprop.gradient_check(thetas, rng.normal(size=(5, 3)), [0, 1, 2, 0, 1], lambda_=3.0)
    >>> r.passed
    True
    """
    threshold = checks.check_positive_real(threshold, "threshold")
    t64 = [a.astype(np.float64) for a in checks.check_thetas(thetas)]
    kind = resolve_kind(t64, activation, output)
    problem = prepare(t64, X, y, lambda_, num_threads, sample_weight, kind, x_scale)
    if problem.Y is not None:
        problem.Y = problem.Y.astype(np.float64)
    sizes = layer_sizes(t64)
    if gradient is None:
        _, grads = evaluate(t64, problem, True)
        assert grads is not None
    else:
        grads = [np.asarray(g, dtype=np.float64) for g in gradient([t.copy() for t in t64])]
        shapes = [g.shape for g in grads]
        if shapes != [t.shape for t in t64]:
            raise ValueError(
                f"gradient returned arrays of shapes {shapes}; expected "
                f"{[t.shape for t in t64]} (one per Theta)"
            )
    analytical = unroll(grads)
    numerical = numerical_gradient(
        lambda v: evaluate(roll(v, sizes), problem, False)[0], unroll(t64), epsilon
    )
    denominator = np.linalg.norm(numerical + analytical)
    numerator = np.linalg.norm(numerical - analytical)
    rel = float(numerator / denominator) if denominator > 0 else float(numerator)

    errors = np.abs(numerical - analytical)
    layer_max: list[float] = []
    where: list[tuple[int, int, int]] = []
    start = 0
    for l, a in enumerate(t64):
        e = errors[start : start + a.size]
        layer_max.append(float(e.max()))
        where.extend((l, r, c) for r in range(a.shape[0]) for c in range(a.shape[1]))
        start += a.size
    order = np.argsort(-errors, kind="stable")[: max(int(num_worst), 0)]
    worst = tuple(
        WorstEntry(
            where[i][0],
            where[i][1],
            where[i][2],
            float(numerical[i]),
            float(analytical[i]),
            float(errors[i]),
        )
        for i in order
    )
    N, A = roll(numerical, sizes), roll(analytical, sizes)
    layer_rel = tuple(relative(n, a) for n, a in zip(N, A))
    found = (
        () if rel < threshold else tuple(find_hints(N, A, t64, problem.lambda_, problem.X.shape[0]))
    )
    return GradientCheckResult(
        rel,
        rel < threshold,
        float(threshold),
        float(epsilon),
        tuple(layer_max),
        worst,
        numerical,
        analytical,
        layer_rel,
        found,
    )
