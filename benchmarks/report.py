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
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")),
               platform.processor())
    blas = ", ".join(f"{i['internal_api']} {i['version']}" for i in threadpool_info())
    print(f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
          f"numpy {np.__version__} ({blas}), bprop {bprop.__version__}; m = {args.m}, lambda = 1, "
          f"{args.threads} threads for every contender; median of {args.rounds} rounds.\n")
    print("| network | dtype | bprop 1t (s) | bprop (s) | numpy (s) | torch (s) | textbook loop (s, scaled) "
          "| bprop GFLOP/s | vs numpy | vs torch |")
    print("|---|---|---|---|---|---|---|---|---|---|")
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
            torch_t = times.get("torch")
            fmt = lambda t: f"{t:.3f}" if t is not None else "n/a"
            print(f"| {net} | {dname} | {times['bprop1']:.3f} | {times['bprop']:.3f} | {times['numpy']:.3f} | "
                  f"{fmt(torch_t)} | {loop if dname == 'f64' else float('nan'):.1f} | "
                  f"{flops(sizes, args.m) / times['bprop'] / 1e9:.1f} | "
                  f"{times['numpy'] / times['bprop']:.2f}x | "
                  f"{(torch_t / times['bprop']) if torch_t else float('nan'):.2f}x |")


if __name__ == "__main__":
    main()
