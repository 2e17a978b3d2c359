"""Training: gradient descent and friends on the C++ cost and gradient.

``train`` runs full-batch steps (the tutorial's loop) or shuffled mini-batches,
records a history, shows progress on a terminal, stops cleanly on Ctrl-C and
refuses to carry on when the cost diverges.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from . import _checks
from .network import Network, _evaluate, _predict_prepared, _prepare, _Problem, network_kind
from .optim import OPTIMIZER_NAMES, Optimizer, get_optimizer
from .params import layer_sizes, roll, unroll


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
    epoch_cost : list of float
        Each epoch's ``cost``, its batches weighted by their sizes.
    val_cost, val_accuracy : list of float
        Validation cost (unregularised) and accuracy at the end of each epoch.
    epoch_time : list of float
        Seconds since the start, at the end of each epoch.
    iterations, epochs : int
        Optimiser steps and passes over the data completed.
    stopped : str
        "completed", "converged" (lbfgs), "early_stopping", "callback" or "interrupted".
    best_epoch : int or None
        With early stopping, the epoch whose weights were returned.
    """

    cost: list[float] = field(default_factory=list)
    epoch_cost: list[float] = field(default_factory=list)
    val_cost: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    wall_time: float = 0.0
    iterations: int = 0
    epochs: int = 0
    stopped: str = "completed"
    best_epoch: int | None = None


class TrainingDiverged(FloatingPointError):
    """The cost or the weights became NaN/inf. ``thetas`` are the last finite weights."""

    def __init__(self, message: str, thetas: list[np.ndarray], history: History) -> None:
        super().__init__(message)
        self.thetas = thetas
        self.history = history


