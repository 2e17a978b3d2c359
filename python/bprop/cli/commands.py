"""The commands of ``python -m bprop`` (train, evaluate, predict, export, gradcheck) and their
parser.

Errors in arguments or data print one line on stderr, naming the flag or file
at fault, and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from .. import __version__
from .. import data as bdata
from .._internal.atomic import check_writable_directory
from .._internal.checks import ACTIVATIONS, OUTPUTS
from .._internal.metrics import confusion_counts
from ..data.sources import DATA_HELP, DataSource
from ..export import INPUT_DTYPES, OPSET, export_onnx, replace_problem, require_onnx
from ..init import debug_matrix, initialize
from ..model_file import looks_like_model
from ..network import Network, predict
from ..optim import OPTIMIZER_NAMES, OPTIMIZERS
from ..params import layer_sizes
from ..schedules import SCHEDULES
from ..training import InputScaleWarning, ScheduleError, TrainingDiverged, train
from .common import (
    LABEL_ESCAPES_HELP,
    CliError,
    DataSet,
    banner,
    check_fingerprint,
    check_memory,
    check_threads,
    class_values,
    classes_from_meta,
    count,
    display_names,
    format_scores,
    fraction_up_to_one,
    in_flags,
    input_scale,
    interrupted_exit,
    keep_unsaved,
    load_data,
    load_model,
    model_record,
    non_negative_real,
    one_char,
    open_fraction,
    parse_hidden,
    path_text,
    positive_int,
    positive_real,
    recorded_delimiter,
    save_model,
    scale_hint,
    schedule_spec,
    scores,
    seed_int,
    shown_label,
    split,
    split_shard,
    summary,
    thread_count,
    to_class_indices,
)
from .train_plan import TrainPlan, check_schedule, plan_train


def format_report(y_true: np.ndarray, y_pred: np.ndarray, names: list[str]) -> str:
    """Accuracy, per-class accuracy and the confusion matrix; y are output units."""
    K = len(names)
    names = [shown_label(n) for n in names]  # one line each
    cm = confusion_counts(y_true, y_pred, K)
    width = max(len(n) for n in names)
    lines = [f"accuracy {np.mean(y_true == y_pred):.4f} on {len(y_true)} samples", "per class:"]
    for k in range(K):
        n = cm[k].sum()
        acc = f"{cm[k, k] / n:.4f}" if n else "  n/a "
        lines.append(f"  {names[k]:>{width}}  {acc}  ({n} samples)")
    lines.append("confusion matrix (rows: true class, columns: predicted):")
    cell = max(4, len(str(cm.max())) + 1)
    lines.append(" " * (width + 2) + "".join(f"{k:>{cell}}" for k in range(K)))
    for k in range(K):
        lines.append(f"  {names[k]:>{width}}" + "".join(f"{v:>{cell}}" for v in cm[k]))
    return "\n".join(lines)


def same_file(a: str, b: str) -> bool:
    """Whether two paths name one file: by the file system when both are
    there, else by their resolved paths."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return Path(a).resolve() == Path(b).resolve()


def check_save_target(args: Any) -> None:
    """--save names a model file (.npz) that may be replaced: never the data it
    trains on, nor a file there that is not a model (data of another kind,
    a FIFO or a device), nor a directory it cannot write in."""
    target, data = args.save, getattr(args, "data", None)
    if data and DataSource.parse(data).is_file and same_file(target, data):
        raise CliError(
            f"--save {target} is the file of --data {data}: the model would replace "
            f"the data; name another file for the model"
        )
    if Path(target).suffix.lower() != ".npz":
        raise CliError(
            f"--save {target}: a model file is an .npz archive; name it "
            f"{Path(target).stem or 'model'}.npz (or another name ending in .npz)"
        )
    try:
        check_writable_directory(target)  # (refuses a FIFO, a device, a directory)
    except OSError as e:
        raise CliError(f"--save: {e}") from None
    if (
        os.path.isfile(target)
        and os.path.getsize(target)
        and os.access(target, os.R_OK)
        and not looks_like_model(target)
    ):
        raise CliError(
            f"--save {target}: the file is there and is not a bprop model (data, or "
            f"another program's file?); the model would replace it: name another "
            f"file, or remove it first"
        )


def check_outputs_writable(args: Any) -> None:
    """--save and --plot are checked before a long run, not after it."""
    if getattr(args, "save", None):
        check_save_target(args)
    if getattr(args, "plot", None):
        from .. import plot

        try:
            plot.require_matplotlib()
        except ImportError as e:
            raise CliError(f"--plot: {e}") from None
        try:
            Path(args.plot).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CliError(
                f"--plot {args.plot}: cannot create the directory ({e.strerror})"
            ) from None
        try:  # a directory that is there may still refuse files (read-only, full)
            check_writable_directory(Path(args.plot) / "learning_curves.png")
        except OSError as e:
            raise CliError(f"--plot {args.plot}: {e}") from None


def standardizer(args: Any, X: np.ndarray) -> tuple[list[float], list[float]] | None:
    if not args.standardize:
        return None
    _, mean, std = bdata.standardize(X)
    return mean.tolist(), std.tolist()


