"""The two ways training moves the weights, as peers: gradient steps with an
optimiser (full batch or shuffled mini-batches) and SciPy's L-BFGS on the
unrolled parameter vector. Each takes an :class:`~bprop.training.objective.Objective`
and the run's settings and returns the weights and the history."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from .._internal.problem import Problem
from ..network import Network
from ..optim import Optimizer
from ..params import layer_sizes, roll, unroll
from ..schedules import Schedule, bad_rate, rate_error, started
from .core_epochs import core_epoch, runs_in_core
from .epochs import BatchPlan, Epoch, python_epoch
from .history import History, Run, ScheduleError, Stop
from .objective import Objective
from .settings import LBFGS_MAX_FUN, Settings

# The validation set prepared once (its problem and labels), or None.
Validation = Optional[tuple[Problem, Optional[np.ndarray]]]


def train_stochastic(
    t0: list[np.ndarray], objective: Objective, settings: Settings, validation: Validation
) -> tuple[Network, History]:
    """Gradient steps with ``settings.optimizer`` on the full batch or on mini-batches
    (shuffled, seeded by ``settings.seed``, unless ``settings.shuffle`` is False),
    ``iterations`` steps or ``epochs`` passes, the learning rate of each epoch set by
    ``settings.schedule`` when given."""
    opt = settings.optimizer
    assert opt is not None
    plan = BatchPlan.of(
        objective,
        settings.batch_size,
        settings.iterations,
        settings.epochs or 0,
        settings.clip_norm,
    )
    _check_decay(opt)
    schedule = _started(settings.schedule, opt, plan)
    run = _run(objective, settings, validation, plan.epochs, t0)
    rng = objective.shuffle_rng(settings.seed)
    in_order = np.arange(objective.rows, dtype=np.int64)
    epoch: Epoch = core_epoch if runs_in_core(objective, opt) else python_epoch
    try:
        for e in range(1, plan.epochs + 1):
            if schedule is not None:  # the rate of this epoch, for both ways of stepping
                opt.learning_rate = _scheduled_rate(run, schedule, e)
            run.epoch_rate = opt.learning_rate
            order = None
            if plan.shuffles:
                order = rng.permutation(objective.rows) if settings.shuffle else in_order
            if epoch(run, objective, opt, order, plan):
                return run.finish(run.thetas, "interrupted", learning_rate=opt.learning_rate)
            _check_growth(run, run.thetas, opt.learning_rate)
            run.end_epoch(run.thetas)
            if schedule is not None:  # the validation cost when there is one
                h = run.history
                schedule.observe(h.val_cost[-1] if h.val_cost else h.epoch_cost[-1])
            opt.end_epoch(run.history.epochs)
    except Stop as s:
        return run.finish(run.thetas, s.reason, learning_rate=opt.learning_rate)
    except KeyboardInterrupt:
        return run.finish(run.thetas, "interrupted", learning_rate=opt.learning_rate)
    return run.finish(run.thetas, "completed", learning_rate=opt.learning_rate)


def _started(schedule: Schedule | None, opt: Optimizer, plan: BatchPlan) -> Schedule | None:
    """A copy of ``schedule`` (the caller's is left as it is) started for this run: the
    optimiser's rate as its base, the run's epochs and samples, every epoch's rate
    checked when known ahead; None without one."""
    if schedule is None:
        return None
    try:
        return started(schedule, opt.learning_rate, plan.epochs, plan.m_all)
    except ValueError as e:
        raise ValueError(f"schedule: {e}") from None


def _check_decay(opt: Optimizer) -> None:
    """AdamW's decay shrinks each weight by ``learning_rate * weight_decay`` of itself per
    step: at 1 or more that flips its sign (or zeroes it), which no decay means."""
    decay = getattr(opt, "weight_decay", None)
    if isinstance(decay, (int, float)) and decay * opt.learning_rate >= 1:
        raise ValueError(
            f"weight_decay={decay:g} with learning_rate={opt.learning_rate:g}: each step "
            f"would shrink the weights by learning_rate * weight_decay = "
            f"{decay * opt.learning_rate:g} of themselves, flipping their sign; "
            f"learning_rate * weight_decay must be below 1 (typically 1e-5 to 1e-3)"
        )


def _scheduled_rate(run: Run, schedule: Schedule, epoch: int) -> float:
    """``schedule``'s rate of ``epoch``; one that is no learning rate ends the run with a
    :class:`ScheduleError` that keeps the epochs trained so far."""
    rate = schedule.rate(epoch)
    if bad_rate(rate):
        thetas, history = run.finish(run.thetas, "schedule")
        raise ScheduleError(f"schedule: {rate_error(schedule, epoch, rate)}", thetas, history)
    return float(rate)


def _check_growth(run: Run, thetas: list[np.ndarray], learning_rate: float | None) -> None:
    """A run whose epoch cost climbs far above where it started (``run.max_cost_growth``
    times) is diverging, even while every number is still finite."""
    h = run.history
    factor = run.max_cost_growth
    if factor is None or not h.cost or not run.epoch_costs:
        return
    start, now = h.cost[0], run.epoch_mean()
    if now > factor * start and now > start + 1e-3:
        raise run.diverged(
            thetas,
            f"the epoch's mean cost grew from {start:.4g} to {now:.4g}, "
            f"more than {factor:g}x its start",
            learning_rate,
            at_step=False,
        )


def train_lbfgs(
    t0: list[np.ndarray], objective: Objective, settings: Settings, validation: Validation
) -> tuple[Network, History]:
    """SciPy's L-BFGS-B on the unrolled parameter vector, ``settings.iterations`` at
    most and about ``settings.max_fun`` cost evaluations (SciPy ends the iteration in
    progress), and ``settings.gtol``, SciPy's gradient tolerance, when given."""
    iterations, gtol = settings.iterations, settings.gtol
    max_fun = LBFGS_MAX_FUN if settings.max_fun is None else settings.max_fun
    assert iterations is not None
    run = _run(objective, settings, validation, iterations, t0, unit="iteration")
    sizes = layer_sizes(t0)
    dtype = t0[0].dtype
    h = run.history

    def to_thetas(v: np.ndarray) -> list[np.ndarray]:
        return [a.astype(dtype) for a in roll(v, sizes)]

    def fun(v: np.ndarray) -> tuple[float, np.ndarray]:
        J, grads = objective.value_and_gradient(to_thetas(v))
        if not h.cost:
            h.cost.append(J)  # the initial cost
        return J, unroll(grads).astype(np.float64)

    def callback(intermediate_result: Any) -> None:
        thetas = to_thetas(intermediate_result.x)
        run.record_step(float(intermediate_result.fun), thetas=thetas)
        run.end_epoch(thetas, h.cost[-1])

    try:
        # Imported here, inside the try: the import takes up to a second, and a
        # Ctrl-C during it must end training like one during an iteration.
        from scipy.optimize import minimize

        # SciPy's own BLAS threads would compete with the core's OpenMP threads.
        with _blas_single_thread():
            result = minimize(
                fun,
                unroll(t0).astype(np.float64),
                jac=True,
                method="L-BFGS-B",
                callback=callback,
                options={
                    "maxiter": iterations,
                    "maxfun": max_fun,
                    **({} if gtol is None else {"gtol": gtol}),
                },
            )
    # J of run.thetas: the initial cost, then each iteration's (h.cost's last entry)
    except Stop as s:
        return run.finish(run.thetas, s.reason, _last(h.cost))
    except FloatingPointError as e:
        raise run.step_failed(run.thetas, e, None) from None
    except KeyboardInterrupt:
        return run.finish(run.thetas, "interrupted", _last(h.cost))
    # SciPy gives up (a line search that cannot decrease J) before its tolerances: "stalled"
    reason = (
        "completed"
        if h.iterations >= iterations
        else "converged"
        if result.success
        else "max_fun"
        if result.nfev > max_fun
        else "stalled"
    )
    return run.finish(run.thetas, reason, _last(h.cost))


def _run(
    objective: Objective,
    settings: Settings,
    validation: Validation,
    total_epochs: int,
    t0: list[np.ndarray],
    unit: str = "epoch",
) -> Run:
    """The run's book-keeping (history, progress, callbacks, early stopping), from
    the weights ``t0``."""
    return Run(
        thetas=t0,
        objective=objective,
        validation=validation,
        early_stopping=settings.early_stopping,
        patience=settings.patience,
        callbacks=settings.callbacks,
        verbose=settings.verbose,
        total_epochs=total_epochs,
        unit=unit,
        max_cost_growth=settings.max_cost_growth,
    )


def _last(costs: list[float]) -> float | None:
    return costs[-1] if costs else None


def _blas_single_thread() -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


__all__ = ["train_stochastic", "train_lbfgs"]
