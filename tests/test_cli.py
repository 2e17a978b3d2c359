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
    (("train", "--hidden", ""), "--hidden must be sizes"),
    (("train", "--iterations", "0"), "argument --iterations: expected a whole number >= 1, got '0'"),
    (("train", "--data", "mnist"), "needs a directory"),
    (("train", "--data", "mnist:/nonexistent"), "is not a directory"),
    (("train", "--learning-rate", "-1", "--optimizer", "gd"),
     "argument --learning-rate: expected a finite number > 0, got '-1'"),
    (("train", "--threads", "0"), "argument --threads: expected a count >= 1 or -1"),
    (("train", "--threads", "100000"), "--threads=100000 is far more than"),
    (("train", "--distributed", "--threads", "0"), "argument --threads: expected a count >= 1"),
    (("train", "--seed", "-1"), "argument --seed: expected a seed, a whole number >= 0, got '-1'"),
    (("train", "--lambda", "nan"), "argument --lambda: expected a finite number >= 0, got 'nan'"),
    (("train", "--validation-fraction", "1.5"), "argument --validation-fraction: expected a share"),
    (("train", "--batch-size", "32"), "--batch-size: lbfgs works on the full batch"),
    (("train", "--learning-rate", "0.1"), "--learning-rate: lbfgs chooses its own step sizes"),
    (("train", "--data", "fashion-mnist", "--test-fraction", "0.3"),
     "--test-fraction: --data fashion-mnist has its own test split"),
    (("train", "--hidden", "1000000000"), "--hidden: a 64-1000000000-10 network has"),
    (("train", "--save", "missing/m.npz"), "--save: missing/m.npz: the directory missing does not"),
    (("evaluate", "missing.npz"), "MODEL missing.npz: no such file"),
    (("evaluate", "m.npz", "--threads", "0"), "argument --threads: expected a count >= 1"),
    (("gradcheck", "--samples", "0"), "argument --samples: expected a whole number >= 1, got '0'"),
    (("gradcheck", "--threshold", "-1"), "argument --threshold: expected a finite number > 0, got '-1'"),
    (("gradcheck", "--hidden", "1000000000", "--inputs", "1000"), "--hidden: a 1000-1000000000-3"),
    (("predict", "missing.npz", "--data", "x.csv"), "MODEL missing.npz: no such file"),
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