class _Stop(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


class _Run:
    """Book-keeping shared by the step-based loop and L-BFGS: validation,
    callbacks, early stopping and progress at the end of each epoch."""

    def __init__(self, *, validation: tuple[_Problem, np.ndarray | None] | None,
                 early_stopping: bool,
                 patience: int, callbacks: Sequence[Callable[[dict], Any]], verbose: bool,
                 total_epochs: int, kind: tuple[Any, str], evaluate: Callable[..., Any] = _evaluate,
                 accuracy: Callable[..., float] | None = None, unit: str = "epoch") -> None:
        self.unit = unit  # what one end_epoch counts: an epoch, or an L-BFGS iteration
        self.kind = kind
        self.evaluate = evaluate
        self.accuracy = accuracy or (
            lambda thetas, vp, vy: float(np.mean(_predict_prepared(thetas, vp) == vy)))
        self.history = History()
        self.validation = validation
        self.early_stopping = early_stopping
        self.patience = patience
        self.callbacks = list(callbacks)
        self.start = time.perf_counter()
        self.best: tuple[float, list[np.ndarray]] | None = None
        self.since_best = 0
        self.epoch_costs: list[float] = []
        self.epoch_rows: list[int] = []  # each cost's batch size: the epoch's cost weighs them
        self.bar = None
        self.total_epochs = total_epochs
        # Off a terminal (logs, pipes), a line per epoch; at most about 100 lines.
        self.print_every = max(1, math.ceil(total_epochs / 100)) if verbose else 0
        if verbose and (sys.stderr.isatty() or _in_notebook()):
            from tqdm.auto import tqdm  # tqdm's notebook bar in Jupyter
            self.bar = tqdm(total=total_epochs, unit=unit, leave=True)
            self.print_every = 0

    def end_epoch(self, thetas: list[np.ndarray]) -> None:
        h = self.history
        h.epochs += 1
        h.epoch_cost.append(self.epoch_mean())
        self.epoch_costs, self.epoch_rows = [], []
        postfix = {"cost": f"{h.epoch_cost[-1]:.4f}"}
        if self.validation is not None:
            vp, vy = self.validation
            vc = self.evaluate(thetas, vp, False)[0]
            h.val_cost.append(vc)
            postfix["val_cost"] = f"{vc:.4f}"
            if vy is not None:  # classification: labels to compare with
                acc = self.accuracy(thetas, vp, vy)
                h.val_accuracy.append(acc)
                postfix["val_acc"] = f"{acc:.4f}"
        h.epoch_time.append(time.perf_counter() - self.start)
        if self.bar is not None:
            self.bar.set_postfix(postfix)
            self.bar.update(1)
        elif self.print_every and (h.epochs % self.print_every == 0
                                   or h.epochs == self.total_epochs):
            print(f"{self.unit} {h.epochs}/{self.total_epochs}: "
                  + ", ".join(f"{k} {v}" for k, v in postfix.items())
                  + f" ({h.epoch_time[-1]:.1f} s)", file=sys.stderr, flush=True)
        info = {"epoch": h.epochs, "iteration": h.iterations, "cost": h.epoch_cost[-1],
                "val_cost": h.val_cost[-1] if h.val_cost else None,
                "val_accuracy": h.val_accuracy[-1] if h.val_accuracy else None,
                "thetas": thetas, "history": h}
        if any(cb(info) is True for cb in self.callbacks):
            raise _Stop("callback")
        if self.early_stopping:
            vc = h.val_cost[-1]
            if self.best is None or vc < self.best[0]:
                self.best = (vc, [t.copy() for t in thetas])
                h.best_epoch = h.epochs
                self.since_best = 0
            else:
                self.since_best += 1
                if self.since_best >= self.patience:
                    raise _Stop("early_stopping")

    def add_cost(self, J: float, rows: int = 1) -> None:
        self.epoch_costs.append(J)
        self.epoch_rows.append(rows)

    def epoch_mean(self) -> float:
        """The epoch's estimate of J: its batches' costs weighted by their sizes."""
        if not self.epoch_costs:
            return float("nan")
        return float(np.average(self.epoch_costs, weights=self.epoch_rows))

    def finish(self, thetas: list[np.ndarray], reason: str) -> tuple[Network, History]:
        if self.bar is not None:
            self.bar.close()
        h = self.history
        h.stopped = reason
        h.wall_time = time.perf_counter() - self.start
        if self.early_stopping and self.best is not None:
            thetas = self.best[1]
        return Network(thetas, *self.kind), h

    def diverged(self, thetas: list[np.ndarray], what: str, learning_rate: float | None) -> TrainingDiverged:
        if self.bar is not None:
            self.bar.close()
        self.history.wall_time = time.perf_counter() - self.start
        hint = (f"; try a smaller learning rate (now {learning_rate:g})" if learning_rate
                else "; try a larger lambda_ or scaled inputs")
        return TrainingDiverged(f"training diverged at iteration {self.history.iterations + 1}: "
                                f"{what}{hint}", Network(thetas, *self.kind), self.history)


def _in_notebook() -> bool:
    """A Jupyter kernel (where stderr is no terminal but a bar still shows)."""
    if "IPython" not in sys.modules:
        return False
    shell = sys.modules["IPython"].get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def train(thetas: Any, X: Any, y: Any, *, lambda_: float = 0.0, optimizer: str | Optimizer = "gd",
          learning_rate: float | None = None, iterations: int | None = None,
          epochs: int | None = None, batch_size: int | None = None, seed: Any = None,
          validation_data: tuple[Any, Any] | None = None, early_stopping: bool = False,
          patience: int = 5, callbacks: Sequence[Callable[[dict], Any]] = (),
          verbose: bool = True, num_threads: int | None = None, sample_weight: Any = None,
          activation: Any = None, output: str | None = None, comm: Any = None
          ) -> tuple[Network, History]:
    """Train a network; returns the trained weights (new arrays) and the history.

    Parameters
    ----------
    thetas : list of ndarray
        Initial weights, ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``; not modified.
    X : array_like, shape (m, n)
    y : array_like, shape (m,) or (m, K)
        Labels in ``[0, K)`` or targets in ``[0, 1]`` (real targets for an
        identity output).
    lambda_ : float, default 0.0
        The method's L2 strength: the objective is ``J`` over all m training
        samples, with the penalty ``lambda_/(2m) sum ||Theta_l[:, 1:]||^2``. A
        mini-batch's cost is the batch's mean data term plus that same
        full-data penalty, an unbiased estimate of ``J`` (and its gradient of
        ``J``'s): mini-batch and full-batch training minimise the same ``J``.
        A last batch of r < batch_size samples steps with its gradient times
        ``r / batch_size``, its share of the epoch, so that a remainder of a
        few samples neither regularises harder nor pulls the weights towards
        those few.
    optimizer : {"gd", "momentum", "nesterov", "adam", "lbfgs"} or Optimizer
    learning_rate : float, optional
        Default per optimiser (gd 1.0, momentum/nesterov 0.5, adam 0.001).
    iterations : int, optional
        Optimiser steps (lbfgs: iterations). Give this or ``epochs``.
    epochs : int, optional
        Passes over the data. Default: 100 iterations full-batch, 10 epochs mini-batch.
    batch_size : int, optional
        ``None``: full batch, as in the tutorial. An int: shuffled mini-batches
        (seeded by ``seed``); not with lbfgs.
    seed : None, int or Generator
        Shuffling seed. Training is deterministic for a seed on any thread count.
    validation_data : (X_val, y_val), optional
        Evaluated at the end of each epoch: the validation cost, and the
        accuracy when y_val holds class labels (classification outputs).
    early_stopping : bool
        Stop after ``patience`` epochs without a lower validation cost and return
        the best weights. Needs ``validation_data``.
    callbacks : sequence of callables
        ``cb(info)`` after each epoch; ``info`` has epoch, iteration, cost, val_cost,
        val_accuracy, thetas, history. Returning True stops training.
    verbose : bool
        Show progress: a bar on a terminal or in Jupyter, else (logs, pipes)
        one line per epoch on stderr (at most about 100 lines).
    num_threads : int, optional
    sample_weight : array_like, shape (m,), optional
        Per-sample weights of the cost (see :func:`bprop.cost`); a mini-batch
        uses the weights of its samples.
    activation : str or list of str, optional
        The hidden layers' activation, as in :func:`bprop.cost` (default: a
        :class:`bprop.Network`'s own, else "sigmoid").
    output : {"logistic", "softmax", "identity"}, optional
        The output layer and its cost, as in :func:`bprop.cost` (default: a
        :class:`bprop.Network`'s own, else "logistic").
    comm : mpi4py communicator, optional
        Data-parallel training (see :mod:`bprop.distributed`): every rank calls
        ``train`` with the same weights and settings and its own shard of X, y
        (and of ``validation_data``); each step uses the gradient over all
        ranks' samples, so every rank applies the same update. ``batch_size`` is
        the global batch, shared out among the ranks in proportion to their
        shards. Deterministic for a seed and a number of ranks; only rank 0
        shows progress.

    Returns
    -------
    thetas : Network
        The trained weights as a list that also records ``activation`` and
        ``output``, so :func:`bprop.save` and :func:`bprop.predict` know them.
    history : History

    Raises
    ------
    TrainingDiverged
        When the cost or weights become NaN/inf; carries the last finite weights.

    Notes
    -----
    Ctrl-C stops training cleanly: the weights of the last completed step are
    returned with ``history.stopped == "interrupted"``.
    """
    activation, output = network_kind(thetas, activation, output)
    t0 = [t.copy() for t in _checks.check_thetas(thetas)]
    evaluate: Callable[..., Any] = _evaluate
    accuracy = None
    prepare: Callable[..., _Problem] = _prepare
    if comm is not None:
        from . import distributed

        def evaluate(t: list[np.ndarray], p: _Problem, g: bool) -> Any:
            return distributed._evaluate_distributed(t, p, g, comm)

        def accuracy(t: list[np.ndarray], p: _Problem, labels: np.ndarray) -> float:
            return distributed._accuracy(t, p, labels, comm)

        def prepare(*args: Any) -> _Problem:
            return distributed._local_problem(*args, comm=comm)

        verbose = verbose and comm.Get_rank() == 0
    problem = prepare(t0, X, y, lambda_, num_threads, sample_weight, activation, output)
    iterations, epochs, batch_size = (
        None if v is None else _checks.check_positive_int(v, name)
        for v, name in ((iterations, "iterations"), (epochs, "epochs"), (batch_size, "batch_size")))
    patience = 5 if patience is None else _checks.check_positive_int(patience, "patience")
    if iterations is not None and epochs is not None:
        raise ValueError("give iterations or epochs, not both")
    validation = None
    if validation_data is not None:
        try:
            Xv, yv = validation_data
        except (TypeError, ValueError):
            raise TypeError("validation_data must be a pair (X_val, y_val)") from None
        try:
            vp = prepare(t0, Xv, yv, 0.0, problem.num_threads, None, activation, output)
        except (ValueError, TypeError) as e:  # say which data is at fault
            raise type(e)(f"validation_data (X_val, y_val): {e}") from None
        bad = np.argwhere(~np.isfinite(vp.X))
        if bad.size:
            raise ValueError(f"validation_data: X_val holds {vp.X[tuple(bad[0])]} at row "
                             f"{bad[0][0]}, column {bad[0][1]}")
        if vp.labels is None and output != "identity":
            raise ValueError("validation_data needs y_val as class labels (m,)")
        validation = (vp, vp.labels)
    if early_stopping and validation is None:
        raise ValueError("early_stopping needs validation_data")
    m = problem.X.shape[0]
    m_all = m if comm is None else comm.allreduce(m)
    runs: dict[str, Any] = dict(validation=validation, early_stopping=early_stopping, patience=patience,
                callbacks=callbacks, verbose=verbose, evaluate=evaluate, accuracy=accuracy,
                kind=(activation, output))

    if optimizer == "lbfgs":
        if batch_size is not None:
            raise ValueError("lbfgs works on the full batch: leave batch_size=None")
        if learning_rate is not None:
            raise ValueError("lbfgs chooses its own step sizes: leave learning_rate=None")
        total = iterations or epochs or 100
        run = _Run(total_epochs=total, unit="iteration", **runs)
        return _train_lbfgs(t0, problem, total, run)

    opt = get_optimizer(optimizer, learning_rate)
    bs = m_all if batch_size is None or batch_size >= m_all else batch_size
    steps_per_epoch = math.ceil(m_all / bs)

    if iterations is None:
        epochs = epochs or (100 if batch_size is None else 10)
        iterations = epochs * steps_per_epoch
    total_epochs = math.ceil(iterations / steps_per_epoch)
    run = _Run(total_epochs=total_epochs, **runs)
    rng = _shuffle_rng(seed, comm)
    # Global rows of each batch of an epoch (the same every epoch; with ranks, the
    # sum of every rank's share).
    shard_sizes = [m] if comm is None else comm.allgather(m)
    batch_rows = [sum(len(range(*_batch_rows(b, bs, m_r, steps_per_epoch, comm).indices(m_r)))
                      for m_r in shard_sizes) for b in range(steps_per_epoch)]
    current = t0
    h = run.history
    try:
        for _ in range(total_epochs):
            order = rng.permutation(m) if bs < m_all else None
            for b in range(steps_per_epoch):
                if h.iterations >= iterations:
                    break
                if order is None:
                    batch = problem
                else:
                    rows = order[_batch_rows(b, bs, m, steps_per_epoch, comm)]
                    batch = _batch(problem, np.sort(rows), batch_rows[b] / m_all)
                if (batch.w is not None or comm is not None) and not _weight_sum(batch, comm) > 0:
                    continue  # every sample of this mini-batch has weight 0: nothing to learn
                try:
                    J, grads = evaluate(current, batch, True)
                except FloatingPointError as e:
                    raise run.diverged(current, str(e), opt.learning_rate) from None
                assert grads is not None
                if batch_rows[b] < batch_rows[0]:  # a smaller last batch: a smaller step
                    grads = [g * g.dtype.type(batch_rows[b] / batch_rows[0]) for g in grads]
                new = opt.step(current, grads)
                if not all(np.isfinite(t).all() for t in new):
                    raise run.diverged(current, "the weights became NaN/inf", opt.learning_rate)
                current = new
                h.cost.append(J)
                run.add_cost(J, batch_rows[b])
                h.iterations += 1
            _check_growth(run, current, opt.learning_rate)
            run.end_epoch(current)
    except _Stop as s:
        return run.finish(current, s.reason)
    except KeyboardInterrupt:
        return run.finish(current, "interrupted")
    return run.finish(current, "completed")


def _shuffle_rng(seed: Any, comm: Any) -> np.random.Generator:
    """The shuffling generator: with ranks, one stream per rank from the same seed."""
    if comm is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if seed is None:
        return np.random.default_rng()
    return np.random.default_rng([int(seed), comm.Get_rank()])


def _batch_rows(b: int, bs: int, m: int, steps: int, comm: Any) -> slice:
    """Positions in the shuffled order of batch b. With ranks, each rank splits its
    shard into ``steps`` nearly equal parts, so a global batch takes the same
    share of every rank's shard."""
    if comm is None:
        return slice(b * bs, (b + 1) * bs)
    return slice(b * m // steps, (b + 1) * m // steps)


def _weight_sum(p: _Problem, comm: Any) -> float:
    local = float(p.w.sum()) if p.w is not None else float(p.X.shape[0])
    return local if comm is None else float(comm.allreduce(local))


def _batch(p: _Problem, rows: np.ndarray, share: float) -> _Problem:
    """The mini-batch ``rows``, holding ``share`` of all training samples. The
    core divides lambda by the batch's m, so lambda is scaled by the share: the
    batch's penalty is the full-data ``lambda/(2m)`` term of J."""
    X = p.X[rows]
    w = None if p.w is None else p.w[rows]
    return _Problem(X, X, None if p.labels is None else p.labels[rows],
                    None if p.Y is None else p.Y[rows], p.lambda_ * share, p.num_threads, w,
                    p.activations, p.output)


DIVERGENCE_FACTOR = 4.0


def _check_growth(run: _Run, thetas: list[np.ndarray], learning_rate: float | None) -> None:
    """A run whose epoch cost climbs far above where it started is diverging,
    even while every number is still finite."""
    h = run.history
    if not h.cost or not run.epoch_costs:
        return
    start, now = h.cost[0], run.epoch_mean()
    if now > DIVERGENCE_FACTOR * start and now > start + 1e-3:
        raise run.diverged(thetas, f"the cost grew from {start:.4g} to {now:.4g}, more than "
                           f"{DIVERGENCE_FACTOR:g}x its start", learning_rate)


def _train_lbfgs(t0: list[np.ndarray], problem: _Problem, iterations: int, run: _Run
                 ) -> tuple[Network, History]:
    evaluate = run.evaluate
    sizes = layer_sizes(t0)
    dtype = t0[0].dtype
    h = run.history
    last = {"thetas": t0}

    def to_thetas(v: np.ndarray) -> list[np.ndarray]:
        return [a.astype(dtype) for a in roll(v, sizes)]

    def fun(v: np.ndarray) -> tuple[float, np.ndarray]:
        J, grads = evaluate(to_thetas(v), problem, True)
        if not h.cost:
            h.cost.append(J)  # the initial cost
        return J, unroll(grads).astype(np.float64)

    def callback(intermediate_result: Any) -> None:
        thetas = to_thetas(intermediate_result.x)
        last["thetas"] = thetas
        h.iterations += 1
        h.cost.append(float(intermediate_result.fun))
        run.add_cost(float(intermediate_result.fun))
        run.end_epoch(thetas)

    try:
        # Imported here, inside the try: the import takes up to a second, and a
        # Ctrl-C during it must end training like one during an iteration.
        from scipy.optimize import minimize

        # SciPy's own BLAS threads would compete with the core's OpenMP threads.
        with _blas_single_thread():
            result = minimize(fun, unroll(t0).astype(np.float64), jac=True, method="L-BFGS-B",
                              callback=callback, options={"maxiter": iterations})
    except _Stop as s:
        return run.finish(last["thetas"], s.reason)
    except FloatingPointError as e:
        raise run.diverged(last["thetas"], str(e), None) from None
    except KeyboardInterrupt:
        return run.finish(last["thetas"], "interrupted")
    reason = "completed" if h.iterations >= iterations or not result.success else "converged"
    return run.finish(last["thetas"], reason)


def _blas_single_thread() -> Any:
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a dependency
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


__all__ = ["History", "TrainingDiverged", "train", "OPTIMIZER_NAMES"]
