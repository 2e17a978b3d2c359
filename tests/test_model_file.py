"""Saved models round-trip exactly; bad files are refused; writes are atomic."""

import os
import signal
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

import bprop


def test_round_trip_is_exact(tmp_path):
    for dtype in (np.float32, np.float64):
        thetas = bprop.initialize([5, 4, 3, 2], seed=1, dtype=dtype)
        path = bprop.save(tmp_path / "m.npz", thetas, class_names=["a", "b"], lambda_=np.float64(1.5),
                          history=np.arange(3.0))
        back, meta = bprop.load(path)
        for a, b in zip(thetas, back):
            assert b.dtype == dtype
            np.testing.assert_array_equal(a, b)
        assert meta["layer_sizes"] == [5, 4, 3, 2] and meta["dtype"] == np.dtype(dtype).name
        assert meta["class_names"] == ["a", "b"] and meta["lambda_"] == 1.5
        assert meta["history"] == [0.0, 1.0, 2.0] and meta["format_version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temporary files left


def _model(tmp_path):
    return bprop.save(tmp_path / "good.npz", bprop.initialize([3, 2, 2], seed=0))


@pytest.mark.parametrize("corrupt, match", [
    (lambda b: b[: len(b) // 2], "corrupt or truncated|corrupt or not a bprop"),
    (lambda b: b"", "corrupt or truncated|corrupt or not a bprop"),
    (lambda b: b"PK\x03\x04" + bytes(100), "corrupt"),
    (lambda b: bytes(x ^ 0xFF if 200 < i < 260 else x for i, x in enumerate(b)), "corrupt|not a bprop|invalid"),
])
def test_corrupt_files_are_refused(tmp_path, corrupt, match):
    path = _model(tmp_path)
    path.write_bytes(corrupt(path.read_bytes()))
    with pytest.raises(ValueError, match=match):
        bprop.load(path)


def test_other_npz_files_are_refused(tmp_path):
    np.savez(tmp_path / "x.npz", theta_0=np.zeros((2, 3)))
    with pytest.raises(ValueError, match="not a bprop model"):
        bprop.load(tmp_path / "x.npz")
    np.savez(tmp_path / "p.npz", metadata_json=np.array([object()], dtype=object))
    with pytest.raises(ValueError):
        bprop.load(tmp_path / "p.npz")


def test_newer_format_and_mismatched_metadata(tmp_path):
    path = _model(tmp_path)
    thetas, meta = bprop.load(path)
    for change, match in (({"format_version": 99}, "newer than this bprop reads"),
                          ({"layer_sizes": [3, 9, 2]}, "does not match the weights")):
        arrays = {f"theta_{l}": t for l, t in enumerate(thetas)}
        import json
        arrays["metadata_json"] = np.frombuffer(json.dumps({**meta, **change}).encode(), np.uint8)
        np.savez(tmp_path / "bad.npz", **arrays)
        with pytest.raises(ValueError, match=match):
            bprop.load(tmp_path / "bad.npz")


def test_save_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="set by bprop itself"):
        bprop.save(tmp_path / "m.npz", bprop.initialize([2, 2]), layer_sizes=[1])
    with pytest.raises(TypeError, match="JSON-serialisable"):
        bprop.save(tmp_path / "m.npz", bprop.initialize([2, 2]), thing=object())
    assert list(tmp_path.iterdir()) == []


KILLED_WRITER = textwrap.dedent("""
    import sys, numpy as np, bprop
    import numpy.lib.npyio as npyio
    real = np.savez
    def slow_savez(f, **arrays):
        real(f, **{k: v for k, v in list(arrays.items())[:1]})
        f.flush()
        print("writing", flush=True)
        import time; time.sleep(60)
    np.savez = slow_savez
    import bprop.model_file as mf
    mf.np.savez = slow_savez
    bprop.save(sys.argv[1], bprop.initialize([3, 50, 2], seed=9))
""")


def test_killed_writer_leaves_previous_model_intact(tmp_path):
    path = bprop.save(tmp_path / "model.npz", bprop.initialize([3, 2, 2], seed=0))
    before = path.read_bytes()
    p = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE,
                         text=True)
    assert p.stdout.readline().strip() == "writing"
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    p.stdout.close()
    assert path.read_bytes() == before
    thetas, _ = bprop.load(path)
    np.testing.assert_array_equal(thetas[0], bprop.initialize([3, 2, 2], seed=0)[0])
