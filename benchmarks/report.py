"""Print a markdown table: bprop vs numpy (vs PyTorch) cost + gradient times.

Usage: python benchmarks/report.py [--m 60000] [--rounds 5]
It unsets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for its own run (re-executing itself),
because they slow numpy's OpenBLAS on these machines.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

if any(v in os.environ for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    os.execve(sys.executable, [sys.executable, *sys.argv], env)

sys.path.insert(0, str(Path(__file__).parent))

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

import bprop  # noqa: E402
from problems import DTYPES, LOOP_M, NETWORKS, contenders, flops, loop_contender, median_time  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--m", type=int, default=60000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    peak = matmul_rate(args.threads)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
               platform.processor())
    blas = ", ".join(f"{i['internal_api']} {i['version']}" for i in threadpool_info())
    print(f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
          f"numpy {np.__version__} ({blas}), bprop {bprop.__version__}; m = {args.m}, lambda = 1, "
          f"{args.threads} threads for every contender; median of {args.rounds} rounds. numpy's "
          f"2048^3 float64 matmul: {peak:.1f} GFLOP/s.\n")
    print("| network | dtype | bprop 1t (s) | bprop (s) | numpy (s) | torch (s) | textbook loop (s, scaled) "
          "| bprop GFLOP/s | vs numpy | vs torch | vs loop |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for net, sizes in NETWORKS.items():
        loop = median_time(loop_contender(sizes, np.float64), 1) * args.m / LOOP_M
        for dname, dtype in DTYPES.items():
            times = {}
            with threadpool_limits(1):
                times["bprop1"] = median_time(contenders(sizes, dtype, args.m, 1)["bprop"], args.rounds)
            fns = contenders(sizes, dtype, args.m, args.threads)
            with threadpool_limits(args.threads):
                if "torch" in fns:
                    import torch
                    torch.set_num_threads(args.threads)
                for name, fn in fns.items():
                    times[name] = median_time(fn, args.rounds)
            ours = times["bprop"]
            torch_t = times.get("torch")
            is64 = dname == "f64"
            cells = [net, dname, f"{times['bprop1']:.3f}", f"{ours:.3f}", f"{times['numpy']:.3f}",
                     f"{torch_t:.3f}" if torch_t else "n/a", f"{loop:.1f}" if is64 else "-",
                     f"{flops(sizes, args.m) / ours / 1e9:.1f}", f"{times['numpy'] / ours:.2f}x",
                     f"{torch_t / ours:.2f}x" if torch_t else "n/a",
                     f"{loop / ours:.0f}x" if is64 else "-"]
            print("| " + " | ".join(cells) + " |", flush=True)
    minibatch_table(args.threads, 50)


def minibatch_table(threads: int, rounds: int) -> None:
    print(f"\nOne step on a mini-batch of 128 samples (784-100-10), {threads} threads, median of "
          f"{rounds} calls:\n")
    print("| dtype | bprop (ms) | numpy (ms) | torch (ms) | vs numpy | vs torch |")
    print("|---|---|---|---|---|---|")
    for dname, dtype in DTYPES.items():
        fns = contenders(NETWORKS["784-100-10"], dtype, 128, threads)
        with threadpool_limits(threads):
            if "torch" in fns:
                import torch
                torch.set_num_threads(threads)
            t = {name: median_time(fn, rounds) * 1e3 for name, fn in fns.items()}
        ours = t["bprop"]
        torch_ms = f"{t['torch']:.2f}" if "torch" in t else "n/a"
        vs_torch = f"{t['torch'] / ours:.2f}x" if "torch" in t else "n/a"
        print(f"| {dname} | {ours:.2f} | {t['numpy']:.2f} | {torch_ms} | {t['numpy'] / ours:.2f}x | "
              f"{vs_torch} |")


def matmul_rate(threads: int) -> float:
    """numpy's float64 2048^3 matmul rate (GFLOP/s): the machine's practical peak."""
    a = np.random.default_rng(0).random((2048, 2048))
    with threadpool_limits(threads):
        return 2 * 2048**3 / median_time(lambda: a @ a, 3) / 1e9


if __name__ == "__main__":
    main()
