"""The command line, run as a user would: a subprocess."""

import os
import subprocess
import sys

import numpy as np
import pytest

import bprop


def run(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "bprop", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


def test_train_default_digits_then_evaluate(tmp_path):
    pytest.importorskip("sklearn")
    model = tmp_path / "digits.npz"
    out = run("train", "--iterations", "100", "--save", str(model))
    assert out.returncode == 0, out.stderr
    test_acc = float(out.stdout.split("test accuracy ")[1].split()[0])
    assert test_acc >= 0.93
    assert "64-25-10" in out.stdout
    thetas, meta = bprop.load(model)
    assert meta["data"] == "digits" and meta["test_accuracy"] == pytest.approx(test_acc, abs=5e-5)
    ev = run("evaluate", str(model))
    assert ev.returncode == 0, ev.stderr
    assert f"accuracy {test_acc:.4f}" in ev.stdout
    assert "confusion matrix" in ev.stdout
    rows = [l for l in ev.stdout.splitlines() if "samples)" in l]
    assert len(rows) == 10


def test_train_npz_csv_minibatch(tmp_path):
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    y = rng.integers(0, 3, 400)
    X = centres[y] + rng.normal(size=(400, 2))
    np.savez(tmp_path / "b.npz", X=X, y=y)
    np.savetxt(tmp_path / "b.csv", np.column_stack([y, X]), delimiter=",")
    for data in ("b.npz", "b.csv"):
        out = run("train", "--data", data, "--hidden", "8,4", "--optimizer", "adam",
                  "--learning-rate", "0.05", "--epochs", "20", "--batch-size", "32",
                  "--dtype", "float32", "--threads", "1", "--lambda", "0", cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert "2-8-4-3" in out.stdout
        assert float(out.stdout.split("test accuracy ")[1].split()[0]) > 0.85


def test_gradcheck_command():
    out = run("gradcheck", "--hidden", "4,3")
    assert out.returncode == 0, out.stderr
    assert "gradient check passed" in out.stdout and "Theta3" in out.stdout


@pytest.mark.parametrize("args, message", [
    (("train", "--data", "nothing.npz"), "No such file"),
    (("train", "--data", "weird"), "unknown --data 'weird'"),
    (("train", "--hidden", "a,b"), "--hidden must be sizes"),
    (("train", "--iterations", "0"), "iterations must be a positive int"),
    (("train", "--data", "mnist"), "needs a directory"),
    (("train", "--data", "mnist:/nonexistent"), "is not a directory"),
    (("train", "--learning-rate", "-1", "--optimizer", "gd"), "learning_rate must be finite and > 0"),
    (("train", "--threads", "0"), "num_threads=0"),
    (("evaluate", "missing.npz"), "No such file"),
])
def test_errors_are_one_line(tmp_path, args, message):
    out = run(*args, cwd=tmp_path)
    assert out.returncode == 2
    assert message in out.stderr
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_argument_errors_exit_nonzero():
    out = run("train", "--optimizer", "nope")
    assert out.returncode == 2 and "invalid choice" in out.stderr and "Traceback" not in out.stderr
    assert run().returncode == 2


def test_fashion_mnist_missing_is_explained(tmp_path):
    env = dict(os.environ, BPROP_DATA=str(tmp_path))
    out = run("train", "--data", "fashion-mnist", env=env)
    assert out.returncode == 2
    assert "apt-get install dataset-fashion-mnist" in out.stderr


def test_train_relu_softmax_then_evaluate_uses_the_saved_kind(tmp_path):
    pytest.importorskip("sklearn")
    model = tmp_path / "relu.npz"
    out = run("train", "--activation", "relu", "--output", "softmax", "--init", "auto",
              "--optimizer", "adam", "--learning-rate", "0.003", "--batch-size", "64",
              "--epochs", "15", "--lambda", "0.05", "--save", str(model), "--quiet")
    assert out.returncode == 0, out.stderr
    test_acc = float(out.stdout.split("test accuracy ")[1].split()[0])
    assert test_acc >= 0.9
    thetas, meta = bprop.load(model)
    assert (meta["activation"], meta["output"]) == ("relu", "softmax")
    ev = run("evaluate", str(model))
    assert ev.returncode == 0, ev.stderr
    assert f"accuracy {test_acc:.4f}" in ev.stdout  # evaluated with relu + softmax again


@pytest.mark.parametrize("output", ["softmax", "identity"])
def test_gradcheck_command_with_other_outputs(output):
    out = run("gradcheck", "--activation", "tanh", "--output", output, "--hidden", "4,3")
    assert out.returncode == 0, out.stderr
    assert f"(tanh hidden, {output} output)" in out.stdout and "passed" in out.stdout


def test_plot_option_writes_pngs(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    model = tmp_path / "m.npz"
    out = run("train", "--iterations", "20", "--quiet", "--save", str(model),
              "--plot", str(tmp_path / "train_plots"))
    assert out.returncode == 0, out.stderr
    names = {"learning_curves.png", "confusion_matrix.png", "hidden_weights.png", "samples.png"}
    assert {p.name for p in (tmp_path / "train_plots").iterdir()} == names
    ev = run("evaluate", str(model), "--plot", str(tmp_path / "eval_plots"))
    assert ev.returncode == 0, ev.stderr
    assert {p.name for p in (tmp_path / "eval_plots").iterdir()} == names - {"learning_curves.png"}
    for p in (tmp_path / "eval_plots").iterdir():
        assert p.read_bytes()[:4] == b"\x89PNG"
    blocked = tmp_path / "file"
    blocked.write_text("x")
    bad = run("evaluate", str(model), "--plot", str(blocked / "sub"))
    assert bad.returncode == 2 and "cannot create the directory" in bad.stderr
