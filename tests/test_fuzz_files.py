"""Mutated and truncated files: a clean ValueError or a correct result, never a crash."""

import gzip
import io
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bprop
from bprop import data

_MODEL = io.BytesIO()


def _model_bytes():
    if not _MODEL.getvalue():
        thetas = bprop.initialize([4, 3, 2], seed=0)
        import pathlib
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            p = bprop.save(pathlib.Path(d) / "m.npz", bprop.Network(thetas), class_names=["a", "b"])
            _MODEL.write(p.read_bytes())
    return _MODEL.getvalue()


def _idx_bytes():
    a = np.arange(2 * 5 * 3, dtype=np.uint8).reshape(2, 5, 3)
    return bytes([0, 0, 8, 3]) + b"".join(struct.pack(">I", d) for d in a.shape) + a.tobytes()


mutations = st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8)


def _mutate(blob, edits, cut):
    b = bytearray(blob)
    for pos, val in edits:
        b[pos % len(b)] = val
    return bytes(b[: max(0, len(b) - cut)])


@settings(max_examples=150)
@given(mutations, st.integers(0, 40))
def test_mutated_model_files(tmp_path_factory, edits, cut):
    path = tmp_path_factory.mktemp("m") / "m.npz"
    path.write_bytes(_mutate(_model_bytes(), edits, cut))
    try:
        thetas, meta = bprop.load(path)
    except ValueError:
        return
    # Accepted: then it is a consistent model that computes.
    assert meta["layer_sizes"] == [4, 3, 2]
    assert [t.shape for t in thetas] == [(3, 5), (2, 4)]
    assert np.isfinite(bprop.forward(thetas, np.zeros((1, 4)))).all()


@settings(max_examples=150)
@given(mutations, st.integers(0, 10), st.booleans())
def test_mutated_idx_files(tmp_path_factory, edits, cut, compress):
    blob = _mutate(_idx_bytes(), edits, cut)
    if compress:
        blob = gzip.compress(blob)
    _check_idx(tmp_path_factory, blob, gzip.decompress(blob) if compress else blob)


@given(st.binary(max_size=200))
def test_random_bytes_as_idx(tmp_path_factory, blob):
    _check_idx(tmp_path_factory, blob, blob)


def _check_idx(tmp_path_factory, blob, raw):
    """Either a clean ValueError, or an array that accounts for every byte of the file."""
    path = tmp_path_factory.mktemp("i") / "f.idx"
    path.write_bytes(blob)
    try:
        out = data.load_idx(path)
    except ValueError:
        return
    assert out.size * out.dtype.itemsize + 4 + 4 * out.ndim == len(raw)


@settings(max_examples=100)
@given(st.binary(min_size=0, max_size=300))
def test_random_bytes_as_model(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("r") / "r.npz"
    path.write_bytes(blob)
    with pytest.raises(ValueError):
        bprop.load(path)
