"""Command line: ``python -m bprop train | evaluate | gradcheck``.

Errors in arguments or data print one line on stderr and exit with status 2;
no traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from . import data as bdata
from ._checks import ACTIVATIONS, OUTPUTS
from .gradcheck import gradient_check
from .init import debug_matrix, initialize
from .model_file import load, save
from .network import predict
from .optim import OPTIMIZER_NAMES
from .train import TrainingDiverged, train

DATA_HELP = ("digits (default; scikit-learn's 8x8 digits) | fashion-mnist[:DIR] | mnist:DIR | "
             "FILE.npz (arrays X, y) | FILE.csv (label column first)")


class CliError(Exception):
    """A problem to report in one line."""


def load_data(spec: str, dtype: np.dtype, seed: int, test_fraction: float
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str] | None]:
    """(X_train, y_train, X_test, y_test, class names) for a --data value."""
    names = None
    if spec in ("fashion-mnist", "mnist") or spec.startswith(("fashion-mnist:", "mnist:")):
        kind, _, directory = spec.partition(":")
        if kind == "mnist" and not directory:
            raise CliError("--data mnist needs a directory: mnist:DIR")
        if kind == "fashion-mnist":
            d = bdata.fashion_mnist_directory(directory or None)
            names = list(bdata.FASHION_MNIST_CLASSES)
        else:
            d = Path(directory)
        Xtr, ytr = bdata.load_mnist(d, "train", dtype=dtype)
        Xte, yte = bdata.load_mnist(d, "test", dtype=dtype)
        return Xtr, ytr, Xte, yte, names
    if spec == "digits":
        X, y = bdata.load_digits(dtype=dtype)
    elif spec.endswith(".npz"):
        X, y = bdata.load_npz(spec, dtype=dtype)
    elif spec.endswith(".csv"):
        X, y = bdata.load_csv(spec, dtype=dtype)
    else:
        raise CliError(f"unknown --data {spec!r}; use {DATA_HELP}")
    Xtr, Xte, ytr, yte = bdata.train_validation_split(X, y, test_fraction, seed=seed)
    return Xtr, ytr, Xte, yte, names


def parse_hidden(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise CliError(f"--hidden must be sizes like 25 or 100,50; got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise CliError(f"--hidden sizes must be >= 1; got {text!r}")
    return sizes


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, K: int) -> np.ndarray:
    cm = np.zeros((K, K), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def format_report(y_true: np.ndarray, y_pred: np.ndarray, K: int, names: list[str] | None) -> str:
    cm = confusion_matrix(y_true, y_pred, K)
    label = (lambda k: names[k]) if names else str
    width = max(len(label(k)) for k in range(K))
    lines = [f"accuracy {np.mean(y_true == y_pred):.4f} on {len(y_true)} samples", "per class:"]
    for k in range(K):
        n = cm[k].sum()
        acc = f"{cm[k, k] / n:.4f}" if n else "  n/a "
        lines.append(f"  {label(k):>{width}}  {acc}  ({n} samples)")
    lines.append("confusion matrix (rows: true class, columns: predicted):")
    cell = max(4, len(str(cm.max())) + 1)
    lines.append(" " * (width + 2) + "".join(f"{k:>{cell}}" for k in range(K)))
    for k in range(K):
        lines.append(f"  {label(k):>{width}}" + "".join(f"{v:>{cell}}" for v in cm[k]))
    return "\n".join(lines)


def cmd_train(args: argparse.Namespace) -> int:
    if args.distributed:
        if args.plot:
            raise CliError("--plot is not available with --distributed")
        from .cli_distributed import cmd_train_distributed
        return cmd_train_distributed(args)
    dtype = np.dtype(args.dtype)
    Xtr, ytr, Xte, yte, names = load_data(args.data, dtype, args.seed, args.test_fraction)
    K = int(max(ytr.max(), yte.max())) + 1
    sizes = [Xtr.shape[1], *parse_hidden(args.hidden), K]
    thetas = initialize(sizes, method=args.init, seed=args.seed, dtype=dtype,
                        activation=args.activation)
    if args.iterations is None and args.epochs is None and args.optimizer == "lbfgs":
        args.iterations = 200
    arch = "-".join(map(str, sizes))
    if not args.quiet:
        print(f"training {arch} ({args.activation} hidden, {args.output} output) on "
              f"{Xtr.shape[0]} samples ({args.data}), optimizer {args.optimizer}, "
              f"lambda {args.lambda_:g}, {dtype}", flush=True)
    start = time.perf_counter()
    try:
        thetas, history = train(thetas, Xtr, ytr, lambda_=args.lambda_, optimizer=args.optimizer,
                                learning_rate=args.learning_rate, iterations=args.iterations,
                                epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                                verbose=not args.quiet, num_threads=args.threads,
                                activation=args.activation, output=args.output)
    except TrainingDiverged as e:
        raise CliError(str(e)) from None
    seconds = time.perf_counter() - start
    net = {"num_threads": args.threads, "activation": args.activation, "output": args.output}
    train_acc = float(np.mean(predict(thetas, Xtr, **net) == ytr))
    test_acc = float(np.mean(predict(thetas, Xte, **net) == yte))
    note = "" if history.stopped in ("completed", "converged") else f" (stopped: {history.stopped})"
    print(f"{arch}: final cost {history.cost[-1]:.4f} after {history.iterations} iterations "
          f"in {seconds:.1f} s{note}")
    print(f"train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}")
    if args.save:
        save(args.save, thetas, data=args.data, optimizer=args.optimizer, lambda_=args.lambda_,
             learning_rate=args.learning_rate, iterations=history.iterations,
             batch_size=args.batch_size, seed=args.seed, test_fraction=args.test_fraction,
             activation=args.activation, output=args.output,
             class_names=names, train_accuracy=train_acc, test_accuracy=test_acc,
             cost_history=history.cost)
        print(f"saved {args.save}")
    if args.plot:
        write_plots(args.plot, thetas, Xte, yte, y_pred=predict(thetas, Xte, **net),
                    names=names, history=history)
    return 0


def write_plots(directory: str, thetas: list[np.ndarray], X: np.ndarray, y: np.ndarray,
                y_pred: np.ndarray, names: Sequence[str] | None, history: Any = None) -> None:
    """PNG files for --plot: learning curves, confusion matrix, and for square
    images the hidden units' weights and a grid of test samples."""
    from . import plot
    try:
        plot.require_matplotlib()
    except ImportError as e:
        raise CliError(str(e)) from None
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CliError(f"--plot {directory}: cannot create the directory ({e.strerror})") from None
    written = []
    if history is not None:
        plot.learning_curves(history, save=out / "learning_curves.png")
        written.append("learning_curves.png")
    plot.confusion_matrix(y, y_pred, class_names=names, save=out / "confusion_matrix.png")
    written.append("confusion_matrix.png")
    side = math.isqrt(X.shape[1])
    if side * side == X.shape[1]:
        plot.hidden_weights(thetas, save=out / "hidden_weights.png")
        plot.sample_grid(X, y, y_pred, class_names=names, save=out / "samples.png")
        written += ["hidden_weights.png", "samples.png"]
    print(f"plots in {out}: {', '.join(written)}")