def apply_standardizer(X: np.ndarray, record: Any) -> np.ndarray:
    if not record:
        return X
    mean, std = (np.asarray(v, dtype=np.float64) for v in record)
    return ((X - mean) / std).astype(X.dtype)


def cmd_train(args: argparse.Namespace) -> int:
    try:
        plan = plan_train(args)
        check_outputs_writable(plan)
    except CliError as e:  # the same arguments on every rank: rank 0 alone reports it
        e.collective = args.distributed  # type: ignore[attr-defined]
        raise
    if plan.distributed:
        from .mpi import cmd_train_distributed

        return cmd_train_distributed(plan)
    parts = training_data(plan)
    check_schedule(plan, parts.X_train.shape[0])
    thetas = initial_network(plan, parts)
    say_before_training(plan, thetas, parts)
    thetas, history, seconds = run_training(plan, thetas, parts)
    return report_training(plan, thetas, history, seconds, parts)


@dataclass(frozen=True)
class TrainingData:
    """The data of a train run, ready for it: outputs as class indices (or real
    targets), inputs standardised as asked, the validation share held out."""

    ds: DataSet
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    validation: tuple[np.ndarray, np.ndarray] | None
    classes: np.ndarray | None
    n_outputs: int
    scaling: Any
    fingerprint: dict | None

    @property
    def regression(self) -> bool:
        return self.classes is None


def training_data(plan: TrainPlan) -> TrainingData:
    """Load --data, split it, and check it against a resumed model."""
    regression = plan.output == "identity"
    resumed = plan.resumed
    ds = load_data(
        plan.source,
        np.dtype(plan.dtype),
        plan.seed,
        plan.test_fraction,
        plan.delimiter,
        "real" if regression else "labels",
        raw_pixels=not (plan.standardize or (resumed and resumed.scaling)),
        ranks=plan.split_ranks,
    )
    # evaluate without --data checks that the files are still the ones trained on
    fingerprint = plan.data_fingerprint  # (--resume took it already)
    if plan.save and fingerprint is None:
        fingerprint = plan.source.fingerprint()
    classes = None
    if regression:
        ytr, yte = ds.y_train, ds.y_test
        K = 1 if ytr.ndim == 1 else ytr.shape[1]
    else:
        classes = class_values(ds.y_train, ds.y_test)
        ytr = to_class_indices(ds.y_train, classes, f"--data {plan.data}")
        yte = to_class_indices(ds.y_test, classes, f"--data {plan.data}")
        K = len(classes)
    if resumed and resumed.sizes[0] != ds.X_train.shape[1]:
        raise CliError(
            f"--resume {plan.resume}: the model is "
            f"{'-'.join(map(str, resumed.sizes))} but --data {plan.data} has "
            f"{ds.X_train.shape[1]} features"
        )
    scaling = resumed.scaling if resumed else standardizer(plan, ds.X_train)
    Xtr, Xte = apply_standardizer(ds.X_train, scaling), apply_standardizer(ds.X_test, scaling)
    validation = None
    if plan.validation_fraction is not None:
        Xtr, ytr, Xva, yva = split_shard(
            Xtr, ytr, plan.validation_fraction, plan.seed, flag="--validation-fraction"
        )
        validation = (Xva, yva)
    return TrainingData(ds, Xtr, ytr, Xte, yte, validation, classes, K, scaling, fingerprint)


def initial_network(plan: TrainPlan, parts: TrainingData) -> Network:
    """New weights (--init, --seed), or the resumed model's, which must fit the data."""
    sizes = [parts.X_train.shape[1], *parse_hidden(plan.hidden), parts.n_outputs]
    dtype = np.dtype(plan.dtype)
    if plan.resumed is None:
        check_memory(sizes, dtype)
        try:
            return Network(
                initialize(
                    sizes, method=plan.init, seed=plan.seed, dtype=dtype, activation=plan.activation
                ),
                plan.activation,
                plan.output,
            )
        except MemoryError:
            raise CliError(
                f"--hidden: not enough memory for a {'-'.join(map(str, sizes))} network"
            ) from None
    thetas, meta = plan.resumed.net, plan.resumed.meta
    have = meta["layer_sizes"]
    arch = "-".join(map(str, have))
    if plan.hidden_given and have[1:-1] != sizes[1:-1]:
        raise CliError(
            f"--hidden {plan.hidden}: the model of --resume is {arch}; leave "
            f"--hidden out to train it on"
        )
    if have[0] != sizes[0] or have[-1] != sizes[-1]:
        raise CliError(
            f"--resume {plan.resume}: the model is {arch} but --data {plan.data} "
            f"needs {sizes[0]} inputs and {sizes[-1]} outputs"
        )
    classes = parts.classes
    if classes is not None and not np.array_equal(
        classes_from_meta(meta, have[-1]).astype(str), classes.astype(str)
    ):
        raise CliError(f"--resume {plan.resume}: the model's classes differ from the data's")
    return Network([t.astype(dtype) for t in thetas], thetas.activation, thetas.output)


