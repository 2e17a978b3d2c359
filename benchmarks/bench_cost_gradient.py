"""Full-batch cost + gradient: bprop vs numpy (and PyTorch when installed).

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m pytest benchmarks/
(those two variables slow numpy on these machines). BPROP_BENCH_M sets m.
"""

import time

import numpy as np
import pytest
from problems import DTYPES, IDLE_GAP, LOOP_M, NETWORKS, bench_m, contenders, loop_contender
from threadpoolctl import threadpool_limits


def run_contender(benchmark, sizes, dtype, m, contender, threads, rounds, warmup):
    """Time one contender with numpy's and PyTorch's threads pinned to `threads`."""
    fns = contenders(sizes, DTYPES[dtype], m, threads)
    if contender not in fns:
        pytest.skip(f"{contender} is not installed")
    if contender == "torch":
        import torch

        torch.set_num_threads(threads)
    with threadpool_limits(threads):
        benchmark.pedantic(fns[contender], rounds=rounds, warmup_rounds=warmup)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("contender", ["bprop", "numpy tuned", "numpy", "torch"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("net", NETWORKS)
def test_cost_gradient(benchmark, net, dtype, contender, threads):
    benchmark.group = f"{net} {dtype} m={bench_m()}"
    benchmark.name = f"{contender} {threads}t"
    run_contender(benchmark, NETWORKS[net], dtype, bench_m(), contender, threads, 3, 1)


@pytest.mark.parametrize("net", NETWORKS)
def test_textbook_loop(benchmark, net):
    """The per-sample loop on LOOP_M samples; scale by m / LOOP_M to compare."""
    benchmark.group = f"{net} f64 textbook loop m={LOOP_M}"
    with threadpool_limits(1):
        benchmark.pedantic(loop_contender(NETWORKS[net], DTYPES["f64"]), rounds=1, warmup_rounds=0)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("contender", ["bprop", "numpy tuned", "numpy", "torch"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_minibatch_step(benchmark, dtype, contender, threads):
    """One cost + gradient on a mini-batch of 128 (784-100-10): per-call overhead shows here."""
    benchmark.group = f"784-100-10 {dtype} mini-batch 128"
    benchmark.name = f"{contender} {threads}t"
    run_contender(benchmark, NETWORKS["784-100-10"], dtype, 128, contender, threads, 50, 5)


@pytest.mark.parametrize(
    "case", ["bprop idle", "bprop after numpy", "numpy idle", "numpy after bprop"]
)
def test_interference(benchmark, case):
    """Thread pools beside each other: bprop (784-25-10 f64) right after a numpy matmul
    (OpenBLAS's workers still spinning) and a numpy matmul right after bprop (libgomp's),
    each against its time after an idle gap. Only the second call of each pair is timed."""
    benchmark.group = "interference, 2 threads each"
    bp = contenders(NETWORKS["784-25-10"], DTYPES["f64"], bench_m(), 2)["bprop"]
    a = np.random.default_rng(0).random((1024, 1024))
    first, timed = {
        "bprop idle": (None, bp),
        "bprop after numpy": (lambda: a @ a, bp),
        "numpy idle": (None, lambda: a @ a),
        "numpy after bprop": (bp, lambda: a @ a),
    }[case]

    def setup():
        time.sleep(IDLE_GAP)
        if first is not None:
            first()

    with threadpool_limits(2):
        benchmark.pedantic(timed, setup=setup, rounds=5, warmup_rounds=1)
