"""An epoch of gradient steps, one interface for both ways of running it: step by step
in Python (:func:`python_epoch`: MPI, custom optimisers, sparse X) or whole in one
core call (:func:`bprop.training.core_epochs.core_epoch`). Either is called as
``epoch(run, objective, opt, order, plan)`` and returns whether Ctrl-C stopped it; each
completed step is recorded by ``run.record_step`` (its cost, and the weights after it in
``run.thetas``) and a failed one becomes ``run.step_failed``'s error."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .. import _core
from ..optim import Optimizer
from .history import Run
from .objective import Objective


@dataclass(frozen=True)
class BatchPlan:
    """How a run's samples are cut into batches, the same every epoch, and how each
    step's gradient is bounded.

    Attributes
    ----------
    batch_size : int
        Global rows per batch (all of them: the full batch).
    steps : int
        Batches per epoch.
    iterations : int
        Steps of the whole run.
    batch_rows : list of int
        Global rows of each batch of an epoch (with ranks, every rank's share summed).
    m_all : int
        Samples over all ranks.
    clip_norm : float or None
        Each step's gradient is clipped to this global L2 norm (before a smaller last
        batch's scaling); None: not clipped.
    """

    batch_size: int
    steps: int
    iterations: int
    batch_rows: list[int]
    m_all: int
    clip_norm: float | None = None

    @classmethod
    def of(
        cls,
        objective: Objective,
        batch_size: int | None,
        iterations: int | None,
        epochs: int,
        clip_norm: float | None = None,
    ) -> BatchPlan:
        """Batches of ``batch_size`` (None: the full batch) for ``iterations`` steps, or
        ``epochs`` passes when ``iterations`` is None; gradients clipped to ``clip_norm``."""
        shard_sizes = objective.shard_sizes()
        m_all = sum(shard_sizes)
        bs = m_all if batch_size is None or batch_size >= m_all else batch_size
        steps = math.ceil(m_all / bs)
        rows = [
            sum(
                len(range(*objective.batch_positions(b, bs, m_r, steps).indices(m_r)))
                for m_r in shard_sizes
            )
            for b in range(steps)
        ]
        total = epochs * steps if iterations is None else iterations
        return cls(bs, steps, total, rows, m_all, clip_norm)

    @property
    def epochs(self) -> int:
        """Passes over the data, the last one possibly cut short."""
        return math.ceil(self.iterations / self.steps)

    @property
    def shuffles(self) -> bool:
        """Whether each epoch draws a new order (mini-batches)."""
        return self.batch_size < self.m_all


# epoch(run, objective, opt, order, plan) -> whether Ctrl-C stopped it
Epoch = Callable[[Run, Objective, Optimizer, "np.ndarray | None", BatchPlan], bool]


def python_epoch(
    run: Run, objective: Objective, opt: Optimizer, order: np.ndarray | None, plan: BatchPlan
) -> bool:
    """One epoch step by step in Python. Each step's weights are new arrays, kept in
    ``run.thetas`` once complete, so a Ctrl-C (raised out of here) leaves the last
    completed step's weights there."""
    h = run.history
    m = objective.rows
    for b in range(plan.steps):
        if h.iterations >= plan.iterations:
            break
        if order is None:
            batch = objective.problem
        else:
            rows = order[objective.batch_positions(b, plan.batch_size, m, plan.steps)]
            batch = objective.batch(np.sort(rows), plan.batch_rows[b] / plan.m_all)
        if not objective.has_weight(batch):
            continue  # every sample of this mini-batch has weight 0: nothing to learn
        current = run.thetas
        try:
            J, grads = objective.value_and_gradient(current, batch)
        except FloatingPointError as e:
            raise run.step_failed(current, e, opt.learning_rate) from None
        assert grads is not None
        if plan.clip_norm is not None:  # the core's clipping, as its epochs clip
            grads = [np.ascontiguousarray(g) for g in grads]
            _core.clip_gradients(grads, plan.clip_norm)
        if plan.batch_rows[b] < plan.batch_rows[0]:  # a smaller last batch: a smaller step
            grads = [g * g.dtype.type(plan.batch_rows[b] / plan.batch_rows[0]) for g in grads]
        new, finite = opt.step_checked(current, grads)
        if not finite:
            raise run.step_failed(current, "the weights became NaN/inf", opt.learning_rate)
        run.record_step(J, plan.batch_rows[b], new)
    return False


__all__ = ["BatchPlan", "Epoch", "python_epoch"]