def say_before_training(plan: TrainPlan, thetas: Network, parts: TrainingData) -> None:
    """Resuming's notes, a hint on the inputs' scale, and the banner."""
    for note in plan.notes:  # what --resume took from the model, once all is checked
        print(note, file=sys.stderr, flush=True)
    scaled = plan.standardize or plan.resumed
    hint = None if scaled else scale_hint(input_scale(parts.X_train))
    if hint:  # (said here, in flags: train's InputScaleWarning is silenced below)
        print(hint, file=sys.stderr, flush=True)
    if not plan.quiet:
        arch = "-".join(map(str, layer_sizes(thetas)))
        print(banner(plan, arch, thetas, parts.X_train.shape[0], np.dtype(plan.dtype)), flush=True)


def run_training(
    plan: TrainPlan, thetas: Network, parts: TrainingData
) -> tuple[Network, Any, float]:
    """bprop.train on the training part: the weights, the history and the seconds."""
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InputScaleWarning)
            thetas, history = train(
                thetas,
                parts.X_train,
                parts.y_train,
                num_threads=plan.threads,
                validation_data=parts.validation,
                early_stopping=plan.early_stopping,
                patience=plan.patience,
                **plan.train_keywords(),
            )
    except TrainingDiverged as e:
        raise CliError(in_flags(str(e))) from None
    except ScheduleError as e:  # the epochs before it are kept, not lost
        raise CliError(kept_after_failure(plan, parts, e)) from None
    except MemoryError:
        arch = "-".join(map(str, layer_sizes(thetas)))
        raise CliError(
            f"not enough memory to train a {arch} network on {parts.X_train.shape[0]} samples"
        ) from None
    return thetas, history, time.perf_counter() - start


def run_record(plan: TrainPlan, parts: TrainingData, history: Any, **results: float) -> dict:
    """The model file's record of this run (``results``: its scores, when known)."""
    record = model_record(
        plan,
        parts.classes,
        parts.ds.class_names,
        plan.split_ranks,
        parts.fingerprint,
        cost_history=history.cost,
        final_cost=history.final_cost,
        iterations=history.iterations,
        stopped=history.stopped,
        **results,
    )
    record.update(standardize=parts.scaling)
    return record


def kept_after_failure(plan: TrainPlan, parts: TrainingData, e: ScheduleError) -> str:
    """The error of a run that failed after some epochs (``e`` carries their weights and
    history); with --save, those epochs are kept in NAME.unsaved-XXXX.npz (not --save's
    file, which would pass for a finished run), and the message says where."""
    message = f"--schedule {str(e).removeprefix('schedule: ')}"
    done = e.history.epochs
    if not plan.save or done == 0:
        return message
    spare = keep_unsaved(plan.save, e.thetas, run_record(plan, parts, e.history), beside=True)
    if spare is None:
        return f"{message}; keeping the {count(done, 'epoch')} trained failed: they are lost"
    return f"{message}; the model of the {count(done, 'epoch')} trained is kept in {spare}"


def report_training(
    plan: TrainPlan, thetas: Network, history: Any, seconds: float, parts: TrainingData
) -> int:
    """Scores on the training and test parts, the model file and the plots."""
    arch = "-".join(map(str, layer_sizes(thetas)))

    def save_run(**results: float) -> None:
        assert plan.save is not None
        save_model(plan.save, thetas, run_record(plan, parts, history, **results))

    J = history.final_cost  # J of these weights on the training part, from train itself
    try:
        on_train = scores(
            parts.y_train,
            predict(thetas, parts.X_train, num_threads=plan.threads),
            parts.regression,
        )
        y_pred = predict(thetas, parts.X_test, num_threads=plan.threads)
        on_test = scores(parts.y_test, y_pred, parts.regression)
    except KeyboardInterrupt:  # Ctrl-C (again) while scoring: the trained run is still saved
        if not plan.save:
            raise
        history.stopped = "interrupted"
        print(
            "bprop: interrupted while scoring; saving the model without its scores",
            file=sys.stderr,
            flush=True,
        )
        save_run()
        return interrupted_exit(plan, history)
    print(summary(arch, J, history, seconds, parts.X_train.shape[0]))
    print(f"{format_scores('train', on_train)}, {format_scores('test', on_test)}")
    if plan.save:
        save_run(
            **{
                f"{part}_{name.replace('^', '').lower()}": v
                for part, values in (("train", on_train), ("test", on_test))
                for name, v in values.items()
            }
        )
    if plan.plot:
        plot_training(plan.plot, thetas, history, parts, y_pred)
    return interrupted_exit(plan, history)


def plot_training(
    directory: str, thetas: Network, history: Any, parts: TrainingData, y_pred: np.ndarray
) -> None:
    if parts.classes is None:
        write_plots(directory, thetas, parts.ds.X_test, None, None, [], history=history)
        return
    names = display_names(parts.classes, parts.ds.class_names)
    write_plots(directory, thetas, parts.ds.X_test, parts.y_test, y_pred, names, history=history)


