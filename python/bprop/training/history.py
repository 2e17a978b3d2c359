"""What a training run records and shows while it runs: the history, progress
(a bar on a terminal or in Jupyter, a line per epoch elsewhere), callbacks,
early stopping, and the divergence error. Shared by every solver."""

from __future__ import annotations

import math
import numbers
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .._internal.problem import InputsTooLarge, Problem
from ..network import Network
from .objective import Objective


@dataclass
class History:
    """What happened during :func:`train`.

    Attributes
    ----------
    cost : list of float
        The tutorial's ``J_history``: for gd/momentum/nesterov/adam the cost at
        the start of each step (on a mini-batch, its estimate of ``J``: the
        batch's mean data term plus the full-data penalty); for lbfgs the
        initial cost and then the cost after each iteration.
    final_cost : float or None
        ``J`` of the returned weights over all training samples, penalty
        included: the value training minimised, where it ended. lbfgs knows it
        from its last iteration; the step optimisers, whose ``cost`` comes
        before each step, evaluate it once at the end (a forward pass over the
        training set, no gradient). None when it was not computed, with the
        reason in ``final_cost_skipped``; NaN in a ``TrainingDiverged``'s
        history.
    final_cost_skipped : str or None
        Why ``final_cost`` is None: "interrupted" when Ctrl-C stopped its
        evaluation pass (say, a second Ctrl-C right after the one that stopped
        training), or stopped a run over MPI ranks (which may have stopped at
        different steps, so no J of one set of weights is known). None when
        ``final_cost`` holds a value.
    epoch_cost : list of float
        Each epoch's ``cost``, its batches weighted by their sizes.
    val_cost, val_accuracy : list of float
        Validation cost (unregularised) and accuracy at the end of each epoch.
    learning_rate : list of float
        The step optimisers' learning rate of each epoch (as a ``schedule`` or
        the optimiser's ``end_epoch`` set it); empty for lbfgs, which chooses its
        own step sizes.
    epoch_time : list of float
        Seconds since the start, at the end of each epoch.
    wall_time : float
        Seconds the whole run took, the final evaluation included.
    iterations, epochs : int
        Optimiser steps and passes over the data completed.
    stopped : str
        "completed", "converged" (lbfgs: its tolerance met), "stalled" (lbfgs: its line
        search could not lower J before the tolerance), "early_stopping", "callback",
        "interrupted", "max_fun" (lbfgs: its ``max_fun`` cost evaluations used before
        its iterations or tolerance), "diverged" (in a ``TrainingDiverged``'s
        history) or "schedule" (in a ``ScheduleError``'s history).
    best_epoch : int or None
        With early stopping, the epoch whose weights were returned.

    Examples
    --------
    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> X_tr, X_val, y_tr, y_val = bprop.data.train_validation_split(X, y, seed=0)
    >>> _, history = bprop.train(bprop.initialize([64, 25, 10], seed=0), X_tr, y_tr,
    ...                          batch_size=128, epochs=4, seed=0,
    ...                          validation_data=(X_val, y_val), verbose=False)
    >>> history.stopped, history.epochs, history.iterations
    ('completed', 4, 48)
    >>> len(history.cost), len(history.epoch_cost), len(history.val_accuracy)
    (48, 4, 4)
    >>> history.final_cost is not None and bool(history.final_cost < history.cost[0])
    True
    """

    cost: list[float] = field(default_factory=list)
    final_cost: float | None = None
    final_cost_skipped: str | None = None
    epoch_cost: list[float] = field(default_factory=list)
    val_cost: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    wall_time: float = 0.0
    iterations: int = 0
    epochs: int = 0
    stopped: str = "completed"
    best_epoch: int | None = None


class TrainingDiverged(FloatingPointError, ValueError):
    """The cost or the weights became NaN/inf (or, with ``max_cost_growth``, the
    cost climbed far above its start). ``thetas`` are the last finite weights.

    A ``FloatingPointError`` and a ``ValueError``: code written for
    scikit-learn's MLP, which raises ``ValueError`` when its weights become
    non-finite, catches it too.

    Parameters
    ----------
    message : str
        What diverged and when, with a remedy (a smaller learning rate, ...).
    thetas : list of ndarray
        The last finite weights (a :class:`bprop.Network`).
    history : History
        The run so far, ``stopped == "diverged"`` and ``final_cost`` NaN.

    Attributes
    ----------
    thetas : Network
        The last finite weights.
    history : History
        The run up to the failure.

    Examples
    --------
    A learning rate far too large:

    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> try:
    ...     bprop.train(bprop.initialize([64, 25, 10], seed=0), X[:200], y[:200],
    ...                 learning_rate=1e4, iterations=20, verbose=False)
    ... except bprop.TrainingDiverged as e:
    ...     print(e.history.stopped, len(e.thetas), "smaller learning rate" in str(e))
    diverged 2 True
    """

    def __init__(self, message: str, thetas: list[np.ndarray], history: History) -> None:
        super().__init__(message)
        self.thetas = thetas
        self.history = history


