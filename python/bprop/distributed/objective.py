"""The objective over all ranks' samples: each rank's partial sums from the
core, added in rank order, the penalty added once with the global m."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from .._internal import checks
from .._internal.kind import Kind, resolve_kind
from .._internal.problem import Problem, data_sums, predict_prepared, prepare
from ..training.objective import Objective
from .comm import collective_check, global_share, ordered_sum


def evaluate_distributed(
    thetas: list[np.ndarray], p: Problem, with_gradient: bool, comm: Any
) -> tuple[float, list[np.ndarray] | None]:
    """The global cost (and gradient): every rank's unscaled data sums from the
    core, added in rank order, then finished by the core's one definition of the
    penalty and the gradient (as ``bprop.cost_and_gradient`` finishes its own)."""
    P = sum(t.size for t in thetas)
    local = np.zeros(3 + (P if with_gradient else 0))
    error: BaseException | None = None
    try:
        m_r = p.X.shape[0]
        if m_r > 0:
            local[0], local[1], total = data_sums(thetas, p, with_gradient)
            if total is not None:
                local[3:] = total
            local[2] = m_r
    except (ValueError, FloatingPointError, TypeError) as e:
        error = e
    collective_check(error, comm)
    total = ordered_sum(local, comm)
    W, m = float(total[1]), float(total[2])
    if not W > 0:
        raise ValueError("the sample weights of all ranks sum to 0")
    J, status, grads = _core.finish_objective(
        thetas, float(total[0]), total[3:] if with_gradient else None, W, m, p.lambda_
    )
    if status != _core.STATUS_OK:
        raise FloatingPointError(
            "the cost or gradient overflowed to inf/NaN; the weights are too large"
        )
    return J, grads


def accuracy(thetas: list[np.ndarray], p: Problem, labels: np.ndarray, comm: Any) -> float:
    """The share of all ranks' samples predicted right."""
    n = p.X.shape[0]
    correct = int(np.sum(predict_prepared(thetas, p) == labels)) if n > 0 else 0
    return global_share(correct, n, comm)


def local_problem(
    thetas: list[np.ndarray],
    X: Any,
    y: Any,
    lambda_: Any,
    num_threads: Any,
    sample_weight: Any,
    kind: Kind,
    *,
    comm: Any,
    x_scale: Any = None,
) -> Problem:
    """Validate this rank's shard; every rank learns of any rank's bad input."""
    error: BaseException | None = None
    problem = None
    try:
        if len(X) == 0:
            raise ValueError("this rank holds no samples: use fewer ranks than samples")
        problem = prepare(thetas, X, y, lambda_, num_threads, sample_weight, kind, x_scale)
    except (ValueError, TypeError) as e:
        error = e
    collective_check(error, comm)
    assert problem is not None
    return problem


