"""What a new user's trial of 0.2 turned up: one rule for uint8 everywhere
(references, trace, gradient check), divergence reports that count right,
options that are refused instead of ignored, and SIGINT left ignored where the
process was told to ignore it."""

import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import bprop
from bprop import reference


def _pixels(m=50, n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (m, n), dtype=np.uint8), rng.integers(0, 3, m)


def test_references_trace_and_gradient_check_read_uint8_as_the_core_does():
    X, y = _pixels()
    thetas = bprop.initialize([12, 5, 3], seed=0)
    for ref in (reference.vectorized, reference.per_sample):
        assert ref.cost(thetas, X, y, 0.5) == pytest.approx(
            bprop.cost(thetas, X, y, 0.5), rel=1e-12
        )
        np.testing.assert_allclose(
            ref.forward(thetas, X, x_scale=1.0), bprop.forward(thetas, X, x_scale=1.0), rtol=1e-12
        )
    np.testing.assert_array_equal(reference.vectorized.predict(thetas, X), bprop.predict(thetas, X))
    t8 = bprop.trace(thetas, X[3], y[3], activation="sigmoid", output="logistic")
    tf = bprop.trace(thetas, X[3] * (1 / 255), y[3], activation="sigmoid", output="logistic")
    assert t8.matches_core and t8.cost == tf.cost
    assert bprop.gradient_check(thetas, X[:10], y[:10]).passed
    assert bprop.gradient_check(thetas, X[:10], y[:10], x_scale=0.5 / 255).passed


def test_divergence_found_at_an_epochs_end_names_the_last_completed_iteration():
    X, y = bprop.data.load_digits()
    with pytest.raises(bprop.TrainingDiverged) as e:
        bprop.train(
            bprop.initialize([64, 25, 10], seed=0),
            X,
            y,
            optimizer="gd",
            learning_rate=1e6,
            batch_size=64,
            epochs=3,
            seed=0,
            verbose=False,
        )
    h = e.value.history
    assert h.stopped == "diverged"
    assert f"by iteration {len(h.cost)}" in str(
        e.value
    ) or f"at iteration {len(h.cost) + 1}" in str(e.value)


def test_callbacks_must_be_a_sequence_of_callables():
    X, y = _pixels()
    thetas = bprop.initialize([12, 5, 3], seed=0)
    with pytest.raises(TypeError, match=r"callbacks=\[fn\]"):
        bprop.train(thetas, X, y, iterations=1, verbose=False, callbacks=lambda info: None)
    with pytest.raises(TypeError, match="callbacks must be callables"):
        bprop.train(thetas, X, y, iterations=1, verbose=False, callbacks=[1])


def test_messages_name_the_real_remedy():
    thetas = bprop.initialize([2, 3, 2], seed=0)
    with pytest.raises(ValueError, match="overflows float64; scale the data$"):
        bprop.cost(thetas, np.array([[1e308, 1.0]]), [0], x_scale=1e10)
    with pytest.raises(TypeError, match="uint8"):
        bprop.data.scale_pixels(np.zeros((2, 2, 2), np.uint8), np.int64)


def test_estimator_learning_rate_is_checked_and_out_activation_named():
    pytest.importorskip("sklearn")
    from bprop.estimators import BackpropClassifier

    X, y = bprop.data.load_digits()
    with pytest.raises(ValueError, match="learning_rate_init"):
        BackpropClassifier(learning_rate="adaptively").fit(X, y)
    with pytest.raises(ValueError, match="learning_rate must be finite and > 0"):
        BackpropClassifier(learning_rate=-5).fit(X, y)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = BackpropClassifier((5,), output="softmax", max_iter=3).fit(X, y)
    assert clf.out_activation_ == "softmax"


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "bprop", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_refuses_options_it_would_ignore(tmp_path):
    model = tmp_path / "m.npz"
    out = _cli("train", "--iterations", "3", "--save", str(model), "--quiet")
    assert out.returncode == 0, out.stderr
    again = _cli("train", "--iterations", "3", "--standardize", "--resume", str(model), "--quiet")
    assert again.returncode == 2 and "--standardize" in again.stderr
    from bprop.data import fashion_mnist_directory

    try:
        fashion_mnist_directory(None)
    except (FileNotFoundError, ValueError):
        return
    ev = _cli("evaluate", str(model), "--data", "fashion-mnist", "--test-fraction", "0.5")
    assert ev.returncode == 2 and "--test-fraction" in ev.stderr


IGNORED = textwrap.dedent("""
    import signal, numpy as np, bprop
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # as a background job or nohup runs it
    X = np.random.default_rng(0).random((4000, 100)); y = np.zeros(4000, int)
    t = bprop.initialize([100, 50, 2], seed=0)
    print("ready", flush=True)
    for i in range(200000):
        bprop.cost_and_gradient(t, X, y)
""")


def test_a_process_that_ignores_sigint_keeps_ignoring_it():
    p = subprocess.Popen([sys.executable, "-c", IGNORED], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        for _ in range(5):
            p.send_signal(signal.SIGINT)
            time.sleep(0.1)
        time.sleep(0.5)
        assert p.poll() is None  # still running: the core did not take SIGINT over
    finally:
        p.kill()
        p.wait()
        p.stdout.close()
