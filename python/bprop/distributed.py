"""Data-parallel backpropagation over MPI (needs mpi4py: ``pip install "bprop[mpi]"``).

Each process (rank) holds a shard of the samples. For the cost and gradient it
computes its partial sums with the C++ core (``sum_i w_i cost_i``, ``sum_i w_i``,
its sample count and ``Delta = sum_i w_i delta a^T``); :func:`ordered_sum` adds
every rank's sums **in rank order** and hands the total to every rank, so all
ranks hold the same bits and the result is deterministic for a given number of
ranks. The regularisation term is added once, with the global m. Every rank
then applies the same update, so the weights stay identical without being sent.

Errors never leave the other ranks waiting: a rank that fails inside a
collective evaluation tells the others, and every rank raises the same error
naming that rank. For failures elsewhere, end the job with ``comm.Abort``
(the command line does).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np

from ._internal import checks
from . import data as bdata
from ._internal.install_hint import install_hint
from ._internal.problem import Problem, evaluate, predict_prepared, prepare
from .training.objective import Objective
from .params import layer_sizes, roll, unroll


def _mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError:
        raise ImportError("bprop.distributed needs mpi4py and an MPI library: "
                          + install_hint("mpi")) from None
    return MPI


def world() -> Any:
    """``MPI.COMM_WORLD``."""
    return _mpi().COMM_WORLD


def shard_range(m: int, comm: Any) -> tuple[int, int]:
    """This rank's contiguous share ``(start, stop)`` of m samples; sizes differ by at most 1."""
    r, n = comm.Get_rank(), comm.Get_size()
    return r * m // n, (r + 1) * m // n


def load_shard(spec: str, split: str = "train", *, comm: Any, dtype: Any = np.float32
               ) -> tuple[np.ndarray, np.ndarray, int]:
    """This rank's samples of a data set: ``(X_shard, y_shard, m_total)``.

    ``spec``: ``"fashion-mnist[:DIR]"``, ``"mnist:DIR"`` (IDX files, raw or .gz;
    ``split`` "train" or "test") or ``"FILE.npz"`` (arrays X and y; ``split`` ignored).
    Only this rank's rows are read (see :func:`bprop.data.load_idx`).
    """
    if spec.endswith(".npz"):
        m = bdata.npz_length(spec)
        X, y = bdata.load_npz(spec, dtype=dtype, rows=shard_range(m, comm))
        return X, y, m
    kind, _, directory = spec.partition(":")
    if kind == "fashion-mnist":
        d = bdata.fashion_mnist_directory(directory or None)
    elif kind == "mnist" and directory:
        d = Path(directory)
    else:
        raise ValueError(f"load_shard reads fashion-mnist[:DIR], mnist:DIR or FILE.npz, got {spec!r}")
    images, _ = bdata.mnist_files(d, split)
    m = bdata.idx_shape(images)[0]
    X, y = bdata.load_mnist(d, split, dtype=dtype, rows=shard_range(m, comm))
    return X, y, m


def broadcast(thetas: Any, comm: Any, root: int = 0) -> list[np.ndarray]:
    """Rank ``root``'s weights on every rank (new arrays; shapes and dtype from root).

    Collective; the other ranks' ``thetas`` are ignored (pass None). Invalid
    weights on root raise the same ValueError on every rank.
    """
    meta: Any = None
    t: list[np.ndarray] = []
    if comm.Get_rank() == root:
        try:
            t = checks.check_thetas(thetas)
            meta = ([a.shape for a in t], str(t[0].dtype))
        except (ValueError, TypeError) as e:
            meta = f"rank {root}: {e}"
    meta = comm.bcast(meta, root=root)
    if isinstance(meta, str):
        raise ValueError(meta)
    shapes, dtype = meta
    out = []
    for l, shape in enumerate(shapes):
        buf = np.array(t[l], order="C") if comm.Get_rank() == root else np.empty(shape, dtype)
        comm.Bcast(buf, root=root)
        out.append(buf)
    return out


class RankFailed(RuntimeError):
    """Another rank failed during a collective evaluation (its message included)."""


def _raise_first(errors: list[tuple[str, str] | None]) -> None:
    for rank, err in enumerate(errors):
        if err is not None:
            kind, message = err
            cls = {"ValueError": ValueError, "FloatingPointError": FloatingPointError,
                   "TypeError": TypeError}.get(kind, RankFailed)
            e = cls(f"rank {rank}: {message}")
            e.collective = True  # type: ignore[attr-defined]  # raised alike on every rank
            raise e