def write_plots(
    directory: str,
    thetas: list[np.ndarray],
    X: np.ndarray,
    y: np.ndarray | None,
    y_pred: np.ndarray | None,
    names: Sequence[str],
    history: Any = None,
) -> None:
    """PNG files for --plot: learning curves, and for classes the confusion
    matrix and, for square images, the hidden units' weights and a grid of test
    samples."""
    from .. import plot

    out = Path(directory)
    written = []
    if history is not None:
        plot.learning_curves(history, save=out / "learning_curves.png")
        written.append("learning_curves.png")
    if y is not None and y_pred is not None:
        plot.confusion_matrix(y, y_pred, class_names=names, save=out / "confusion_matrix.png")
        written.append("confusion_matrix.png")
    side = math.isqrt(X.shape[1])
    if side * side == X.shape[1] and len(thetas) > 1:
        plot.hidden_weights(thetas, save=out / "hidden_weights.png")
        written.append("hidden_weights.png")
        if y is not None:
            plot.sample_grid(X, y, y_pred, class_names=names, save=out / "samples.png")
            written.append("samples.png")
    print(f"plots in {out}: {', '.join(written)}")


def evaluation_data(
    args: argparse.Namespace, meta: dict, dtype: np.dtype, targets: str
) -> tuple[str, np.ndarray, np.ndarray, list[str] | None, str]:
    """(spec, X, y, class names, which part) that evaluate scores."""
    if args.data is None:  # the model's own data: the part its training held out
        for flag, value in (("--seed", args.seed), ("--test-fraction", args.test_fraction)):
            if value is not None:
                raise CliError(
                    f"{flag} goes with --data; without it evaluate scores the rows "
                    f"that the model's training held out, by its own split"
                )
        spec = meta.get("data")
        if not spec:
            raise CliError(
                f"{args.model} records no training data (saved from Python?); name "
                f"the data to score with --data"
            )
        source = DataSource.parse(spec)
        seed = meta.get("seed", 0)
        fraction = meta.get("test_fraction") or 0.2
        if source.is_file and not Path(spec).is_file():
            raise CliError(
                f"the model was trained on {spec}, which is not there now; "
                f"name the data with --data"
            )
        note = check_fingerprint(args.model, meta, spec, source.fingerprint(("test",)))
        if note:
            print(note, file=sys.stderr)
        if source.has_test_split:
            X, y = source.load_split("test", dtype)
            return spec, X, y, source.class_names, "its test split"
        X, y = source.load_whole(dtype, meta.get("delimiter"), targets)
        _, _, Xte, yte = split(X, y, fraction, seed, meta.get("split_ranks", 1))
        return spec, Xte, yte, None, f"the test part held out in training ({fraction:g})"
    spec = args.data
    source = DataSource.parse(spec)
    if source.has_test_split:
        if args.test_fraction is not None:
            raise CliError(
                f"--test-fraction: --data {spec} has its own test split, which evaluate scores"
            )
        X, y = source.load_split("test", dtype)
        return spec, X, y, source.class_names, "its test split"
    X, y = source.load_whole(dtype, recorded_delimiter(source, args.delimiter, meta), targets)
    if args.test_fraction is None or args.test_fraction == 1:
        if args.seed is not None:
            raise CliError("--seed: scoring all of --data needs no seed (it seeds --test-fraction)")
        return spec, X, y, None, "all of it"
    seed = 0 if args.seed is None else args.seed
    _, _, Xte, yte = split(X, y, args.test_fraction, seed)
    return spec, Xte, yte, None, f"a test part of {args.test_fraction:g} (seed {seed})"


def cmd_evaluate(args: argparse.Namespace) -> int:
    thetas, meta = load_model(args.model)
    check_threads(args)
    check_outputs_writable(args)
    regression = thetas.output == "identity"
    spec, X, y, names, part = evaluation_data(
        args, meta, thetas[0].dtype, "real" if regression else "labels"
    )
    K = thetas[-1].shape[0]
    if X.shape[1] != thetas[0].shape[1] - 1:
        raise CliError(
            f"{'--data ' if args.data else 'data '}{spec}: the model takes "
            f"{thetas[0].shape[1] - 1} inputs but the data have {X.shape[1]} features"
        )
    heading = (
        f"model {args.model} ({'-'.join(map(str, meta['layer_sizes']))}, "
        f"{thetas.activation} hidden, {thetas.output} output), data {spec}: {part}"
    )
    X = apply_standardizer(X, meta.get("standardize"))
    if regression:
        if y.reshape(len(y), -1).shape[1] != K:
            raise CliError(
                f"--data {spec}: the model has {K} outputs but the data have "
                f"{y.reshape(len(y), -1).shape[1]} targets"
            )
        print(heading)
        values = scores(y, predict(thetas, X, num_threads=args.threads), True)
        print(", ".join(f"{k} {v:.4f}" for k, v in values.items()) + f" on {len(y)} samples")
        return 0
    classes = classes_from_meta(meta, K)
    y_idx = to_class_indices(y, classes, f"{'--data ' if args.data else 'data '}{spec}")
    y_pred = predict(thetas, X, num_threads=args.threads)
    names = display_names(classes, meta.get("class_names") or names)
    print(heading)
    print(format_report(y_idx, y_pred, names))
    if args.plot:
        write_plots(args.plot, thetas, X, y_idx, y_pred, names)
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    thetas, meta = load_model(args.model)
    check_threads(args)
    n_inputs = thetas[0].shape[1] - 1
    source = DataSource.parse(args.data)
    X = source.load_inputs(
        n_inputs,
        recorded_delimiter(source, args.delimiter, meta),
        "real" if thetas.output == "identity" else "labels",
    )
    if X.shape[1] != n_inputs:
        raise CliError(
            f"--data {args.data}: the model takes {n_inputs} inputs but the data have "
            f"{X.shape[1]} features"
        )
    X = apply_standardizer(X.astype(thetas[0].dtype), meta.get("standardize"))
    out = predict(thetas, X, num_threads=args.threads)
    if thetas.output == "identity":  # the outputs themselves, one row per sample
        print("\n".join(" ".join(f"{v:.8g}" for v in row) for row in out))
    else:  # each label on one line: escaped (LABEL_ESCAPES_HELP)
        labels = [shown_label(c) for c in classes_from_meta(meta, thetas[-1].shape[0])]
        print("\n".join(labels[k] for k in out))
    return 0


