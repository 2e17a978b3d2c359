"""A whole epoch of mini-batch steps in one call to the core: the batches'
rows gathered, J and the gradient computed and the optimiser's update applied
in C++, with the same arithmetic as the step-by-step loop (the same weights,
bit for bit), and without Python's per-step overhead. Used for the built-in
optimisers on this process's samples; MPI and custom optimisers step in Python."""

from __future__ import annotations

import numpy as np

from .. import _core
from .._internal.problem import overflow_error
from ..optim import CORE_RULES, CoreRule, Optimizer
from .epochs import BatchPlan
from .history import Run
from .objective import Objective

# How the core's epoch ended (csrc/bprop/train_steps.hpp, exported as STEP_STATUSES).
STEPS_NON_FINITE_INPUT = _core.STEP_STATUSES["non_finite_input"]
STEPS_NON_FINITE_RESULT = _core.STEP_STATUSES["non_finite_result"]
STEPS_INTERRUPTED = _core.STEP_STATUSES["interrupted"]
STEPS_NON_FINITE_WEIGHTS = _core.STEP_STATUSES["non_finite_weights"]


def runs_in_core(objective: Objective, opt: Optimizer) -> bool:
    """Whether the core can run this training's epochs: the built-in optimisers
    (not subclasses, which may step differently) on one process's samples."""
    return (
        type(objective) is Objective
        and type(opt) in CORE_RULES
        and objective.problem.csr is None  # sparse X: batches stepped from Python
    )


def core_epoch(
    run: Run, objective: Objective, opt: Optimizer, order: np.ndarray | None, plan: BatchPlan
) -> bool:
    """One epoch of steps (fewer when ``plan.iterations`` is reached), recorded in
    ``run`` as the Python loop records them; returns whether Ctrl-C stopped it."""
    h = run.history
    p = objective.problem
    thetas = [t.copy() for t in run.thetas]  # callers may hold on to the weights
    assert isinstance(opt, CoreRule)
    s1, s2 = opt.state(thetas)
    config = opt.config()
    steps = _core.StepPlan(
        order,
        plan.batch_size,
        plan.steps,
        plan.iterations - h.iterations,
        p.lambda_,
        clip_norm=plan.clip_norm or 0.0,
    )
    done, status, bad_row, costs, taken = _core.train_steps(
        thetas, p.samples(), p.kind.core(), p.num_threads, steps, config, s1, s2
    )
    opt.stepped(config)
    for b in range(done):
        if taken[b]:
            run.record_step(float(costs[b]), plan.batch_rows[b])
    _raise_failure(run, objective, opt, thetas, status, bad_row)
    run.thetas = thetas
    return status == STEPS_INTERRUPTED


def _raise_failure(
    run: Run,
    objective: Objective,
    opt: Optimizer,
    thetas: list[np.ndarray],
    status: int,
    bad_row: int,
) -> None:
    """The core's status of a failed step as the error the Python loop would raise
    (``thetas``: the weights before that step)."""
    p = objective.problem
    if status == STEPS_NON_FINITE_INPUT:
        p.raise_non_finite_X(thetas[0].dtype, bad_row)
    if status == STEPS_NON_FINITE_RESULT:
        raise run.step_failed(thetas, overflow_error(thetas, p), opt.learning_rate)
    if status == STEPS_NON_FINITE_WEIGHTS:
        raise run.step_failed(thetas, "the weights became NaN/inf", opt.learning_rate)


__all__: list[str] = []
