"""Thread semantics and bit-identical results for every thread count."""

import os
import subprocess
import sys

import numpy as np
import pytest
from conftest import make_problem

import bprop


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("m", [1, 100, 3000, 4500])  # 4500: chunks of 4 blocks
def test_bit_identical_across_thread_counts(dtype, m):
    thetas, X, y = make_problem([30, 16, 8, 5], m, dtype=dtype, seed=m)
    J1, g1 = bprop.cost_and_gradient(thetas, X, y, 1.0, num_threads=1)
    h1 = bprop.forward(thetas, X, num_threads=1)
    for nt in (2, 3, 8, -1):
        J, g = bprop.cost_and_gradient(thetas, X, y, 1.0, num_threads=nt)
        assert J == J1
        for a, b in zip(g, g1):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(bprop.forward(thetas, X, num_threads=nt), h1)
        assert bprop.cost(thetas, X, y, 1.0, num_threads=nt) == J1


def test_set_and_get_num_threads():
    try:
        bprop.set_num_threads(3)
        assert bprop.get_num_threads() == 3
        bprop.set_num_threads(-1)
        assert bprop.get_num_threads() == os.cpu_count() or bprop.get_num_threads() >= 1
        assert bprop.get_num_threads() == bprop.build_info()["num_procs"]
    finally:
        bprop.set_num_threads(None)
    assert bprop.get_num_threads() == bprop.build_info()["default_num_threads"]


@pytest.mark.parametrize(
    "bad, exc",
    [(0, ValueError), (-2, ValueError), (1.5, TypeError), ("2", TypeError), (True, TypeError)],
)
def test_bad_thread_counts(bad, exc):
    thetas, X, y = make_problem([3, 2, 2], 4)
    with pytest.raises(exc, match="num_threads"):
        bprop.cost(thetas, X, y, num_threads=bad)
    with pytest.raises(exc, match="num_threads"):
        bprop.set_num_threads(bad)


@pytest.mark.skipif(not bprop.build_info()["openmp"], reason="built without OpenMP: one thread")
def test_omp_num_threads_is_the_default():
    code = "import bprop; print(bprop.get_num_threads(), bprop.build_info()['openmp'])"
    env = dict(os.environ, OMP_NUM_THREADS="3")
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    assert out == ["3", "True"]


def test_openmp_is_as_the_build_expects():
    # CI's build without an OpenMP runtime sets BPROP_EXPECT_OPENMP=0; every other build has it
    expected = os.environ.get("BPROP_EXPECT_OPENMP", "1") == "1"
    assert bprop.build_info()["openmp"] is expected


def test_thread_counts_far_above_the_machine_are_refused():
    import bprop._internal.threads as th

    limit = th.max_threads()
    with pytest.raises(
        ValueError, match=rf"num_threads=100000 is far more than .* at most {limit}"
    ):
        bprop.cost(bprop.initialize([2, 2], seed=0), np.ones((3, 2)), [0, 1, 0], num_threads=100000)
    with pytest.raises(ValueError, match="far more than"):
        bprop.set_num_threads(50000)
    assert (
        bprop.cost(bprop.initialize([2, 2], seed=0), np.ones((3, 2)), [0, 1, 0], num_threads=limit)
        > 0
    )
