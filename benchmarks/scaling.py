"""Measurements behind docs/scaling.md, and the model's predictions.

    python benchmarks/scaling.py compute              # seconds per sample of cost+gradient
    mpiexec -n 2 python benchmarks/scaling.py comm    # the deterministic sum on loopback
    python benchmarks/scaling.py predict T25 T256 TWIDE  # speed-up table from per-sample times

Unsets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for its own run, like the other benchmarks.
"""

from __future__ import annotations

import os
import sys
import time

if any(v in os.environ for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    os.execve(sys.executable, [sys.executable, *sys.argv], env)

import numpy as np  # noqa: E402

import bprop  # noqa: E402

NETWORKS = {
    "784-25-10": [784, 25, 10],
    "784-256-128-10": [784, 256, 128, 10],
    "4096-4096-1000": [4096, 4096, 1000],
}


def best_of(f, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def compute() -> None:
    print("| network | parameters | float64 us/sample (2 threads) |")
    print("|---|---|---|")
    rng = np.random.default_rng(0)
    for name, sizes in NETWORKS.items():
        m = 20000 if sizes[0] == 784 else 512
        thetas = bprop.initialize(sizes, method="xavier", seed=0)
        X = rng.random((m, sizes[0]))
        y = rng.integers(0, sizes[-1], m)
        bprop.cost_and_gradient(thetas, X, y, 1.0, num_threads=2)
        t = best_of(lambda: bprop.cost_and_gradient(thetas, X, y, 1.0, num_threads=2), 3)
        print(f"| {name} | {bprop.num_parameters(sizes)} | {t / m * 1e6:.2f} |", flush=True)


def comm() -> None:
    from mpi4py import MPI

    from bprop.distributed import ordered_sum

    world = MPI.COMM_WORLD
    if world.Get_rank() == 0:
        print(f"{world.Get_size()} ranks on loopback (shared memory)")
        print("| network | bytes per rank | ordered_sum (ms) | MPI Allreduce (ms) |")
        print("|---|---|---|---|")
    for name, sizes in NETWORKS.items():
        P = bprop.num_parameters(sizes) + 3
        v = np.random.default_rng(world.Get_rank()).random(P)
        out = np.empty_like(v)
        reps = 20 if P < 1e6 else 5
        world.Barrier()
        t_ours = best_of(lambda: ordered_sum(v, world), reps)
        world.Barrier()
        t_mpi = best_of(lambda: world.Allreduce(v, out), reps)
        if world.Get_rank() == 0:
            print(
                f"| {name} | {8 * P / 1e6:.2f} MB | {t_ours * 1e3:.3f} | {t_mpi * 1e3:.3f} |",
                flush=True,
            )


def predict(per_sample_us: list[float]) -> None:
    """Speed-up of one step over N nodes: compute B/N samples, then a ring-style
    reduction moving 2 (N-1)/N of the gradient over the network."""
    links = {
        "10 Gb/s (TCP, 25 us latency)": (1.25e9, 25e-6),
        "100 Gb/s (RDMA, 3 us latency)": (12.5e9, 3e-6),
    }
    nodes = [2, 4, 8, 16, 32, 64]
    for (name, sizes), t_us in zip(NETWORKS.items(), per_sample_us):
        t_sample = t_us * 1e-6
        nbytes = 8 * bprop.num_parameters(sizes)
        for link, (bandwidth, latency) in links.items():

            def comm_time(n: int) -> float:
                return 2 * (n - 1) / n * nbytes / bandwidth + 2 * (n - 1) * latency

            for batch in (60000, 128):
                speed = [batch * t_sample / (batch / n * t_sample + comm_time(n)) for n in nodes]
                print(
                    f"| {name} | {link} | {batch} | " + " | ".join(f"{s:.1f}" for s in speed) + " |"
                )
        for link, (bandwidth, latency) in links.items():
            # batch at which one step's compute on each of 16 nodes equals the communication
            n = 16
            b_star = n * (2 * (n - 1) / n * nbytes / bandwidth + 2 * (n - 1) * latency) / t_sample
            print(
                f"  {name}, {link}: communication dominates below a global batch of "
                f"{b_star:,.0f} samples on 16 nodes"
            )


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "compute"
    if what == "compute":
        compute()
    elif what == "comm":
        comm()
    elif what == "predict":
        predict([float(v) for v in sys.argv[2:5]])
    else:
        sys.exit(__doc__)