class ScheduleError(ValueError):
    """A schedule's rate for an epoch was not a learning rate (not finite and > 0),
    found as the epoch was about to start (a schedule whose rates depend on the run,
    such as a custom :class:`~bprop.schedules.Schedule`). The epochs before it are
    kept: ``thetas`` are their weights, ``history`` their record.

    Parameters
    ----------
    message : str
        The schedule, the epoch and its rate.
    thetas : Network
        The weights after the last completed epoch (the best one's with early stopping).
    history : History
        The run up to that epoch, ``stopped == "schedule"``.

    Attributes
    ----------
    thetas : Network
    history : History

    Examples
    --------
    >>> import bprop
    >>> from bprop.schedules import Schedule
    >>> class Halt(Schedule):
    ...     name = "halt"
    ...     def rate(self, epoch):
    ...         return self.base_rate if epoch < 3 else 0.0
    >>> X, y = bprop.data.load_digits()
    >>> try:
    ...     bprop.train(bprop.initialize([64, 25, 10], seed=0), X, y, optimizer="momentum",
    ...                 batch_size=256, epochs=5, schedule=Halt(), verbose=False)
    ... except bprop.ScheduleError as e:
    ...     print(e.history.stopped, e.history.epochs, str(e))
    schedule 2 schedule: halt's rate for epoch 3 of 5 is 0.0: a learning rate must be finite and > 0
    """

    def __init__(self, message: str, thetas: Network, history: History) -> None:
        super().__init__(message)
        self.thetas = thetas
        self.history = history


class InputScaleWarning(UserWarning):
    """:func:`bprop.train` was given inputs far from unit scale (largest
    ``|x| > 100`` as the core reads X), which sigmoid and tanh units turn into
    saturated outputs and vanishing gradients: standardise X's columns.

    Examples
    --------
    >>> import warnings
    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = bprop.train(bprop.initialize([64, 25, 10], seed=0), 1000 * X[:100], y[:100],
    ...                     iterations=1, verbose=False)
    >>> [w.category.__name__ for w in caught]
    ['InputScaleWarning']
    >>> X_std = bprop.data.standardize(1000 * X[:100])[0]          # the remedy
    """


class NoImprovement:
    """The one stopping rule: stop once ``patience`` values in a row failed to
    improve on the best by more than ``tol``. Lower values are better (pass
    ``higher_is_better`` for scores); with ``keep_best`` the weights of the best
    value are kept. Used by :func:`bprop.train`'s early stopping and by the
    estimators (training loss or validation score).

    Parameters
    ----------
    patience : float
        How many values in a row may fail to improve before :meth:`update` says
        stop (``numpy.inf``: never).
    tol : float, default 0.0
        The margin a value must beat the best by to count as an improvement.
    higher_is_better : bool, default False
        True for scores (accuracy, R^2), False for costs.
    keep_best : bool, default False
        Keep a copy of the weights of the best value in ``best_thetas``.

    Attributes
    ----------
    best : float or None
        The best value so far, in the rule's sign (negated scores).
    best_thetas : list of ndarray or None
        With ``keep_best``, the weights of the best value.
    since_best : int
        Values since the last improvement.
    is_best : bool
        Whether the last value recorded was the best so far.

    Examples
    --------
    >>> from bprop.training import NoImprovement
    >>> rule = NoImprovement(patience=2)
    >>> [rule.update(cost, []) for cost in [3.0, 2.0, 2.5, 2.1, 1.0]]
    [False, False, False, True, False]
    """

    def __init__(
        self,
        patience: float,
        tol: float = 0.0,
        higher_is_better: bool = False,
        keep_best: bool = False,
    ) -> None:
        self.patience = patience
        self.tol = tol
        self.sign = -1.0 if higher_is_better else 1.0
        self.keep_best = keep_best
        self.best: float | None = None  # in the rule's own sign: lower is better
        self.best_thetas: list[np.ndarray] | None = None
        self.since_best = 0
        self.is_best = False  # whether the last value recorded was the best so far

    def update(self, value: float, thetas: list[np.ndarray]) -> bool:
        """Record one value (and its weights); True when it is time to stop.

        Parameters
        ----------
        value : float
            The cost (or, with ``higher_is_better``, the score) just measured.
        thetas : list of ndarray
            The weights it was measured with (copied with ``keep_best`` when best).

        Returns
        -------
        bool
            True once ``patience`` values in a row failed to improve by ``tol``.
        """
        v = self.sign * value
        self.is_best = self.best is None or v < self.best
        improved = self.best is None or v < self.best - self.tol
        if self.is_best:
            self.best = v
            if self.keep_best:
                self.best_thetas = [t.copy() for t in thetas]
        self.since_best = 0 if improved else self.since_best + 1
        return self.since_best >= self.patience


