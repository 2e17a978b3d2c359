"""A ``--data`` value parsed once: which data set or file it names, and how to read it.

The command line, the MPI run (``train --distributed``, :func:`bprop.distributed.load_shard`)
and ``evaluate`` all read data through a :class:`DataSource`: the whole data, one split of a
data set that has its own (MNIST's test images), one MPI rank's shard, or the inputs alone
(predict), in the dtype asked for. It also names the files read and fingerprints them, and
gives the spec a model file records. A new data format is a new ``kind`` here (and its loader
in ``files.py`` or ``idx.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .._internal.atomic import special_file_kind
from .datasets import (
    FASHION_MNIST_CLASSES,
    fashion_mnist_directory,
    load_digits,
    load_mnist,
    mnist_files,
)
from .files import csv_width, load_csv, load_csv_features, load_npz, npz_length
from .idx import idx_shape

DATA_HELP = (
    "digits (the 8x8 digits shipped with bprop) | fashion-mnist[:DIR] | "
    "mnist:DIR | FILE.npz (arrays X, y) | FILE.csv, .tsv or .txt (label column "
    "first)"
)
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
IDX_KINDS = ("fashion-mnist", "mnist")


class DataSpecError(ValueError):
    """A ``--data`` value that cannot be read as asked; the message names the flag."""


def file_kind(spec: str) -> str | None:
    """What a file holds by its suffix, in any case: "npz" (arrays), "csv" (text:
    .csv, .tsv, .txt), or None (not a file bprop reads)."""
    suffix = Path(spec).suffix.lower()
    return "npz" if suffix == ".npz" else "csv" if suffix in TEXT_SUFFIXES else None


@dataclass(frozen=True)
class DataSource:
    """A parsed ``--data`` value.

    Attributes
    ----------
    spec : str
        The value as given (what messages show).
    kind : {"digits", "fashion-mnist", "mnist", "npz", "csv"} or None
        None: not data bprop reads (an error once something is read).
    location : str
        The file (npz, csv) or the IDX directory ("" for fashion-mnist's default place).
    """

    spec: str
    kind: str | None
    location: str = ""

    @classmethod
    def parse(cls, spec: str) -> DataSource:
        """The source a ``--data`` value names: a data set by name first, then a file by
        its suffix."""
        name, colon, directory = spec.partition(":")
        if name in IDX_KINDS and (colon or spec == name):
            return cls(spec, name, directory)
        if spec == "digits":
            return cls(spec, "digits")
        return cls(spec, file_kind(spec), spec)

    @property
    def has_test_split(self) -> bool:
        """Whether the data set has its own test split ((Fashion-)MNIST)."""
        return self.kind in IDX_KINDS

    @property
    def is_file(self) -> bool:
        """Whether the value names one file (.npz or text)."""
        return self.kind in ("npz", "csv")

    @property
    def class_names(self) -> list[str] | None:
        """The data set's names of its classes (Fashion-MNIST's), else None."""
        return list(FASHION_MNIST_CLASSES) if self.kind == "fashion-mnist" else None

    def delimiter(self, given: str | None) -> str:
        """``given`` when not None, else a tab for .tsv and a comma otherwise (as
        :func:`bprop.data.load_csv`, which reads any text file, defaults to ',')."""
        if given is not None:
            return given
        return "\t" if Path(self.spec).suffix.lower() == ".tsv" else ","

    def columns(self, delimiter: str) -> int:
        """Fields in the first record of a text file (a header counts), by the CSV rules
        the loaders read it with."""
        try:
            return csv_width(self.location, delimiter)
        except ValueError as e:  # not UTF-8 text, or broken quoting
            raise DataSpecError(f"--data {e}") from None

    def directory(self) -> Path:
        """The IDX files' directory of (Fashion-)MNIST."""
        if self.kind == "mnist" and not self.location:
            raise DataSpecError("--data mnist needs a directory: mnist:DIR")
        if self.kind == "fashion-mnist":
            return fashion_mnist_directory(self.location or None)
        return Path(self.location)

    def load_whole(
        self, dtype: Any, delimiter: str | None = None, targets: str = "labels"
    ) -> tuple[np.ndarray, np.ndarray]:
        """All of a data set without a test split of its own: digits, .npz or a text
        file (``delimiter`` None: by its suffix); ``targets="real"`` for regression."""
        if targets == "real" and not self.is_file:
            raise DataSpecError(
                f"--output identity (regression) needs real targets from FILE.npz or "
                f"FILE.csv; --data {self.spec} holds class labels"
            )
        if self.kind == "digits":
            return load_digits(dtype=dtype)
        if self.kind == "npz":
            return load_npz(self.location, dtype=dtype, targets=targets)
        if self.kind == "csv":
            delimiter = self.delimiter(delimiter)
            if self.columns(delimiter) == 1:  # (0: an empty file, which load_csv reports)
                raise DataSpecError(
                    f"--data {self.spec}: 1 column split by {delimiter!r}; the file "
                    f"needs a label column and at least one feature (another "
                    f"--delimiter?)"
                )
            return load_csv(self.location, dtype=dtype, delimiter=delimiter, targets=targets)
        raise DataSpecError(f"unknown --data {self.spec!r}; use {DATA_HELP}")

    def load_split(self, split: str, dtype: Any) -> tuple[np.ndarray, np.ndarray]:
        """One split ("train" or "test") of a data set with its own test split."""
        return load_mnist(self.directory(), split, dtype=dtype)

    def load_shard(self, split: str, comm: Any, dtype: Any) -> tuple[np.ndarray, np.ndarray, int]:
        """This MPI rank's contiguous rows ``(X_shard, y_shard, m_total)`` of an .npz or
        of an IDX split, read without the rest of the file."""
        from ..distributed.shards import shard_range

        if self.kind == "npz":
            m = npz_length(self.location)
            X, y = load_npz(self.location, dtype=dtype, rows=shard_range(m, comm))
            return X, y, m
        if not self.has_test_split or (self.kind == "mnist" and not self.location):
            raise ValueError(
                f"load_shard reads fashion-mnist[:DIR], mnist:DIR or FILE.npz, got {self.spec!r}"
            )
        d = self.directory()
        images, _ = mnist_files(d, split)
        m = idx_shape(images)[0]
        X, y = load_mnist(d, split, dtype=dtype, rows=shard_range(m, comm))
        return X, y, m

    def load_inputs(self, n_inputs: int, delimiter: str | None, targets: str) -> np.ndarray:
        """The inputs to predict, float64: an .npz's X, a text file of features (with or
        without a label column first), or a data set's inputs (its test split)."""
        if self.kind == "digits":
            return load_digits()[0]
        if self.has_test_split:
            return load_mnist(self.directory(), "test")[0]
        special = special_file_kind(self.spec)
        if special is not None:
            raise DataSpecError(f"--data {self.spec} is {special}, not a data file")
        if not Path(self.spec).is_file():
            raise DataSpecError(f"--data {self.spec}: no such file")
        if self.kind == "npz":
            with open(self.location, "rb") as fh, np.load(fh, allow_pickle=False) as f:
                if "X" not in f.files:
                    raise DataSpecError(
                        f"--data {self.spec}: needs an array 'X'; it has {sorted(f.files)}"
                    )
                X = np.asarray(f["X"], dtype=np.float64)
            return X.reshape(X.shape[0], -1) if X.ndim > 1 else X.reshape(1, -1)
        if self.kind != "csv":
            raise DataSpecError(
                f"--data {self.spec}: predict reads FILE.npz or FILE.csv (.tsv, .txt)"
            )
        delimiter = self.delimiter(delimiter)
        width = self.columns(delimiter)  # one column more than inputs: labels first
        if width not in (n_inputs, n_inputs + 1):
            raise DataSpecError(
                f"--data {self.spec}: {width} column(s) split by {delimiter!r}, but the model "
                f"takes {n_inputs} inputs (another --delimiter?)"
            )
        if width == n_inputs + 1:
            return load_csv(self.location, delimiter=delimiter, targets=targets)[0]
        return load_csv_features(self.location, delimiter=delimiter)

    def files(self, splits: tuple[str, ...] = ("train", "test")) -> dict[str, Any]:
        """The files read, by file name (a path or a packaged resource): what the
        fingerprint covers. ``splits``: the parts of a data set with its own test split."""
        if self.has_test_split:
            d = self.directory()
            return {p.name: p for part in splits for p in mnist_files(d, part)}
        if self.kind == "digits":
            return {"digits.npz": resources.files("bprop").joinpath("_data/digits.npz")}
        if self.is_file:
            return {Path(self.spec).name: Path(self.spec)}
        return {}

    def fingerprint(self, splits: tuple[str, ...] = ("train", "test")) -> dict[str, Any]:
        """Size and SHA-256 of each file read, in chunks: what ``evaluate`` compares to
        know that the data are the ones a model was trained on."""
        return fingerprint(self.files(splits))

    def record(self) -> str:
        """The spec a model file records: a data file by its absolute path (and
        mnist's directory), so that ``evaluate`` finds it from any directory."""
        if self.is_file:
            return str(Path(self.spec).resolve())
        if self.kind == "mnist" and self.spec.startswith("mnist:"):
            return "mnist:" + str(Path(self.location).resolve())
        return self.spec


def fingerprint(files: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Size and SHA-256 of each file (a path or a resource), read in chunks."""
    out = {}
    for name, path in files.items():
        digest, size = hashlib.sha256(), 0
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        out[name] = {"size": size, "sha256": digest.hexdigest()}
    return out


__all__ = ["DATA_HELP", "DataSource", "DataSpecError", "file_kind", "fingerprint"]