def _blobs_csv(path, labels=(0, 1, 2), m=300, header=False, bom=False, seed=0):
    rng = np.random.default_rng(seed)
    k = rng.integers(0, len(labels), m)
    X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])[k % 3] + rng.normal(size=(m, 2))
    lines = (["label,x1,x2"] if header else []) + [
        f"{labels[c]},{a:.6f},{b:.6f}" for c, (a, b) in zip(k, X)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig" if bom else "utf-8")
    return path


def _test_accuracy(out):
    assert out.returncode == 0, out.stderr
    return float(out.stdout.split("test accuracy ")[1].split()[0])


@pytest.mark.parametrize("labels", [(0, 1000, 2000), (1, 2, 3), ("cat", "dog", "emu")])
def test_labels_are_mapped_to_classes(tmp_path, labels):
    data = _blobs_csv(tmp_path / "d.csv", labels, header=True)
    model = tmp_path / "m.npz"
    out = run("train", "--data", str(data), "--hidden", "8", "--save", str(model), "--quiet")
    assert "2-8-3:" in out.stdout  # three classes, three outputs (not 2001 or 4)
    acc = _test_accuracy(out)
    assert acc > 0.9
    _, meta = bprop.load(model)
    assert meta["classes"] == list(labels)
    ev = run("evaluate", str(model))
    assert ev.returncode == 0, ev.stderr
    assert f"accuracy {acc:.4f}" in ev.stdout
    assert all(f"  {v}  " in ev.stdout for v in labels)  # per-class rows named by label
    pr = run("predict", str(model), "--data", str(data))
    assert pr.returncode == 0, pr.stderr
    predicted = pr.stdout.split()
    assert len(predicted) == 300 and set(predicted) <= {str(v) for v in labels}


def test_a_single_class_is_refused(tmp_path):
    data = _blobs_csv(tmp_path / "one.csv", (7, 7, 7))
    out = run("train", "--data", str(data))
    assert out.returncode == 2 and "a single class (label 7)" in out.stderr


def test_evaluate_data_scores_all_of_the_file_unless_a_split_is_asked(tmp_path):
    train_file = _blobs_csv(tmp_path / "a.csv")
    other = _blobs_csv(tmp_path / "b.csv", m=150, seed=5)
    model = tmp_path / "m.npz"
    assert run("train", "--data", str(train_file), "--hidden", "6", "--save", str(model),
               "--quiet").returncode == 0
    ev = run("evaluate", str(model), "--data", str(other))
    assert ev.returncode == 0, ev.stderr
    assert "all of it" in ev.stdout and "on 150 samples" in ev.stdout
    ev = run("evaluate", str(model), "--data", str(other), "--test-fraction", "1")
    assert "on 150 samples" in ev.stdout
    ev = run("evaluate", str(model), "--data", str(other), "--test-fraction", "0.2")
    assert "on 30 samples" in ev.stdout


def test_a_model_file_finds_its_data_from_another_directory(tmp_path):
    (tmp_path / "run").mkdir()
    _blobs_csv(tmp_path / "run" / "d.csv")
    out = run("train", "--data", "d.csv", "--hidden", "6", "--save", "m.npz", "--quiet",
              cwd=tmp_path / "run")
    acc = _test_accuracy(out)
    ev = run("evaluate", str(tmp_path / "run" / "m.npz"), cwd=tmp_path)
    assert ev.returncode == 0, ev.stderr
    assert f"accuracy {acc:.4f}" in ev.stdout


def test_a_csv_with_a_byte_order_mark_keeps_its_first_row(tmp_path):
    data = _blobs_csv(tmp_path / "bom.csv", bom=True)
    X, y = bprop.data.load_csv(data)
    assert X.shape == (300, 2)
    out = run("train", "--data", str(data), "--hidden", "6", "--quiet")
    assert "on 240 samples" in out.stdout or _test_accuracy(out) > 0.9


def test_diverging_training_exits_2_with_a_hint():
    for rate in ("1e4", "100"):
        out = run("train", "--optimizer", "gd", "--learning-rate", rate, "--iterations", "100",
                  "--quiet")
        assert out.returncode == 2, out.stdout
        assert "training diverged" in out.stderr and "smaller --learning-rate" in out.stderr


def test_outputs_are_checked_before_training(tmp_path):
    out = run("train", "--save", str(tmp_path / "no" / "m.npz"), "--iterations", "1000")
    assert out.returncode == 2 and "does not exist" in out.stderr and "training" not in out.stdout
    assert ".tmp" not in out.stderr  # the user's path, not a hidden temporary one


def test_validation_early_stopping_standardize_and_resume(tmp_path):
    model = tmp_path / "m.npz"
    out = run("train", "--optimizer", "adam", "--learning-rate", "0.01", "--batch-size", "64",
              "--epochs", "200", "--early-stopping", "--patience", "3", "--standardize",
              "--save", str(model), "--quiet")
    acc = _test_accuracy(out)
    assert "stopped: early_stopping" in out.stdout and acc > 0.9
    _, meta = bprop.load(model)
    assert len(meta["standardize"][0]) == 64
    ev = run("evaluate", str(model))
    assert f"accuracy {acc:.4f}" in ev.stdout  # evaluate standardises as training did
    more = run("train", "--optimizer", "adam", "--learning-rate", "0.001", "--batch-size", "64",
               "--epochs", "1", "--standardize", "--resume", str(model), "--quiet")
    assert _test_accuracy(more) > acc - 0.03  # starts from the trained weights
    other = _blobs_csv(tmp_path / "d.csv")
    bad = run("train", "--resume", str(model), "--data", str(other), "--quiet")
    assert bad.returncode == 2 and "the model is 64-25-10 but --data" in bad.stderr
    assert "has 2 features" in bad.stderr


def test_help_shows_defaults_and_version():
    out = run("train", "--help")
    assert "default: lbfgs" in out.stdout and "adam 0.001" in out.stdout
    assert "LAMBDA" in out.stdout and "LAMBDA_" not in out.stdout
    gc = run("gradcheck", "--help")
    for flag in ("--inputs", "--outputs", "--samples", "--threshold", "--lambda"):
        line = next(l for l in gc.stdout.splitlines() if l.strip().startswith(flag))
        assert "default" in line or "default" in gc.stdout.split(flag)[1][:120]
    v = run("--version")
    assert v.stdout.strip() == f"bprop {bprop.__version__}"


def test_predict_into_a_closed_pipe_is_quiet(tmp_path):
    model = tmp_path / "m.npz"
    assert run("train", "--iterations", "5", "--save", str(model), "--quiet").returncode == 0
    X, _ = bprop.data.load_digits()
    np.savez(tmp_path / "many.npz", X=np.tile(X, (100, 1)))  # far more than a pipe buffer
    p = subprocess.Popen([sys.executable, "-m", "bprop", "predict", str(model), "--data",
                          str(tmp_path / "many.npz")], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    first = p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read()
    p.stderr.close()
    p.wait(timeout=60)
    assert first.strip().isdigit()
    assert "Broken pipe" not in err and "Traceback" not in err, err
    assert p.returncode == 0  # the reader took what it wanted: not an error


def test_regression_trains_evaluates_and_predicts(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (400, 3))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] * X[:, 2]
    np.savez(tmp_path / "r.npz", X=X, y=y)
    np.savetxt(tmp_path / "r.csv", np.column_stack([y, X]), delimiter=",")
    model = tmp_path / "m.npz"
    out = run("train", "--data", str(tmp_path / "r.npz"), "--output", "identity", "--activation",
              "tanh", "--hidden", "20", "--lambda", "0.01", "--save", str(model), "--quiet")
    assert out.returncode == 0, out.stderr
    test_r2 = float(out.stdout.split("test R^2 ")[1].split(",")[0])
    assert test_r2 > 0.99
    ev = run("evaluate", str(model))
    assert f"R^2 {test_r2:.4f}" in ev.stdout and "on 80 samples" in ev.stdout
    pr = run("predict", str(model), "--data", str(tmp_path / "r.csv"))
    assert pr.returncode == 0, pr.stderr
    values = np.array(pr.stdout.split(), dtype=float)
    assert values.shape == (400,) and np.corrcoef(values, y)[0, 1] > 0.99
    more = run("train", "--data", str(tmp_path / "r.npz"), "--resume", str(model), "--lambda",
               "0.01", "--iterations", "3", "--quiet")  # kind and size from the model
    assert more.returncode == 0 and "3-20-1:" in more.stdout, more.stderr
    bad = run("train", "--output", "identity")
    assert bad.returncode == 2 and "needs real targets from FILE.npz or FILE.csv" in bad.stderr


def test_plot_without_matplotlib_fails_before_training(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "from bprop.cli import main\n"
            f"sys.exit(main(['train', '--iterations', '500', '--plot', {str(tmp_path)!r}]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "--plot: bprop.plot needs matplotlib: pip install" in out.stderr
    assert "training" not in out.stdout


def test_second_trial_findings(tmp_path):
    """What a new user met in the second trial of 0.2, each checked."""
    model = tmp_path / "st.npz"
    assert run("train", "--standardize", "--iterations", "60", "--save", str(model),
               "--quiet").returncode == 0
    acc = float(run("evaluate", str(model)).stdout.split("accuracy ")[1].split()[0])
    more = run("train", "--resume", str(model), "--optimizer", "gd", "--learning-rate", "1e-9",
               "--iterations", "1", "--save", str(tmp_path / "r.npz"), "--quiet")
    assert _test_accuracy(more) == pytest.approx(acc, abs=0.01)  # the model's scaling is kept
    _, meta = bprop.load(tmp_path / "r.npz")
    assert meta["standardize"] is not None
    for flags in (("--seed", "5"), ("--test-fraction", "0.5")):
        out = run("evaluate", str(model), *flags)
        assert out.returncode == 2 and "goes with --data" in out.stderr
    bprop.save(tmp_path / "py.npz", bprop.Network(bprop.initialize([64, 5, 10], seed=0)))
    out = run("evaluate", str(tmp_path / "py.npz"))
    assert out.returncode == 2 and "records no training data" in out.stderr
    neg = _blobs_csv(tmp_path / "neg.csv", (-1, 0, 1))
    assert _test_accuracy(run("train", "--data", str(neg), "--hidden", "6", "--quiet")) > 0.9
    out = run("train", "--patience", "3")
    assert out.returncode == 2 and "--patience: only used with --early-stopping" in out.stderr
    out = run("train", "--early-stopping", "--distributed")
    assert out.returncode == 2 and "--early-stopping is not available" in out.stderr
    pr = run("predict", str(model), "--data", "digits")
    assert pr.returncode == 0 and len(pr.stdout.split()) == 1797
    (tmp_path / "semi.csv").write_text("1;0.5;0.2\n0;0.1;0.3\n")
    small = tmp_path / "small.npz"
    assert run("train", "--data", str(_blobs_csv(tmp_path / "b.csv")), "--hidden", "4",
               "--save", str(small), "--quiet").returncode == 0
    out = run("predict", str(small), "--data", str(tmp_path / "semi.csv"))
    assert out.returncode == 2 and "another --delimiter?" in out.stderr
    out = run("train", "--data", str(tmp_path / "real.npz"))
    np.savez(tmp_path / "real.npz", X=np.ones((10, 2)), y=np.linspace(0, 1, 10))
    out = run("train", "--data", str(tmp_path / "real.npz"))
    assert out.returncode == 2 and "--output identity" in out.stderr