def collective_check(error: BaseException | None, comm: Any) -> None:
    """Raise on every rank when any rank passes an error (the first rank's, naming it)."""
    mine = None if error is None else (type(error).__name__, str(error))
    _raise_first(comm.allgather(mine))


def _evaluate_distributed(thetas: list[np.ndarray], p: Problem, with_gradient: bool, comm: Any
                          ) -> tuple[float, list[np.ndarray] | None]:
    """The global cost (and gradient) from every rank's partial sums, added in rank order."""
    P = sum(t.size for t in thetas)
    local = np.zeros(3 + (P if with_gradient else 0))
    error: BaseException | None = None
    try:
        m_r = p.X.shape[0]
        if m_r > 0:
            W_r = float(m_r) if p.w is None else float(np.sum(p.w, dtype=np.float64))
            if W_r > 0:  # data sums of this rank: mean x weight sum
                J_r, D_r = evaluate(thetas, dataclasses.replace(p, lambda_=0.0), with_gradient)
                local[0] = J_r * W_r
                if D_r is not None:
                    local[3:] = unroll(D_r).astype(np.float64) * W_r
            local[1], local[2] = W_r, m_r
    except (ValueError, FloatingPointError, TypeError) as e:
        error = e
    collective_check(error, comm)
    total = ordered_sum(local, comm)
    W, m = total[1], total[2]
    if not W > 0:
        raise ValueError("the sample weights of all ranks sum to 0")
    reg = sum(float(np.sum(np.square(t[:, 1:], dtype=np.float64))) for t in thetas)
    J = total[0] / W + p.lambda_ / (2 * m) * reg
    if not with_gradient:
        return J, None
    grads = roll(total[3:] / W, layer_sizes(thetas))
    out = []
    for g, t in zip(grads, thetas):
        g[:, 1:] += p.lambda_ / m * t[:, 1:].astype(np.float64)
        out.append(g.astype(t.dtype))
    if not np.isfinite(J) or not all(np.isfinite(g).all() for g in out):
        raise FloatingPointError("the cost or gradient overflowed to inf/NaN; the weights are "
                                 "too large")
    return J, out


