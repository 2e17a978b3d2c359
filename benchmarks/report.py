"""Print a markdown table: bprop vs numpy (vs PyTorch) cost + gradient times.

Usage: python benchmarks/report.py [--m 60000] [--rounds 5] [--isa avx2|baseline]
It unsets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for its own run (re-executing itself),
because they slow numpy's OpenBLAS on these machines; --isa holds every contender to one
instruction set (isa_env.py).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from isa_env import ISA_ENV, reexec_in_benchmark_environment  # noqa: E402

reexec_in_benchmark_environment()

import numpy as np  # noqa: E402
from problems import (
    DTYPES,
    IDLE_GAP,
    LOOP_M,
    NETWORKS,
    contenders,  # noqa: E402
    cpu_description,
    flops,
    loop_contender,
    matmul_rate,
    median_time,
)
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

import bprop  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(
        description="bprop vs numpy (vs PyTorch) cost + gradient: markdown tables on stdout."
    )
    ap.add_argument("--m", type=int, default=60000, help="samples (default: 60000)")
    ap.add_argument(
        "--rounds", type=int, default=5, help="timed calls per full-batch contender (default: 5)"
    )
    ap.add_argument("--threads", type=int, default=2, help="threads for everyone (default: 2)")
    ap.add_argument("--only-sparse", action="store_true", help="the sparse table alone")
    ap.add_argument(
        "--isa",
        choices=sorted(ISA_ENV),
        help="hold every contender to this instruction set (default: the CPU's)",
    )
    args = ap.parse_args()
    if args.only_sparse:
        print(f"Machine: {cpu_description()}; bprop kernels: {bprop.build_info()['simd']}")
        sparse_table(args.threads, args.rounds)
        return
    peak = {d: matmul_rate(args.threads, dt) for d, dt in DTYPES.items()}
    path = bprop.build_info()["simd"]
    same_isa = (
        {d: peak[d] for d in DTYPES}
        if args.isa
        else {d: same_isa_matmul_rate(path, args.threads, d) for d in DTYPES}
    )
    blas = ", ".join(
        f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')})"
        for i in threadpool_info()
        if i.get("internal_api") != "openmp"
    )
    info = bprop.build_info()
    held = f" held to {args.isa} (every contender)" if args.isa else ""
    print(
        f"Machine: {cpu_description()}{held}, {os.cpu_count()} cores; bprop {bprop.__version__} "
        f"kernels: {info['simd']} (this CPU runs {', '.join(info['simd_supported'])}); Python "
        f"{platform.python_version()}, numpy {np.__version__} with {blas}; m = {args.m}, "
        f"lambda = 1, {args.threads} threads for every contender; median of {args.rounds} "
        f"calls, each after an idle gap of {IDLE_GAP} s. numpy's 2048^3 matmul: "
        f"{peak['f64']:.1f} GFLOP/s f64, {peak['f32']:.1f} f32; with OpenBLAS's "
        f"{SAME_ISA_CORETYPE.get(path, '?')} kernels (the instruction set of bprop's "
        f"{path} path): {_rate(same_isa['f64'])} f64, {_rate(same_isa['f32'])} f32.\n"
    )
    print(
        "Times in ms. \"vs X\" is X's time over bprop's (above 1x: bprop is faster). GFLOP/s "
        "counts the matrix products (forward, Delta and hidden back-propagation); efficiency "
        "is that rate over numpy's 2048^3 matmul in the same dtype, and (same ISA) over "
        "OpenBLAS's matmul restricted to the instruction set of bprop's kernel path. The "
        f"textbook loop (float64 only) runs on {LOOP_M} samples, scaled to m."
        + (" n/a: PyTorch not installed." if importlib.util.find_spec("torch") is None else "")
        + "\n"
    )
    print(
        "| network | dtype | bprop 1 thread | bprop | numpy tuned | numpy oracle | "
        "torch | textbook loop | bprop GFLOP/s | efficiency | efficiency (same ISA) | "
        "vs numpy tuned | vs oracle | vs torch | vs loop |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for net, sizes in NETWORKS.items():
        loop = median_time(loop_contender(sizes, np.float64), 1) * args.m / LOOP_M
        for dname, dtype in DTYPES.items():
            times = {}
            with threadpool_limits(1):
                times["bprop1"] = median_time(
                    contenders(sizes, dtype, args.m, 1)["bprop"], args.rounds
                )
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
            rate = flops(sizes, args.m) / ours / 1e9
            ms = lambda t: f"{t * 1e3:.1f}"  # noqa: E731
            cells = [
                net,
                dname,
                ms(times["bprop1"]),
                ms(ours),
                ms(times["numpy tuned"]),
                ms(times["numpy"]),
                ms(torch_t) if torch_t else "n/a",
                ms(loop) if is64 else "-",
                f"{rate:.1f}",
                f"{100 * rate / peak[dname]:.0f}%",
                f"{100 * rate / same_isa[dname]:.0f}%" if same_isa[dname] else "n/a",
                f"{times['numpy tuned'] / ours:.2f}x",
                f"{times['numpy'] / ours:.2f}x",
                f"{torch_t / ours:.2f}x" if torch_t else "n/a",
                f"{loop / ours:.0f}x" if is64 else "-",
            ]
            print("| " + " | ".join(cells) + " |", flush=True)
    minibatch_table(args.threads, 50)
    sparse_table(args.threads, args.rounds)
    interference_table(args.threads, args.m)


def sparse_table(threads: int, rounds: int) -> None:
    from sparse_problems import DENSITIES, SIZES, M
    from sparse_problems import contenders as sparse_contenders

    print(
        f"\nSparse X (CSR), {'-'.join(map(str, SIZES))} f32, m = {M}, cost and gradient, "
        f"{threads} threads, median of {rounds} calls after idle gaps; times in ms:\n"
    )
    print(
        "| density | bprop sparse | bprop dense (same values) | numpy + scipy.sparse | "
        "sparse vs dense | vs numpy + scipy.sparse |"
    )
    print("|---|---|---|---|---|---|")
    for density in DENSITIES:
        fns = sparse_contenders(density, threads)
        with threadpool_limits(threads):
            t = {name: median_time(fn, rounds) * 1e3 for name, fn in fns.items()}
        ours = t["bprop sparse"]
        print(
            f"| {density:.1%} | {ours:.1f} | {t['bprop dense']:.1f} | "
            f"{t['numpy + scipy.sparse']:.1f} | {t['bprop dense'] / ours:.2f}x | "
            f"{t['numpy + scipy.sparse'] / ours:.2f}x |",
            flush=True,
        )


def minibatch_table(threads: int, rounds: int) -> None:
    print(
        f"\nOne step on a mini-batch of 128 samples (784-100-10), {threads} threads, median of "
        f"{rounds} calls back to back, after an idle gap:\n"
    )
    print(
        "| dtype | bprop (ms) | numpy tuned (ms) | numpy oracle (ms) | torch (ms) | "
        "vs numpy tuned | vs oracle | vs torch |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for dname, dtype in DTYPES.items():
        fns = contenders(NETWORKS["784-100-10"], dtype, 128, threads)
        with threadpool_limits(threads):
            if "torch" in fns:
                import torch

                torch.set_num_threads(threads)
            t = {name: median_time(fn, rounds, burst=True) * 1e3 for name, fn in fns.items()}
        ours = t["bprop"]
        torch_ms = f"{t['torch']:.2f}" if "torch" in t else "n/a"
        vs_torch = f"{t['torch'] / ours:.2f}x" if "torch" in t else "n/a"
        print(
            f"| {dname} | {ours:.2f} | {t['numpy tuned']:.2f} | {t['numpy']:.2f} | {torch_ms} | "
            f"{t['numpy tuned'] / ours:.2f}x | {t['numpy'] / ours:.2f}x | {vs_torch} |"
        )


def interference_table(threads: int, m: int) -> None:
    """Each pool's threads spin after a call: bprop right after a numpy matmul (OpenBLAS's
    workers still spinning), and numpy right after bprop (libgomp's), each against its
    time after an idle gap."""
    sizes = NETWORKS["784-25-10"]
    bp = contenders(sizes, np.float64, m, threads)["bprop"]
    small = contenders(sizes, np.float64, 4096, threads)["bprop"]
    a = np.random.default_rng(0).random((1024, 1024))
    with threadpool_limits(threads):

        def matmul():
            return a @ a

        idle_b = median_time(bp, 7)
        after_b = median_time(lambda: (matmul(), _timed(bp))[1], 7, gap=IDLE_GAP, inner=True)
        idle_n = median_time(matmul, 15)
        after_n = median_time(lambda: (small(), _timed(matmul))[1], 15, gap=IDLE_GAP, inner=True)
    print(
        f"\nInterference, {threads} threads each: bprop (784-25-10 f64, m = {m}) right after a "
        f"numpy 1024^3 matmul: {after_b * 1e3:.0f} ms vs {idle_b * 1e3:.0f} ms idle "
        f"({after_b / idle_b:.2f}x); that matmul right after a bprop call (m = 4096): "
        f"{after_n * 1e3:.1f} ms vs {idle_n * 1e3:.1f} ms idle ({after_n / idle_n:.2f}x)."
    )


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# OpenBLAS's kernels of the instruction set each bprop path uses (OPENBLAS_CORETYPE):
# Nehalem's are SSE (16-byte vectors, as bprop's portable path), Haswell's AVX2 + FMA.
SAME_ISA_CORETYPE = {
    "baseline": "Nehalem",
    "avx2": "Haswell",
    "wide-avx2": "Haswell",
    "avx512": "SkylakeX",
}


def same_isa_matmul_rate(path: str, threads: int, dtype: str) -> float | None:
    """numpy's 2048^3 matmul rate with OpenBLAS held to the instruction set of bprop's
    kernel path, measured in a child process (OpenBLAS reads its core type once, at
    load); None where OpenBLAS cannot be held to it."""
    import subprocess

    coretype = SAME_ISA_CORETYPE.get(path)
    if coretype is None:
        return None
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import numpy as np; "
        "from problems import matmul_rate; "
        "from threadpoolctl import threadpool_info as i; "
        "print([x.get('architecture') for x in i() if x['internal_api'] == 'openblas'], "
        f"matmul_rate({threads}, np.{DTYPES[dtype].__name__}))"
    )
    env = dict(os.environ, OPENBLAS_CORETYPE=coretype, BPROP_BENCH_ENV_SET="1")
    out = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent)],
        env=env,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0 or coretype.lower() not in out.stdout.lower():
        return None  # not OpenBLAS, or it refused the core type
    return float(out.stdout.split()[-1])


def _rate(value: float | None) -> str:
    return f"{value:.1f} GFLOP/s" if value else "n/a"


if __name__ == "__main__":
    main()