def check_onnx_target(args: argparse.Namespace) -> None:
    """--onnx names an .onnx file that may be written: the onnx package is there, the
    directory takes files, and a file already there is an ONNX model (never the model
    file itself, data, or a FIFO or device); checked before anything is written."""
    target = args.onnx
    if Path(target).suffix.lower() != ".onnx":
        raise CliError(
            f"--onnx {target}: an ONNX model's file name ends in .onnx; name it "
            f"{Path(target).stem or 'model'}.onnx"
        )
    if os.path.exists(target) and same_file(target, args.model):
        raise CliError(f"--onnx {target} is the file of MODEL: the export would replace it")
    try:
        require_onnx()
    except ImportError as e:
        raise CliError(f"--onnx: {e}") from None
    try:
        check_writable_directory(target)  # (refuses a FIFO, a device, a directory)
    except OSError as e:
        raise CliError(f"--onnx: {e}") from None
    problem = replace_problem(Path(target))
    if problem:
        raise CliError(f"--onnx {target}: {problem}")


# The data sets whose inputs are 8-bit pixels, and the factor bprop's loader reads them
# with (so predict's inputs are pixel * scale): what --input-dtype uint8 takes and applies.
PIXEL_SCALES = {"fashion-mnist": 1 / 255, "mnist": 1 / 255, "digits": 1 / 16}


def uint8_scale(model: str, meta: dict) -> float:
    """The x_scale of a uint8 input: that of the 8-bit pixels the model was trained on,
    so that the graph computes what predict computes; other data are refused."""
    spec = meta.get("data")
    kind = DataSource.parse(spec).kind if isinstance(spec, str) else None
    if kind in PIXEL_SCALES:
        return PIXEL_SCALES[kind]
    trained = f"was trained on {spec}" if spec else "records no training data (saved from Python?)"
    raise CliError(
        f"--input-dtype uint8: MODEL {model} {trained}, not on 8-bit pixels (fashion-mnist, "
        f"mnist, digits), so predict reads its inputs unscaled; export float32 or float64 input"
    )


def cmd_export(args: argparse.Namespace) -> int:
    thetas, meta = load_model(args.model)
    x_scale = uint8_scale(args.model, meta) if args.input_dtype == "uint8" else None
    check_onnx_target(args)
    classes = meta.get("classes") if thetas.output != "identity" else None
    path = export_onnx(
        thetas,
        args.onnx,
        input_dtype=args.input_dtype,
        x_scale=x_scale,
        standardize=meta.get("standardize") or None,
        classes=classes,
    )
    n, K = thetas[0].shape[1] - 1, thetas[-1].shape[0]
    dtype = args.input_dtype or thetas[0].dtype.name
    read = "" if x_scale is None else f" read as x/{round(1 / x_scale)}"
    outputs = f"h ({K} outputs)" + ("" if thetas.output == "identity" else ", label")
    scaled = ", standardised in the graph" if meta.get("standardize") else ""
    features = f"{n} {dtype} features{read}{scaled}"
    print(f"wrote {path}: ONNX opset {OPSET}, input X ({features}), {outputs}")
    return 0


def cmd_gradcheck(args: argparse.Namespace) -> int:
    from ..gradcheck import gradient_check

    sizes = [args.inputs, *parse_hidden(args.hidden), args.outputs]
    check_memory(sizes, np.dtype(np.float64))
    thetas = initialize(sizes, method="debug")
    X = debug_matrix(sizes[0] - 1, args.samples)
    y = np.arange(1, args.samples + 1) % sizes[-1]
    if args.output == "identity":
        y = debug_matrix(sizes[-1] - 1, args.samples)[:, : sizes[-1]]
    result = gradient_check(
        thetas,
        X,
        y,
        args.lambda_,
        threshold=args.threshold,
        activation=args.activation,
        output=args.output,
    )
    print(
        f"network {'-'.join(map(str, sizes))} ({args.activation} hidden, {args.output} output), "
        f"{args.samples} samples, lambda {args.lambda_:g}"
    )
    print(result)
    return 0 if result.passed else 1


