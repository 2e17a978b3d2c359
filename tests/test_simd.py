"""The SIMD paths: the portable baseline gives correct results, the sigmoid is exact."""

import os
import subprocess
import sys

import numpy as np
import pytest

import bprop
from bprop import reference

BASELINE_CHECK = """
import numpy as np, bprop
from bprop import reference
assert bprop.build_info()["simd"] == "baseline", bprop.build_info()
rng = np.random.default_rng(0)
for sizes in ([13, 7, 5], [20, 25, 10], [9, 6, 5, 4]):
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 2e-5)):
        thetas = [rng.normal(size=(o, i + 1)).astype(dtype) for i, o in zip(sizes[:-1], sizes[1:])]
        X = rng.normal(size=(150, sizes[0]))
        y = rng.integers(0, sizes[-1], 150)
        J, g = bprop.cost_and_gradient(thetas, X, y, 0.5)
        t64 = [t.astype(np.float64) for t in thetas]
        Jr, gr = reference.cost_and_gradient(t64, X.astype(dtype).astype(np.float64), y, 0.5)
        assert abs(J - Jr) <= rtol * abs(Jr), (J, Jr)
        for a, b in zip(g, gr):
            np.testing.assert_allclose(a, b, rtol=rtol * 10, atol=rtol * np.abs(b).max())
        J1 = bprop.cost_and_gradient(thetas, X, y, 0.5, num_threads=1)[0]
        assert J1 == J
print("ok")
"""


def test_baseline_path_is_correct():
    env = dict(os.environ, BPROP_SIMD="baseline")
    out = subprocess.run([sys.executable, "-c", BASELINE_CHECK], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_isa_is_reported():
    assert bprop.build_info()["simd"] in ("baseline", "avx2")


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 2e-15), (np.float32, 3e-7)])
def test_sigmoid_matches_reference_over_the_range(dtype, rtol):
    # A one-unit network with weight 1 and bias 0 outputs g(x) for each input x.
    z = np.concatenate([np.linspace(-40, 40, 20001), [-1e-300, 0.0, 1e-300, 1e-8, -1e-8]])
    out = bprop.forward([np.array([[0.0, 1.0]], dtype=dtype)], z[:, None].astype(dtype))[:, 0]
    expected = reference.sigmoid(z.astype(dtype).astype(np.float64))
    np.testing.assert_allclose(out, expected, rtol=rtol, atol=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_saturates_without_overflow(dtype):
    z = np.array([-1e30, -1000.0, -745.0, -710.0, -100.0, 100.0, 710.0, 745.0, 1000.0, 1e30])
    out = bprop.forward([np.array([[0.0, 1.0]], dtype=dtype)], z[:, None].astype(dtype))[:, 0]
    assert np.isfinite(out).all()
    assert (out[:5] >= 0).all() and (out[:5] < 1e-37).all()
    np.testing.assert_array_equal(out[5:], 1.0)
