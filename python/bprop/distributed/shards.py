"""Each rank's share of the samples, read without the rest of the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .. import data as bdata


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
    if spec.lower().endswith(".npz"):  # any case: .NPZ too
        m = bdata.npz_length(spec)
        X, y = bdata.load_npz(spec, dtype=dtype, rows=shard_range(m, comm))
        return X, y, m
    kind, _, directory = spec.partition(":")
    if kind == "fashion-mnist":
        d = bdata.fashion_mnist_directory(directory or None)
    elif kind == "mnist" and directory:
        d = Path(directory)
    else:
        raise ValueError(
            f"load_shard reads fashion-mnist[:DIR], mnist:DIR or FILE.npz, got {spec!r}"
        )
    images, _ = bdata.mnist_files(d, split)
    m = bdata.idx_shape(images)[0]
    X, y = bdata.load_mnist(d, split, dtype=dtype, rows=shard_range(m, comm))
    return X, y, m
