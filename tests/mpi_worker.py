"""Run under mpiexec by tests/test_distributed.py: python mpi_worker.py SCENARIO DIR.

Each rank takes its shard of a problem that the test wrote to DIR/problem.npz and
writes what it computed to DIR/rank<r>.npz, for the test to compare with one process.
"""

import sys

import numpy as np

import bprop
from bprop import distributed


def main() -> None:
    scenario, directory = sys.argv[1], sys.argv[2]
    comm = distributed.world()
    rank = comm.Get_rank()
    p = np.load(f"{directory}/problem.npz")
    X, y = p["X"], p["y"]
    w = p["w"] if "w" in p.files else None
    a, b = distributed.shard_range(len(y), comm)
    thetas = distributed.broadcast([p["t0"], p["t1"], p["t2"]] if rank == 0 else None, comm)
    kind = dict(activation=str(p["activation"]), output=str(p["output"]))
    out = {}
    if scenario == "gradient":
        J, grads = distributed.cost_and_gradient(
            thetas,
            X[a:b],
            y[a:b],
            float(p["lambda_"]),
            comm=comm,
            num_threads=1,
            sample_weight=None if w is None else w[a:b],
            **kind,
        )
        out = {"J": J, **{f"g{l}": g for l, g in enumerate(grads)}}
    elif scenario == "train":
        for name, settings in (
            ("gd", dict(optimizer="gd", learning_rate=0.5, iterations=4)),
            ("lbfgs", dict(optimizer="lbfgs", iterations=5)),
            ("adam", dict(optimizer="adam", learning_rate=0.01, batch_size=16, epochs=2, seed=3)),
            (  # a schedule, clipping and AdamW's decay on the global gradient
                "adamw",
                dict(
                    optimizer="adamw",
                    learning_rate=0.05,
                    iterations=4,
                    schedule="exponential:gamma=0.5",
                    clip_norm=0.05,
                ),
            ),
            (  # batches in each shard's order: the same every run, whatever the seed
                "in_order",
                dict(optimizer="gd", batch_size=16, epochs=2, shuffle=False, seed=None),
            ),
        ):
            trained, h = bprop.train(
                thetas,
                X[a:b],
                y[a:b],
                lambda_=float(p["lambda_"]),
                num_threads=1,
                verbose=False,
                comm=comm,
                **kind,
                **settings,
            )
            out.update({f"{name}_t{l}": t for l, t in enumerate(trained)})
            out[f"{name}_cost"] = np.array(h.cost)
        # validation shards, scored over all ranks, and early stopping on the global cost
        c, d = distributed.shard_range(len(p["yv"]), comm)
        trained, h = bprop.train(
            thetas,
            X[a:b],
            y[a:b],
            optimizer="gd",
            learning_rate=2.0,
            epochs=6,
            num_threads=1,
            verbose=False,
            comm=comm,
            validation_data=(p["Xv"][c:d], p["yv"][c:d]),
            early_stopping=True,
            patience=2,
            **kind,
        )
        out["val_cost"], out["val_accuracy"] = np.array(h.val_cost), np.array(h.val_accuracy)
        out.update({f"val_t{l}": t for l, t in enumerate(trained)})
    elif scenario == "bad_rank1":  # rank 1's shard holds a NaN
        Xs = X[a:b].copy()
        if rank == 1:
            Xs[2, 1] = np.nan
        bprop.train(thetas, Xs, y[a:b], iterations=3, verbose=False, comm=comm, num_threads=1)
    elif scenario == "bad_broadcast":  # root's weights are invalid: every rank raises it
        try:
            distributed.broadcast([np.zeros((3, 4)), np.zeros((2, 9))] if rank == 0 else None, comm)
        except ValueError as e:
            out["message"] = np.array(str(e))
    elif scenario.startswith("crash_rank1"):  # rank 1 fails outside any collective call
        if rank == 1:  # "_long": a message far larger than a pipe holds
            raise RuntimeError(
                "boom on purpose"
                + " ." * 100_000 * scenario.endswith("_long")
                + " (end of the message)"
            )
        distributed.cost(thetas, X[a:b], y[a:b], comm=comm, num_threads=1)  # rank 0 waits here
    np.savez(f"{directory}/rank{rank}.npz", **out)


if __name__ == "__main__":
    try:
        main()
    except BaseException as e:  # as the command line does: never leave the other ranks waiting
        from bprop.cli import distributed_failure

        sys.exit(distributed_failure(e))
