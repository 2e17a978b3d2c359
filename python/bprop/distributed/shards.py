"""Each rank's share of the samples, read without the rest of the file."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data.sources import DataSource


def shard_range(m: int, comm: Any) -> tuple[int, int]:
    """This rank's contiguous share ``(start, stop)`` of m samples; sizes differ by at most 1.

    Parameters
    ----------
    m : int
        The number of samples in all.
    comm : mpi4py.MPI.Comm
        Its ``Get_rank()`` and ``Get_size()`` are used (no communication).

    Returns
    -------
    start, stop : int
        Rank r's samples are ``start:stop``, with ``start = r m // n``; the
        shares of ranks 0..n-1 tile ``0:m`` in order.

    Examples
    --------
    >>> class Rank:      # stands in for rank r of 4 (only these two methods are used)
    ...     def __init__(self, r):
    ...         self.r = r
    ...     def Get_rank(self):
    ...         return self.r
    ...     def Get_size(self):
    ...         return 4
    >>> from bprop import distributed
    >>> [distributed.shard_range(10, Rank(r)) for r in range(4)]
    [(0, 2), (2, 5), (5, 7), (7, 10)]
    >>> distributed.shard_range(10, distributed.world())   # without mpiexec: one rank
    (0, 10)
    """
    r, n = comm.Get_rank(), comm.Get_size()
    return r * m // n, (r + 1) * m // n


def load_shard(
    spec: str, split: str = "train", *, comm: Any, dtype: Any = np.float32
) -> tuple[np.ndarray, np.ndarray, int]:
    """This rank's samples of a data set: ``(X_shard, y_shard, m_total)``.

    ``spec``: ``"fashion-mnist[:DIR]"``, ``"mnist:DIR"`` (IDX files, raw or .gz;
    ``split`` "train" or "test") or ``"FILE.npz"`` (arrays X and y; ``split`` ignored).
    Only this rank's rows are read (see :func:`bprop.data.load_idx`).

    Parameters
    ----------
    spec : str
        The data: ``"fashion-mnist"``, ``"fashion-mnist:DIR"``, ``"mnist:DIR"`` or
        the path of an ``.npz`` file.
    split : {"train", "test"}, default "train"
        The IDX data sets' split.
    comm : mpi4py.MPI.Comm
        Its rank and size choose the rows (:func:`shard_range`; no communication).
    dtype : {numpy.float32, numpy.float64, numpy.uint8}, default numpy.float32
        The dtype of ``X_shard`` (uint8: raw pixels, IDX only).

    Returns
    -------
    X_shard : ndarray, shape (stop - start, n)
        This rank's samples.
    y_shard : ndarray of int64, shape (stop - start,)
        Their labels.
    m_total : int
        The number of samples over all ranks.

    Raises
    ------
    ValueError
        When ``spec`` names no data set or ``.npz`` file (``"mnist"`` without a
        directory, a ``.csv``), or a file is malformed.
    FileNotFoundError
        When the data is not where ``spec`` says.

    Examples
    --------
    >>> class Rank:      # stands in for rank r of 4 (only these two methods are used)
    ...     def __init__(self, r):
    ...         self.r = r
    ...     def Get_rank(self):
    ...         return self.r
    ...     def Get_size(self):
    ...         return 4
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> from bprop import distributed
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.npz"
    >>> np.savez(path, X=np.arange(20.0).reshape(10, 2), y=np.arange(10) % 3)
    >>> X, y, m = distributed.load_shard(str(path), comm=Rank(1), dtype=np.float64)
    >>> X.tolist(), y.tolist(), m                        # rows 2:5 of 10
    ([[4.0, 5.0], [6.0, 7.0], [8.0, 9.0]], [2, 0, 1], 10)
    """
    return DataSource.parse(spec).load_shard(split, comm, dtype)
