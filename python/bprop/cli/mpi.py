"""``mpiexec -n N python -m bprop train --distributed ...``: the train command on N ranks.

Every rank reads only its shard of the training and test data, trains with
``bprop.train(..., comm=COMM_WORLD)`` and so holds the same weights; rank 0
prints and writes the model file.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from typing import Any

import numpy as np

from .. import distributed
from ..data.sources import DataSource
from ..init import initialize
from ..network import Network
from ..training import InputScaleWarning, TrainingDiverged, train
from .common import (
    CliError,
    banner,
    class_values,
    count,
    in_flags,
    input_scale,
    interrupted_exit,
    load_data,
    model_record,
    parse_hidden,
    save_model,
    scale_hint,
    split_shard,
    summary,
    to_class_indices,
    train_settings,
)


def _shards(
    args: argparse.Namespace, dtype: np.dtype, comm: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str] | None, int]:
    """This rank's (X_train, y_train, X_test, y_test), the class names, and the
    number of shards the split rule was applied to (see ``common.split``)."""
    source = DataSource.parse(args.data)
    if source.has_test_split:
        source.directory()  # (mnist without a directory: said by --data's name)
        Xtr, ytr, _ = source.load_shard("train", comm, dtype)
        Xte, yte, _ = source.load_shard("test", comm, dtype)
        return Xtr, ytr, Xte, yte, source.class_names, 1
    if source.kind == "npz":  # the rank's rows only, split by the rule for shards
        X, y, _ = source.load_shard("train", comm, dtype)
        rank, ranks = comm.Get_rank(), comm.Get_size()
        fraction = 0.2 if args.test_fraction is None else args.test_fraction
        Xtr, ytr, Xte, yte = split_shard(X, y, fraction, args.seed, rank, ranks)
        return Xtr, ytr, Xte, yte, None, ranks
    if source.kind in ("digits", "csv"):  # small: split the whole, keep a shard
        ds = load_data(source, dtype, args.seed, args.test_fraction, args.delimiter)
        a, b = distributed.shard_range(len(ds.y_train), comm)
        c, d = distributed.shard_range(len(ds.y_test), comm)
        return ds.X_train[a:b], ds.y_train[a:b], ds.X_test[c:d], ds.y_test[c:d], None, 1
    raise CliError(
        f"--distributed reads fashion-mnist[:DIR], mnist:DIR, FILE.npz, FILE.csv "
        f"(.tsv, .txt) or digits; got {args.data!r}"
    )


def cmd_train_distributed(args: argparse.Namespace) -> int:
    comm = distributed.world()
    rank = comm.Get_rank()
    dtype = np.dtype(args.dtype)
    error: BaseException | None = None
    try:
        Xtr, ytr, Xte, yte, names, ranks = _shards(args, dtype, comm)
    except (ValueError, TypeError, OSError, ImportError, CliError) as e:
        error = e
    distributed.collective_check(error, comm)  # a rank that cannot read its shard stops all
    try:
        classes = class_values(*comm.allgather(np.unique(np.concatenate([ytr, yte]))))
        ytr = to_class_indices(ytr, classes, f"--data {args.data}")
        yte = to_class_indices(yte, classes, f"--data {args.data}")
    except CliError as e:
        error = e
    distributed.collective_check(error, comm)
    sizes = [Xtr.shape[1], *parse_hidden(args.hidden), len(classes)]
    thetas = (
        initialize(sizes, method=args.init, seed=args.seed, dtype=dtype, activation=args.activation)
        if rank == 0
        else None
    )
    thetas = Network(distributed.broadcast(thetas, comm), args.activation, args.output)
    threads = args.threads or distributed.default_threads(comm)
    m = comm.allreduce(len(ytr))
    arch = "-".join(map(str, sizes))
    ranks_here = count(comm.Get_size(), "rank")
    if comm.Get_size() == 1 and not launched_by_mpiexec():
        print(
            "bprop: note: --distributed was not started by mpiexec, so it runs on 1 rank; "
            "for N ranks: mpiexec -n N python -m bprop train --distributed ...",
            file=sys.stderr,
            flush=True,
        )
    if rank == 0 and not args.quiet:
        print(
            banner(
                args, arch, thetas, m, dtype, f" over {ranks_here} x {count(threads, 'thread')}"
            ),
            flush=True,
        )
    hint = scale_hint(max(comm.allgather(input_scale(Xtr))), standardize=False)
    if hint and rank == 0:
        print(hint, file=sys.stderr, flush=True)
    if rank == 0 and args.save:  # the files read, for evaluate to check
        args.data_fingerprint = DataSource.parse(args.data).fingerprint()
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():  # said above, for all ranks' data
            warnings.simplefilter("ignore", InputScaleWarning)
            thetas, history = train(
                thetas, Xtr, ytr, num_threads=threads, comm=comm, **train_settings(args)
            )
    except TrainingDiverged as e:
        raise CliError(in_flags(str(e), standardize=False)) from None
    seconds = time.perf_counter() - start
    J = history.final_cost  # over all ranks' training samples, from train itself
    train_acc = _accuracy(thetas, Xtr, ytr, threads, comm)
    test_acc = _accuracy(thetas, Xte, yte, threads, comm)
    if rank == 0:
        print(summary(arch, J, history, seconds, m, f" on {ranks_here}"))
        print(f"train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}")
        if args.save:
            record = model_record(
                args,
                classes,
                names,
                ranks,
                train_accuracy=train_acc,
                test_accuracy=test_acc,
                cost_history=history.cost,
                final_cost=J,
                iterations=history.iterations,
                stopped=history.stopped,
                ranks=comm.Get_size(),
            )
            save_model(args.save, thetas, record)
        return interrupted_exit(args, history)
    return 130 if history.stopped == "interrupted" else 0


def launched_by_mpiexec() -> bool:
    """Whether a process manager started this process: mpiexec/mpirun of MPICH,
    Intel MPI or Open MPI, or Slurm's srun (each sets one of these)."""
    return any(name in os.environ for name in ("PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK"))


def _accuracy(thetas: Network, X: np.ndarray, y: np.ndarray, threads: int, comm: Any) -> float:
    from ..network import predict

    correct = int(np.sum(predict(thetas, X, num_threads=threads) == y)) if len(y) else 0
    return distributed.global_share(correct, len(y), comm)
