"""Memory does not grow with m, and 64-bit indexing holds past 2^31 elements."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import bprop

MEASURE = textwrap.dedent("""
    import resource, sys, numpy as np, bprop
    m, n, hidden = 200_000, 100, 64
    rng = np.random.default_rng(0)
    X = rng.normal(size=(m, n))
    y = rng.integers(0, 10, size=m)
    thetas = bprop.initialize([n, hidden, hidden, 10], seed=0)
    bprop.cost_and_gradient(thetas, X[:2000], y[:2000], 1.0, num_threads=2)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    bprop.cost_and_gradient(thetas, X, y, 1.0, num_threads=2)
    bprop.forward(thetas, X, num_threads=2)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print((after - before) // 1024)
""")


def test_peak_memory_does_not_grow_with_m():
    # An (m, hidden) float64 temporary here would be 100 MB; the forward output is 16 MB.
    out = subprocess.run(
        [sys.executable, "-c", MEASURE], capture_output=True, text=True, check=True, timeout=300
    )
    grown_mb = int(out.stdout.strip())
    assert grown_mb < 40, f"peak memory grew by {grown_mb} MB over a 100 MB X"


@pytest.mark.bigmem
def test_more_than_2_pow_31_elements():
    # 65 rows of 2^25 float32 features: m * n = 2.18e9 > 2^31, and the last block's row
    # offset passes 2^31. The whole-data gradient equals the m-weighted mean of the
    # gradients of its two halves, and the last row's output equals its own forward pass.
    m, n = 65, 2**25
    assert m * n > 2**31
    X = np.empty((m, n), dtype=np.float32)
    X[:] = ((np.arange(m) % 7) / 7.0 - 0.4).astype(np.float32)[:, None]
    X[:, ::3] *= -1
    y = np.arange(m) % 2
    theta1 = np.full((2, n + 1), 1e-7, dtype=np.float32)
    theta1[1, 1:] = -2e-7
    thetas = [theta1, np.array([[0.1, 0.5, -0.3]], dtype=np.float32)]
    J, grads = bprop.cost_and_gradient(thetas, X, y, 0.0)
    halves = [
        bprop.cost_and_gradient(thetas, X[s], y[s], 0.0) for s in (slice(0, 32), slice(32, m))
    ]
    J_halves = (32 * halves[0][0] + 33 * halves[1][0]) / m
    assert J == pytest.approx(J_halves, rel=1e-6)
    for l, g in enumerate(grads):
        expected = (32 * halves[0][1][l].astype(np.float64) + 33 * halves[1][1][l]) / m
        np.testing.assert_allclose(g, expected, rtol=1e-4, atol=1e-9)
    h = bprop.forward(thetas, X)
    assert h.shape == (m, 1)
    np.testing.assert_allclose(h[64], bprop.forward(thetas, X[64:65])[0], rtol=1e-6)
