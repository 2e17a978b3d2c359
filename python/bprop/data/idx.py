"""The IDX file format of MNIST and Fashion-MNIST, raw or gzip: every header
field and the length checked, read in bounded pieces, optionally only a range
of rows."""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np

# IDX type code -> big-endian element type.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


def load_idx(path: str | os.PathLike, rows: tuple[int, int] | None = None) -> np.ndarray:
    """Read an IDX file (the MNIST format), raw or gzip-compressed.

    The header is read first and the data then in one piece of exactly the size it
    announces, so a file is never held twice and never read past what it claims.

    Parameters
    ----------
    path : str or path-like
    rows : (start, stop), optional
        Read only items ``start:stop`` of the first dimension (a shard): a raw
        file is read from ``start`` on; a gzip file is decompressed up to
        ``stop`` and the items before ``start`` are not kept.

    Returns
    -------
    ndarray
        The array with the file's dimensions and element type, in native byte order.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the magic number, type code, dimensions or length are wrong.

    Examples
    --------
    A 3x2x2 unsigned-byte file (magic ``0 0 8 3``, then the three dimensions):

    >>> import pathlib, struct, tempfile
    >>> from bprop.data import load_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "images-idx3-ubyte"
    >>> _ = path.write_bytes(struct.pack(">4B3I", 0, 0, 8, 3, 3, 2, 2) + bytes(range(12)))
    >>> load_idx(path).shape
    (3, 2, 2)
    >>> load_idx(path, rows=(2, 3)).tolist()
    [[[8, 9], [10, 11]]]
    """
    path = Path(path)
    with open(path, "rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    try:
        with gzip.open(path, "rb") if compressed else open(path, "rb") as f:
            return _read_idx(f, path, compressed, rows)
    except (OSError, EOFError, zlib.error) as e:
        if not compressed or isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"{path}: corrupt or truncated gzip data ({e})") from None


def idx_shape(path: str | os.PathLike) -> tuple[int, ...]:
    """The dimensions an IDX file announces, from its header alone.

    Parameters
    ----------
    path : str or path-like
        An IDX file, raw or gzip-compressed.

    Returns
    -------
    tuple of int
        The dimensions, the number of items first; the data is not read.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the header is malformed or the gzip data is corrupt.

    Examples
    --------
    >>> import gzip, pathlib, struct, tempfile
    >>> from bprop.data import idx_shape
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte.gz"
    >>> _ = path.write_bytes(gzip.compress(struct.pack(">4BI", 0, 0, 8, 1, 5) + bytes(5)))
    >>> idx_shape(path)
    (5,)
    """
    path = Path(path)
    with open(path, "rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    try:
        with gzip.open(path, "rb") if compressed else open(path, "rb") as f:
            return _read_idx_header(f, path)[0]
    except (OSError, EOFError, zlib.error) as e:
        if not compressed or isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"{path}: corrupt or truncated gzip data ({e})") from None


def _read_idx_header(f: Any, path: Path) -> tuple[tuple[int, ...], np.dtype]:
    head = f.read(4)
    if len(head) < 4:
        raise ValueError(f"{path}: not an IDX file (only {len(head)} bytes)")
    if head[0] != 0 or head[1] != 0:
        raise ValueError(
            f"{path}: not an IDX file (magic number starts with "
            f"{head[0]:#04x} {head[1]:#04x}, expected 0x00 0x00)"
        )
    code, ndim = head[2], head[3]
    if code not in _IDX_TYPES:
        raise ValueError(f"{path}: unknown IDX type code {code:#04x}")
    if ndim < 1:
        raise ValueError(f"{path}: IDX file with 0 dimensions")
    raw_dims = f.read(4 * ndim)
    if len(raw_dims) < 4 * ndim:
        raise ValueError(
            f"{path}: truncated IDX header ({4 + len(raw_dims)} bytes, needs {4 + 4 * ndim})"
        )
    dims = tuple(int(d) for d in np.frombuffer(raw_dims, dtype=">u4"))
    return dims, np.dtype(_IDX_TYPES[code])


def _read_idx(
    f: Any, path: Path, compressed: bool, rows: tuple[int, int] | None = None
) -> np.ndarray:
    dims, dtype = _read_idx_header(f, path)
    ndim = len(dims)
    if rows is not None:
        return _read_idx_rows(f, path, compressed, dims, dtype, rows)
    count = int(np.prod(dims, dtype=np.int64))
    expected = count * dtype.itemsize
    if compressed:
        data = _read_bounded(f, expected)
        extra = len(f.read(1 << 16))
    else:
        available = os.fstat(f.fileno()).st_size - 4 - 4 * ndim
        data = np.fromfile(f, dtype=np.uint8, count=min(expected, available))
        extra = max(0, available - expected)
    if data.size < expected:
        raise ValueError(
            f"{path}: truncated: dimensions {dims} need {expected} bytes of data, found {data.size}"
        )
    if extra:
        raise ValueError(
            f"{path}: has trailing bytes after the {expected} bytes of data that "
            f"dimensions {dims} need"
        )
    out = data.view(dtype).reshape(dims)
    return out if dtype.itemsize == 1 else out.astype(dtype.newbyteorder("="))


def _read_bounded(f: Any, count: int, keep: bool = True) -> np.ndarray:
    """Up to ``count`` bytes of a stream, read in pieces of at most 16 MiB.

    A header may claim far more than a gzip stream holds, and asking gzip for
    it in one read would allocate the claimed size up front. ``keep=False``
    reads and drops them (skipping in a compressed stream).
    """
    pieces, got = [], 0
    while got < count:
        piece = f.read(min(count - got, 1 << 24))
        if not piece:
            break
        if keep:
            pieces.append(piece)
        got += len(piece)
    return np.frombuffer(b"".join(pieces), dtype=np.uint8)


def _read_idx_rows(
    f: Any,
    path: Path,
    compressed: bool,
    dims: tuple[int, ...],
    dtype: np.dtype,
    rows: tuple[int, int],
) -> np.ndarray:
    start, stop = (int(r) for r in rows)
    if not 0 <= start <= stop <= dims[0]:
        raise ValueError(f"{path}: rows {start}:{stop} outside the file's {dims[0]} items")
    row_bytes = int(np.prod(dims[1:], dtype=np.int64)) * dtype.itemsize
    want = (stop - start) * row_bytes
    header = 4 + 4 * len(dims)
    if compressed:
        _read_bounded(f, start * row_bytes, keep=False)  # the rows before ours
        data = _read_bounded(f, want)
    else:
        size = os.fstat(f.fileno()).st_size
        if size < header + dims[0] * row_bytes:
            raise ValueError(
                f"{path}: truncated: dimensions {dims} need "
                f"{dims[0] * row_bytes} bytes of data, found {size - header}"
            )
        f.seek(header + start * row_bytes)
        data = np.fromfile(f, dtype=np.uint8, count=want)
    if data.size < want:
        raise ValueError(f"{path}: truncated before item {stop} (dimensions {dims})")
    out = data.view(dtype).reshape((stop - start, *dims[1:]))
    return out if dtype.itemsize == 1 else out.astype(dtype.newbyteorder("="))
