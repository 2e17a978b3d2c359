"""The SIMD paths: every path this CPU can run gives correct results (the AVX-512 tiling
also through its AVX2 build, so machines without AVX-512 test its logic); the sigmoid is
exact."""

import os
import subprocess
import sys

import numpy as np
import pytest

import bprop
from bprop import reference

PATH_CHECK = """
import sys
import numpy as np, bprop
from bprop import reference
assert bprop.build_info()["simd"] == sys.argv[1], bprop.build_info()
rng = np.random.default_rng(0)
cases = [([13, 7, 5], "sigmoid", "logistic"), ([20, 25, 10], "sigmoid", "logistic"),
         ([9, 6, 5, 4], "relu", "softmax"), ([70, 33, 17, 3], "tanh", "logistic"),
         ([31, 40, 2], "sigmoid", "identity"), ([5, 1, 1], "sigmoid", "logistic")]
for sizes, act, out in cases:
    for dtype, rtol in ((np.float64, 1e-12), (np.float32, 2e-5)):
        for m in (1, 63, 150, 1100):  # a partial block, several, several waves
            thetas = [rng.normal(size=(o, i + 1)).astype(dtype)
                      for i, o in zip(sizes[:-1], sizes[1:])]
            X = rng.normal(size=(m, sizes[0]))
            y = rng.normal(size=(m, sizes[-1])) if out == "identity" else \
                rng.integers(0, sizes[-1], m) if sizes[-1] > 1 else rng.integers(0, 2, m)
            kind = dict(activation=act, output=out)
            J, g = bprop.cost_and_gradient(thetas, X, y, 0.5, **kind)
            t64 = [t.astype(np.float64) for t in thetas]
            Jr, gr = reference.cost_and_gradient(t64, X.astype(dtype).astype(np.float64), y, 0.5,
                                                 **kind)
            assert abs(J - Jr) <= rtol * abs(Jr), (sizes, m, J, Jr)
            for a, b in zip(g, gr):
                np.testing.assert_allclose(a, b, rtol=rtol * 10, atol=rtol * np.abs(b).max())
            J1, g1 = bprop.cost_and_gradient(thetas, X, y, 0.5, num_threads=1, **kind)
            assert J1 == J and all((a == b).all() for a, b in zip(g, g1))
            h = bprop.forward(thetas, X, **kind)
            hr = reference.forward(t64, X.astype(dtype).astype(np.float64), **kind)
            np.testing.assert_allclose(h, hr, rtol=rtol * 10, atol=rtol)
print("ok")
"""


@pytest.mark.parametrize("path", ["baseline", "avx2", "wide-avx2", "avx512"])
def test_every_kernel_path_matches_the_reference(path):
    if path not in bprop.build_info()["simd_supported"]:
        pytest.skip(f"this CPU or build cannot run the {path} path")
    env = dict(os.environ, BPROP_SIMD=path)
    out = subprocess.run(
        [sys.executable, "-c", PATH_CHECK, path],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_isa_is_reported():
    info = bprop.build_info()
    assert info["simd"] in info["simd_supported"]
    forced = os.environ.get("BPROP_SIMD")
    if forced in info["simd_supported"]:
        assert info["simd"] == forced
    else:
        assert info["simd"] != "wide-avx2"  # a test path, never chosen by itself


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


def test_a_path_the_cpu_cannot_run_warns_and_falls_back():
    code = "import bprop; print(bprop.build_info()['simd'])"
    env = dict(os.environ, BPROP_SIMD="sse9")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    widest = (
        "avx512"
        if "avx512" in bprop.build_info()["simd_supported"]
        else "avx2"
        if "avx2" in bprop.build_info()["simd_supported"]
        else "baseline"
    )
    assert out.stdout.strip() == widest
    assert "RuntimeWarning: BPROP_SIMD='sse9' is not a kernel path" in out.stderr


def test_one_path_for_both_dtypes_chosen_at_import():
    code = (
        "import os, numpy as np, bprop\n"
        "os.environ['BPROP_SIMD'] = 'avx2'  # too late: the choice was made at import\n"
        "t = bprop.initialize([70, 33, 3], seed=0, dtype=np.float32)\n"
        "X = np.random.default_rng(0).normal(size=(200, 70)).astype(np.float32)\n"
        "np.save(os.environ['OUT'], bprop.forward(t, X))\n"
        "print(bprop.build_info()['simd'])"
    )
    outs = {}
    for path in ("baseline", "wide-avx2"):
        if path not in bprop.build_info()["simd_supported"]:
            continue
        env = dict(os.environ, BPROP_SIMD=path, OUT=f"/tmp/bprop-dtype-{os.getpid()}-{path}.npy")
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0 and out.stdout.strip() == path, out.stderr
        outs[path] = np.load(env["OUT"])
        os.unlink(env["OUT"])
    if len(outs) == 2:  # float32 ran on the path chosen at import, not the later one
        assert not np.array_equal(outs["baseline"], outs["wide-avx2"])
