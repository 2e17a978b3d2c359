"""Whole epochs of mini-batch steps in the core: the same weights, bit for bit,
as the step-by-step Python loop, and the same stops (divergence, bad input,
Ctrl-C with the last completed step's weights)."""

import contextlib
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import bprop
import bprop.training.solvers as solvers
from bprop import optim


@contextlib.contextmanager
def _stepping(monkeypatch, in_core):
    """Training inside: through the core's epochs, or (in_core False) Python's step loop."""
    with monkeypatch.context() as mp:
        if not in_core:
            mp.setattr(solvers, "runs_in_core", lambda objective, opt: False)
        yield


def _both(monkeypatch, thetas, X, y, **kw):
    """train() through the core's epochs, then through Python's step loop."""
    runs = []
    for in_core in (True, False):
        with _stepping(monkeypatch, in_core):
            runs.append(bprop.train(thetas, X, y, verbose=False, **kw))
    return runs


def _assert_same(fast, slow):
    (a, ha), (b, hb) = fast, slow
    assert ha.cost == hb.cost and ha.iterations == hb.iterations and ha.stopped == hb.stopped
    assert ha.val_cost == hb.val_cost and ha.learning_rate == hb.learning_rate
    for s, t in zip(a, b):
        np.testing.assert_array_equal(s, t)


def _problem(m=203, n=12, K=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n)), rng.integers(0, K, m)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("optimizer", ["gd", "momentum", "nesterov", "adam", "adamw"])
@pytest.mark.parametrize("batch_size", [None, 1, 32, 203, 500])
def test_epochs_in_the_core_equal_python_steps(monkeypatch, dtype, optimizer, batch_size):
    X, y = _problem()
    Xv, yv = _problem(m=40, seed=1)
    thetas = bprop.initialize([12, 7, 4], seed=2, dtype=dtype)
    kw = dict(
        optimizer=optimizer,
        batch_size=batch_size,
        lambda_=0.7,
        seed=5,
        learning_rate=0.05 if optimizer.startswith("adam") else 0.3,
        validation_data=(Xv, yv),
    )
    kw.update(epochs=3) if batch_size else kw.update(iterations=7)
    _assert_same(*_both(monkeypatch, thetas, X.astype(dtype), y, **kw))


@pytest.mark.parametrize(
    "case",
    [
        "weights",
        "targets",
        "softmax",
        "pixels",
        "cut",
        "threads",
        "schedule",
        "plateau",
        "clip",
        "in_order",
        "adamw",
        "all_new",
    ],
)
def test_epochs_in_the_core_equal_python_steps_in_every_setting(monkeypatch, case):
    X, y = _problem(m=300, n=10, K=3)
    thetas = bprop.initialize([10, 6, 5, 3], seed=1)
    kw = dict(optimizer="adam", learning_rate=0.01, batch_size=64, epochs=2, seed=0, lambda_=0.3)
    if case == "weights":  # including a batch whose weights are all 0 (skipped)
        w = np.random.default_rng(3).uniform(0, 2, 300)
        w[:250] = 0.0
        kw.update(sample_weight=w, batch_size=8)
    elif case == "targets":
        y = np.eye(3)[y] * 0.9 + 0.05
    elif case == "softmax":
        kw.update(activation=["relu", "tanh"], output="softmax")
    elif case == "pixels":
        X = np.random.default_rng(0).integers(0, 256, (300, 10), dtype=np.uint8)
    elif case == "cut":  # the iteration limit falls inside an epoch
        kw.pop("epochs")
        kw.update(iterations=7)
    elif case == "threads":
        kw.update(num_threads=2, batch_size=150)
    elif case == "schedule":  # each epoch at its own rate, in the core and from Python
        kw.update(epochs=4, schedule="cosine:warmup=1", batch_size=48)
    elif case == "plateau":  # the rate follows the validation cost
        Xv, yv = _problem(m=50, n=10, K=3, seed=4)
        kw.update(epochs=5, schedule="plateau:patience=1,factor=0.5", validation_data=(Xv, yv))
    elif case == "clip":  # every step clipped, the smaller last batch too
        kw.update(optimizer="nesterov", learning_rate=0.3, clip_norm=0.05, batch_size=70)
    elif case == "in_order":
        kw.update(shuffle=False, batch_size=70)
    elif case == "adamw":
        kw.update(optimizer=optim.AdamW(0.01, weight_decay=0.5))
    else:  # together, with float32 weights and 2 threads
        thetas = [t.astype(np.float32) for t in thetas]
        X = X.astype(np.float32)
        kw.update(
            optimizer=optim.AdamW(0.02, weight_decay=0.1),
            schedule="step:step_size=1,gamma=0.5",
            clip_norm=0.1,
            shuffle=False,
            num_threads=2,
            epochs=3,
        )
    if isinstance(kw.get("optimizer"), optim.Optimizer):  # a fresh instance for each run
        opt = kw.pop("optimizer")
        kw.pop("learning_rate")  # the instance's own
        runs = []
        for in_core in (True, False):
            with _stepping(monkeypatch, in_core):
                fresh = optim.AdamW(opt.learning_rate, weight_decay=opt.weight_decay)
                runs.append(bprop.train(thetas, X, y, verbose=False, optimizer=fresh, **kw))
        _assert_same(*runs)
        return
    _assert_same(*_both(monkeypatch, thetas, X, y, **kw))


