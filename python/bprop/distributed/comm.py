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
    """``MPI.COMM_WORLD``: every process of the job started by ``mpiexec``.

    Returns
    -------
    mpi4py.MPI.Intracomm
        The world communicator (imports mpi4py, which initialises MPI).

    Raises
    ------
    ImportError
        When mpi4py is not installed; the message says how to install it.

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> from bprop import distributed
    >>> comm = distributed.world()
    >>> comm.Get_size(), comm.Get_rank()
    (1, 0)
    """
    return _mpi().COMM_WORLD


def broadcast(thetas: Any, comm: Any, root: int = 0) -> list[np.ndarray]:
    """Rank ``root``'s weights on every rank (new arrays; shapes and dtype from root).

    Collective; the other ranks' ``thetas`` are ignored (pass None). Invalid
    weights on root raise the same ValueError on every rank.

    Parameters
    ----------
    thetas : list of ndarray or None
        On rank ``root``: the weights to send; elsewhere ignored.
    comm : mpi4py.MPI.Comm
        The ranks taking part.
    root : int, default 0
        The rank whose weights are sent.

    Returns
    -------
    list of ndarray
        Root's weights on every rank, as new C-contiguous arrays.

    Raises
    ------
    ValueError
        On every rank, when root's ``thetas`` are not valid weights (the message
        names rank ``root``).

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> import numpy as np
    >>> import bprop
    >>> from bprop import distributed
    >>> comm = distributed.world()
    >>> thetas = bprop.initialize([4, 3, 2], seed=0)
    >>> mine = distributed.broadcast(thetas if comm.Get_rank() == 0 else None, comm)
    >>> [t.shape for t in mine], all(np.array_equal(a, b) for a, b in zip(mine, thetas))
    ([(3, 5), (2, 4)], True)
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
    """Another rank failed during a collective evaluation (its message included).

    Raised by :func:`collective_check` on every rank for an error other than a
    ``ValueError``, ``TypeError`` or ``FloatingPointError`` (those are raised as
    their own type); the message starts with the failing rank.

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> from bprop import distributed
    >>> comm = distributed.world()
    >>> try:
    ...     distributed.collective_check(KeyError("X"), comm)
    ... except distributed.RankFailed as e:
    ...     print(e)
    rank 0: 'X'
    """


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
    """Raise on every rank when any rank passes an error (the first rank's, naming it).

    Collective: every rank calls it, with its own error or None, so that no rank
    is left waiting in the next collective call when another failed.

    Parameters
    ----------
    error : BaseException or None
        This rank's error, or None when it succeeded.
    comm : mpi4py.MPI.Comm
        The ranks taking part.

    Raises
    ------
    ValueError, TypeError, FloatingPointError
        The lowest failing rank's error, as its own type, with the message
        ``"rank r: ..."``, raised on every rank.
    RankFailed
        The same, for an error of any other type.

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> from bprop import distributed
    >>> comm = distributed.world()
    >>> distributed.collective_check(None, comm)            # no rank failed: returns
    >>> try:
    ...     distributed.collective_check(ValueError("bad shard"), comm)
    ... except ValueError as e:
    ...     print(e)
    rank 0: bad shard
    """
    mine = None if error is None else (type(error).__name__, str(error))
    _raise_first(comm.allgather(mine))


def ordered_sum(local: np.ndarray, comm: Any) -> np.ndarray:
    """Sum of every rank's float64 vector, added in rank order, on every rank.

    A deterministic allreduce: each rank owns a slice of the vector, receives
    that slice from every rank (all-to-all), adds them in rank order, and the
    summed slices are gathered everywhere. Each rank sends and receives about
    2 (n-1)/n of the vector, as a ring allreduce does, and every rank ends with
    the same bits whatever the MPI library's reduction order.

    Parameters
    ----------
    local : array_like, shape (N,)
        This rank's vector (converted to float64); the same length on every rank.
    comm : mpi4py.MPI.Comm
        The ranks taking part (collective).

    Returns
    -------
    ndarray of float64, shape (N,)
        ``local`` of rank 0 + that of rank 1 + ..., on every rank.

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> import numpy as np
    >>> from bprop import distributed
    >>> distributed.ordered_sum(np.array([1.0, 2.5, -3.0]), distributed.world())
    array([ 1. ,  2.5, -3. ])
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
    """sum of every rank's ``count`` / sum of every rank's ``total`` (e.g. accuracy).

    Parameters
    ----------
    count : int
        This rank's count (say, samples predicted right).
    total : int
        This rank's total (say, its samples).
    comm : mpi4py.MPI.Comm
        The ranks taking part (collective).

    Returns
    -------
    float
        The global ratio, the same on every rank (0.0 when every total is 0).

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> from bprop import distributed
    >>> distributed.global_share(3, 4, distributed.world())
    0.75
    """
    pairs = comm.allgather((int(count), int(total)))
    return sum(c for c, _ in pairs) / max(1, sum(n for _, n in pairs))


def default_threads(comm: Any) -> int:
    """OpenMP threads per rank that share this machine's cores among the ranks on it.

    Parameters
    ----------
    comm : mpi4py.MPI.Comm
        The ranks of the job; those on this machine are counted (collective).

    Returns
    -------
    int
        ``os.cpu_count() // (ranks on this machine)``, at least 1.

    Examples
    --------
    Without ``mpiexec``, ``world()`` is a world of one process (rank 0), which
    is how these examples run:

    >>> import os
    >>> from bprop import distributed
    >>> distributed.default_threads(distributed.world()) == (os.cpu_count() or 1)
    True
    """
    local = comm.Split_type(_mpi().COMM_TYPE_SHARED)
    try:
        per_node = local.Get_size()
    finally:
        local.Free()
    return max(1, (os.cpu_count() or 1) // per_node)