class _Parser(argparse.ArgumentParser):
    """Argument errors in one line, naming the flag, with where to read more."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def add_network_kind(
    p: argparse.ArgumentParser, default: str | None = "sigmoid", identity: str = "squared error"
) -> None:
    """--activation and --output; ``default=None`` leaves them to be resolved
    (train: a resumed model's kind, else sigmoid/logistic)."""
    p.add_argument(
        "--activation",
        choices=list(ACTIVATIONS),
        default=default,
        help="hidden layers' activation (default: sigmoid)",
    )
    p.add_argument(
        "--output",
        choices=list(OUTPUTS),
        default=default and "logistic",
        help="output layer and cost: logistic (sigmoid units, the tutorial's; "
        f"default), softmax (cross-entropy), identity ({identity})",
    )


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--delimiter",
        type=one_char,
        default=None,
        metavar="CHAR",
        help="field separator of a text file ('tab' for tabs; not a quote or a line "
        "break). Default: for a file of the same kind (.csv, .tsv, .txt) as a "
        "saved model's own data, the delimiter those were read with; else a tab "
        "for .tsv, else ','",
    )
    p.add_argument(
        "--threads",
        type=thread_count,
        default=None,
        metavar="N",
        help="threads (default: OMP_NUM_THREADS or all cores; -1: all cores)",
    )


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m bprop", description="Train and check neural networks by backpropagation."
    )
    p.add_argument("--version", action="version", version=f"bprop {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    t = sub.add_parser(
        "train",
        help="train a network and report train/test accuracy",
        description="Train a network; print its cost and train/test accuracy.",
    )
    add_train_model_flags(t)
    add_train_run_flags(t)
    add_common(t)
    t.set_defaults(func=cmd_train)
    add_evaluate(sub)
    add_predict(sub)
    add_export(sub)
    add_gradcheck(sub)
    return p


def add_train_model_flags(t: argparse.ArgumentParser) -> None:
    """train's data, network and optimiser."""
    rates = ", ".join(f"{name} {cls.default_learning_rate:g}" for name, cls in OPTIMIZERS.items())
    t.add_argument(
        "--data",
        default=None,
        type=path_text,
        metavar="DATA",
        help=DATA_HELP + " (default: digits; with --resume: the model's own data, "
        "refused if those files changed since its training)",
    )
    t.add_argument(
        "--hidden",
        default=None,
        metavar="SIZES",
        help="hidden layer sizes, e.g. 25 or 100,50; none for no hidden layer (default: 25)",
    )
    t.add_argument(
        "--lambda",
        dest="lambda_",
        type=non_negative_real,
        default=None,  # 1; None tells --resume that it was not given
        metavar="LAMBDA",
        help="L2 strength: lambda/(2m) over all m training samples, "
        "whatever the batch size (default: 1; with --resume: the model's)",
    )
    t.add_argument("--optimizer", choices=OPTIMIZER_NAMES, default="lbfgs", help="default: lbfgs")
    t.add_argument(
        "--learning-rate",
        type=positive_real,
        default=None,
        metavar="RATE",
        help=f"step size (default per optimizer: {rates}; lbfgs: its own; with "
        f"--resume and the model's optimizer: the model's)",
    )
    t.add_argument(
        "--weight-decay",
        type=non_negative_real,
        default=None,
        metavar="WD",
        help="adamw's decoupled weight decay: each step shrinks the non-bias weights by "
        "learning rate x WD of themselves (default: 0.01; with --resume of an adamw model: "
        "the model's; --optimizer adamw only)",
    )
    t.add_argument(
        "--schedule",
        type=schedule_spec,
        default=None,
        metavar="SPEC",
        help=f"learning rate per epoch: {', '.join(SCHEDULES)}, with options after a colon, "
        "e.g. step:step_size=5,gamma=0.5 or cosine:warmup=2,min_lr=1e-4 or "
        "plateau:factor=0.5,patience=3 (default: constant; not with lbfgs)",
    )
    t.add_argument(
        "--clip-norm",
        type=positive_real,
        default=None,
        metavar="NORM",
        help="clip each step's gradient to this global L2 norm (default: no clipping; "
        "with --resume: the model's; not with lbfgs)",
    )
    add_train_length_flags(t)


def add_train_length_flags(t: argparse.ArgumentParser) -> None:
    """How long train runs, on what batches and in which dtype, from which weights."""
    g = t.add_mutually_exclusive_group()
    g.add_argument(
        "--iterations",
        type=positive_int,
        default=None,
        metavar="N",
        help="optimiser steps (default: lbfgs 200, gd/momentum/nesterov/adam/adamw 100 full-batch)",
    )
    g.add_argument(
        "--epochs",
        type=positive_int,
        default=None,
        metavar="N",
        help="passes over the data (default with --batch-size: 10)",
    )
    t.add_argument(
        "--batch-size",
        type=positive_int,
        default=None,
        metavar="N",
        help="mini-batch size (default: the full batch)",
    )
    t.add_argument(
        "--no-shuffle",
        dest="shuffle",
        action="store_false",
        default=None,  # shuffled; None tells --resume that it was not given
        help="mini-batches in the data's order, the same every epoch (default: a new "
        "random order each epoch; with --resume: the model's order)",
    )
    t.add_argument(
        "--max-fun",
        type=positive_int,
        default=None,
        metavar="N",
        help="lbfgs: stop once the cost was evaluated more than N times (default: 15000)",
    )
    t.add_argument(
        "--dtype", choices=["float32", "float64"], default="float64", help="default: float64"
    )
    t.add_argument(
        "--init",
        choices=["uniform", "xavier", "he", "auto"],
        default=None,  # uniform; None tells --resume that it was not given
        help="uniform: U[-0.12, 0.12] (default); xavier: sqrt(6)/sqrt(s_l + s_l+1); "
        "he: for ReLU; auto: he for ReLU, else xavier",
    )
    add_network_kind(
        t,
        default=None,
        identity="squared error: regression on the real targets "
        "of FILE.npz or FILE.csv (.tsv, .txt)",
    )