def ordered_sum(local: np.ndarray, comm: Any) -> np.ndarray:
    """Sum of every rank's float64 vector, added in rank order, on every rank.

    A deterministic allreduce: each rank owns a slice of the vector, receives
    that slice from every rank (all-to-all), adds them in rank order, and the
    summed slices are gathered everywhere. Each rank sends and receives about
    2 (n-1)/n of the vector, as a ring allreduce does, and every rank ends with
    the same bits whatever the MPI library's reduction order.
    """
    MPI = _mpi()
    n, r = comm.Get_size(), comm.Get_rank()
    N = local.size
    counts = np.array([N // n + (k < N % n) for k in range(n)])
    displs = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mine = int(counts[r])
    pieces = np.empty(n * mine)
    send = np.ascontiguousarray(local, dtype=np.float64)
    comm.Alltoallv([send, (counts, displs), MPI.DOUBLE],
                   [pieces, ([mine] * n, [k * mine for k in range(n)]), MPI.DOUBLE])
    part = pieces[:mine].copy()
    for k in range(1, n):  # rank order: the same bits on every run
        part += pieces[k * mine:(k + 1) * mine]
    total = np.empty(N)
    comm.Allgatherv(part, [total, (counts, displs), MPI.DOUBLE])
    return total


def global_share(count: int, total: int, comm: Any) -> float:
    """sum of every rank's ``count`` / sum of every rank's ``total`` (e.g. accuracy)."""
    pairs = comm.allgather((int(count), int(total)))
    return sum(c for c, _ in pairs) / max(1, sum(n for _, n in pairs))


def _accuracy(thetas: list[np.ndarray], p: Problem, labels: np.ndarray, comm: Any) -> float:
    """The share of all ranks' samples predicted right."""
    n = p.X.shape[0]
    correct = int(np.sum(predict_prepared(thetas, p) == labels)) if n > 0 else 0
    return global_share(correct, n, comm)


def _local_problem(thetas: list[np.ndarray], X: Any, y: Any, lambda_: Any, num_threads: Any,
                   sample_weight: Any, activation: Any, output: Any, *, comm: Any) -> Problem:
    """Validate this rank's shard; every rank learns of any rank's bad input."""
    error: BaseException | None = None
    problem = None
    try:
        if len(X) == 0:
            raise ValueError("this rank holds no samples: use fewer ranks than samples")
        problem = prepare(thetas, X, y, lambda_, num_threads, sample_weight, activation, output)
    except (ValueError, TypeError) as e:
        error = e
    collective_check(error, comm)
    assert problem is not None
    return problem


class DistributedObjective(Objective):
    """J and its gradient over the samples of all MPI ranks, each rank holding
    its shard: the same objective as one process over all of them (see
    :class:`bprop.training.objective.Objective`), its sums added in rank order."""

    def __init__(self, thetas: list[np.ndarray], X: Any, y: Any, lambda_: Any,
                 num_threads: int | None, sample_weight: Any, activation: Any, output: Any, *,
                 comm: Any) -> None:
        self.comm = comm
        super().__init__(thetas, X, y, lambda_, num_threads, sample_weight, activation, output)

    def prepare(self, thetas: list[np.ndarray], X: Any, y: Any, lambda_: Any,
                num_threads: int | None, sample_weight: Any = None) -> Problem:
        return _local_problem(thetas, X, y, lambda_, num_threads, sample_weight, *self.kind,
                              comm=self.comm)

    def value_and_gradient(self, thetas: list[np.ndarray], problem: Problem | None = None,
                           with_gradient: bool = True
                           ) -> tuple[float, list[np.ndarray] | None]:
        return _evaluate_distributed(thetas, self.problem if problem is None else problem,
                                     with_gradient, self.comm)

    def accuracy(self, thetas: list[np.ndarray], problem: Problem, labels: np.ndarray) -> float:
        return _accuracy(thetas, problem, labels, self.comm)

    def shard_sizes(self) -> list[int]:
        return list(self.comm.allgather(self.rows))

    def batch_positions(self, b: int, batch_size: int, rows: int, steps: int) -> slice:
        """Each rank splits its shard into ``steps`` nearly equal parts, so a global
        batch takes the same share of every rank's shard."""
        return slice(b * rows // steps, (b + 1) * rows // steps)

    def shuffle_rng(self, seed: Any) -> np.random.Generator:
        """One stream per rank from the same seed."""
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


def cost_and_gradient(thetas: Any, X: Any, y: Any, lambda_: float = 0.0, *, comm: Any,
                      num_threads: int | None = None, sample_weight: Any = None,
                      activation: Any = "sigmoid", output: str = "logistic"
                      ) -> tuple[float, list[np.ndarray]]:
    """:func:`bprop.cost_and_gradient` over the samples of all ranks (each passes its shard).

    Collective: every rank of ``comm`` must call it with the same weights. The
    result is the same on every rank and equals the single-process gradient of
    the concatenated shards to rounding (1e-12 relative in float64).
    """
    t = checks.check_thetas(thetas)
    p = _local_problem(t, X, y, lambda_, num_threads, sample_weight, activation, output,
                       comm=comm)
    J, grads = _evaluate_distributed(t, p, True, comm)
    assert grads is not None
    return J, grads


def cost(thetas: Any, X: Any, y: Any, lambda_: float = 0.0, *, comm: Any,
         num_threads: int | None = None, sample_weight: Any = None,
         activation: Any = "sigmoid", output: str = "logistic") -> float:
    """:func:`bprop.cost` over the samples of all ranks (collective)."""
    t = checks.check_thetas(thetas)
    p = _local_problem(t, X, y, lambda_, num_threads, sample_weight, activation, output,
                       comm=comm)
    return _evaluate_distributed(t, p, False, comm)[0]


def default_threads(comm: Any) -> int:
    """OpenMP threads per rank that share this machine's cores among the ranks on it."""
    local = comm.Split_type(_mpi().COMM_TYPE_SHARED)
    try:
        per_node = local.Get_size()
    finally:
        local.Free()
    return max(1, (os.cpu_count() or 1) // per_node)


__all__ = ["world", "shard_range", "load_shard", "broadcast", "cost_and_gradient", "cost",
           "collective_check", "default_threads", "global_share", "ordered_sum", "RankFailed",
           "DistributedObjective"]