def cmd_evaluate(args: argparse.Namespace) -> int:
    thetas, meta = load(args.model)
    spec = args.data or meta.get("data") or "digits"
    seed = meta.get("seed", 0) if args.seed is None else args.seed
    fraction = meta.get("test_fraction", 0.2) if args.test_fraction is None else args.test_fraction
    _, _, Xte, yte, names = load_data(spec, thetas[0].dtype, seed, fraction)
    K = thetas[-1].shape[0]
    if Xte.shape[1] != thetas[0].shape[1] - 1:
        raise CliError(f"the model takes {thetas[0].shape[1] - 1} inputs but --data {spec} has "
                       f"{Xte.shape[1]} features")
    if yte.max() >= K:
        raise CliError(f"the model has {K} classes but --data {spec} has labels up to {yte.max()}")
    activation = meta.get("activation", "sigmoid")
    output = meta.get("output", "logistic")
    try:
        y_pred = predict(thetas, Xte, num_threads=args.threads, activation=activation, output=output)
    except ValueError as e:
        raise CliError(f"{args.model}: {e}") from None
    print(f"model {args.model} ({'-'.join(map(str, meta['layer_sizes']))}), data {spec} (test part)")
    print(format_report(yte, y_pred, K, meta.get("class_names") or names))
    if args.plot:
        write_plots(args.plot, thetas, Xte, yte, y_pred, meta.get("class_names") or names)
    return 0


def cmd_gradcheck(args: argparse.Namespace) -> int:
    sizes = [args.inputs, *parse_hidden(args.hidden), args.outputs]
    thetas = initialize(sizes, method="debug")
    X = debug_matrix(sizes[0] - 1, args.samples)
    y = np.arange(1, args.samples + 1) % sizes[-1]
    if args.output == "identity":
        y = debug_matrix(sizes[-1] - 1, args.samples)[:, :sizes[-1]]
    result = gradient_check(thetas, X, y, args.lambda_, threshold=args.threshold,
                            activation=args.activation, output=args.output)
    print(f"network {'-'.join(map(str, sizes))} ({args.activation} hidden, {args.output} output), "
          f"{args.samples} samples, lambda {args.lambda_:g}")
    print(result)
    return 0 if result.passed else 1


