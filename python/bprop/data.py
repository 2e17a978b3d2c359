"""Loading and preparing data: IDX (MNIST, Fashion-MNIST), digits, .npz, .csv.

Every loader returns ``(X, y)``: ``X`` of shape ``(m, n)`` in the requested
float dtype, ``y`` of shape ``(m,)`` int64 labels, any whole numbers (a CSV's
labels may also be strings; ``targets="real"`` reads real-valued targets).
"""

from __future__ import annotations

import gzip
import os
import zipfile
import zlib
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ._internal import checks

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"

# IDX type code -> big-endian element type.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


def one_hot(labels: Any, num_classes: int) -> np.ndarray:
    """Targets matrix ``(m, num_classes)`` with a 1 in each row's label column.

    Examples
    --------
    >>> import bprop
    >>> bprop.one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    num_classes = checks.check_positive_int(num_classes, "num_classes")
    a = checks.as_array(labels, "labels")
    if a.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {a.shape}")
    lab = checks.check_labels(a, int(num_classes)) if a.size else a.astype(np.int64)
    out = np.zeros((lab.shape[0], int(num_classes)))
    out[np.arange(lab.shape[0]), lab] = 1.0
    return out


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
    ValueError
        When the magic number, type code, dimensions or length are wrong.
    """
    path = Path(path)
    with open(path, "rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    try:
        with (gzip.open(path, "rb") if compressed else open(path, "rb")) as f:
            return _read_idx(f, path, compressed, rows)
    except (OSError, EOFError, zlib.error) as e:
        if not compressed or isinstance(e, FileNotFoundError):
            raise
        raise ValueError(f"{path}: corrupt or truncated gzip data ({e})") from None


def idx_shape(path: str | os.PathLike) -> tuple[int, ...]:
    """The dimensions an IDX file announces, from its header alone."""
    path = Path(path)
    with open(path, "rb") as probe:
        compressed = probe.read(2) == _GZIP_MAGIC
    try:
        with (gzip.open(path, "rb") if compressed else open(path, "rb")) as f:
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
        raise ValueError(f"{path}: not an IDX file (magic number starts with "
                         f"{head[0]:#04x} {head[1]:#04x}, expected 0x00 0x00)")
    code, ndim = head[2], head[3]
    if code not in _IDX_TYPES:
        raise ValueError(f"{path}: unknown IDX type code {code:#04x}")
    if ndim < 1:
        raise ValueError(f"{path}: IDX file with 0 dimensions")
    raw_dims = f.read(4 * ndim)
    if len(raw_dims) < 4 * ndim:
        raise ValueError(f"{path}: truncated IDX header ({4 + len(raw_dims)} bytes, "
                         f"needs {4 + 4 * ndim})")
    dims = tuple(int(d) for d in np.frombuffer(raw_dims, dtype=">u4"))
    return dims, np.dtype(_IDX_TYPES[code])


def _read_idx(f: Any, path: Path, compressed: bool, rows: tuple[int, int] | None = None
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
        raise ValueError(f"{path}: truncated: dimensions {dims} need {expected} bytes of data, "
                         f"found {data.size}")
    if extra:
        raise ValueError(f"{path}: has trailing bytes after the {expected} bytes of data that "
                         f"dimensions {dims} need")
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


def _read_idx_rows(f: Any, path: Path, compressed: bool, dims: tuple[int, ...],
                   dtype: np.dtype, rows: tuple[int, int]) -> np.ndarray:
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
            raise ValueError(f"{path}: truncated: dimensions {dims} need "
                             f"{dims[0] * row_bytes} bytes of data, found {size - header}")
        f.seek(header + start * row_bytes)
        data = np.fromfile(f, dtype=np.uint8, count=want)
    if data.size < want:
        raise ValueError(f"{path}: truncated before item {stop} (dimensions {dims})")
    out = data.view(dtype).reshape((stop - start, *dims[1:]))
    return out if dtype.itemsize == 1 else out.astype(dtype.newbyteorder("="))


def scale_pixels(images: Any, dtype: Any = np.float32, max_value: float = 255.0) -> np.ndarray:
    """Pixels to [0, 1] as ``(m, pixels)`` in ``dtype``, flattening each image."""
    dt = checks.check_dtype(dtype)
    a = np.asarray(images)
    a = a.reshape(a.shape[0], -1)
    out = np.empty(a.shape, dtype=dt)
    np.multiply(a, dt.type(1.0 / max_value), out=out, casting="unsafe")
    return out


def _find(directory: Path, *names: str) -> Path:
    for name in names:
        for candidate in (directory / name, directory / (name + ".gz")):
            if candidate.exists():
                return candidate
    raise FileNotFoundError(f"{directory}: none of {', '.join(names)} (or .gz) found")


def load_mnist(directory: str | os.PathLike, split: str = "train", *,
               dtype: Any = np.float32, rows: tuple[int, int] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels from a directory in the MNIST file layout.

    ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
    ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``.
    ``rows=(start, stop)`` reads only those samples (see :func:`load_idx`).

    Returns
    -------
    X : ndarray, shape (m, 784)
        Pixels scaled to [0, 1].
    y : ndarray, shape (m,), int64
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    d = Path(directory)
    if not d.is_dir():
        raise FileNotFoundError(f"{d} is not a directory")
    images_path, labels_path = mnist_files(d, split)
    images = load_idx(images_path, rows)
    labels = load_idx(labels_path, rows)
    if images.ndim < 2 or labels.ndim != 1:
        raise ValueError(f"{d}: expected images (m, rows, cols) and labels (m,), got shapes "
                         f"{images.shape} and {labels.shape}")
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{d}: {images.shape[0]} images but {labels.shape[0]} labels")
    return scale_pixels(images, dtype), labels.astype(np.int64)


def mnist_files(directory: str | os.PathLike, split: str) -> tuple[Path, Path]:
    """The (images, labels) files of a split in the MNIST layout."""
    d = Path(directory)
    prefix = "train" if split == "train" else "t10k"
    return (_find(d, f"{prefix}-images-idx3-ubyte", f"{prefix}-images.idx3-ubyte"),
            _find(d, f"{prefix}-labels-idx1-ubyte", f"{prefix}-labels.idx1-ubyte"))


def fashion_mnist_directory(directory: str | os.PathLike | None = None) -> Path:
    """Where Fashion-MNIST is: the argument, else ``$BPROP_DATA``, else Debian's package."""
    d = Path(directory or os.environ.get("BPROP_DATA") or FASHION_MNIST_DIR)
    if not (d / "train-images-idx3-ubyte.gz").exists() and not (d / "train-images-idx3-ubyte").exists():
        raise FileNotFoundError(
            f"Fashion-MNIST not found in {d}. Install it with `apt-get install "
            "dataset-fashion-mnist` (Debian/Ubuntu), or point BPROP_DATA (or directory=) at "
            "a directory holding train-images-idx3-ubyte.gz and the other three files")
    return d


def load_fashion_mnist(split: str = "train", directory: str | os.PathLike | None = None, *,
                       dtype: Any = np.float32, rows: tuple[int, int] | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (60000 train / 10000 test 28x28 images, 10 classes), pixels in [0, 1]."""
    return load_mnist(fashion_mnist_directory(directory), split, dtype=dtype, rows=rows)


FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                         "Sneaker", "Bag", "Ankle boot")


def load_digits(*, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits (1797 images, labels 0..9), pixels scaled to [0, 1].

    The same data as scikit-learn's ``load_digits``, shipped with bprop (UCI's
    "Optical Recognition of Handwritten Digits", CC BY 4.0), so it needs no
    other package.
    """
    with resources.files("bprop").joinpath("_data/digits.npz").open("rb") as fh, \
            np.load(fh, allow_pickle=False) as f:
        X, y = f["X"], f["y"]
    return scale_pixels(X, dtype, max_value=16.0), y.astype(np.int64)


def load_npz(path: str | os.PathLike, *, dtype: Any = np.float64,
             rows: tuple[int, int] | None = None, targets: str = "labels"
             ) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` arrays from an ``.npz`` file (never unpickles objects).

    ``targets="labels"``: ``y`` holds whole numbers (int64);
    ``targets="real"`` (regression): real values, shape ``(m,)`` or ``(m, K)``
    (float64).

    ``rows=(start, stop)`` reads only those samples: each array's rows before
    ``start`` are skipped in the file (decompressed and dropped for a compressed
    ``.npz``), the rows after ``stop`` are not read.
    """
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            missing = [k for k in ("X", "y") if k not in f.files]
            if missing:
                raise ValueError(f"{path}: needs arrays 'X' and 'y'; it has {sorted(f.files)}")
            if rows is None:
                X, y = f["X"], f["y"]
            else:
                X, y = (_npy_rows(f.zip, k, rows, path) for k in ("X", "y"))
    except (OSError, EOFError, ValueError, zipfile.BadZipFile) as e:
        if isinstance(e, FileNotFoundError) or str(e).startswith(str(path)):
            raise
        raise ValueError(f"{path}: not a readable .npz file ({e})") from None
    return _features_and_labels(X, y, dtype, str(path), targets)


def npz_length(path: str | os.PathLike) -> int:
    """Samples in an ``.npz`` file: the first dimension of its ``X``, from the header alone."""
    with zipfile.ZipFile(path) as z, z.open("X.npy") as f:
        return int(_npy_header(f, path)[0][0])


def _npy_header(f: Any, path: Any) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(f)
    read = {(1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0}.get(version)
    if read is None:
        raise ValueError(f"{path}: unsupported .npy format version {version}")
    shape, fortran, dt = read(f)
    if dt.hasobject:
        raise ValueError(f"{path}: object arrays are not read (they would need unpickling)")
    if len(shape) < 1:
        raise ValueError(f"{path}: a 0-dimensional array has no rows")
    return shape, fortran, dt


def _npy_rows(z: zipfile.ZipFile, name: str, rows: tuple[int, int], path: Any) -> np.ndarray:
    with z.open(f"{name}.npy") as f:
        shape, fortran, dt = _npy_header(f, path)
        start, stop = (int(r) for r in rows)
        if not 0 <= start <= stop <= shape[0]:
            raise ValueError(f"{path}: rows {start}:{stop} outside {name}'s {shape[0]} rows")
        if fortran and len(shape) > 1:  # rows are not contiguous: read it all, keep ours
            return np.lib.format.read_array(z.open(f"{name}.npy"), allow_pickle=False)[start:stop]
        row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * dt.itemsize
        f.seek(f.tell() + start * row_bytes)
        want = (stop - start) * row_bytes
        data = f.read(want)
        if len(data) < want:
            raise ValueError(f"{path}: {name} is truncated before row {stop}")
        return np.frombuffer(data, dtype=dt).reshape((stop - start, *shape[1:]))


def load_csv(path: str | os.PathLike, *, label_column: int = 0, delimiter: str = ",",
             dtype: Any = np.float64, targets: str = "labels") -> tuple[np.ndarray, np.ndarray]:
    """A CSV of numbers, one sample per row: a label column and the features.

    A first row whose features are not numbers is a header and is skipped; a
    UTF-8 byte-order mark is ignored. Labels are whole numbers (``y`` int64) or, when any label is not a number, strings (``y`` of dtype str;
    map them to classes ``0..K-1`` with ``np.unique(y, return_inverse=True)``).
    With ``targets="real"`` (regression) the column holds real values (``y``
    float64). Errors name the file's line and column (both counted from 1).
    """
    X, labels = _read_csv(Path(path), delimiter, label_column)
    assert labels is not None
    labels = np.char.strip(labels)
    try:
        y: np.ndarray = labels.astype(np.float64)
    except ValueError:
        if targets == "real":
            raise ValueError(f"{path}: the target column holds text; regression needs "
                             f"numbers") from None
        y = labels  # labels that are not numbers: class names
    return _features_and_labels(X, y, dtype, str(path), targets)


def load_csv_features(path: str | os.PathLike, *, delimiter: str = ",",
                      dtype: Any = np.float64) -> np.ndarray:
    """A CSV of features only (no label column), read as :func:`load_csv` reads one."""
    X, _ = _read_csv(Path(path), delimiter, None)
    return _features_and_labels(X, np.zeros(X.shape[0], dtype=np.int64), dtype, str(path))[0]


def _read_csv(path: Path, delimiter: str, label_column: int | None
              ) -> tuple[np.ndarray, np.ndarray | None]:
    """(features as float64, the label column's text or None)."""
    if len(delimiter) != 1:
        raise ValueError(f"delimiter must be one character, got {delimiter!r}")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [(number, line) for number, line in enumerate(f.read().splitlines(), 1)
                if line.strip()]
    if not rows:
        raise ValueError(f"{path}: the file is empty")
    width = len(rows[0][1].split(delimiter))
    need = 1 if label_column is None else 2
    if width < need or (label_column is not None and not -width <= label_column < width):
        raise ValueError(f"{path}: {width} column(s) split by {delimiter!r}; need a label column "
                         f"({label_column}) and at least one feature (another delimiter?)")
    label_col = None if label_column is None else label_column % width

    def fields(number: int, line: str) -> list[str]:
        values = line.split(delimiter)
        if len(values) != width:
            raise ValueError(f"{path}: line {number} has {len(values)} columns, the first row "
                             f"has {width}")
        return values

    def is_number(text: str) -> bool:
        try:
            float(text)
        except ValueError:
            return False
        return True

    feature_cols = [c for c in range(width) if c != label_col]
    first = fields(*rows[0])
    if not all(is_number(first[c]) for c in feature_cols):
        rows = rows[1:]  # a header
    if not rows:
        raise ValueError(f"{path}: no data rows after the header")
    for number, line in rows:
        if line.count(delimiter) != width - 1:
            fields(number, line)  # raises, naming the line
    lines = [line for _, line in rows]
    try:
        X = np.loadtxt(lines, delimiter=delimiter, usecols=feature_cols, ndmin=2,
                       dtype=np.float64, comments=None)
        labels = None if label_col is None else np.loadtxt(
            lines, delimiter=delimiter, usecols=label_col, ndmin=1, dtype=str, comments=None)
    except ValueError:  # find the first bad field, by the file's own line number
        for number, line in rows:
            values = fields(number, line)
            for c in feature_cols:
                if not is_number(values[c]):
                    raise ValueError(f"{path}: line {number}, column {c + 1}: "
                                     f"{values[c].strip()!r} is not a number") from None
        raise
    if not np.isfinite(X).all():
        r, c = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(f"{path}: line {rows[r][0]}, column {feature_cols[c] + 1}: {X[r, c]} "
                         f"(features must be finite numbers)")
    return X, labels


def _features_and_labels(X: Any, y: Any, dtype: Any, source: str, targets: str = "labels"
                         ) -> tuple[np.ndarray, np.ndarray]:
    if targets not in ("labels", "real"):
        raise ValueError(f"targets must be 'labels' or 'real', got {targets!r}")
    dt = checks.check_dtype(dtype)
    X = checks.as_array(X, f"{source}: X")
    y = np.asarray(y) if np.asarray(y).dtype.kind in "US" else checks.as_array(y, f"{source}: y")
    if X.ndim < 2:
        raise ValueError(f"{source}: X must have one row per sample, got shape {X.shape}")
    if X.shape[0] == 0:
        raise ValueError(f"{source}: no samples (X has shape {X.shape})")
    X = X.reshape(X.shape[0], -1)
    if targets == "real" and y.ndim == 2 and y.shape[0] == X.shape[0]:
        pass  # several real targets per sample
    elif y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"{source}: y must have shape ({X.shape[0]},), got {y.shape}")
    if not np.isfinite(X).all():
        r, c = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(f"{source}: X holds {X[r, c]} at sample {r}, feature {c} (from 0)")
    if y.dtype.kind in "US":
        return np.ascontiguousarray(X, dtype=dt), y.astype(str)
    if targets == "real":
        if not np.isfinite(y).all():
            raise ValueError(f"{source}: targets must be finite numbers")
        return np.ascontiguousarray(X, dtype=dt), y.astype(np.float64)
    if y.size and (not np.isfinite(y).all() or (y != np.round(y)).any()):
        raise ValueError(f"{source}: labels must be whole numbers (for real-valued targets "
                         f"read them with targets='real'; the command line: --output identity)")
    return np.ascontiguousarray(X, dtype=dt), y.astype(np.int64)


def standardize(X: Any, mean: Any = None, std: Any = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X - mean) / std`` per column; constant columns are left centred (std taken as 1).

    Returns ``(X_std, mean, std)``: pass the training set's mean and std to
    standardise validation and test data the same way.
    """
    X = checks.as_array(X, "X")
    dt = X.dtype if X.dtype in checks.FLOAT_DTYPES else np.dtype(np.float64)
    mu = X.mean(axis=0, dtype=np.float64) if mean is None else np.asarray(mean, dtype=np.float64)
    sd = X.std(axis=0, dtype=np.float64) if std is None else np.asarray(std, dtype=np.float64)
    sd = np.where(sd > 0, sd, 1.0)
    return ((X - mu) / sd).astype(dt), mu, sd


def train_validation_split(X: Any, y: Any, validation_fraction: float = 0.2, *, seed: Any = None,
                           stratify: bool = True
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded split into ``(X_train, X_val, y_train, y_val)``.

    With ``stratify`` each class keeps its share in both parts (as far as
    rounding allows).
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]} entries")
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be in (0, 1), got {validation_fraction}")
    rng = np.random.default_rng(seed)
    m = X.shape[0]
    if stratify:
        val = []
        for c in np.unique(y):
            idx = rng.permutation(np.flatnonzero(y == c))
            val.append(idx[:int(round(validation_fraction * idx.size))])
        val_idx = np.sort(np.concatenate(val))
    else:
        val_idx = np.sort(rng.permutation(m)[:int(round(validation_fraction * m))])
    mask = np.zeros(m, dtype=bool)
    mask[val_idx] = True
    if mask.all() or not mask.any():
        raise ValueError(f"validation_fraction {validation_fraction} leaves one part empty "
                         f"with {m} samples")
    return X[~mask], X[mask], y[~mask], y[mask]
