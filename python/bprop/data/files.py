"""Samples from files of your own: ``.npz`` (arrays X and y, optionally a range
of rows) and ``.csv`` (a label column and features, read by the csv module's
rules; header, quoting, BOM and string labels handled, errors by line and
column)."""

from __future__ import annotations

import contextlib
import csv
import os
import zipfile
from pathlib import Path
from typing import IO, Any, Iterator

import numpy as np

from .._internal import checks


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

    Read by the standard CSV rules (Python's :mod:`csv`): fields in double
    quotes may hold the delimiter or line breaks (``"cat, big"``), so files
    written with any quoting (``QUOTE_MINIMAL``, ``QUOTE_NONNUMERIC``,
    ``QUOTE_ALL``) read alike; spaces after a delimiter are skipped. Blank
    lines are skipped. A first row whose features are not numbers is a header
    and is skipped; a UTF-8 byte-order mark is ignored. Labels are whole
    numbers (``y`` int64) or, when any label is not a number, strings (``y`` of dtype str;
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


@contextlib.contextmanager
def open_text(path: str | os.PathLike) -> Iterator[IO[str]]:
    """``path`` opened to read UTF-8 text (a byte-order mark skipped, newlines
    as they are); bytes that are not UTF-8, met while the block reads, become a
    ValueError naming the file instead of the codec's message."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            yield f
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not a text CSV file in UTF-8 (it holds the byte "
                         f"0x{e.object[e.start]:02x}, which is not UTF-8 text): a binary file, or "
                         f"text in another encoding (save it as UTF-8)") from None


_CHUNK_CHARS = 1 << 22  # characters of fields converted to numbers at a time (as a text
                        # array of 4 bytes a character): bounded temporary memory


def _csv_records(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(the line a record starts on, counted from 1; its fields) for every record
    that is not blank, read by the csv module's rules: a field in double quotes
    may hold the delimiter, line breaks and doubled quotes (``""``); spaces after
    a delimiter are skipped (so ``1, "a"`` reads ``a``)."""
    if len(delimiter) != 1:
        raise ValueError(f"delimiter must be one character, got {delimiter!r}")
    if delimiter in "\"\r\n":
        raise ValueError(f"delimiter {delimiter!r} cannot separate CSV fields")
    with open_text(path) as f:
        reader = csv.reader(f, delimiter=delimiter, skipinitialspace=True, strict=True)
        start = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as e:  # an unbalanced quote, text after a closing quote
                opened = _unclosed_quote_line(path, delimiter, start, reader.line_num)
                where, what = ((opened, "unbalanced quote: the quoted field that begins on "
                                        "this line is never closed") if opened is not None
                               else (reader.line_num, str(e)))
                raise ValueError(f"{path}: line {where}: {what} (CSV quoting: a quoted "
                                 f"field ends with a quote followed by the delimiter or the "
                                 f"line's end)") from None
            if fields and (len(fields) > 1 or fields[0].strip()):
                yield start, fields
            start = reader.line_num + 1


def _unclosed_quote_line(path: Path, delimiter: str, start: int, stop: int) -> int | None:
    """The line where a quoted field opens that is still open at line ``stop``,
    reading from line ``start`` by the rules of :func:`_csv_records`; None
    when the csv module met another fault (text after a closing quote). The
    module names the line where it gave up on an open field: the file's end,
    or where the field outgrew its size limit."""
    opened, field_start, in_quotes, after_quote = None, True, False, False
    with open_text(path) as f:
        for number, line in enumerate(f, 1):
            if number < start:
                continue
            if number > stop:
                break
            for ch in line:
                if in_quotes and not after_quote:
                    after_quote = ch == '"'
                elif in_quotes:  # a quote in a quoted field: "" or the field's end
                    after_quote = False
                    if ch != '"':
                        if ch not in "\r\n" and ch != delimiter:
                            return None  # text after a closing quote
                        in_quotes, field_start = False, True
                elif ch in "\r\n" or ch == delimiter:
                    field_start = True
                elif field_start and ch == '"':
                    in_quotes, opened, field_start = True, number, False
                elif ch != " ":  # (spaces after a delimiter are skipped)
                    field_start = False
    return opened if in_quotes and not after_quote else None


def csv_width(path: str | os.PathLike, delimiter: str = ",") -> int:
    """Fields in the first record of a CSV that is not blank (0 for an empty file)."""
    return next((len(fields) for _, fields in _csv_records(Path(path), delimiter)), 0)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _read_csv(path: Path, delimiter: str, label_column: int | None
              ) -> tuple[np.ndarray, np.ndarray | None]:
    """(features as float64, the label column's text or None)."""
    records = _csv_records(path, delimiter)
    first = next(records, None)
    if first is None:
        raise ValueError(f"{path}: the file is empty")
    width = len(first[1])
    need = 1 if label_column is None else 2
    if width < need or (label_column is not None and not -width <= label_column < width):
        raise ValueError(f"{path}: {width} column(s) split by {delimiter!r}; need a label column "
                         f"({label_column}) and at least one feature (another delimiter?)")
    label_col = None if label_column is None else label_column % width
    feature_cols = [c for c in range(width) if c != label_col]
    header = not all(_is_number(first[1][c]) for c in feature_cols)

    blocks: list[np.ndarray] = []
    labels: list[str] = []
    lines: list[int] = []  # each data row's line in the file
    chunk: list[list[str]] = []  # rows' feature fields, converted a chunk at a time
    longest = 1  # the chunk's longest feature field: the width of its text array

    def convert() -> None:  # the chunk's rows to numbers, naming the first bad field
        try:
            blocks.append(np.array(chunk, dtype=str).astype(np.float64))
        except ValueError:
            for r, values in enumerate(chunk):
                for j, text in enumerate(values):
                    if not _is_number(text):
                        raise ValueError(f"{path}: line {lines[len(lines) - len(chunk) + r]}, "
                                         f"column {feature_cols[j] + 1}: {text.strip()!r} is "
                                         f"not a number") from None
            raise
        chunk.clear()

    def add(number: int, values: list[str]) -> None:
        nonlocal longest
        if label_col is None:
            features = values
        else:
            features = values[:label_col] + values[label_col + 1:]
            labels.append(values[label_col])
        chunk.append(features)
        lines.append(number)
        longest = max(longest, max(map(len, features)))
        if len(chunk) * len(features) * longest >= _CHUNK_CHARS:
            convert()
            longest = 1

    if not header:
        add(*first)
    for number, values in records:
        if len(values) != width:
            raise ValueError(f"{path}: line {number} has {len(values)} columns, the first row "
                             f"has {width}")
        add(number, values)
    if not lines:
        raise ValueError(f"{path}: no data rows after the header")
    if chunk:
        convert()
    X = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    if not np.isfinite(X).all():
        r, c = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(f"{path}: line {lines[r]}, column {feature_cols[c] + 1}: {X[r, c]} "
                         f"(features must be finite numbers)")
    return X, None if label_col is None else np.array(labels, dtype=str)


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
