"""Each rank's share of the samples, read without the rest of the file."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data.sources import DataSource


def shard_range(m: int, comm: Any) -> tuple[int, int]:
    """This rank's contiguous share ``(start, stop)`` of m samples; sizes differ by at most 1."""
    r, n = comm.Get_rank(), comm.Get_size()
    return r * m // n, (r + 1) * m // n


def load_shard(
    spec: str, split: str = "train", *, comm: Any, dtype: Any = np.float32
) -> tuple[np.ndarray, np.ndarray, int]:
    """This rank's samples of a data set: ``(X_shard, y_shard, m_total)``.

    ``spec``: ``"fashion-mnist[:DIR]"``, ``"mnist:DIR"`` (IDX files, raw or .gz;
    ``split`` "train" or "test") or ``"FILE.npz"`` (arrays X and y; ``split`` ignored).
    Only this rank's rows are read (see :func:`bprop.data.load_idx`).
    """
    return DataSource.parse(spec).load_shard(split, comm, dtype)
