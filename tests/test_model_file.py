"""Saved models round-trip exactly; bad files are refused; writes are atomic."""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import bprop


def test_round_trip_is_exact(tmp_path):
    for dtype in (np.float32, np.float64):
        thetas = bprop.initialize([5, 4, 3, 2], seed=1, dtype=dtype)
        path = bprop.save(
            tmp_path / "m.npz",
            thetas,
            class_names=["a", "b"],
            lambda_=np.float64(1.5),
            history=np.arange(3.0),
            activation="sigmoid",
            output="logistic",
        )
        back, meta = bprop.load(path)
        for a, b in zip(thetas, back):
            assert b.dtype == dtype
            np.testing.assert_array_equal(a, b)
        assert meta["layer_sizes"] == [5, 4, 3, 2] and meta["dtype"] == np.dtype(dtype).name
        assert meta["class_names"] == ["a", "b"] and meta["lambda_"] == 1.5
        assert meta["history"] == [0.0, 1.0, 2.0] and meta["format_version"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]  # no temporary files left


def _model(tmp_path):
    return bprop.save(tmp_path / "good.npz", bprop.Network(bprop.initialize([3, 2, 2], seed=0)))


@pytest.mark.parametrize(
    "corrupt, match",
    [
        (lambda b: b[: len(b) // 2], "corrupt or truncated|corrupt or not a bprop"),
        (lambda b: b"", "the file is empty"),
        (lambda b: b"PK\x03\x04" + bytes(100), "corrupt"),
        (
            lambda b: bytes(x ^ 0xFF if 200 < i < 260 else x for i, x in enumerate(b)),
            "corrupt|not a bprop|invalid",
        ),
    ],
)
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
    for change, match in (
        ({"format_version": 99}, "newer than this bprop reads"),
        ({"layer_sizes": [3, 9, 2]}, "does not match the weights"),
    ):
        arrays = {f"theta_{l}": t for l, t in enumerate(thetas)}
        import json

        arrays["metadata_json"] = np.frombuffer(json.dumps({**meta, **change}).encode(), np.uint8)
        np.savez(tmp_path / "bad.npz", **arrays)
        with pytest.raises(ValueError, match=match):
            bprop.load(tmp_path / "bad.npz")


def test_save_rejects_bad_input(tmp_path):
    with pytest.raises(ValueError, match="set by bprop itself"):
        bprop.save(tmp_path / "m.npz", bprop.Network(bprop.initialize([2, 2])), layer_sizes=[1])
    with pytest.raises(TypeError, match="JSON-serialisable"):
        bprop.save(tmp_path / "m.npz", bprop.Network(bprop.initialize([2, 2])), thing=object())
    with pytest.raises(ValueError, match=r"say which network this is.*activation=\.\.\., output"):
        bprop.save(tmp_path / "m.npz", bprop.initialize([2, 2]))
    with pytest.raises(ValueError, match=r"output 'softmx' is not one of"):
        bprop.save(tmp_path / "m.npz", bprop.initialize([2, 2]), activation="relu", output="softmx")
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
    bprop.save(sys.argv[1], bprop.Network(bprop.initialize([3, 50, 2], seed=9)))
""")


def test_killed_writer_leaves_previous_model_intact(tmp_path):
    path = bprop.save(tmp_path / "model.npz", bprop.Network(bprop.initialize([3, 2, 2], seed=0)))
    before = path.read_bytes()
    p = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert p.stdout.readline().strip() == "writing"
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    p.stdout.close()
    assert path.read_bytes() == before
    left = [q.name for q in tmp_path.iterdir() if q.name != "model.npz"]
    assert len(left) == 1 and left[0].startswith(f".model.npz.{p.pid}-"), left
    thetas, _ = bprop.load(path)
    np.testing.assert_array_equal(thetas[0], bprop.initialize([3, 2, 2], seed=0)[0])
    # the dead writer's temporary file went with that load (issue 21: they piled up)
    assert [q.name for q in tmp_path.iterdir()] == ["model.npz"]


def test_only_temporary_files_of_dead_writers_are_removed(tmp_path):
    from bprop._internal import atomic

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:

        def temp(target, pid, rand="abcd_123"):
            q = tmp_path / f"{atomic.temp_prefix(target, pid)}{rand}.tmp"
            q.write_bytes(b"half a model")
            return q

        def stale():
            return [temp("m.npz", dead.pid), temp("m.npz", dead.pid, "zz9xy0qk")]

        other_host = tmp_path / f".m.npz.{dead.pid}-{'0' * 8}-abcd_123.tmp"
        if atomic._host_tag() != "0" * 8:
            other_host.write_bytes(b"written on another machine that shares the directory")
        kept = [
            temp("m.npz", os.getpid()),
            temp("m.npz", live.pid),
            temp("m.npz.1", dead.pid),
            temp("other.npz", dead.pid),
            tmp_path / ".m.npz.abcd_123.tmp",
        ]
        kept[-1].write_bytes(b"no pid in the name: whose it is is unknown")
        net = bprop.Network(bprop.initialize([3, 2, 2], seed=0))
        for use in (
            lambda: bprop.save(tmp_path / "m.npz", net),
            lambda: bprop.load(tmp_path / "m.npz"),
        ):
            gone = stale()
            use()
            assert not any(q.exists() for q in gone)
            assert all(q.exists() for q in kept)
            assert other_host.exists() or atomic._host_tag() == "0" * 8
        assert sorted(q.name for q in atomic.remove_stale_temp_files(tmp_path / "m.npz")) == []
        gone = stale()
        assert sorted(atomic.remove_stale_temp_files(tmp_path / "m.npz")) == sorted(gone)
    finally:
        live.kill()
        live.wait()


def test_a_saved_network_knows_its_kind(tmp_path):
    X, y = bprop.data.load_digits()
    trained, _ = bprop.train(
        bprop.initialize([64, 20, 10], method="he", seed=0),
        X,
        y,
        activation="relu",
        output="softmax",
        optimizer="adam",
        learning_rate=0.01,
        batch_size=64,
        epochs=5,
        seed=0,
        verbose=False,
    )
    assert isinstance(trained, bprop.Network)
    assert (trained.activation, trained.output) == ("relu", "softmax")
    true_acc = np.mean(bprop.predict(trained, X, activation="relu", output="softmax") == y)
    path = bprop.save(tmp_path / "m.npz", trained)  # no kind given: the Network's
    back, meta = bprop.load(path)
    assert (meta["activation"], meta["output"]) == ("relu", "softmax")
    assert (back.activation, back.output) == ("relu", "softmax")
    assert np.mean(bprop.predict(back, X) == y) == true_acc > 0.9
    np.testing.assert_array_equal(
        bprop.forward(back, X), bprop.forward(trained, X, activation="relu", output="softmax")
    )
    # training on from a loaded network keeps its kind
    more, _ = bprop.train(
        back, X, y, optimizer="adam", batch_size=64, epochs=1, seed=0, verbose=False
    )
    assert (more.activation, more.output) == ("relu", "softmax")
    # explicit arguments still win
    assert bprop.cost(back, X, y, activation="sigmoid", output="logistic") != bprop.cost(back, X, y)


def test_a_plain_list_saved_with_its_kind(tmp_path):
    thetas = bprop.initialize([3, 4, 2], seed=0)
    bprop.save(tmp_path / "m.npz", thetas, activation=["tanh"], output="identity")
    back, meta = bprop.load(tmp_path / "m.npz")
    assert (back.activation, back.output) == (["tanh"], "identity")


def test_files_written_with_the_usual_permissions(tmp_path):
    net = bprop.Network(bprop.initialize([3, 2, 2], seed=0))
    old = os.umask(0o022)
    try:
        new = bprop.save(tmp_path / "new.npz", net)
        assert new.stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        (tmp_path / "shared.npz").write_bytes(b"")
        os.chmod(tmp_path / "shared.npz", 0o664)
        replaced = bprop.save(tmp_path / "shared.npz", net)
        assert replaced.stat().st_mode & 0o777 == 0o664  # the replaced file's mode is kept
    finally:
        os.umask(old)


def test_save_into_a_missing_directory_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere/m.npz: the directory .*nowhere does not"):
        bprop.save(tmp_path / "nowhere" / "m.npz", bprop.Network(bprop.initialize([2, 2])))


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p: np.save(p, np.zeros(3)), "not a bprop model .a model file is an .npz archive"),
        (lambda p: p.write_text("hello"), "not a bprop model .a model file is an .npz archive"),
        (lambda p: p.mkdir(), "is a directory, not a model file"),
        (lambda p: np.savez(p, metadata_json=np.array([{}], dtype=object)), "holds Python objects"),
    ],
)
def test_files_that_are_not_models_get_a_plain_value_error(tmp_path, make, match):
    path = tmp_path / "thing"
    make(path)
    path = next(tmp_path.iterdir())
    with pytest.raises(ValueError, match=match) as e:
        bprop.load(path)
    assert "allow_pickle" not in str(e.value)


def test_save_refuses_a_kind_that_contradicts_the_network(tmp_path):
    net = bprop.Network(bprop.initialize([3, 4, 2], seed=0), "relu", "softmax")
    with pytest.raises(ValueError, match="contradicts the Network's own activation 'relu'"):
        bprop.save(tmp_path / "m.npz", net, activation="sigmoid")
    with pytest.raises(ValueError, match="activation 'foo' is not one of"):
        bprop.Network(net, activation="foo")
    with pytest.raises(ValueError, match="output 'soft' is not one of"):
        bprop.Network(net, output="soft")


def test_saving_through_a_symbolic_link_keeps_the_link(tmp_path):
    net = bprop.Network(bprop.initialize([3, 4, 2], seed=0))
    real = bprop.save(tmp_path / "real.npz", net)
    (tmp_path / "link.npz").symlink_to(real)
    bprop.save(tmp_path / "link.npz", bprop.Network(bprop.initialize([3, 4, 2], seed=1)))
    assert (tmp_path / "link.npz").is_symlink()
    back, _ = bprop.load(real)  # the file the link points at holds the new model
    np.testing.assert_array_equal(back[0], bprop.initialize([3, 4, 2], seed=1)[0])


def test_every_copy_of_a_network_keeps_its_kind():
    """Issue 21: net.copy() and net[:] were plain lists, then run as sigmoid/logistic."""
    import copy
    import pickle

    X, y = bprop.data.load_digits()
    net, _ = bprop.train(
        bprop.initialize([64, 25, 10], seed=0),
        X,
        y,
        activation="tanh",
        output="softmax",
        optimizer="adam",
        learning_rate=0.01,
        batch_size=64,
        epochs=10,
        seed=0,
        verbose=False,
    )
    accuracy = np.mean(bprop.predict(net, X) == y)
    assert accuracy > 0.95
    copies = {
        "copy()": net.copy(),
        "[:]": net[:],
        "[0:]": net[0:],
        "copy.copy": copy.copy(net),
        "deepcopy": copy.deepcopy(net),
        "pickle": pickle.loads(pickle.dumps(net)),
    }
    for how, c in copies.items():
        assert isinstance(c, bprop.Network), how
        assert (c.activation, c.output) == ("tanh", "softmax"), how
        assert np.mean(bprop.predict(c, X) == y) == accuracy, how
    assert net.copy()[0] is net[0] and net.copy() is not net  # shallow, as a list's copy


def test_a_slice_keeps_the_kind_or_refuses():
    net = bprop.Network(bprop.initialize([3, 4, 5, 2], seed=0), ["tanh", "relu"], "softmax")
    tail = net[1:]  # still ends at the output layer: the layers after the first
    assert isinstance(tail, bprop.Network) and len(tail) == 2
    assert (tail.activation, tail.output) == (["relu"], "softmax")
    assert net[-1:].activation == [] and net[-1:][0] is net[2]
    for index, match in (
        (slice(None, -1), r"net\[:-1\] leaves out the output layer"),
        (slice(None, None, 2), r"net\[::2\] skips or reorders layers"),
        (slice(None, None, -1), r"net\[::-1\] skips or reorders layers"),
        (slice(3, None), r"net\[3:\] holds no layers"),
    ):
        with pytest.raises(ValueError, match=match):
            net[index]
    assert [t.shape for t in list(net)[::-1]] == [(2, 6), (5, 5), (4, 4)]  # the way out
    # joined or repeated layers are no longer this network: plain lists, as lists give
    for joined in (net + net, net + [net[0]], [net[0]] + net, net * 2, 2 * net):
        assert type(joined) is list and joined[0] is net[0]
    with pytest.raises(ValueError, match="say which network this is"):
        bprop.save("never.npz", net + [])  # a kind is never made up for them
    assert len(net) == 3 and net[0].shape == (4, 4)  # unchanged, and int indexing as before


def _is_fifo(path):
    import stat

    return stat.S_ISFIFO(os.lstat(path).st_mode)


def test_save_refuses_a_fifo_and_leaves_it_as_it_was(tmp_path):
    """Trial: a save renamed a regular file over a FIFO (and, as root, over /dev/null)."""
    net = bprop.Network(bprop.initialize([3, 2, 2], seed=0))
    fifo = tmp_path / "f.npz"
    os.mkfifo(fifo)
    with pytest.raises(FileExistsError) as e:
        bprop.save(fifo, net)
    assert str(e.value) == (
        f"{fifo} is a FIFO (named pipe), not a regular file; a save replaces "
        f"the file at its name, so it writes only to a regular file (or a "
        f"new name)"
    )
    assert _is_fifo(fifo) and sorted(p.name for p in tmp_path.iterdir()) == ["f.npz"]
    link = tmp_path / "link.npz"  # a link to a FIFO: refused too, both kept
    link.symlink_to(fifo)
    with pytest.raises(FileExistsError, match=rf"link.npz \(a link to {fifo}\) is a FIFO"):
        bprop.save(link, net)
    assert link.is_symlink() and _is_fifo(fifo)
    with pytest.raises(IsADirectoryError, match="is a directory, not a file name"):
        bprop.save(tmp_path, net)
    from bprop._internal.atomic import check_writable_directory

    with pytest.raises(FileExistsError, match=r"f.npz is a FIFO \(named pipe\), not a regular"):
        check_writable_directory(fifo)


def test_save_checks_again_right_before_the_rename(tmp_path):
    """What takes the target's name while the model is written is not replaced either."""
    from bprop._internal.atomic import atomic_write

    target = tmp_path / "m.npz"

    def write(f):
        f.write(b"model")
        os.mkfifo(target)  # another program makes a FIFO there meanwhile

    with pytest.raises(FileExistsError, match=r"m.npz is a FIFO \(named pipe\), not a regular"):
        atomic_write(target, write)
    assert _is_fifo(target) and sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


def test_load_refuses_a_fifo_instead_of_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "f.npz"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)  # a writer, so that no open waits
    try:
        os.write(fd, b"junk")
        with pytest.raises(ValueError) as e:
            bprop.load(fifo)
    finally:
        os.close(fd)
    assert str(e.value) == f"{fifo} is a FIFO (named pipe), not a model file"
    with pytest.raises(ValueError, match="is a directory, not a model file"):
        bprop.load(tmp_path)
