"""What the ranks do together: the MPI world, broadcasting weights, errors
raised alike on every rank, and the deterministic sum in rank order."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .._internal import checks
from .._internal.install_hint import install_hint


def _mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError:
        raise ImportError(
            "bprop.distributed needs mpi4py and an MPI library: " + install_hint("mpi")
        ) from None
    return MPI


def world() -> Any:
    """``MPI.COMM_WORLD``."""
    return _mpi().COMM_WORLD


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
            cls = {
                "ValueError": ValueError,
                "FloatingPointError": FloatingPointError,
                "TypeError": TypeError,
            }.get(kind, RankFailed)
            e = cls(f"rank {rank}: {message}")
            e.collective = True  # type: ignore[attr-defined]  # raised alike on every rank
            raise e


def collective_check(error: BaseException | None, comm: Any) -> None:
    """Raise on every rank when any rank passes an error (the first rank's, naming it)."""
    mine = None if error is None else (type(error).__name__, str(error))
    _raise_first(comm.allgather(mine))


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
    comm.Alltoallv(
        [send, (counts, displs), MPI.DOUBLE],
        [pieces, ([mine] * n, [k * mine for k in range(n)]), MPI.DOUBLE],
    )
    part = pieces[:mine].copy()
    for k in range(1, n):  # rank order: the same bits on every run
        part += pieces[k * mine : (k + 1) * mine]
    total = np.empty(N)
    comm.Allgatherv(part, [total, (counts, displs), MPI.DOUBLE])
    return total


def global_share(count: int, total: int, comm: Any) -> float:
    """sum of every rank's ``count`` / sum of every rank's ``total`` (e.g. accuracy)."""
    pairs = comm.allgather((int(count), int(total)))
    return sum(c for c, _ in pairs) / max(1, sum(n for _, n in pairs))


def default_threads(comm: Any) -> int:
    """OpenMP threads per rank that share this machine's cores among the ranks on it."""
    local = comm.Split_type(_mpi().COMM_TYPE_SHARED)
    try:
        per_node = local.Get_size()
    finally:
        local.Free()
    return max(1, (os.cpu_count() or 1) // per_node)
