"""``mpiexec -n N python -m bprop train --distributed ...``: the train command on N ranks.

Every rank reads only its shard of the training and test data, trains with
``bprop.train(..., comm=COMM_WORLD)`` and so holds the same weights; rank 0
prints and writes the model file.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from . import data as bdata
from . import distributed
from .init import initialize
from .model_file import save
from .train import TrainingDiverged, train


def _shards(spec: str, dtype: np.dtype, seed: int, test_fraction: float, comm: Any
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str] | None]:
    """This rank's (X_train, y_train, X_test, y_test) and the class names."""
    from .cli import CliError, load_data

    if spec.startswith(("fashion-mnist", "mnist:")):
        Xtr, ytr, _ = distributed.load_shard(spec, "train", comm=comm, dtype=dtype)
        Xte, yte, _ = distributed.load_shard(spec, "test", comm=comm, dtype=dtype)
        names = list(bdata.FASHION_MNIST_CLASSES) if spec.startswith("fashion") else None
        return Xtr, ytr, Xte, yte, names
    if spec.endswith(".npz"):  # the rank's rows only, split into train and test locally
        X, y, _ = distributed.load_shard(spec, comm=comm, dtype=dtype)
        Xtr, Xte, ytr, yte = bdata.train_validation_split(X, y, test_fraction,
                                                          seed=[seed, comm.Get_rank()])
        return Xtr, ytr, Xte, yte, None
    if spec == "digits" or spec.endswith(".csv"):  # small: split the whole, keep a shard
        Xtr, ytr, Xte, yte, names = load_data(spec, dtype, seed, test_fraction)
        a, b = distributed.shard_range(len(ytr), comm)
        c, d = distributed.shard_range(len(yte), comm)
        return Xtr[a:b], ytr[a:b], Xte[c:d], yte[c:d], names
    raise CliError(f"--distributed reads fashion-mnist[:DIR], mnist:DIR, FILE.npz, FILE.csv or "
                   f"digits; got {spec!r}")


def cmd_train_distributed(args: argparse.Namespace) -> int:
    from .cli import parse_hidden

    comm = distributed.world()
    rank = comm.Get_rank()
    dtype = np.dtype(args.dtype)
    error: BaseException | None = None
    try:
        Xtr, ytr, Xte, yte, names = _shards(args.data, dtype, args.seed, args.test_fraction, comm)
    except (ValueError, TypeError, OSError, ImportError) as e:
        error = e
    distributed.collective_check(error, comm)  # a rank that cannot read its shard stops all
    K = comm.allreduce(int(max(ytr.max(initial=-1), yte.max(initial=-1))) + 1, op=_max())
    sizes = [Xtr.shape[1], *parse_hidden(args.hidden), K]
    thetas = initialize(sizes, method=args.init, seed=args.seed, dtype=dtype,
                        activation=args.activation) if rank == 0 else None
    thetas = distributed.broadcast(thetas, comm)
    threads = args.threads or distributed.default_threads(comm)
    if args.iterations is None and args.epochs is None and args.optimizer == "lbfgs":
        args.iterations = 200
    m = comm.allreduce(len(ytr))
    arch = "-".join(map(str, sizes))
    if rank == 0 and not args.quiet:
        print(f"training {arch} on {m} samples over {comm.Get_size()} ranks x {threads} threads "
              f"({args.data}), optimizer {args.optimizer}, lambda {args.lambda_:g}, {dtype}",
              flush=True)
    start = time.perf_counter()
    try:
        thetas, history = train(thetas, Xtr, ytr, lambda_=args.lambda_, optimizer=args.optimizer,
                                learning_rate=args.learning_rate, iterations=args.iterations,
                                epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                                verbose=not args.quiet, num_threads=threads,
                                activation=args.activation, output=args.output, comm=comm)
    except TrainingDiverged as e:
        from .cli import CliError
        raise CliError(str(e)) from None
    seconds = time.perf_counter() - start
    kind = {"num_threads": threads, "activation": args.activation, "output": args.output}
    train_acc = _accuracy(thetas, Xtr, ytr, kind, comm)
    test_acc = _accuracy(thetas, Xte, yte, kind, comm)
    if rank == 0:
        print(f"{arch}: final cost {history.cost[-1]:.4f} after {history.iterations} iterations "
              f"in {seconds:.1f} s on {comm.Get_size()} ranks")
        print(f"train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}")
        if args.save:
            save(args.save, thetas, data=args.data, optimizer=args.optimizer,
                 lambda_=args.lambda_, learning_rate=args.learning_rate,
                 iterations=history.iterations, batch_size=args.batch_size, seed=args.seed,
                 test_fraction=args.test_fraction, activation=args.activation,
                 output=args.output, class_names=names, train_accuracy=train_acc,
                 test_accuracy=test_acc, cost_history=history.cost, ranks=comm.Get_size())
            print(f"saved {args.save}")
    return 0


def _accuracy(thetas: list[np.ndarray], X: np.ndarray, y: np.ndarray, kind: dict, comm: Any
              ) -> float:
    from .network import predict

    correct = int(np.sum(predict(thetas, X, **kind) == y)) if len(y) else 0
    return distributed.global_share(correct, len(y), comm)


def _max() -> Any:
    from mpi4py import MPI
    return MPI.MAX
