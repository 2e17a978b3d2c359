"""What ``train``, ``train --distributed`` and ``evaluate`` share: data sets, the
one split rule, classes, the model file's record of them, and the flags' types.
The commands (``commands``) and the MPI run (``mpi``) both import this, never
each other at module level."""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import data as bdata
from .._internal import checks
from .._internal.threads import resolve_num_threads
from ..data.prepare import empty_part
from ..data.sources import DataSource, file_kind
from ..model_file import load, save
from ..network import Network
from ..schedules import Schedule, get_schedule
from ..training.settings import LBFGS_MAX_FUN


class CliError(Exception):
    """A problem to report in one line."""


def split_shard(
    X: np.ndarray,
    y: np.ndarray,
    fraction: float,
    seed: int,
    rank: int = 0,
    ranks: int = 1,
    flag: str = "--test-fraction",
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shard ``rank`` of ``ranks`` split into ``(X_train, y_train, X_test, y_test)``,
    seeded by ``seed`` (one shard) or ``[seed, rank]``; stratified by class when
    y holds labels (not real targets)."""
    stratify = y.ndim == 1 and y.dtype.kind != "f"
    empty = empty_part(y, fraction, stratify)
    if empty:  # said here, naming the flag (train_validation_split names its parameter)
        raise CliError(f"{flag} {fraction:g} {empty}")
    Xtr, Xte, ytr, yte = bdata.train_validation_split(
        X, y, fraction, seed=seed if ranks == 1 else [seed, rank], stratify=stratify
    )
    return Xtr, ytr, Xte, yte


def split(
    X: np.ndarray, y: np.ndarray, fraction: float, seed: int, ranks: int = 1
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The one split rule: ``(X_train, y_train, X_test, y_test)``. An .npz trained
    on ``ranks`` MPI ranks was split shard by shard (each rank its contiguous
    rows); the same rule rebuilds that split from the whole file, so
    ``evaluate`` scores exactly the rows that training held out."""
    parts = [
        split_shard(
            X[r * len(y) // ranks : (r + 1) * len(y) // ranks],
            y[r * len(y) // ranks : (r + 1) * len(y) // ranks],
            fraction,
            seed,
            r,
            ranks,
        )
        for r in range(ranks)
    ]
    Xtr, ytr, Xte, yte = (np.concatenate([p[i] for p in parts]) for i in range(4))
    return Xtr, ytr, Xte, yte


@dataclass
class DataSet:
    """The training and test parts of a --data value, and its classes' names."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str] | None


def load_data(
    source: DataSource,
    dtype: np.dtype,
    seed: int,
    test_fraction: float | None,
    delimiter: str | None = None,
    targets: str = "labels",
    raw_pixels: bool = False,
    ranks: int = 1,
) -> DataSet:
    """The training and test parts of a --data value: (Fashion-)MNIST's own test
    split, or the split rule with ``test_fraction`` (default 0.2) applied as on
    ``ranks`` shards (see :func:`split`). With
    ``raw_pixels``, (Fashion-)MNIST images stay uint8 (an eighth of float64's
    memory), which bprop reads scaled by 1/255: the same bits as scaled floats."""
    if source.has_test_split:
        if targets == "real":
            source.load_whole(dtype, delimiter, targets)  # raises: labels only
        if test_fraction is not None:
            raise CliError(f"--test-fraction: --data {source.spec} has its own test split")
        pixels = np.uint8 if raw_pixels else dtype
        Xtr, ytr = source.load_split("train", pixels)
        Xte, yte = source.load_split("test", pixels)
        return DataSet(Xtr, ytr, Xte, yte, source.class_names)
    X, y = source.load_whole(dtype, delimiter, targets)
    Xtr, ytr, Xte, yte = split(X, y, 0.2 if test_fraction is None else test_fraction, seed, ranks)
    return DataSet(Xtr, ytr, Xte, yte, None)


def class_values(*labels: np.ndarray) -> np.ndarray:
    """The classes present in the data, sorted: what output unit k stands for."""
    classes = np.unique(np.concatenate([np.asarray(y).ravel() for y in labels]))
    if classes.size < 2:
        only = shown_label(classes[0]) if classes.size else "none"
        raise CliError(
            f"the data hold a single class (label {only}): a classifier needs at least two"
        )
    return classes


def to_class_indices(y: np.ndarray, classes: np.ndarray, what: str) -> np.ndarray:
    """Labels -> output units 0..K-1; a label the model never saw is an error."""
    y = np.asarray(y)
    if classes.dtype.kind in "US" or y.dtype.kind in "US":
        classes, y = classes.astype(str), y.astype(str)
    idx = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
    unknown = classes[idx] != y
    if unknown.any():
        raise CliError(
            f"{what} has labels the model does not know "
            f"({shown_labels(np.unique(y[unknown]), 5)}); its classes are "
            f"{shown_labels(classes, 20)}"
        )
    return idx.astype(np.int64)


def classes_from_meta(meta: dict, K: int) -> np.ndarray:
    classes = meta.get("classes")
    if classes is None:  # files from before 0.2: labels were the output units
        return np.arange(K)
    return np.asarray(classes)


# A label on one line: \\, \n, \r, \t for a backslash, line feed, carriage return and tab;
# other control characters and Unicode's line and paragraph separators as \xNN, \uNNNN.
_LABEL_ESCAPES = {
    **{c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))},
    ord("\\"): "\\\\",
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}

LABEL_ESCAPES_HELP = (
    "a label's backslash, line feed, carriage return and tab print as \\\\, "
    "\\n, \\r and \\t (other control characters as \\xNN), so that each "
    "label is one line"
)


def shown_label(label: Any) -> str:
    """A class label as ``predict`` prints it and messages name it: on one line,
    with backslash escapes (see ``LABEL_ESCAPES_HELP``)."""
    return str(label).translate(_LABEL_ESCAPES)


def shown_labels(labels: Any, most: int) -> str:
    """The first ``most`` labels, escaped, joined by commas (" ..." when there are more)."""
    labels = list(labels)
    return ", ".join(map(shown_label, labels[:most])) + (" ..." if len(labels) > most else "")


def display_names(classes: np.ndarray, class_names: Sequence[str] | None) -> list[str]:
    if class_names is not None and len(class_names) == len(classes):
        return list(class_names)
    return [str(c) for c in classes]


def check_memory(sizes: Sequence[int], dtype: np.dtype, flag: str = "--hidden") -> None:
    """Refuse, before allocating, a network that cannot fit: weights, gradient and
    the optimiser's state take about four copies."""
    weights = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    need = 4 * weights * np.dtype(dtype).itemsize
    try:
        have = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return
    if need > have:
        raise CliError(
            f"{flag}: a {'-'.join(map(str, sizes))} network has {weights:,} weights, "
            f"which need about {need / 2**30:,.1f} GiB of memory as {dtype} (weights, "
            f"gradient, optimiser state); this machine has {have / 2**30:,.1f} GiB"
        )


def parse_hidden(text: str, flag: str = "--hidden") -> list[int]:
    """Hidden layer sizes: "25", "100,50", or "none" for no hidden layer."""
    if text.strip().lower() == "none":
        return []
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        raise CliError(f"{flag} must be sizes like 25 or 100,50 (or none); got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise CliError(f"{flag} sizes must be >= 1; got {text!r}")
    return sizes


def input_scale(X: np.ndarray) -> float:
    """The largest |x| of X as training reads it (uint8 pixels as x/255)."""
    return checks.largest_input(X, checks.check_x_scale(None, X))


def scale_hint(largest: float, standardize: bool = True) -> str | None:
    """The hint printed before training when the largest input is far from unit
    scale (the rule of bprop.train's InputScaleWarning), or None."""
    if not checks.is_large_input(largest):
        return None
    remedy = (
        "add --standardize"
        if standardize
        else "scale the data's columns first (--standardize is not available with --distributed)"
    )
    return (
        f"bprop: hint: the inputs reach |x| = {largest:g}; inputs far from unit scale "
        f"saturate sigmoid and tanh units, and training may stay near chance: {remedy}"
    )


# What the Python API's messages suggest changing, in this command line's flags.
API_REMEDIES = (
    ("try a smaller learning rate", "try a smaller --learning-rate"),
    ("try a larger lambda_", "try a larger --lambda"),
    ("or scaled inputs", "or --standardize"),
    ("scale X, for example standardise it", "standardise them with --standardize"),
)


def in_flags(message: str, standardize: bool = True) -> str:
    """``message`` of a Python API error with its remedies named by flags
    (``standardize``: whether --standardize is available, as it is not with
    --distributed)."""
    for api, flags in API_REMEDIES:
        if standardize or "--standardize" not in flags:
            message = message.replace(api, flags)
    return message


# argparse types: each error names the flag (argparse adds "argument --flag:").
def _number(text: str, kind: type, expected: str, ok: Any) -> Any:
    """``kind(text)`` when it parses and ``ok`` accepts it, else an error saying
    what was expected."""
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not ok(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def path_text(text: str) -> str:
    """A file or directory name: an empty one (``--save=``, an unset ``$OUT``) is an
    error, not the flag left out."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"expected a file or directory name, got {text!r}")
    return text


def positive_int(text: str) -> int:
    return _number(text, int, "a whole number >= 1", lambda v: v >= 1)


def seed_int(text: str) -> int:
    return _number(text, int, "a seed, a whole number >= 0", lambda v: v >= 0)


def thread_count(text: str) -> int:
    return _number(text, int, "a count >= 1 or -1 (all cores)", lambda v: v >= 1 or v == -1)


def _real(text: str, expected: str, ok: Any) -> float:
    return _number(text, float, expected, lambda v: math.isfinite(v) and ok(v))


def positive_real(text: str) -> float:
    return _real(text, "a finite number > 0", lambda v: v > 0)


def non_negative_real(text: str) -> float:
    return _real(text, "a finite number >= 0", lambda v: v >= 0)


def schedule_spec(text: str) -> Schedule:
    """--schedule: a schedule's name and options, read by bprop.schedules.get_schedule."""
    try:
        return get_schedule(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def open_fraction(text: str) -> float:
    return _real(text, "a share between 0 and 1 (both excluded)", lambda v: 0 < v < 1)


def fraction_up_to_one(text: str) -> float:
    return _real(text, "a share in (0, 1]", lambda v: 0 < v <= 1)


def one_char(text: str) -> str:
    """--delimiter: one character that can separate CSV fields."""
    text = {"tab": "\t", "\\t": "\t"}.get(text, text)
    if len(text) != 1:
        raise argparse.ArgumentTypeError(f"expected one character (or 'tab'), got {text!r}")
    if text in '"\r\n':
        role = "quotes fields" if text == '"' else "ends lines"
        raise argparse.ArgumentTypeError(
            f"{text!r} cannot separate fields: in a CSV file it {role}"
        )
    return text


def model_record(
    plan: Any,
    classes: np.ndarray | None,
    class_names: list[str] | None,
    split_ranks: int,
    fingerprint: dict | None,
    **results: Any,
) -> dict[str, Any]:
    """What the model file keeps about the training run (``plan``, a
    :class:`~bprop.cli.train_plan.TrainPlan`): enough to rebuild its data split (and
    to know its data files unchanged: ``data_fingerprint``), to read its outputs as
    the data's labels, and the settings it ran with (the learning rate the optimiser
    used, not None for its default)."""
    s = plan.settings
    opt = s.optimizer
    # what the run used: adamw's default decay, L-BFGS's default limit on evaluations
    weight_decay = plan.weight_decay
    if weight_decay is None:
        weight_decay = getattr(opt, "weight_decay", None)
    max_fun = s.max_fun if s.max_fun is not None or not s.lbfgs else LBFGS_MAX_FUN
    return dict(
        data=plan.source.record(),
        data_fingerprint=fingerprint,
        optimizer=plan.optimizer,
        lambda_=plan.lambda_,
        learning_rate=None if opt is None else opt.learning_rate,
        weight_decay=weight_decay,
        max_fun=max_fun,
        schedule=None if s.schedule is None else s.schedule.spec(),
        clip_norm=s.clip_norm,
        shuffle=s.shuffle,
        batch_size=plan.batch_size,
        seed=plan.seed,
        test_fraction=plan.test_fraction,
        delimiter=plan.source.delimiter(plan.delimiter),
        split_ranks=split_ranks,
        class_names=class_names,
        classes=None if classes is None else classes.tolist(),
        standardize=None,
        **results,
    )


def load_model(path: str, flag: str = "MODEL") -> tuple[Network, dict]:
    try:
        thetas, meta = load(path)
    except FileNotFoundError:
        raise CliError(f"{flag} {path}: no such file") from None
    except PermissionError as e:
        raise CliError(f"{flag} {path}: cannot be read ({e.strerror})") from None
    except ValueError as e:
        raise CliError(f"{flag}: {e}") from None
    problem = _record_problem(thetas, meta)
    if problem:
        raise CliError(f"{flag} {path}: {problem} (a corrupt or edited model file?)")
    return thetas, meta


def _record_problem(thetas: Network, meta: dict) -> str | None:
    """What in a model's record does not fit its weights: the classes (one per output
    unit, two for one logistic unit) and the standardisation (a mean and a scale per
    input); None when both fit."""
    K, n = thetas[-1].shape[0], thetas[0].shape[1] - 1
    classes = meta.get("classes")
    if classes is not None and thetas.output != "identity":
        expected = 2 if K == 1 and thetas.output == "logistic" else K
        if not isinstance(classes, list) or len(classes) != expected:
            count = len(classes) if isinstance(classes, list) else checks.shown(classes)
            return f"the record names {count} classes for {K} output units ({expected} expected)"
    scaling = meta.get("standardize")
    if scaling:
        try:
            parts = [np.asarray(v, dtype=np.float64) for v in scaling]
        except (TypeError, ValueError):
            parts = []
        if len(parts) != 2 or any(p.shape != (n,) or not np.isfinite(p).all() for p in parts):
            return f"its standardisation record is not a mean and a scale for each of {n} inputs"
    return None


def check_threads(args: argparse.Namespace) -> None:
    try:
        resolve_num_threads(args.threads, "--threads")
    except ValueError as e:
        raise CliError(str(e)) from None


def changed_data(meta: dict, now: dict[str, Any]) -> list[tuple[str, str]] | None:
    """(file name, how it differs) for each file of the fingerprint ``now``
    that differs from the model's record of its data; None when the model
    records no fingerprint (bprop 0.2 recorded none)."""
    recorded = meta.get("data_fingerprint")
    if not isinstance(recorded, dict) or not recorded:
        return None
    changed = []
    for name, file in now.items():
        then = recorded.get(name)
        if then != file:
            changed.append(
                (
                    name,
                    f"{then['size']} bytes then, {file['size']} now"
                    if isinstance(then, dict) and then.get("size") != file["size"]
                    else "its content differs"
                    if isinstance(then, dict)
                    else "the model recorded other files",
                )
            )
    return changed


def check_fingerprint(
    model: str, meta: dict, spec: str, now: dict[str, Any], use: str = "score"
) -> str | None:
    """Refuse data files whose fingerprint ``now`` differs from the one of the
    files the model was trained on (``use``: what --data would do with them as
    they are now, "score" or "train on"). A model without a fingerprint (bprop
    0.2) is not refused: the note to print is returned instead."""
    changed = changed_data(meta, now)
    if changed:
        name, what = changed[0]
        raise CliError(
            f"the model was trained on {spec}, and {name} has changed since training "
            f"({what}): the rows its training held out are no longer known; pass "
            f"--data {spec} to {use} the data as they are now"
        )
    if changed is None:
        return (
            f"bprop: note: {model} records no fingerprint of its data (saved by bprop 0.2 "
            f"or earlier); cannot check that {spec} is unchanged since training"
        )
    return None


def recorded_delimiter(source: DataSource, given: str | None, meta: dict) -> str | None:
    """--delimiter when given; else, for a text file of the same kind (suffix, in
    any case) as the model's own data, the delimiter those were read with; else
    None (the default of the file's suffix)."""
    recorded, delimiter = meta.get("data"), meta.get("delimiter")
    if (
        given is not None
        or not isinstance(recorded, str)
        or not isinstance(delimiter, str)
        or len(delimiter) != 1
        or file_kind(source.spec) != "csv"
        or file_kind(recorded) != "csv"
    ):
        return given
    return delimiter if Path(source.spec).suffix.lower() == Path(recorded).suffix.lower() else None


def save_model(path: str, thetas: Network, record: dict[str, Any]) -> None:
    """``--save``: write the model; if that fails (after the check before
    training passed: a full disk, a directory gone), keep the trained model
    in the current directory or the temporary directory, and name both."""
    try:
        save(path, thetas, **record)
    except OSError as e:
        why = str(e) if str(path) in str(e) else f"{path}: {e}"
        spare = keep_unsaved(path, thetas, record)
        if spare is not None:
            raise CliError(f"--save: {why}; the trained model is kept in {spare} instead") from None
        raise CliError(
            f"--save: {why}; keeping the model in {Path.cwd()} or "
            f"{tempfile.gettempdir()} failed too: the trained model is lost"
        ) from None
    print(f"saved {path}")


def keep_unsaved(
    path: str, thetas: Network, record: dict[str, Any], beside: bool = False
) -> str | None:
    """Keep a model that cannot (or should not) be written to ``path`` as
    ``NAME.unsaved-XXXX.npz`` (``beside``: in ``path``'s directory first), in the current
    directory, else the temporary directory: the file's name, or None when none of them
    could be written."""
    stem = Path(path).stem or "model"
    first = [Path(path).parent] if beside else []
    for directory in (*first, Path.cwd(), Path(tempfile.gettempdir())):
        try:
            fd, spare = tempfile.mkstemp(prefix=f"{stem}.unsaved-", suffix=".npz", dir=directory)
            os.close(fd)
        except OSError:
            continue
        try:
            save(spare, thetas, **record)
        except OSError:
            Path(spare).unlink(missing_ok=True)
            continue
        return spare
    return None


def banner(args: Any, arch: str, thetas: Network, m: int, dtype: np.dtype, where: str = "") -> str:
    start = f", resumed from {args.resume}" if args.resume else ""
    return (
        f"training {arch} ({thetas.activation} hidden, {thetas.output} output) on {m} "
        f"samples ({args.data}){where}, optimizer {args.optimizer}, lambda {args.lambda_:g}, "
        f"{dtype}{start}"
    )


def summary(
    arch: str, J: float | None, history: Any, seconds: float, m: int, where: str = ""
) -> str:
    """The run in one line; ``J`` None: train did not compute it (history says why)."""
    note = "" if history.stopped in ("completed", "converged") else f" (stopped: {history.stopped})"
    cost = (
        f"cost J {J:.4f} on all {m} training samples"
        if J is not None
        else f"cost J not computed ({getattr(history, 'final_cost_skipped', None) or 'unknown'})"
    )
    return (
        f"{arch}: {cost} after {count(history.iterations, 'iteration')} in {seconds:.1f} "
        f"s{where}{note}"
    )


def count(n: int, noun: str) -> str:
    """ "1 rank", "4 ranks"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def scores(y_true: np.ndarray, y_pred: np.ndarray, regression: bool) -> dict[str, float]:
    """Accuracy for classes; R^2 and RMSE for regression (over all outputs)."""
    if not regression:
        return {"accuracy": float(np.mean(y_true == y_pred))}
    y_true = y_true.reshape(len(y_true), -1)
    y_pred = y_pred.reshape(len(y_pred), -1)
    residual = float(np.sum((y_true - y_pred) ** 2))
    total = float(np.sum((y_true - y_true.mean(axis=0)) ** 2))
    return {
        "R^2": 1 - residual / total if total > 0 else float("nan"),
        "RMSE": float(np.sqrt(residual / y_true.size)),
    }


def format_scores(part: str, values: dict[str, float]) -> str:
    return ", ".join(f"{part} {name} {v:.4f}" for name, v in values.items())


def interrupted_exit(args: Any, history: Any) -> int:
    """0, or 130 (as shells report Ctrl-C) for a run stopped by Ctrl-C, whose
    model was still saved: the file records ``stopped: "interrupted"``."""
    if history.stopped != "interrupted":
        return 0
    kept = (
        f"; {args.save} holds the interrupted run (its metadata: stopped 'interrupted')"
        if args.save
        else ""
    )
    print(f"bprop: interrupted after {history.iterations} iterations{kept}", file=sys.stderr)
    return 130
