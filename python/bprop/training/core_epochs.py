"""A whole epoch of mini-batch steps in one call to the core: the batches'
rows gathered, J and the gradient computed and the optimiser's update applied
in C++, with the same arithmetic as the step-by-step loop (the same weights,
bit for bit), and without Python's per-step overhead. Used for the built-in
optimisers on this process's samples; MPI and custom optimisers step in Python."""

from __future__ import annotations

import numpy as np

from .. import _core
from .._internal.problem import overflow_error
from ..optim import Adam, GradientDescent, Momentum, Nesterov, Optimizer
from .epochs import BatchPlan
from .history import Run
from .objective import Objective

# The core's codes for the optimisers it runs (csrc/bprop/optimizers.hpp).
KINDS: dict[type, int] = {GradientDescent: 0, Momentum: 1, Nesterov: 2, Adam: 3}
(
    STEPS_OK,
    STEPS_NON_FINITE_INPUT,
    STEPS_NON_FINITE_RESULT,
    STEPS_INTERRUPTED,
    STEPS_NON_FINITE_WEIGHTS,
) = range(5)


def runs_in_core(objective: Objective, opt: Optimizer) -> bool:
    """Whether the core can run this training's epochs: the built-in optimisers
    (not subclasses, which may step differently) on one process's samples."""
    return (
        type(objective) is Objective and type(opt) in KINDS and objective.problem.csr is None
    )  # sparse X: batches stepped from Python


def _state(opt: Optimizer, thetas: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The optimiser's state arrays, created as the Python step would (zeros)."""

    def ready(arrays: list[np.ndarray] | None) -> list[np.ndarray]:
        if arrays is None:
            return [np.zeros_like(t) for t in thetas]
        return [
            a
            if a.flags.c_contiguous and a.flags.writeable and a.dtype == t.dtype
            else np.array(a, dtype=t.dtype)
            for a, t in zip(arrays, thetas)
        ]

    if isinstance(opt, Adam):
        opt.m, opt.v = ready(opt.m), ready(opt.v)
        return opt.m, opt.v
    if isinstance(opt, Momentum):  # and Nesterov
        opt.velocity = ready(opt.velocity)
        return opt.velocity, []
    return [], []


def core_epoch(
    run: Run, objective: Objective, opt: Optimizer, order: np.ndarray | None, plan: BatchPlan
) -> bool:
    """One epoch of steps (fewer when ``plan.iterations`` is reached), recorded in
    ``run`` as the Python loop records them; returns whether Ctrl-C stopped it."""
    h = run.history
    p = objective.problem
    thetas = [t.copy() for t in run.thetas]  # callers may hold on to the weights
    s1, s2 = _state(opt, thetas)
    adam = opt if isinstance(opt, Adam) else None
    done, status, bad_row, costs, taken, t = _core.train_steps(
        thetas,
        p.X,
        p.labels,
        p.Y,
        p.w,
        p.x_scale,
        p.activations or [],
        p.output,
        p.num_threads,
        order,
        plan.batch_size,
        plan.steps,
        plan.iterations - h.iterations,
        p.lambda_,
        KINDS[type(opt)],
        opt.learning_rate,
        getattr(opt, "momentum", 0.0),
        getattr(opt, "beta1", 0.0),
        getattr(opt, "beta2", 0.0),
        getattr(opt, "eps", 0.0),
        adam.t if adam else 0,
        s1,
        s2,
    )
    if adam is not None:
        adam.t = int(t)
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