def add_network_kind(p: argparse.ArgumentParser, outputs: Sequence[str]) -> None:
    p.add_argument("--activation", choices=list(ACTIVATIONS), default="sigmoid",
                   help="hidden layers' activation (default sigmoid)")
    p.add_argument("--output", choices=list(outputs), default="logistic",
                   help="output layer and cost: logistic (sigmoid, the tutorial's), softmax "
                        "(cross-entropy)" + (", identity (squared error)" if "identity" in outputs
                                             else ""))


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bprop",
                                description="Train and check neural networks by backpropagation.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a network and report train/test accuracy")
    t.add_argument("--data", default="digits", help=DATA_HELP)
    t.add_argument("--hidden", default="25", help="hidden layer sizes, e.g. 25 or 100,50")
    t.add_argument("--lambda", dest="lambda_", type=float, default=1.0, help="L2 strength (default 1)")
    t.add_argument("--optimizer", choices=OPTIMIZER_NAMES, default="lbfgs")
    t.add_argument("--learning-rate", type=float, default=None)
    g = t.add_mutually_exclusive_group()
    g.add_argument("--iterations", type=int, default=None, help="optimiser steps (lbfgs default 200)")
    g.add_argument("--epochs", type=int, default=None, help="passes over the data")
    t.add_argument("--batch-size", type=int, default=None, help="mini-batch size (default: full batch)")
    t.add_argument("--threads", type=int, default=None, help="threads (-1: all cores)")
    t.add_argument("--dtype", choices=["float32", "float64"], default="float64")
    t.add_argument("--init", choices=["uniform", "xavier", "he", "auto"], default="uniform",
                   help="uniform: U[-0.12, 0.12] (default); xavier: sqrt(6)/sqrt(s_l + s_l+1); "
                        "he: for ReLU; auto: he for ReLU, else xavier")
    add_network_kind(t, ["logistic", "softmax"])  # the data sets here are classification
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--test-fraction", type=float, default=0.2,
                   help="held-out share for data without a test split (default 0.2)")
    t.add_argument("--save", metavar="MODEL.npz", help="write the trained model here")
    t.add_argument("--quiet", action="store_true", help="no progress output")
    t.add_argument("--plot", metavar="DIR", help="write PNG plots here (needs matplotlib)")
    t.add_argument("--distributed", action="store_true",
                   help="data-parallel over MPI ranks: run under mpiexec (needs bprop[mpi])")
    t.set_defaults(func=cmd_train)

    e = sub.add_parser("evaluate", help="accuracy, per-class accuracy and confusion matrix")
    e.add_argument("model", help="a model file written by train --save")
    e.add_argument("--data", default=None, help=DATA_HELP + " (default: the model's)")
    e.add_argument("--seed", type=int, default=None)
    e.add_argument("--test-fraction", type=float, default=None)
    e.add_argument("--threads", type=int, default=None)
    e.add_argument("--plot", metavar="DIR", help="write PNG plots here (needs matplotlib)")
    e.set_defaults(func=cmd_evaluate)

    c = sub.add_parser("gradcheck", help="check backpropagation against numerical gradients")
    c.add_argument("--inputs", type=int, default=3)
    c.add_argument("--hidden", default="5")
    c.add_argument("--outputs", type=int, default=3)
    c.add_argument("--samples", type=int, default=5)
    c.add_argument("--lambda", dest="lambda_", type=float, default=3.0)
    c.add_argument("--threshold", type=float, default=1e-7)
    add_network_kind(c, list(OUTPUTS))
    c.set_defaults(func=cmd_gradcheck)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    distributed = getattr(args, "distributed", False)
    try:
        return args.func(args)
    except (CliError, ValueError, TypeError, FileNotFoundError, ImportError, OSError) as e:
        if distributed:
            return _distributed_failure(e)
        print(f"bprop: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bprop: interrupted", file=sys.stderr)
        return 130
    except BaseException as e:
        if distributed:
            return _distributed_failure(e)
        raise


def _distributed_failure(e: BaseException) -> int:
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
    print(f"bprop: error on rank {comm.Get_rank()}: {type(e).__name__}: {e}", file=sys.stderr,
          flush=True)
    if comm.Get_size() > 1:
        comm.Abort(2)
    return 2
