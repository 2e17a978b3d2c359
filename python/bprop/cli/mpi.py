"""``mpiexec -n N python -m bprop train --distributed ...``: the train command on N ranks.

Every rank reads only its shard of the training and test data, trains with
``bprop.train(..., comm=COMM_WORLD)`` and so holds the same weights; rank 0
prints and writes the model file.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import distributed
from ..init import initialize
from ..network import Network
from ..params import layer_sizes
from ..training import InputScaleWarning, ScheduleError, TrainingDiverged, train
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
)
from .train_plan import TrainPlan


def _shards(
    plan: TrainPlan, dtype: np.dtype, comm: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str] | None, int]:
    """This rank's (X_train, y_train, X_test, y_test), the class names, and the
    number of shards the split rule was applied to (see ``common.split``)."""
    source = plan.source
    if source.has_test_split:
        source.directory()  # (mnist without a directory: said by --data's name)
        Xtr, ytr, _ = source.load_shard("train", comm, dtype)
        Xte, yte, _ = source.load_shard("test", comm, dtype)
        return Xtr, ytr, Xte, yte, source.class_names, 1
    if source.kind == "npz":  # the rank's rows only, split by the rule for shards
        X, y, _ = source.load_shard("train", comm, dtype)
        rank, ranks = comm.Get_rank(), comm.Get_size()
        fraction = 0.2 if plan.test_fraction is None else plan.test_fraction
        Xtr, ytr, Xte, yte = split_shard(X, y, fraction, plan.seed, rank, ranks)
        return Xtr, ytr, Xte, yte, None, ranks
    if source.kind in ("digits", "csv"):  # small: split the whole, keep a shard
        ds = load_data(source, dtype, plan.seed, plan.test_fraction, plan.delimiter)
        a, b = distributed.shard_range(len(ds.y_train), comm)
        c, d = distributed.shard_range(len(ds.y_test), comm)
        return ds.X_train[a:b], ds.y_train[a:b], ds.X_test[c:d], ds.y_test[c:d], None, 1
    raise CliError(
        f"--distributed reads fashion-mnist[:DIR], mnist:DIR, FILE.npz, FILE.csv "
        f"(.tsv, .txt) or digits; got {plan.data!r}"
    )


@dataclass(frozen=True)
class Shards:
    """This rank's part of the data, outputs as class indices."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    classes: np.ndarray
    class_names: list[str] | None
    split_ranks: int


def cmd_train_distributed(plan: TrainPlan) -> int:
    comm = distributed.world()
    parts = _read_shards(plan, comm)
    thetas = _initial_network(plan, parts, comm)
    threads = plan.threads or distributed.default_threads(comm)
    _say_before_training(plan, thetas, parts, threads, comm)
    # the files read, for evaluate to check
    fingerprint = plan.source.fingerprint() if comm.Get_rank() == 0 and plan.save else None
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():  # said above, for all ranks' data
            warnings.simplefilter("ignore", InputScaleWarning)
            thetas, history = train(
                thetas,
                parts.X_train,
                parts.y_train,
                num_threads=threads,
                comm=comm,
                **plan.train_keywords(),
            )
    except TrainingDiverged as e:
        raise CliError(in_flags(str(e), standardize=False)) from None
    except ScheduleError as e:  # (every rank sees the same rates)
        raise CliError(f"--schedule {str(e).removeprefix('schedule: ')}") from None
    seconds = time.perf_counter() - start
    return _report(plan, thetas, history, seconds, parts, fingerprint, threads, comm)


def _read_shards(plan: TrainPlan, comm: Any) -> Shards:
    """Every rank reads its shard; one that cannot stops all (a collective check)."""
    error: BaseException | None = None
    try:
        Xtr, ytr, Xte, yte, names, ranks = _shards(plan, np.dtype(plan.dtype), comm)
    except (ValueError, TypeError, OSError, ImportError, CliError) as e:
        error = e
    distributed.collective_check(error, comm)  # a rank that cannot read its shard stops all
    try:
        classes = class_values(*comm.allgather(np.unique(np.concatenate([ytr, yte]))))
        ytr = to_class_indices(ytr, classes, f"--data {plan.data}")
        yte = to_class_indices(yte, classes, f"--data {plan.data}")
    except CliError as e:
        error = e
    distributed.collective_check(error, comm)
    return Shards(Xtr, ytr, Xte, yte, classes, names, ranks)