class Stop(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


class Progress:
    """The callback that shows progress: a tqdm bar on a terminal or in Jupyter,
    elsewhere (logs, pipes) a line per epoch on stderr, at most about 100."""

    def __init__(self, total: int, unit: str) -> None:
        self.total, self.unit = total, unit
        self.bar = None
        self.every = max(1, math.ceil(total / 100))
        if sys.stderr.isatty() or _in_notebook():
            from tqdm.auto import tqdm  # tqdm's notebook bar in Jupyter

            self.bar = tqdm(total=total, unit=unit, leave=True)

    def __call__(self, info: dict) -> None:
        shown = {
            "cost": info["cost"],
            "val_cost": info["val_cost"],
            "val_acc": info["val_accuracy"],
        }
        postfix = {k: f"{v:.4f}" for k, v in shown.items() if v is not None}
        epoch = info["epoch"]
        if self.bar is not None:
            self.bar.set_postfix(postfix)
            self.bar.update(1)
        elif epoch % self.every == 0 or epoch == self.total:
            print(
                f"{self.unit} {epoch}/{self.total}: "
                + ", ".join(f"{k} {v}" for k, v in postfix.items())
                + f" ({info['history'].epoch_time[-1]:.1f} s)",
                file=sys.stderr,
                flush=True,
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Run:
    """Book-keeping shared by the step-based loop and L-BFGS: validation,
    callbacks, early stopping and progress at the end of each epoch."""

    def __init__(
        self,
        *,
        objective: Objective,
        validation: tuple[Problem, np.ndarray | None] | None,
        early_stopping: bool,
        patience: int,
        callbacks: Sequence[Callable[[dict], Any]],
        verbose: bool,
        total_epochs: int,
        unit: str = "epoch",
        max_cost_growth: float | None = None,
        thetas: list[np.ndarray] | None = None,
    ) -> None:
        self.objective = objective
        # the weights after the last completed step (the start's before any)
        self.thetas: list[np.ndarray] = [] if thetas is None else thetas
        self.max_cost_growth = max_cost_growth  # see train's parameter of that name
        self.kind = objective.kind
        self.history = History()
        self.validation = validation
        self.stopping = NoImprovement(patience, keep_best=True) if early_stopping else None
        self.progress = Progress(total_epochs, unit) if verbose else None
        # progress first, so that it shows the epoch a user's callback stops at
        self.callbacks = ([self.progress] if self.progress else []) + list(callbacks)
        self.start = time.perf_counter()
        self.best_cost: float | None = None  # J of the best epoch's weights, when known
        self.epoch_costs: list[float] = []
        self.epoch_rows: list[int] = []  # each cost's batch size: the epoch's cost weighs them
        self.epoch_rate: Any = None  # the step optimiser's learning_rate in this epoch

    def end_epoch(self, thetas: list[np.ndarray], cost: float | None = None) -> None:
        """Validation, callbacks and early stopping after an epoch that ended
        with ``thetas`` (whose J is ``cost`` when the solver knows it)."""
        h = self.history
        h.epochs += 1
        h.epoch_cost.append(self.epoch_mean())
        if self.epoch_rate is not None:  # (a custom optimiser's may be anything)
            rate = self.epoch_rate
            h.learning_rate.append(float(rate) if isinstance(rate, numbers.Real) else math.nan)
        self.epoch_costs, self.epoch_rows = [], []
        if self.validation is not None:
            vp, vy = self.validation
            h.val_cost.append(self.objective.value_and_gradient(thetas, vp, False)[0])
            if vy is not None:  # classification: labels to compare with
                h.val_accuracy.append(self.objective.accuracy(thetas, vp, vy))
        h.epoch_time.append(time.perf_counter() - self.start)
        info = {
            "epoch": h.epochs,
            "iteration": h.iterations,
            "cost": h.epoch_cost[-1],
            "val_cost": h.val_cost[-1] if h.val_cost else None,
            "val_accuracy": h.val_accuracy[-1] if h.val_accuracy else None,
            "learning_rate": self.epoch_rate,
            "thetas": thetas,
            "history": h,
        }
        if any(cb(info) is True for cb in self.callbacks):
            raise Stop("callback")
        if self.stopping is not None:
            stop = self.stopping.update(h.val_cost[-1], thetas)
            if self.stopping.is_best:
                h.best_epoch = h.epochs
                self.best_cost = cost
            if stop:
                raise Stop("early_stopping")

    def record_step(self, J: float, rows: int = 1, thetas: list[np.ndarray] | None = None) -> None:
        """A completed step: its cost ``J`` (on ``rows`` samples), counted; ``thetas``,
        when given, the weights after it."""
        if thetas is not None:
            self.thetas = thetas
        self.history.cost.append(J)
        self.add_cost(J, rows)
        self.history.iterations += 1

    def step_failed(
        self, thetas: list[np.ndarray], error: FloatingPointError | str, learning_rate: float | None
    ) -> TrainingDiverged:
        """The error to raise when the step from ``thetas`` failed: its cost overflowed
        (``error``; inputs too large name their own remedy) or, ``error`` a message, its
        weights did."""
        if isinstance(error, str):
            return self.diverged(thetas, error, learning_rate)
        hint = not isinstance(error, InputsTooLarge)
        return self.diverged(thetas, str(error), learning_rate, hint=hint)

    def add_cost(self, J: float, rows: int = 1) -> None:
        self.epoch_costs.append(J)
        self.epoch_rows.append(rows)

    def epoch_mean(self) -> float:
        """The epoch's estimate of J: its batches' costs weighted by their sizes."""
        if not self.epoch_costs:
            return float("nan")
        return float(np.average(self.epoch_costs, weights=self.epoch_rows))

    def finish(
        self,
        thetas: list[np.ndarray],
        reason: str,
        cost: float | None = None,
        learning_rate: float | None = None,
    ) -> tuple[Network, History]:
        """The weights to return (the best epoch's with early stopping) and the
        history, with ``final_cost``: ``cost`` (J of ``thetas``) when the solver
        knows it, else one evaluation. ``learning_rate``: for the hint should
        that evaluation overflow."""
        h = self.history
        h.stopped = reason
        if self.stopping is not None and self.stopping.best_thetas is not None:
            thetas, cost = self.stopping.best_thetas, self.best_cost
        if cost is None and reason == "interrupted" and self.objective.collective:
            h.final_cost_skipped = "interrupted"  # the ranks may hold different steps' weights
        elif cost is None:
            try:
                cost = self.objective.value_and_gradient(thetas, None, False)[0]
            except KeyboardInterrupt:  # Ctrl-C during this pass: return without it, saying so
                h.final_cost_skipped = "interrupted"
            except FloatingPointError as e:  # finite weights whose J overflows
                raise self.diverged(
                    thetas,
                    str(e),
                    learning_rate,
                    hint=not isinstance(e, InputsTooLarge),
                    at_step=False,
                ) from None
        h.final_cost = None if cost is None else float(cost)
        if self.progress is not None:
            self.progress.close()
        h.wall_time = time.perf_counter() - self.start
        return Network(thetas, self.kind.activation, self.kind.output), h

    def diverged(
        self,
        thetas: list[np.ndarray],
        what: str,
        learning_rate: float | None,
        hint: bool = True,
        at_step: bool = True,
    ) -> TrainingDiverged:
        """The error to raise; ``hint``: suggest a remedy (not when ``what`` names one);
        ``at_step``: the next step failed (else the completed ones, judged at an epoch's end)."""
        if self.progress is not None:
            self.progress.close()
        self.history.wall_time = time.perf_counter() - self.start
        self.history.stopped = "diverged"
        self.history.final_cost = math.nan  # the cost blew up: no J of these weights
        remedy = (
            f"; try a smaller learning rate (now {learning_rate:g})"
            if learning_rate
            else "; try a larger lambda_ or scaled inputs"
        )
        where = (
            f"at iteration {self.history.iterations + 1}"
            if at_step
            else f"by iteration {self.history.iterations}"
        )
        return TrainingDiverged(
            f"training diverged {where}: {what}{remedy if hint else ''}",
            Network(thetas, self.kind.activation, self.kind.output),
            self.history,
        )


def _in_notebook() -> bool:
    """A Jupyter kernel (where stderr is no terminal but a bar still shows)."""
    if "IPython" not in sys.modules:
        return False
    shell = sys.modules["IPython"].get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


__all__ = ["History", "InputScaleWarning", "TrainingDiverged", "Run", "Stop", "NoImprovement"]