def add_train_run_flags(t: argparse.ArgumentParser) -> None:
    """train's split, validation, resuming and outputs."""
    t.add_argument(
        "--seed",
        type=seed_int,
        default=None,
        metavar="N",
        help="seed of the initial weights, the split and the shuffling (default: 0; "
        "with --resume on the model's own data: the model's)",
    )
    t.add_argument(
        "--test-fraction",
        type=open_fraction,
        default=None,
        metavar="SHARE",
        help="held-out share of data without a test split of its own (default: 0.2; "
        "with --resume on the model's own data: the model's)",
    )
    t.add_argument(
        "--standardize",
        action="store_true",
        help="scale each input to mean 0, std 1 (training set's; kept in the model); "
        "suggested before training when an input exceeds |x| = 100",
    )
    t.add_argument(
        "--validation-fraction",
        type=open_fraction,
        default=None,
        metavar="SHARE",
        help="hold out this share of the training part and report validation "
        "cost/accuracy after each epoch",
    )
    t.add_argument(
        "--early-stopping",
        action="store_true",
        help="stop when the validation cost has not improved for --patience epochs "
        "and keep the best weights (validation share 0.1 unless given)",
    )
    t.add_argument(
        "--patience",
        type=positive_int,
        default=None,
        metavar="N",
        help="epochs without improvement before early stopping (default: 5)",
    )
    add_train_output_flags(t)


def add_train_output_flags(t: argparse.ArgumentParser) -> None:
    """Resuming a saved model, and what train writes and shows."""
    t.add_argument(
        "--resume",
        type=path_text,
        metavar="MODEL.npz",
        help="start from a saved model's weights (same inputs and classes); on "
        "the model's own data (the default), its split (--seed, "
        "--test-fraction) is kept; with the model's optimizer, its learning rate",
    )
    t.add_argument(
        "--save",
        type=path_text,
        metavar="MODEL.npz",
        help="write the trained model here (also after Ctrl-C, which then exits 130): "
        "a name ending in .npz, not the --data file; an existing file is "
        "replaced only if it is a bprop model",
    )
    t.add_argument("--quiet", action="store_true", help="no progress output")
    t.add_argument(
        "--plot", type=path_text, metavar="DIR", help="write PNG plots here (needs matplotlib)"
    )
    t.add_argument(
        "--distributed",
        action="store_true",
        help="data-parallel over MPI ranks: run under mpiexec (needs bprop[mpi])",
    )


def add_evaluate(sub: Any) -> None:
    e = sub.add_parser(
        "evaluate",
        help="accuracy, per-class accuracy and confusion matrix",
        description="Score a saved model. Without --data: the part of the model's "
        "own data that its training held out (refused when those "
        "files changed since training). With --data: all of "
        "that data (its test split for (fashion-)mnist), unless "
        "--test-fraction asks for a part.",
    )
    e.add_argument(
        "model", type=path_text, metavar="MODEL.npz", help="a model file written by train --save"
    )
    e.add_argument(
        "--data",
        default=None,
        type=path_text,
        metavar="DATA",
        help=DATA_HELP + " (default: the model's own, the rows its training held out)",
    )
    e.add_argument(
        "--seed",
        type=seed_int,
        default=None,
        metavar="N",
        help="seed of the split (default: the model's)",
    )
    e.add_argument(
        "--test-fraction",
        type=fraction_up_to_one,
        default=None,
        metavar="SHARE",
        help="score a held-out share of --data (1: all of it)",
    )
    e.add_argument(
        "--plot", type=path_text, metavar="DIR", help="write PNG plots here (needs matplotlib)"
    )
    add_common(e)
    e.set_defaults(func=cmd_evaluate)


def add_predict(sub: Any) -> None:
    r = sub.add_parser(
        "predict",
        help="predicted labels for new data, one per line",
        description="Print a saved model's predicted label for every sample, "
        f"one per line: {LABEL_ESCAPES_HELP}.",
    )
    r.add_argument(
        "model", type=path_text, metavar="MODEL.npz", help="a model file written by train --save"
    )
    r.add_argument(
        "--data",
        required=True,
        type=path_text,
        metavar="DATA",
        help="FILE.npz (array X), FILE.csv, .tsv or .txt (features, or a label "
        "column first), or "
        "digits | fashion-mnist[:DIR] | mnist:DIR (their test split)",
    )
    add_common(r)
    r.set_defaults(func=cmd_predict)