class DistributedObjective(Objective):
    """J and its gradient over the samples of all MPI ranks, each rank holding
    its shard: the same objective as one process over all of them (see
    :class:`bprop.training.Objective`), its sums added in rank order.

    What :func:`bprop.train` builds with ``comm=``; every method that evaluates
    is collective.

    Parameters
    ----------
    thetas : list of ndarray
        The initial weights (their shapes and dtype are checked against ``X``).
    X, y : array_like
        This rank's samples and labels (or targets).
    lambda_ : float
        The L2 strength.
    num_threads : int or None
        Threads of each evaluation on this rank.
    sample_weight : array_like or None
        This rank's samples' weights.
    activation, output : str or None
        The network's kind, as in :func:`bprop.cost`.
    x_scale : float, optional
        The factor applied to X as it is read.
    comm : mpi4py.MPI.Comm
        The ranks taking part.

    Raises
    ------
    ValueError, TypeError
        On every rank, when any rank's input is invalid.

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> import numpy as np
    >>> import bprop
    >>> from bprop import distributed
    >>> comm = distributed.world()
    >>> X, y = bprop.data.load_digits()
    >>> start, stop = distributed.shard_range(len(X), comm)   # this rank's samples
    >>> thetas = bprop.initialize([64, 25, 10], seed=0)
    >>> objective = distributed.DistributedObjective(
    ...     thetas, X[start:stop], y[start:stop], 1.0, None, None, "sigmoid", "logistic",
    ...     comm=comm)
    >>> J, grads = objective.value_and_gradient(thetas)
    >>> bool(np.isclose(J, bprop.cost(thetas, X, y, 1.0), rtol=1e-12)), objective.shard_sizes()
    (True, [1797])
    """

    collective = True

    def __init__(
        self,
        thetas: list[np.ndarray],
        X: Any,
        y: Any,
        lambda_: Any,
        num_threads: int | None,
        sample_weight: Any,
        activation: Any,
        output: Any,
        x_scale: Any = None,
        *,
        comm: Any,
    ) -> None:
        self.comm = comm
        super().__init__(
            thetas, X, y, lambda_, num_threads, sample_weight, activation, output, x_scale
        )

    def prepare(
        self,
        thetas: list[np.ndarray],
        X: Any,
        y: Any,
        lambda_: Any,
        num_threads: int | None,
        sample_weight: Any = None,
    ) -> Problem:
        return local_problem(
            thetas,
            X,
            y,
            lambda_,
            num_threads,
            sample_weight,
            self.kind,
            comm=self.comm,
            x_scale=self.x_scale,
        )

    def value_and_gradient(
        self, thetas: list[np.ndarray], problem: Problem | None = None, with_gradient: bool = True
    ) -> tuple[float, list[np.ndarray] | None]:
        return evaluate_distributed(
            thetas, self.problem if problem is None else problem, with_gradient, self.comm
        )

    def accuracy(self, thetas: list[np.ndarray], problem: Problem, labels: np.ndarray) -> float:
        return accuracy(thetas, problem, labels, self.comm)

    def shard_sizes(self) -> list[int]:
        return list(self.comm.allgather(self.rows))

    def batch_positions(self, b: int, batch_size: int, rows: int, steps: int) -> slice:
        """Each rank splits its shard into ``steps`` nearly equal parts, so a global
        batch takes the same share of every rank's shard.

        Parameters
        ----------
        b : int
            The batch's number in the epoch, from 0.
        batch_size : int
            Unused: the share follows from ``rows`` and ``steps``.
        rows : int
            Samples of this rank's shard.
        steps : int
            Batches per epoch (the same on every rank).

        Returns
        -------
        slice
            Positions ``b * rows // steps`` up to ``(b + 1) * rows // steps``.
        """
        return slice(b * rows // steps, (b + 1) * rows // steps)

    def shuffle_rng(self, seed: Any) -> np.random.Generator:
        """One stream per rank from the same seed.

        Parameters
        ----------
        seed : None, int or numpy.random.Generator
            An int seeds ``default_rng([seed, rank])``; a Generator is used as it
            is; None: fresh entropy.

        Returns
        -------
        numpy.random.Generator
            This rank's shuffling generator.
        """
        if isinstance(seed, np.random.Generator):
            return seed
        if seed is None:
            return np.random.default_rng()
        return np.random.default_rng([int(seed), self.comm.Get_rank()])

    def has_weight(self, problem: Problem) -> bool:
        local = float(problem.w.sum()) if problem.w is not None else float(problem.X.shape[0])
        return float(self.comm.allreduce(local)) > 0

    def shows_progress(self) -> bool:
        return self.comm.Get_rank() == 0  # only rank 0 shows progress


def cost_and_gradient(
    thetas: Any,
    X: Any,
    y: Any,
    lambda_: float = 0.0,
    *,
    comm: Any,
    num_threads: int | None = None,
    sample_weight: Any = None,
    activation: Any = "sigmoid",
    output: str = "logistic",
    x_scale: Any = None,
) -> tuple[float, list[np.ndarray]]:
    """:func:`bprop.cost_and_gradient` over the samples of all ranks (each passes its shard).

    Collective: every rank of ``comm`` must call it with the same weights. The
    result is the same on every rank and equals the single-process gradient of
    the concatenated shards to rounding (1e-12 relative in float64).

    Parameters
    ----------
    thetas : list of ndarray
        The weights, the same on every rank.
    X : array_like, shape (m_r, n)
        This rank's samples (at least one).
    y : array_like, shape (m_r,) or (m_r, K)
        Their labels or targets.
    lambda_ : float, default 0.0
        The L2 strength; the penalty is added once, with the global m.
    comm : mpi4py.MPI.Comm
        The ranks taking part.
    num_threads, sample_weight, activation, output, x_scale
        As in :func:`bprop.cost_and_gradient` (``sample_weight``: this rank's
        samples' weights).

    Returns
    -------
    J : float
        The cost over all ranks' samples.
    grads : list of ndarray
        Its gradient, shaped as ``thetas``; the same bits on every rank.

    Raises
    ------
    ValueError, TypeError
        On every rank, when any rank's input is invalid (a rank without samples,
        a shape mismatch, ...); the message names the lowest such rank.
    FloatingPointError
        When the cost or gradient overflows to inf/NaN.

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> import numpy as np
    >>> import bprop
    >>> from bprop import distributed
    >>> comm = distributed.world()
    >>> X, y = bprop.data.load_digits()
    >>> start, stop = distributed.shard_range(len(X), comm)   # this rank's samples
    >>> thetas = bprop.initialize([64, 25, 10], seed=0)
    >>> J, grads = distributed.cost_and_gradient(thetas, X[start:stop], y[start:stop], 1.0,
    ...                                          comm=comm)
    >>> J1, grads1 = bprop.cost_and_gradient(thetas, X, y, 1.0)     # one process, all samples
    >>> bool(np.isclose(J, J1, rtol=1e-12)), [g.shape for g in grads]
    (True, [(25, 65), (10, 26)])
    """
    t = checks.check_thetas(thetas)
    kind = resolve_kind(t, activation, output)  # the same on every rank: all raise alike
    p = local_problem(
        t, X, y, lambda_, num_threads, sample_weight, kind, comm=comm, x_scale=x_scale
    )
    J, grads = evaluate_distributed(t, p, True, comm)
    assert grads is not None
    return J, grads


def cost(
    thetas: Any,
    X: Any,
    y: Any,
    lambda_: float = 0.0,
    *,
    comm: Any,
    num_threads: int | None = None,
    sample_weight: Any = None,
    activation: Any = "sigmoid",
    output: str = "logistic",
    x_scale: Any = None,
) -> float:
    """:func:`bprop.cost` over the samples of all ranks (collective).

    Parameters
    ----------
    thetas, X, y, lambda_, comm, num_threads, sample_weight, activation, output, x_scale
        As in :func:`cost_and_gradient`.

    Returns
    -------
    float
        The cost J over all ranks' samples, the same on every rank.

    Raises
    ------
    ValueError, TypeError
        On every rank, when any rank's input is invalid.
    FloatingPointError
        When the cost overflows to inf/NaN.

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> import numpy as np
    >>> import bprop
    >>> from bprop import distributed
    >>> comm = distributed.world()
    >>> X, y = bprop.data.load_digits()
    >>> start, stop = distributed.shard_range(len(X), comm)   # this rank's samples
    >>> thetas = bprop.initialize([64, 25, 10], seed=0)
    >>> J = distributed.cost(thetas, X[start:stop], y[start:stop], 1.0, comm=comm)
    >>> bool(np.isclose(J, bprop.cost(thetas, X, y, 1.0), rtol=1e-12))
    True
    """
    t = checks.check_thetas(thetas)
    kind = resolve_kind(t, activation, output)  # the same on every rank: all raise alike
    p = local_problem(
        t, X, y, lambda_, num_threads, sample_weight, kind, comm=comm, x_scale=x_scale
    )
    return evaluate_distributed(t, p, False, comm)[0]
