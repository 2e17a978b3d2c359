"""The two ways training moves the weights, as peers: gradient steps with an
optimiser (full batch or shuffled mini-batches) and SciPy's L-BFGS on the
unrolled parameter vector. Each takes an :class:`~bprop.training.objective.Objective`
and the run's settings and returns the weights and the history."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._internal.problem import InputsTooLarge
from ..network import Network
from ..optim import Optimizer
from ..params import layer_sizes, roll, unroll
from .core_epochs import core_epoch, runs_in_core
from .history import History, Run, Stop
from .objective import Objective


def train_stochastic(
    t0: list[np.ndarray],
    objective: Objective,
    opt: Optimizer,
    batch_size: int | None,
    iterations: int | None,
    epochs: int | None,
    seed: Any,
    run_settings: dict[str, Any],
) -> tuple[Network, History]:
    """Gradient steps with ``opt`` on the full batch or on shuffled mini-batches
    (seeded by ``seed``), ``iterations`` steps or ``epochs`` passes."""
    m = objective.rows
    shard_sizes = objective.shard_sizes()
    m_all = sum(shard_sizes)
    bs = m_all if batch_size is None or batch_size >= m_all else batch_size
    steps_per_epoch = math.ceil(m_all / bs)
    if iterations is None:
        epochs = epochs or (100 if batch_size is None else 10)
        iterations = epochs * steps_per_epoch
    total_epochs = math.ceil(iterations / steps_per_epoch)
    run = Run(objective=objective, total_epochs=total_epochs, **run_settings)
    rng = objective.shuffle_rng(seed)
    # Global rows of each batch of an epoch (the same every epoch; with ranks, the
    # sum of every rank's share).
    batch_rows = [
        sum(
            len(range(*objective.batch_positions(b, bs, m_r, steps_per_epoch).indices(m_r)))
            for m_r in shard_sizes
        )
        for b in range(steps_per_epoch)
    ]
    last = {"thetas": t0}  # the weights after the last completed step
    h = run.history
    in_core = runs_in_core(objective, opt)
    try:
        for _ in range(total_epochs):
            order = rng.permutation(m) if bs < m_all else None
            if in_core:
                last["thetas"], interrupted = core_epoch(
                    run,
                    objective,
                    opt,
                    last["thetas"],
                    order,
                    bs,
                    steps_per_epoch,
                    iterations,
                    batch_rows,
                )
                if interrupted:
                    return run.finish(
                        last["thetas"], "interrupted", learning_rate=opt.learning_rate
                    )
            else:
                _python_epoch(
                    run,
                    objective,
                    opt,
                    last,
                    order,
                    bs,
                    steps_per_epoch,
                    iterations,
                    batch_rows,
                    m_all,
                )
            _check_growth(run, last["thetas"], opt.learning_rate)
            run.end_epoch(last["thetas"])
            opt.end_epoch(h.epochs)
    except Stop as s:
        return run.finish(last["thetas"], s.reason, learning_rate=opt.learning_rate)
    except KeyboardInterrupt:
        return run.finish(last["thetas"], "interrupted", learning_rate=opt.learning_rate)
    return run.finish(last["thetas"], "completed", learning_rate=opt.learning_rate)


def _python_epoch(
    run: Run,
    objective: Objective,
    opt: Optimizer,
    last: dict[str, Any],
    order: np.ndarray | None,
    bs: int,
    steps: int,
    iterations: int,
    batch_rows: list[int],
    m_all: int,
) -> None:
    """One epoch step by step in Python (MPI, custom optimisers). Each step's
    weights are new arrays, set as ``last["thetas"]`` once complete, so a
    Ctrl-C leaves the last completed step's weights there."""
    h = run.history
    current = last["thetas"]
    m = objective.rows
    for b in range(steps):
        if h.iterations >= iterations:
            break
        if order is None:
            batch = objective.problem
        else:
            rows = order[objective.batch_positions(b, bs, m, steps)]
            batch = objective.batch(np.sort(rows), batch_rows[b] / m_all)
        if not objective.has_weight(batch):
            continue  # every sample of this mini-batch has weight 0: nothing to learn
        try:
            J, grads = objective.value_and_gradient(current, batch)
        except FloatingPointError as e:
            raise run.diverged(
                current, str(e), opt.learning_rate, hint=not isinstance(e, InputsTooLarge)
            ) from None
        assert grads is not None
        if batch_rows[b] < batch_rows[0]:  # a smaller last batch: a smaller step
            grads = [g * g.dtype.type(batch_rows[b] / batch_rows[0]) for g in grads]
        new, finite = opt.step_checked(current, grads)
        if not finite:
            raise run.diverged(current, "the weights became NaN/inf", opt.learning_rate)
        current = last["thetas"] = new
        h.cost.append(J)
        run.add_cost(J, batch_rows[b])
        h.iterations += 1


DIVERGENCE_FACTOR = 4.0


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
    t0: list[np.ndarray],
    objective: Objective,
    iterations: int,
    run_settings: dict[str, Any],
    gtol: float | None = None,
) -> tuple[Network, History]:
    """SciPy's L-BFGS-B on the unrolled parameter vector, ``iterations`` at most
    (and ``gtol``, SciPy's gradient tolerance, when given)."""
    run = Run(objective=objective, total_epochs=iterations, unit="iteration", **run_settings)
    sizes = layer_sizes(t0)
    dtype = t0[0].dtype
    h = run.history
    last = {"thetas": t0}

    def to_thetas(v: np.ndarray) -> list[np.ndarray]:
        return [a.astype(dtype) for a in roll(v, sizes)]

    def fun(v: np.ndarray) -> tuple[float, np.ndarray]:
        J, grads = objective.value_and_gradient(to_thetas(v))
        if not h.cost:
            h.cost.append(J)  # the initial cost
        return J, unroll(grads).astype(np.float64)

    def callback(intermediate_result: Any) -> None:
        thetas = to_thetas(intermediate_result.x)
        last["thetas"] = thetas
        h.iterations += 1
        h.cost.append(float(intermediate_result.fun))
        run.add_cost(float(intermediate_result.fun))
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
                options={"maxiter": iterations, **({} if gtol is None else {"gtol": gtol})},
            )
    # J of last["thetas"]: the initial cost, then each iteration's (h.cost's last entry)
    except Stop as s:
        return run.finish(last["thetas"], s.reason, _last(h.cost))
    except FloatingPointError as e:
        raise run.diverged(
            last["thetas"], str(e), None, hint=not isinstance(e, InputsTooLarge)
        ) from None
    except KeyboardInterrupt:
        return run.finish(last["thetas"], "interrupted", _last(h.cost))
    # SciPy gives up (a line search that cannot decrease J) before its tolerances: "stalled"
    reason = (
        "completed" if h.iterations >= iterations else "converged" if result.success else "stalled"
    )
    return run.finish(last["thetas"], reason, _last(h.cost))


def _last(costs: list[float]) -> float | None:
    return costs[-1] if costs else None


def _blas_single_thread() -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


__all__ = ["train_stochastic", "train_lbfgs", "DIVERGENCE_FACTOR"]