def add_export(sub: Any) -> None:
    x = sub.add_parser(
        "export",
        help="write a saved model as an ONNX model",
        description="Write a saved model as a standard ONNX graph (needs the onnx "
        "package: the [onnx] extra). The graph takes the inputs predict reads (the "
        "model's standardisation is part of it) and returns the outputs h and, for "
        "classes, label: the index into the model's classes, which the ONNX file "
        "records in its metadata. Everything is checked before the file is written.",
    )
    x.add_argument(
        "model", type=path_text, metavar="MODEL.npz", help="a model file written by train --save"
    )
    x.add_argument(
        "--onnx",
        required=True,
        type=path_text,
        metavar="OUT.onnx",
        help="write the ONNX model here: a name ending in .onnx; an existing file is "
        "replaced only if it is an ONNX model",
    )
    x.add_argument(
        "--input-dtype",
        choices=list(INPUT_DTYPES),
        default=None,
        help="the type of the graph's input X (default: the model's dtype); uint8 only "
        "for a model trained on 8-bit pixels (fashion-mnist, mnist: read as x/255; "
        "digits: x/16), as predict reads them",
    )
    x.set_defaults(func=cmd_export)


def add_gradcheck(sub: Any) -> None:
    c = sub.add_parser(
        "gradcheck",
        help="check backpropagation against numerical gradients",
        description="Compare backpropagation's gradient with central differences "
        "on a small network with the tutorial's debug weights.",
    )
    c.add_argument(
        "--inputs", type=positive_int, default=3, metavar="N", help="input units (default: 3)"
    )
    c.add_argument(
        "--hidden",
        default="5",
        metavar="SIZES",
        help="hidden layer sizes, e.g. 5 or 5,4 (default: 5)",
    )
    c.add_argument(
        "--outputs", type=positive_int, default=3, metavar="N", help="output units (default: 3)"
    )
    c.add_argument(
        "--samples", type=positive_int, default=5, metavar="M", help="samples (default: 5)"
    )
    c.add_argument(
        "--lambda",
        dest="lambda_",
        type=non_negative_real,
        default=3.0,
        metavar="LAMBDA",
        help="L2 strength (default: 3)",
    )
    c.add_argument(
        "--threshold",
        type=positive_real,
        default=1e-7,
        metavar="T",
        help="largest relative difference that passes (default: 1e-7)",
    )
    add_network_kind(c)
    c.set_defaults(func=cmd_gradcheck)


def _note_header_guess(message: Any, category: type[Warning], *rest: Any, **kw: Any) -> None:
    """A guessed CSV header is said as a note (the Python API's header= is not a flag)."""
    if issubclass(category, bdata.CSVHeaderWarning):
        print(f"bprop: note: {str(message).split('; pass header=')[0]}", file=sys.stderr)
    else:
        _show_warning(message, category, *rest, **kw)


_show_warning = warnings.showwarning


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    distributed = getattr(args, "distributed", False)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _note_header_guess
            return args.func(args)
    except BrokenPipeError:  # the reader left (| head): it has what it wanted; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CliError, ValueError, TypeError, FileNotFoundError, ImportError, OSError) as e:
        if distributed:
            return distributed_failure(e)
        print(f"bprop: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bprop: interrupted", file=sys.stderr)
        return 130
    except BaseException as e:
        if distributed:
            return distributed_failure(e)
        raise


def distributed_failure(e: BaseException) -> int:
    """An error on some ranks. Raised alike on every rank (a collective check):
    rank 0 reports it and all exit 2. Raised on this rank alone: report it and
    abort the job, since the other ranks would wait for this one forever."""
    try:
        from mpi4py import MPI
    except ImportError:
        print(f"bprop: error: {e}", file=sys.stderr)
        return 2
    comm = MPI.COMM_WORLD
    if getattr(e, "collective", False):
        if comm.Get_rank() == 0:
            print(f"bprop: error: {e}", file=sys.stderr)
        return 2
    print(
        f"bprop: error on rank {comm.Get_rank()}: {type(e).__name__}: {e}",
        file=sys.stderr,
        flush=True,
    )
    if comm.Get_size() > 1:
        _wait_until_read(sys.stderr.fileno())
        comm.Abort(2)
    return 2


def _wait_until_read(fd: int, seconds: float = 5.0) -> None:
    """Wait until the launcher has read what this rank wrote to ``fd``.

    Under mpiexec a rank's stderr is a pipe to its launcher, which forwards it;
    MPI_Abort travels by another path and can overtake it (MPICH's hydra then
    exits with the message lost). Once the pipe is empty the launcher holds the
    message and passes it on before the abort it learns of later.
    """
    try:
        import fcntl
        import struct
        import termios
    except ImportError:  # pragma: no cover - not POSIX
        return
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            pending = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
        except OSError:  # not a pipe (a terminal or a file): nothing to wait for
            return
        if pending == 0:
            return
        time.sleep(0.01)


__all__ = ["main", "build_parser", "CliError", "distributed_failure"]
