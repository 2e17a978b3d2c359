"""Full-batch cost + gradient: bprop vs numpy (and PyTorch when installed).

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m pytest benchmarks/
(those two variables slow numpy on these machines). BPROP_BENCH_M sets m.
"""

import pytest
from threadpoolctl import threadpool_limits

from problems import DTYPES, LOOP_M, NETWORKS, bench_m, contenders, loop_contender


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
@pytest.mark.parametrize("contender", ["bprop", "numpy", "torch"])
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
@pytest.mark.parametrize("contender", ["bprop", "numpy", "torch"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_minibatch_step(benchmark, dtype, contender, threads):
    """One cost + gradient on a mini-batch of 128 (784-100-10): per-call overhead shows here."""
    benchmark.group = f"784-100-10 {dtype} mini-batch 128"
    benchmark.name = f"{contender} {threads}t"
    run_contender(benchmark, NETWORKS["784-100-10"], dtype, 128, contender, threads, 50, 5)