def test_optimiser_state_carries_over_between_calls(monkeypatch):
    X, y = _problem()
    thetas = bprop.initialize([12, 7, 4], seed=2)
    runs = []
    for in_core in (True, False):
        with _stepping(monkeypatch, in_core):
            opt = optim.Adam(0.02)
            t1, _ = bprop.train(
                thetas, X, y, optimizer=opt, batch_size=50, epochs=1, seed=1, verbose=False
            )
            t2, _ = bprop.train(
                t1, X, y, optimizer=opt, batch_size=50, epochs=1, seed=2, verbose=False
            )
            runs.append((t2, opt.t, [m.copy() for m in opt.m]))
    assert runs[0][1] == runs[1][1] == 10
    for a, b in zip(runs[0][0] + runs[0][2], runs[1][0] + runs[1][2]):
        np.testing.assert_array_equal(a, b)


def test_a_custom_optimiser_still_steps_in_python():
    class Halved(optim.GradientDescent):
        def step(self, thetas, grads):
            return [t - 0.5 * self.learning_rate * g for t, g in zip(thetas, grads)]

    X, y = _problem()
    thetas = bprop.initialize([12, 7, 4], seed=2)
    a, _ = bprop.train(
        thetas, X, y, optimizer=Halved(0.4), batch_size=50, epochs=2, seed=1, verbose=False
    )
    b, _ = bprop.train(
        thetas,
        X,
        y,
        optimizer="gd",
        learning_rate=0.2,
        batch_size=50,
        epochs=2,
        seed=1,
        verbose=False,
    )
    for s, t in zip(a, b):
        np.testing.assert_allclose(s, t, rtol=1e-12)


@pytest.mark.filterwarnings("ignore::bprop.InputScaleWarning")  # huge inputs on purpose
def test_divergence_is_reported_at_its_step(monkeypatch):
    X, y = _problem()
    thetas = bprop.initialize([12, 7, 4], seed=2)
    errors = []
    for in_core in (True, False):
        with _stepping(monkeypatch, in_core):
            with pytest.raises(bprop.TrainingDiverged) as e:
                bprop.train(
                    thetas,
                    X * 1e150,
                    y,
                    optimizer="momentum",
                    learning_rate=1e160,
                    batch_size=20,
                    epochs=3,
                    seed=0,
                    verbose=False,
                )
            errors.append(e.value)
    a, b = errors
    assert str(a) == str(b) and "diverged at iteration" in str(a)
    assert a.history.cost == b.history.cost
    for s, t in zip(a.thetas, b.thetas):
        np.testing.assert_array_equal(s, t)
        assert np.isfinite(s).all()


def test_a_bad_row_is_named_by_its_place_in_X(monkeypatch):
    X, y = _problem()
    X[117, 3] = np.nan
    thetas = bprop.initialize([12, 7, 4], seed=2)
    for in_core in (True, False):
        with _stepping(monkeypatch, in_core):
            with pytest.raises(ValueError, match=r"X holds nan at row 117, column 3"):
                bprop.train(
                    thetas, X, y, optimizer="adam", batch_size=16, epochs=1, seed=0, verbose=False
                )


LONG_EPOCHS = textwrap.dedent("""
    import numpy as np, bprop
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=(60000, 784), dtype=np.uint8)
    y = rng.integers(0, 10, 60000)
    thetas = bprop.initialize([784, 256, 10], seed=0)
    def started(info):
        print("epoch", info["epoch"], flush=True)
    settings = dict(optimizer="adam", batch_size=64, seed=0, verbose=False, num_threads=1)
    trained, h = bprop.train(thetas, X, y, epochs=50, callbacks=[started], **settings)
    print("stopped", h.stopped, h.iterations, flush=True)
    again, _ = bprop.train(thetas, X, y, iterations=h.iterations, **settings)
    print("same", all(np.array_equal(a, b) for a, b in zip(trained, again)))
""")


def test_ctrl_c_inside_an_epoch_returns_the_last_completed_step():
    p = subprocess.Popen(
        [sys.executable, "-c", LONG_EPOCHS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert p.stdout.readline().strip() == "epoch 1"
    time.sleep(0.3)  # inside epoch 2 (about a second long)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    lines = out.splitlines()
    stopped = next(line for line in lines if line.startswith("stopped")).split()
    assert stopped[1] == "interrupted"
    assert 938 < int(stopped[2]) < 50 * 938  # within an epoch, after the first
    assert lines[-1] == "same True"
