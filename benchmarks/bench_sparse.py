"""Full-batch cost + gradient on sparse X (CSR) at a few densities: bprop's
sparse path vs its dense path on the same values vs numpy + scipy.sparse.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python -m pytest benchmarks/bench_sparse.py
"""

import pytest
from sparse_problems import DENSITIES, SIZES, M, contenders
from threadpoolctl import threadpool_limits


@pytest.mark.parametrize("threads", [2])
@pytest.mark.parametrize("contender", ["bprop sparse", "bprop dense", "numpy + scipy.sparse"])
@pytest.mark.parametrize("density", DENSITIES)
def test_sparse_cost_gradient(benchmark, density, contender, threads):
    benchmark.group = f"{'-'.join(map(str, SIZES))} f32, m={M}, density {density:.1%}"
    benchmark.name = f"{contender} {threads}t"
    fn = contenders(density, threads)[contender]
    with threadpool_limits(threads):
        benchmark.pedantic(fn, rounds=5, warmup_rounds=1)
