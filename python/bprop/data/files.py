"""Samples from files of your own: ``.npz`` (arrays X and y, optionally a range
of rows) and ``.csv`` (a label column and features, read by the csv module's
rules; header, quoting, BOM and string labels handled, errors by line and
column)."""

from __future__ import annotations

import contextlib
import csv
import decimal
import itertools
import os
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np

from .._internal import checks
from .._internal.atomic import special_file_kind
from .._internal.stacklevel import user_stacklevel


def load_npz(
    path: str | os.PathLike,
    *,
    dtype: Any = np.float64,
    rows: tuple[int, int] | None = None,
    targets: str = "labels",
) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` arrays from an ``.npz`` file (never unpickles objects).

    ``targets="labels"``: ``y`` holds whole numbers (int64);
    ``targets="real"`` (regression): real values, shape ``(m,)`` or ``(m, K)``
    (float64).

    ``rows=(start, stop)`` reads only those samples: each array's rows before
    ``start`` are skipped in the file (decompressed and dropped for a compressed
    ``.npz``), the rows after ``stop`` are not read.

    Parameters
    ----------
    path : str or path-like
        An ``.npz`` file holding arrays named ``X`` (one sample per row; images
        are flattened) and ``y``.
    dtype : {numpy.float64, numpy.float32}, default numpy.float64
        The dtype of the returned ``X``.
    rows : (start, stop), optional
        Read only samples ``start:stop``.
    targets : {"labels", "real"}, default "labels"
        Whether ``y`` holds class labels or real-valued targets.

    Returns
    -------
    X : ndarray, shape (m, n)
        The features in ``dtype``.
    y : ndarray, shape (m,) or (m, K)
        int64 labels (or str labels stored as strings), or float64 targets.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the file is not a readable ``.npz``, lacks ``X`` or ``y``, their
        lengths differ, ``X`` holds a non-finite value or a label is not a whole
        number.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> from bprop.data import load_npz, npz_length
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.npz"
    >>> np.savez(path, X=np.arange(12.0).reshape(4, 3), y=np.array([0, 1, 1, 0]))
    >>> X, y = load_npz(path, rows=(1, 3))
    >>> X.tolist(), y.tolist(), npz_length(path)
    ([[3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], [1, 1], 4)
    """
    refuse_special_file(path)
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
        if "pickle" in str(e):  # numpy's guess for any file that is not .npy/.npz: not ours
            raise ValueError(
                f"{path}: not a readable .npz file (not an archive of numeric arrays; bprop "
                f"never loads pickled objects)"
            ) from None
        raise ValueError(f"{path}: not a readable .npz file ({e})") from None
    return _features_and_labels(X, y, dtype, str(path), targets)


def npz_length(path: str | os.PathLike) -> int:
    """Samples in an ``.npz`` file: the first dimension of its ``X``, from the header alone.

    Parameters
    ----------
    path : str or path-like
        An ``.npz`` file with an array ``X``.

    Returns
    -------
    int
        The number of rows of ``X`` (m), read without loading the data.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    KeyError
        When the file holds no ``X``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> from bprop.data import npz_length
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.npz"
    >>> np.savez_compressed(path, X=np.zeros((5, 2)), y=np.zeros(5, dtype=int))
    >>> npz_length(path)
    5
    """
    with zipfile.ZipFile(path) as z, z.open("X.npy") as f:
        return int(_npy_header(f, path)[0][0])


def _npy_header(f: Any, path: Any) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(f)
    read = {
        (1, 0): np.lib.format.read_array_header_1_0,
        (2, 0): np.lib.format.read_array_header_2_0,
    }.get(version)
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


def load_csv(
    path: str | os.PathLike,
    *,
    label_column: int = 0,
    delimiter: str = ",",
    dtype: Any = np.float64,
    targets: str = "labels",
    header: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""A CSV of numbers, one sample per row: a label column and the features.

    Read by the standard CSV rules (Python's :mod:`csv`): fields in double
    quotes may hold the delimiter or line breaks (``"cat, big"``), so files
    written with any quoting (``QUOTE_MINIMAL``, ``QUOTE_NONNUMERIC``,
    ``QUOTE_ALL``) read alike; spaces after a delimiter are skipped. Blank
    lines are skipped; a UTF-8 byte-order mark is ignored. Errors name the
    file's line and column (both counted from 1).

    Labels are whole numbers (``y`` int64, read exactly: ``9007199254740993``
    stays itself, where a float64 would merge it with its neighbour) or, when
    no label is a number, strings (``y`` of dtype str; map them to classes
    ``0..K-1`` with ``np.unique(y, return_inverse=True)``). A label that is a
    number but not a whole one (``1.5``, ``nan``), one outside int64
    (``1e20``), and a column mixing numbers with text (``NA`` among numbers: a
    missing label) are errors naming the line. With ``targets="real"``
    (regression) the column holds real values (``y`` float64).

    Parameters
    ----------
    path : str or path-like
    label_column : int, default 0
        The labels' column, counted from 0 (negative: from the end).
    delimiter : str, default ","
    dtype : float64 or float32
        The dtype of ``X``.
    targets : {"labels", "real"}
    header : bool or None, default None
        Whether line 1 is a header (skipped) or a sample. None: detected.
        Line 1 is a header when

        1. none of its feature fields is a number, and at least one is a
           name (``label,a,b``), not a mark of a missing value (an empty
           field, ``NA``, ``N/A``, ``null``, ``?`` ...); or
        2. its label field is a name while line 2's label is a number
           (``label,0,1,...,63``, as pandas writes a DataFrame with numbered
           feature columns); or
        3. its features are exactly the column numbers ``0..n-1`` or
           ``1..n`` (n >= 2) and its label field is a name that no other
           line's label repeats (a header's name, not a class). A guess: a
           class of one sample could hold those values, so a
           :class:`CSVHeaderWarning` says that line 1 was skipped.

        Otherwise line 1 is a sample: a field of it that is not a number (a
        missing value) is an error naming line 1 and its column, as on any
        other line. A header whose label column is numbered too
        (``0,1,...,64``) is not detected: pass ``header=True``.

    Returns
    -------
    X : ndarray, shape (m, n)
    y : ndarray, shape (m,)
        int64 labels, str labels, or float64 targets.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When a field is not a number (naming its line and column), rows differ in
        length, a label is not a whole number (with ``targets="labels"``), the
        file holds no samples, or ``targets`` is neither "labels" nor "real".

    Examples
    --------
    >>> import pathlib, tempfile, bprop
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
    >>> _ = path.write_text("label,0,1\n9007199254740993,0.5,1\n9007199254740992,2,3\n")
    >>> X, y = bprop.data.load_csv(path)
    >>> X.tolist(), y.tolist()
    ([[0.5, 1.0], [2.0, 3.0]], [9007199254740993, 9007199254740992])
    """
    X, labels, lines = _read_csv(Path(path), delimiter, label_column, header)
    assert labels is not None
    y = _parse_labels(
        np.char.strip(labels), lines, label_column % (X.shape[1] + 1) + 1, str(path), targets
    )
    return _features_and_labels(X, y, dtype, str(path), targets)


def load_csv_features(
    path: str | os.PathLike,
    *,
    delimiter: str = ",",
    dtype: Any = np.float64,
    header: bool | None = None,
) -> np.ndarray:
    r"""A CSV of features only (no label column), read as :func:`load_csv` reads one.

    ``header``: whether line 1 is a header (skipped) or a sample; None
    (the default) detects it by :func:`load_csv`'s rules without a label:
    line 1 is a header when none of its fields is a number and one at least
    is a name (``a,b,c``), or when it is exactly the column numbers
    ``0..n-1`` or ``1..n`` (n >= 2), as pandas writes a DataFrame with
    numbered columns, and line 2 is not such a run of integers too (toy data:
    ``1,2,3`` then ``4,5,6``: samples). The second is a guess (a first sample
    could hold those values: ``0,1`` of XOR's inputs), so a
    :class:`CSVHeaderWarning` says that line 1 was skipped; pass
    ``header=False`` to read it as a sample, ``header=True`` to skip it
    without the warning. Otherwise a field of line 1 that is not a number is
    an error naming line 1 and its column, as on any other line.

    Parameters
    ----------
    path : str or path-like
    delimiter : str, default ","
    dtype : {numpy.float64, numpy.float32}, default numpy.float64
        The dtype of ``X``.
    header : bool or None, default None
        Whether line 1 is a header; None: detected, as above.

    Returns
    -------
    X : ndarray, shape (m, n)

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When a field is not a number (naming its line and column), rows differ in
        length, or the file holds no samples.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from bprop.data import load_csv_features
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_text("a,b\n1,2\n3,4.5\n")
    >>> load_csv_features(path, dtype="float32")
    array([[1. , 2. ],
           [3. , 4.5]], dtype=float32)
    """
    X, _, _ = _read_csv(Path(path), delimiter, None, header)
    return _features_and_labels(X, np.zeros(X.shape[0], dtype=np.int64), dtype, str(path))[0]


class CSVHeaderWarning(UserWarning):
    r""":func:`load_csv` or :func:`load_csv_features` took a first line of
    column numbers (``0,1,...,n-1``) for a header by guess; ``header=True`` or
    ``header=False`` says which it is.

    Examples
    --------
    >>> import pathlib, tempfile, warnings
    >>> from bprop.data import CSVHeaderWarning, load_csv_features
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_text("0,1\n5,7\n2,9\n")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     X = load_csv_features(path)
    >>> X.shape, caught[0].category is CSVHeaderWarning
    ((2, 2), True)
    >>> load_csv_features(path, header=False).shape      # line 1 is a sample: no warning
    (3, 2)
    """


@contextlib.contextmanager
def open_text(path: str | os.PathLike) -> Iterator[IO[str]]:
    """``path`` opened to read UTF-8 text (a byte-order mark skipped, newlines
    as they are); bytes that are not UTF-8, met while the block reads, become a
    ValueError naming the file instead of the codec's message."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            yield f
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{path}: not a text CSV file in UTF-8 (it holds the byte "
            f"0x{e.object[e.start]:02x}, which is not UTF-8 text): a binary file, or "
            f"text in another encoding (save it as UTF-8)"
        ) from None


_CHUNK_CHARS = 1 << 22  # characters of fields converted to numbers at a time (as a text
# array of 4 bytes a character): bounded temporary memory


def _csv_records(path: Path, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(the line a record starts on, counted from 1; its fields) for every record
    that is not blank, read by the csv module's rules: a field in double quotes
    may hold the delimiter, line breaks and doubled quotes (``""``); spaces after
    a delimiter are skipped (so ``1, "a"`` reads ``a``)."""
    if len(delimiter) != 1:
        raise ValueError(f"delimiter must be one character, got {delimiter!r}")
    if delimiter in '"\r\n':
        raise ValueError(f"delimiter {delimiter!r} cannot separate CSV fields")
    refuse_special_file(path)
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
                where, what = (
                    (
                        opened,
                        "unbalanced quote: the quoted field that begins on "
                        "this line is never closed",
                    )
                    if opened is not None
                    else (reader.line_num, str(e))
                )
                raise ValueError(
                    f"{path}: line {where}: {what} (CSV quoting: a quoted "
                    f"field ends with a quote followed by the delimiter or the "
                    f"line's end)"
                ) from None
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


def refuse_special_file(path: str | os.PathLike) -> None:
    """A data file must be a regular file: reading a FIFO would wait for a writer
    forever, and a directory or device is no data."""
    kind = special_file_kind(path)
    if kind is not None:
        raise ValueError(f"{path} is {kind}, not a data file")


def csv_width(path: str | os.PathLike, delimiter: str = ",") -> int:
    """Fields in the first record of a CSV that is not blank (0 for an empty file)."""
    return next((len(fields) for _, fields in _csv_records(Path(path), delimiter)), 0)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# What marks a missing value (pandas' na_values, and the "?" of many UCI files), in any
# case: a field like these is a sample's gap, never a column's name.
_MISSING = {
    "",
    "?",
    "na",
    "n/a",
    "nan",
    "-nan",
    "null",
    "none",
    "<na>",
    "#n/a",
    "#n/a n/a",
    "#na",
    "-1.#ind",
    "-1.#qnan",
    "1.#ind",
    "1.#qnan",
}


def _is_name(text: str) -> bool:
    """A field that can name a column: not a number, not a missing-value mark."""
    return not _is_number(text) and text.strip().casefold() not in _MISSING


def _integer_run(fields: list[str], starts: tuple[int, ...] | None = None) -> bool:
    """Whether ``fields`` are written as consecutive integers k, k+1, ..., k+n-1
    (n >= 2), with k in ``starts`` when given."""
    texts = [f.strip() for f in fields]
    try:
        k = int(texts[0])
    except (ValueError, IndexError):
        return False
    return (
        len(texts) >= 2
        and (starts is None or k in starts)
        and texts == [str(i) for i in range(k, k + len(texts))]
    )


def _header_rule(first: list[str], second: list[str] | None, label_col: int | None) -> int:
    """Which of :func:`load_csv`'s header rules makes line 1 (``first``, its
    fields; ``second``: line 2's, or None) a header: 1, 2 or 3 (a guess), or 0
    (a sample)."""
    features = first if label_col is None else first[:label_col] + first[label_col + 1 :]
    if not any(map(_is_number, features)) and any(map(_is_name, features)):
        return 1
    if second is None:  # a file of one line of numbers: a sample
        return 0
    numbered = _integer_run(features, (0, 1))  # rule 3, a guess
    if label_col is None:  # (over more runs of integers, toy data: 1,2,3 then 4,5,6)
        return 3 if numbered and not _integer_run(second) else 0
    if not _is_name(first[label_col]):
        return 0
    if len(second) > label_col and _is_number(second[label_col]):
        return 2
    return 3 if numbered else 0  # (then the caller checks that the label is no class)


def _read_csv(
    path: Path, delimiter: str, label_column: int | None, header: bool | None = None
) -> tuple[np.ndarray, np.ndarray | None, list[int]]:
    """(features as float64, the label column's text or None, each row's line);
    ``header`` as :func:`load_csv` takes it."""
    if header not in (None, True, False):
        raise TypeError(f"header must be True, False or None (detect it), got {header!r}")
    records = _csv_records(path, delimiter)
    first = next(records, None)
    if first is None:
        raise ValueError(f"{path}: the file is empty")
    width = len(first[1])
    need = 1 if label_column is None else 2
    if width < need or (label_column is not None and not -width <= label_column < width):
        raise ValueError(
            f"{path}: {width} column(s) split by {delimiter!r}; need a label column "
            f"({label_column}) and at least one feature (another delimiter?)"
        )
    label_col = None if label_column is None else label_column % width
    feature_cols = [c for c in range(width) if c != label_col]
    first_features = [first[1][c] for c in feature_cols]
    rule = 0  # the header rule that decided (when detected)
    if header is None:
        second = next(records, None)
        if second is not None:
            records = itertools.chain([second], records)
        rule = _header_rule(first[1], None if second is None else second[1], label_col)
        header = rule > 0
    # rule 3 with labels: line 1 is a header unless its label names a class of the data
    pending = rule == 3 and label_col is not None

    def guessed() -> None:
        shown = ",".join(t.strip() for t in first[1])
        shown = shown if len(shown) <= 40 else shown[:30] + "..." + shown[-8:]
        warnings.warn(
            f"{path}: line 1 ({shown}) is taken for a header of column numbers, as "
            f"pandas writes one, and skipped; pass header=False if it is a sample, "
            f"header=True to say it is a header",
            CSVHeaderWarning,
            stacklevel=user_stacklevel(),
        )

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
                        line = lines[len(lines) - len(chunk) + r]
                        hint = " (if line 1 is a header, pass header=True)" if line == 1 else ""
                        raise ValueError(
                            f"{path}: line {line}, column {feature_cols[j] + 1}: "
                            f"{text.strip()!r} is not a number{hint}"
                        ) from None
            raise
        chunk.clear()

    def add(number: int, values: list[str]) -> None:
        nonlocal longest
        if label_col is None:
            features = values
        else:
            features = values[:label_col] + values[label_col + 1 :]
            labels.append(values[label_col])
        chunk.append(features)
        lines.append(number)
        longest = max(longest, max(map(len, features)))
        if len(chunk) * len(features) * longest >= _CHUNK_CHARS:
            convert()
            longest = 1

    if rule == 3 and not pending:
        guessed()
    if not header:
        add(*first)
    for number, values in records:
        if len(values) != width:
            raise ValueError(
                f"{path}: line {number} has {len(values)} columns, the first row has {width}"
            )
        add(number, values)
    if not lines:
        raise ValueError(f"{path}: no data rows after the header")
    if chunk:
        convert()
    X = np.concatenate(blocks) if len(blocks) > 1 else blocks[0]
    if pending and label_col is not None:
        if first[1][label_col].strip() in {t.strip() for t in labels}:  # a class: a sample
            X = np.concatenate([np.array([first_features], dtype=np.float64), X])
            lines.insert(0, first[0])
            labels.insert(0, first[1][label_col])
        else:
            guessed()
    if not np.isfinite(X).all():
        r, c = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(
            f"{path}: line {lines[r]}, column {feature_cols[c] + 1}: {X[r, c]} "
            f"(features must be finite numbers)"
        )
    return X, None if label_col is None else np.array(labels, dtype=str), lines


_INT64 = (-(2**63), 2**63 - 1)


def _parse_labels(
    texts: np.ndarray, lines: list[int], column: int, source: str, targets: str
) -> np.ndarray:
    """A CSV's label column (stripped text; ``lines``: each row's line, ``column``
    counted from 1) as float64 targets, exact int64 labels, or strings."""

    def where(r: int) -> str:
        return f"{source}: line {lines[r]}, column {column}"

    if targets == "real":
        try:
            return texts.astype(np.float64)
        except ValueError:
            r = next(i for i, t in enumerate(texts) if not _is_number(t))
            raise ValueError(
                f"{where(r)}: {checks.shown(texts[r])}: the target column holds "
                f"text; regression needs numbers"
            ) from None
    try:
        return texts.astype(np.int64)  # whole numbers written as integers: exact
    except (ValueError, OverflowError):
        pass
    empty = np.flatnonzero(np.char.str_len(texts.astype(str)) == 0)
    if empty.size:  # names with one left out would otherwise make a class ""
        raise ValueError(f"{where(int(empty[0]))}: the label is missing (an empty field)")
    unique, first, inverse = np.unique(texts, return_index=True, return_inverse=True)
    numbers = np.array([_is_number(t) for t in unique])
    if not numbers.any():
        return texts  # names
    if not numbers.all():  # a missing label ("NA", ""), or names that look like numbers
        numeric = numbers[inverse.reshape(-1)]
        rarer = bool(numeric.sum() * 2 < numeric.size)  # the kind of fewer labels: a number?
        r, o = int(np.argmax(numeric == rarer)), int(np.argmax(numeric != rarer))
        kind = (
            "is a number, while most labels are names"
            if rarer
            else "is not a number, while most labels are"
        )
        raise ValueError(
            f"{where(r)}: label {checks.shown(texts[r])} {kind} (line {lines[o]}: "
            f"{checks.shown(texts[o])}): labels are all whole numbers or all names"
            f"{'' if rarer else ' (a missing label?)'}"
        )
    values = []
    for text, r in zip(unique, first):  # each distinct label once, exactly (no float64)
        try:
            d = decimal.Decimal(str(text).replace("_", ""))
        except decimal.InvalidOperation:  # a number to float() in a form Decimal does not read
            d = decimal.Decimal(float(text))
        if not d.is_finite() or d != d.to_integral_value():
            raise ValueError(
                f"{where(r)}: label {checks.shown(text)} is not a whole number: "
                f"labels must be whole numbers or names (for real-valued targets "
                f"read them with targets='real'; the command line: --output "
                f"identity)"
            )
        if not _INT64[0] <= d <= _INT64[1]:
            raise ValueError(
                f"{where(r)}: label {checks.shown(text)} is outside the range of "
                f"int64 labels (-2**63 to 2**63 - 1)"
            )
        values.append(int(d))
    return np.array(values, dtype=np.int64)[inverse.reshape(-1)]


def _features_and_labels(
    X: Any, y: Any, dtype: Any, source: str, targets: str = "labels"
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
    return np.ascontiguousarray(X, dtype=dt), _int64_labels(y, source)


def _int64_labels(y: np.ndarray, source: str) -> np.ndarray:
    """Labels (bool, int, uint or float: as checks.as_array lets through) as
    int64, exactly: whole numbers within int64 and, stored as floats, within
    +-2**53 (where every whole number has a float of its own); else a
    ValueError naming the first label that is not."""
    if y.dtype.kind == "u" and y.size and y.max() > _INT64[1]:
        bad = np.flatnonzero(y > _INT64[1])
        why = "is above int64's largest value, 2**63 - 1"
    elif y.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~(np.isfinite(y) & (y == np.round(y))))
        why = (
            "is not a whole number: labels must be whole numbers (for real-valued targets "
            "read them with targets='real'; the command line: --output identity)"
        )
        if not bad.size:
            bad = np.flatnonzero(np.abs(y) >= 2.0**53)
            why = (
                "is stored as a float, and from 2**53 on floats cannot tell every whole "
                "number apart (distinct labels may have merged already): store labels as "
                "integers"
            )
    else:
        return y.astype(np.int64)
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"{source}: label {checks.shown(y[i])} at sample {i} (from 0) {why}")
    return y.astype(np.int64)
