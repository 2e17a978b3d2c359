"""Interruption, concurrency, memory over many calls, and extreme inputs."""

import concurrent.futures
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from conftest import make_problem

import bprop

LONG_CALL = textwrap.dedent("""
    import sys, time, numpy as np, bprop
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(150000, 784))
    y = rng.integers(0, 10, 150000)
    thetas = bprop.initialize([784, 256, 128, 10], seed=0)
    mode = sys.argv[1]
    print("ready", flush=True)
    t = time.perf_counter()
    try:
        if mode == "call":
            bprop.cost_and_gradient(thetas, X, y, num_threads=1)
            print("finished")
        else:  # Ctrl-C once training runs: after its first iteration
            def started(info):
                if info["iteration"] == 1:
                    print("training", flush=True)
            trained, h = bprop.train(thetas, X[:20000], y[:20000], optimizer="lbfgs",
                                     iterations=500, verbose=False, num_threads=1,
                                     callbacks=[started])
            print("stopped", h.stopped, h.iterations, bprop.cost(trained, X[:100], y[:100]) > 0)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
    print("alive", np.isfinite(bprop.cost(thetas, X[:100], y[:100])))
""")


@pytest.mark.parametrize(
    "mode, expected", [("call", "interrupted"), ("train", "stopped interrupted")]
)
def test_ctrl_c_returns_promptly(mode, expected):
    p = subprocess.Popen(
        [sys.executable, "-c", LONG_CALL, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert p.stdout.readline().strip() == "ready"
    if mode == "train":
        assert p.stdout.readline().strip() == "training"
    else:
        time.sleep(1.5)  # well inside the ~10 s call
    sent = time.perf_counter()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    elapsed = time.perf_counter() - sent
    assert p.returncode == 0, err
    assert out.splitlines()[0].startswith(expected), out
    assert out.splitlines()[-1] == "alive True"
    # A full call takes ~10 s here; one block of work is milliseconds. Generous bound for
    # noisy machines (this is a responsiveness check, not a benchmark).
    assert elapsed < 5.0, elapsed


def test_concurrent_calls_match_serial_calls():
    problems = [
        make_problem([30, 20, 10], 3000, seed=s, dtype=dt)
        for s, dt in zip(range(8), [np.float64, np.float32] * 4)
    ]
    serial = [bprop.cost_and_gradient(t, X, y, 0.5, num_threads=2) for t, X, y in problems]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(3):
            futures = [
                pool.submit(bprop.cost_and_gradient, t, X, y, 0.5, num_threads=2)
                for t, X, y in problems
            ]
            for (J, g), f in zip(serial, futures):
                J2, g2 = f.result(timeout=120)
                assert J2 == J
                for a, b in zip(g, g2):
                    np.testing.assert_array_equal(a, b)


def test_training_in_one_thread_while_predicting_in_another():
    thetas, X, y = make_problem([20, 16, 5], 2000, seed=1, scale=0.3)
    expected = bprop.predict(thetas, X)
    errors, predictions = [], []
    done = threading.Event()

    def predictor():
        try:
            while not done.is_set():
                predictions.append(bprop.predict(thetas, X))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=predictor)
    t.start()
    trained, h = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=100,
        epochs=5,
        seed=0,
        verbose=False,
    )
    done.set()
    t.join(timeout=60)
    assert not errors
    assert len(predictions) > 0
    for p in predictions:
        np.testing.assert_array_equal(p, expected)
    alone, _ = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=100,
        epochs=5,
        seed=0,
        verbose=False,
    )
    for a, b in zip(trained, alone):
        np.testing.assert_array_equal(a, b)


def _rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


def test_memory_stays_flat_over_10000_calls():
    thetas, X, y = make_problem([50, 20, 10], 200, seed=2)
    for _ in range(500):
        bprop.cost_and_gradient(thetas, X, y, 1.0)
        bprop.forward(thetas, X)
    before = _rss_mb()
    for _ in range(10000):
        bprop.cost_and_gradient(thetas, X, y, 1.0)
    for _ in range(2000):
        bprop.forward(thetas, X)
        try:
            bprop.cost(thetas, np.full((3, 50), np.nan), [0, 1, 2])
        except ValueError:
            pass
    grown = _rss_mb() - before
    assert grown < 5.0, f"resident memory grew by {grown:.1f} MB over 12000 calls"


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_but_valid_inputs_give_finite_results(dtype):
    rng = np.random.default_rng(0)
    thetas = bprop.initialize([6, 5, 3], seed=0, dtype=dtype)
    cases = {
        "huge lambda": (rng.normal(size=(20, 6)), rng.integers(0, 3, 20), 1e6),
        "all-zero features": (np.zeros((20, 6)), rng.integers(0, 3, 20), 1.0),
        "one class only": (rng.normal(size=(20, 6)), np.zeros(20, int), 1.0),
        "one sample": (rng.normal(size=(1, 6)), [2], 1.0),
        "large inputs": (rng.normal(size=(20, 6)) * 1e4, rng.integers(0, 3, 20), 0.0),
        "saturating weights": (rng.normal(size=(20, 6)), rng.integers(0, 3, 20), 0.0),
    }
    for name, (X, y, lam) in cases.items():
        t = [w * 1e3 for w in thetas] if name == "saturating weights" else thetas
        J, grads = bprop.cost_and_gradient(t, X, y, lam)
        assert np.isfinite(J), name
        assert all(np.isfinite(g).all() for g in grads), name
        np.testing.assert_allclose(
            J,
            bprop.reference.cost(
                [w.astype(np.float64) for w in t], np.asarray(X, dtype).astype(np.float64), y, lam
            ),
            rtol=1e-4 if dtype == np.float32 else 1e-10,
            err_msg=name,
        )


def test_overflowing_inputs_give_a_clear_error():
    thetas = bprop.initialize([2, 3, 2], seed=0)
    with pytest.raises(FloatingPointError, match="overflowed"):
        bprop.cost_and_gradient([t * 1e200 for t in thetas], [[1e200, -1e200]], [0])