def _initial_network(plan: TrainPlan, parts: Shards, comm: Any) -> Network:
    """Rank 0's initial weights, broadcast to every rank."""
    sizes = [parts.X_train.shape[1], *parse_hidden(plan.hidden), len(parts.classes)]
    thetas = (
        initialize(
            sizes,
            method=plan.init,
            seed=plan.seed,
            dtype=np.dtype(plan.dtype),
            activation=plan.activation,
        )
        if comm.Get_rank() == 0
        else None
    )
    return Network(distributed.broadcast(thetas, comm), plan.activation, plan.output)


def _say_before_training(
    plan: TrainPlan, thetas: Network, parts: Shards, threads: int, comm: Any
) -> None:
    """A note when mpiexec did not start the run, the banner, and a hint on the scale."""
    rank = comm.Get_rank()
    if comm.Get_size() == 1 and not launched_by_mpiexec():
        print(
            "bprop: note: --distributed was not started by mpiexec, so it runs on 1 rank; "
            "for N ranks: mpiexec -n N python -m bprop train --distributed ...",
            file=sys.stderr,
            flush=True,
        )
    m = comm.allreduce(len(parts.y_train))
    if rank == 0 and not plan.quiet:
        where = f" over {count(comm.Get_size(), 'rank')} x {count(threads, 'thread')}"
        arch = "-".join(map(str, layer_sizes(thetas)))
        print(banner(plan, arch, thetas, m, np.dtype(plan.dtype), where), flush=True)
    hint = scale_hint(max(comm.allgather(input_scale(parts.X_train))), standardize=False)
    if hint and rank == 0:
        print(hint, file=sys.stderr, flush=True)


def _report(
    plan: TrainPlan,
    thetas: Network,
    history: Any,
    seconds: float,
    parts: Shards,
    fingerprint: dict | None,
    threads: int,
    comm: Any,
) -> int:
    """Rank 0 prints the run and its accuracies, and writes the model file."""
    m = comm.allreduce(len(parts.y_train))
    J = history.final_cost  # over all ranks' training samples, from train itself
    train_acc = _accuracy(thetas, parts.X_train, parts.y_train, threads, comm)
    test_acc = _accuracy(thetas, parts.X_test, parts.y_test, threads, comm)
    if comm.Get_rank() != 0:
        return 130 if history.stopped == "interrupted" else 0
    arch = "-".join(map(str, layer_sizes(thetas)))
    print(summary(arch, J, history, seconds, m, f" on {count(comm.Get_size(), 'rank')}"))
    print(f"train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}")
    if plan.save:
        record = model_record(
            plan,
            parts.classes,
            parts.class_names,
            parts.split_ranks,
            fingerprint,
            train_accuracy=train_acc,
            test_accuracy=test_acc,
            cost_history=history.cost,
            final_cost=J,
            iterations=history.iterations,
            stopped=history.stopped,
            ranks=comm.Get_size(),
        )
        save_model(plan.save, thetas, record)
    return interrupted_exit(plan, history)


def launched_by_mpiexec() -> bool:
    """Whether a process manager started this process: mpiexec/mpirun of MPICH,
    Intel MPI or Open MPI, or Slurm's srun (each sets one of these)."""
    return any(name in os.environ for name in ("PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK"))


def _accuracy(thetas: Network, X: np.ndarray, y: np.ndarray, threads: int, comm: Any) -> float:
    from ..network import predict

    correct = int(np.sum(predict(thetas, X, num_threads=threads) == y)) if len(y) else 0
    return distributed.global_share(correct, len(y), comm)
