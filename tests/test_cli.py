"""The command line, run as a user would: a subprocess."""

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bprop


def run(*args, cwd=None, env=None):
    return subprocess.run(
        [sys.executable, "-m", "bprop", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=env,
    )


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
        out = run(
            "train",
            "--data",
            data,
            "--hidden",
            "8,4",
            "--optimizer",
            "adam",
            "--learning-rate",
            "0.05",
            "--epochs",
            "20",
            "--batch-size",
            "32",
            "--dtype",
            "float32",
            "--threads",
            "1",
            "--lambda",
            "0",
            cwd=tmp_path,
        )
        assert out.returncode == 0, out.stderr
        assert "2-8-4-3" in out.stdout
        assert float(out.stdout.split("test accuracy ")[1].split()[0]) > 0.85


def test_gradcheck_command():
    out = run("gradcheck", "--hidden", "4,3")
    assert out.returncode == 0, out.stderr
    assert "gradient check passed" in out.stdout and "Theta3" in out.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (("train", "--data", "nothing.npz"), "No such file"),
        (("train", "--data", "weird"), "unknown --data 'weird'"),
        (("train", "--hidden", "a,b"), "--hidden must be sizes"),
        (("train", "--hidden", ""), "--hidden must be sizes"),
        (
            ("train", "--iterations", "0"),
            "argument --iterations: expected a whole number >= 1, got '0'",
        ),
        (("train", "--data", "mnist"), "needs a directory"),
        (("train", "--data", "mnist:/nonexistent"), "is not a directory"),
        (
            ("train", "--learning-rate", "-1", "--optimizer", "gd"),
            "argument --learning-rate: expected a finite number > 0, got '-1'",
        ),
        (("train", "--threads", "0"), "argument --threads: expected a count >= 1 or -1"),
        (("train", "--threads", "100000"), "--threads=100000 is far more than"),
        (("train", "--distributed", "--threads", "0"), "argument --threads: expected a count >= 1"),
        (
            ("train", "--seed", "-1"),
            "argument --seed: expected a seed, a whole number >= 0, got '-1'",
        ),
        (
            ("train", "--lambda", "nan"),
            "argument --lambda: expected a finite number >= 0, got 'nan'",
        ),
        (
            ("train", "--validation-fraction", "1.5"),
            "argument --validation-fraction: expected a share",
        ),
        (("train", "--batch-size", "32"), "--batch-size: lbfgs works on the full batch"),
        (("train", "--learning-rate", "0.1"), "--learning-rate: lbfgs chooses its own step sizes"),
        (
            ("train", "--data", "fashion-mnist", "--test-fraction", "0.3"),
            "--test-fraction: --data fashion-mnist has its own test split",
        ),
        (("train", "--hidden", "1000000000"), "--hidden: a 64-1000000000-10 network has"),
        (
            ("train", "--save", "missing/m.npz"),
            "--save: missing/m.npz: the directory missing does not",
        ),
        (("evaluate", "missing.npz"), "MODEL missing.npz: no such file"),
        (("evaluate", "m.npz", "--threads", "0"), "argument --threads: expected a count >= 1"),
        (
            ("gradcheck", "--samples", "0"),
            "argument --samples: expected a whole number >= 1, got '0'",
        ),
        (
            ("gradcheck", "--threshold", "-1"),
            "argument --threshold: expected a finite number > 0, got '-1'",
        ),
        (
            ("gradcheck", "--hidden", "1000000000", "--inputs", "1000"),
            "--hidden: a 1000-1000000000-3",
        ),
        (("predict", "missing.npz", "--data", "x.csv"), "MODEL missing.npz: no such file"),
    ],
)
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
    out = run(
        "train",
        "--activation",
        "relu",
        "--output",
        "softmax",
        "--init",
        "auto",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.003",
        "--batch-size",
        "64",
        "--epochs",
        "15",
        "--lambda",
        "0.05",
        "--save",
        str(model),
        "--quiet",
    )
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
    out = run(
        "train",
        "--iterations",
        "20",
        "--quiet",
        "--save",
        str(model),
        "--plot",
        str(tmp_path / "train_plots"),
    )
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
        f"{labels[c]},{a:.6f},{b:.6f}" for c, (a, b) in zip(k, X)
    ]
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
    assert (
        run(
            "train", "--data", str(train_file), "--hidden", "6", "--save", str(model), "--quiet"
        ).returncode
        == 0
    )
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
    out = run(
        "train",
        "--data",
        "d.csv",
        "--hidden",
        "6",
        "--save",
        "m.npz",
        "--quiet",
        cwd=tmp_path / "run",
    )
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
        out = run(
            "train", "--optimizer", "gd", "--learning-rate", rate, "--iterations", "100", "--quiet"
        )
        assert out.returncode == 2, out.stdout
        assert "training diverged" in out.stderr and "smaller --learning-rate" in out.stderr


def test_outputs_are_checked_before_training(tmp_path):
    out = run("train", "--save", str(tmp_path / "no" / "m.npz"), "--iterations", "1000")
    assert out.returncode == 2 and "does not exist" in out.stderr and "training" not in out.stdout
    assert ".tmp" not in out.stderr  # the user's path, not a hidden temporary one


def test_validation_early_stopping_standardize_and_resume(tmp_path):
    model = tmp_path / "m.npz"
    out = run(
        "train",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.01",
        "--batch-size",
        "64",
        "--epochs",
        "200",
        "--early-stopping",
        "--patience",
        "3",
        "--standardize",
        "--save",
        str(model),
        "--quiet",
    )
    acc = _test_accuracy(out)
    assert "stopped: early_stopping" in out.stdout and acc > 0.9
    _, meta = bprop.load(model)
    assert len(meta["standardize"][0]) == 64
    ev = run("evaluate", str(model))
    assert f"accuracy {acc:.4f}" in ev.stdout  # evaluate standardises as training did
    more = run(
        "train",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.001",
        "--batch-size",
        "64",
        "--epochs",
        "1",
        "--standardize",
        "--resume",
        str(model),
        "--quiet",
    )
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
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bprop",
            "predict",
            str(model),
            "--data",
            str(tmp_path / "many.npz"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
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
    out = run(
        "train",
        "--data",
        str(tmp_path / "r.npz"),
        "--output",
        "identity",
        "--activation",
        "tanh",
        "--hidden",
        "20",
        "--lambda",
        "0.01",
        "--save",
        str(model),
        "--quiet",
    )
    assert out.returncode == 0, out.stderr
    test_r2 = float(out.stdout.split("test R^2 ")[1].split(",")[0])
    assert test_r2 > 0.99
    ev = run("evaluate", str(model))
    assert f"R^2 {test_r2:.4f}" in ev.stdout and "on 80 samples" in ev.stdout
    pr = run("predict", str(model), "--data", str(tmp_path / "r.csv"))
    assert pr.returncode == 0, pr.stderr
    values = np.array(pr.stdout.split(), dtype=float)
    assert values.shape == (400,) and np.corrcoef(values, y)[0, 1] > 0.99
    more = run(
        "train",
        "--data",
        str(tmp_path / "r.npz"),
        "--resume",
        str(model),
        "--lambda",
        "0.01",
        "--iterations",
        "3",
        "--quiet",
    )  # kind and size from the model
    assert more.returncode == 0 and "3-20-1:" in more.stdout, more.stderr
    bad = run("train", "--output", "identity")
    assert bad.returncode == 2 and "needs real targets from FILE.npz or FILE.csv" in bad.stderr


def test_plot_without_matplotlib_fails_before_training(tmp_path):
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "from bprop.cli import main\n"
        f"sys.exit(main(['train', '--iterations', '500', '--plot', {str(tmp_path)!r}]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "--plot: bprop.plot needs matplotlib: pip install" in out.stderr
    assert "training" not in out.stdout


def test_second_trial_findings(tmp_path):
    """What a new user met in the second trial of 0.2, each checked."""
    model = tmp_path / "st.npz"
    assert (
        run(
            "train", "--standardize", "--iterations", "60", "--save", str(model), "--quiet"
        ).returncode
        == 0
    )
    acc = float(run("evaluate", str(model)).stdout.split("accuracy ")[1].split()[0])
    more = run(
        "train",
        "--resume",
        str(model),
        "--optimizer",
        "gd",
        "--learning-rate",
        "1e-9",
        "--iterations",
        "1",
        "--save",
        str(tmp_path / "r.npz"),
        "--quiet",
    )
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
    assert (
        run(
            "train",
            "--data",
            str(_blobs_csv(tmp_path / "b.csv")),
            "--hidden",
            "4",
            "--save",
            str(small),
            "--quiet",
        ).returncode
        == 0
    )
    out = run("predict", str(small), "--data", str(tmp_path / "semi.csv"))
    assert out.returncode == 2 and "another --delimiter?" in out.stderr
    out = run("train", "--data", str(tmp_path / "real.npz"))
    np.savez(tmp_path / "real.npz", X=np.ones((10, 2)), y=np.linspace(0, 1, 10))
    out = run("train", "--data", str(tmp_path / "real.npz"))
    assert out.returncode == 2 and "--output identity" in out.stderr


def test_quoted_csv_trains_evaluates_and_predicts(tmp_path):
    """Issue 21: a QUOTE_ALL file failed ('"0.18..." is not a number'), QUOTE_NONNUMERIC gave
    the classes '"cat"', and a quoted label with a comma broke the column count."""
    import csv

    rng = np.random.default_rng(0)
    k = rng.integers(0, 3, 300)
    X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])[k] + rng.normal(size=(300, 2))
    names = np.array(["cat", "dog, big", "emu"])
    for quoting in (csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC):
        with open(tmp_path / "q.csv", "w", newline="") as f:
            w = csv.writer(f, quoting=quoting)
            w.writerow(["label", "x1", "x2"])
            w.writerows([[n, a, b] for n, (a, b) in zip(names[k], X)])
        with open(tmp_path / "new.csv", "w", newline="") as f:  # features only, quoted
            csv.writer(f, quoting=quoting).writerows(X[:5].tolist())
        model = tmp_path / "m.npz"
        out = run(
            "train",
            "--data",
            str(tmp_path / "q.csv"),
            "--hidden",
            "6",
            "--save",
            str(model),
            "--quiet",
        )
        assert _test_accuracy(out) > 0.9
        assert bprop.load(model)[1]["classes"] == ["cat", "dog, big", "emu"]
        ev = run("evaluate", str(model))
        assert ev.returncode == 0 and "  dog, big  " in ev.stdout, ev.stderr
        pr = run("predict", str(model), "--data", str(tmp_path / "new.csv"))
        assert pr.returncode == 0, pr.stderr
        np.savez(tmp_path / "new.npz", X=X[:5])
        same = run("predict", str(model), "--data", str(tmp_path / "new.npz"))
        assert pr.stdout == same.stdout and set(pr.stdout.splitlines()) <= set(names)
        assert len(pr.stdout.splitlines()) == 5
        pr = run("predict", str(model), "--data", str(tmp_path / "q.csv"))  # labels first
        assert pr.returncode == 0 and len(pr.stdout.splitlines()) == 300, pr.stderr


# Issue 21: results that were wrong without a word, and runs or results that were lost.


def test_evaluate_refuses_a_data_file_changed_since_training(tmp_path):
    data = _blobs_csv(tmp_path / "d.csv", m=1000)
    model = tmp_path / "m.npz"
    acc = _test_accuracy(
        run("train", "--data", str(data), "--hidden", "6", "--save", str(model), "--quiet")
    )
    _, meta = bprop.load(model)
    assert meta["data_fingerprint"]["d.csv"]["size"] == data.stat().st_size
    assert f"accuracy {acc:.4f} on 200 samples" in run("evaluate", str(model)).stdout
    text = data.read_text()
    data.write_text(text[:-3] + ("1" if text[-3] != "1" else "2") + text[-2:])  # same size
    ev = run("evaluate", str(model))
    assert (
        ev.returncode == 2 and "d.csv has changed since training (its content differs)" in ev.stderr
    )
    data.write_text(text)  # restored: scored again
    assert f"accuracy {acc:.4f} on 200 samples" in run("evaluate", str(model)).stdout
    _blobs_csv(data, m=300, seed=4)  # the file rewritten: the rows held out are gone
    ev = run("evaluate", str(model))
    assert ev.returncode == 2 and "on 60 samples" not in ev.stdout
    assert (
        f"the model was trained on {data}, and d.csv has changed since training "
        f"({meta['data_fingerprint']['d.csv']['size']} bytes then, "
        f"{data.stat().st_size} now)"
    ) in ev.stderr
    assert f"pass --data {data} to score the data as they are now" in ev.stderr
    ev = run("evaluate", str(model), "--data", str(data))  # as the message says
    assert ev.returncode == 0 and "all of it" in ev.stdout and "on 300 samples" in ev.stdout
    # a model from 0.2, without a fingerprint: still scored, with a note
    thetas, meta = bprop.load(model)
    old = {
        k: v
        for k, v in meta.items()
        if k not in ("format", "format_version", "layer_sizes", "dtype", "data_fingerprint")
    }
    bprop.save(tmp_path / "old.npz", thetas, **old)
    ev = run("evaluate", str(tmp_path / "old.npz"))
    assert ev.returncode == 0 and "on 60 samples" in ev.stdout, ev.stderr
    assert "records no fingerprint of its data" in ev.stderr


def test_a_fingerprint_covers_the_files_of_digits_and_mnist_directories(tmp_path):
    import gzip
    from importlib import resources

    model = tmp_path / "digits.npz"
    assert run("train", "--iterations", "3", "--save", str(model), "--quiet").returncode == 0
    shipped = resources.files("bprop").joinpath("_data/digits.npz").read_bytes()
    assert bprop.load(model)[1]["data_fingerprint"]["digits.npz"]["size"] == len(shipped)
    d = tmp_path / "mn"
    d.mkdir()
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 60), ("t10k", 20)):
        for kind, array in (
            ("images-idx3", rng.integers(0, 256, (n, 28, 28))),
            ("labels-idx1", np.arange(n) % 3),
        ):
            header = bytes([0, 0, 8, array.ndim]) + b"".join(
                int(s).to_bytes(4, "big") for s in array.shape
            )
            with gzip.open(d / f"{prefix}-{kind}-ubyte.gz", "wb") as f:
                f.write(header + array.astype(np.uint8).tobytes())
    model = tmp_path / "mn.npz"
    assert (
        run(
            "train",
            "--data",
            f"mnist:{d}",
            "--hidden",
            "4",
            "--iterations",
            "3",
            "--save",
            str(model),
            "--quiet",
        ).returncode
        == 0
    )
    assert sorted(bprop.load(model)[1]["data_fingerprint"]) == sorted(p.name for p in d.iterdir())
    assert run("evaluate", str(model)).returncode == 0
    (d / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\0\0\x08\x01" + b"\0\0\0\x00"))
    ev = run("evaluate", str(model))  # evaluate reads the test split only: still the same
    assert ev.returncode == 0 and "on 20 samples" in ev.stdout, ev.stderr
    labels = d / "t10k-labels-idx1-ubyte.gz"
    with gzip.open(labels, "wb") as f:
        f.write(b"\0\0\x08\x01\0\0\0\x14" + bytes(20))
    ev = run("evaluate", str(model))
    assert (
        ev.returncode == 2 and "t10k-labels-idx1-ubyte.gz has changed since training" in ev.stderr
    )


def test_resume_keeps_the_models_split_or_refuses_another(tmp_path):
    data = _blobs_csv(tmp_path / "d.csv")
    model = tmp_path / "m.npz"
    out = run(
        "train",
        "--data",
        str(data),
        "--hidden",
        "6",
        "--seed",
        "3",
        "--test-fraction",
        "0.3",
        "--save",
        str(model),
        "--quiet",
    )
    m = int(out.stdout.split("on all ")[1].split()[0])
    assert m == 211, out.stderr  # 300 rows less a stratified 0.3 (the default 0.2: 240)
    for flag, value, recorded in (("--seed", "5", "3"), ("--test-fraction", "0.5", "0.3")):
        bad = run("train", "--data", str(data), "--resume", str(model), flag, value, "--quiet")
        assert bad.returncode == 2 and "training samples" not in bad.stdout
        assert (
            f"{flag} {value}: the model of --resume {model} was trained on {data} with "
            f"{flag} {recorded}, which chose the rows it was tested on"
        ) in bad.stderr
        assert f"Leave {flag} out to keep the model's split" in bad.stderr
    more = tmp_path / "more.npz"
    for flags in ((), ("--seed", "3", "--test-fraction", "0.3")):  # the model's split, kept
        out = run(
            "train",
            "--data",
            str(data),
            "--resume",
            str(model),
            "--iterations",
            "5",
            "--save",
            str(more),
            "--quiet",
            *flags,
        )
        assert out.returncode == 0, out.stderr
        assert f"on all {m} training samples" in out.stdout  # not 240 (seed 0, 0.2)
        _, meta = bprop.load(more)
        assert (meta["seed"], meta["test_fraction"]) == (3, 0.3)
        ev = run("evaluate", str(more))  # the same held-out rows as the first model's
        assert f"on {300 - m} samples" in ev.stdout and "(0.3)" in ev.stdout
    other = _blobs_csv(tmp_path / "other.csv", seed=7)  # other data: the flags are free
    out = run(
        "train",
        "--data",
        str(other),
        "--resume",
        str(model),
        "--seed",
        "5",
        "--iterations",
        "5",
        "--quiet",
    )
    assert out.returncode == 0 and "on all 240 training samples" in out.stdout, out.stderr


def test_a_model_records_the_learning_rate_used(tmp_path):
    data = _blobs_csv(tmp_path / "d.csv", m=100)
    for flags, rate in (
        (("--optimizer", "adam"), 0.001),
        (("--optimizer", "gd"), 1.0),
        (("--optimizer", "momentum", "--learning-rate", "0.3"), 0.3),
        (("--optimizer", "lbfgs"), None),
    ):
        out = run(
            "train",
            "--data",
            str(data),
            "--hidden",
            "3",
            "--iterations",
            "2",
            "--save",
            str(tmp_path / "m.npz"),
            "--quiet",
            *flags,
        )
        assert out.returncode == 0, out.stderr
        meta = bprop.load(tmp_path / "m.npz")[1]
        assert meta["learning_rate"] == rate and meta["stopped"] == "completed"


@pytest.mark.parametrize("target", ["/proc/m.npz", "/sys/m.npz"])
def test_save_into_a_directory_that_takes_no_files_fails_before_training(tmp_path, target):
    if not os.path.isdir(os.path.dirname(target)):
        pytest.skip(f"no {os.path.dirname(target)} here")
    out = run("train", "--save", target, "--iterations", "1000")
    assert out.returncode == 2 and "training" not in out.stdout
    assert f"--save: {target}: cannot create a file in the directory" in out.stderr
    assert ".tmp" not in out.stderr
    with pytest.raises(OSError, match=f"{target}: cannot create a file") as e:
        bprop.save(target, bprop.Network(bprop.initialize([2, 2])))
    assert ".tmp" not in str(e.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only directories")
def test_save_into_a_read_only_directory_fails_before_training(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o555)
    try:
        out = run("train", "--save", str(d / "m.npz"), "--iterations", "1000")
    finally:
        d.chmod(0o755)
    assert out.returncode == 2 and "training" not in out.stdout
    assert f"--save: {d / 'm.npz'}: cannot" in out.stderr


@pytest.mark.parametrize("cwd_full", [False, True])
def test_a_save_failing_after_training_keeps_the_model(tmp_path, monkeypatch, capsys, cwd_full):
    """The check before training passed; the write at the end failed (a full disk)."""
    import errno
    import tempfile

    from bprop.cli import main

    full, spare = tmp_path / "full", tmp_path / "spare"
    full.mkdir()
    spare.mkdir()
    real_replace = os.replace

    def replace(source, target):  # the disk fills up while the model is written
        if Path(target).parent == full:
            raise OSError(errno.ENOSPC, "No space left on device", str(source))
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(tempfile, "tempdir", str(spare))
    monkeypatch.chdir(full if cwd_full else tmp_path)
    assert main(["train", "--iterations", "20", "--save", str(full / "m.npz"), "--quiet"]) == 2
    out, err = capsys.readouterr()
    kept = next((spare if cwd_full else tmp_path).glob("m.unsaved-*.npz"))
    assert (
        f"bprop: error: --save: {full / 'm.npz'}: writing the file failed in the directory "
        f"{full} (No space left on device); the trained model is kept in {kept} instead" in err
    )
    assert ".tmp" not in err
    thetas, meta = bprop.load(kept)
    assert f"test accuracy {meta['test_accuracy']:.4f}" in out and meta["iterations"] == 20
    assert list(full.iterdir()) == []


def test_ctrl_c_saves_the_interrupted_run_and_exits_130(tmp_path):
    import signal

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 20000)
    X = rng.normal(size=(20000, 50)) + y[:, None]
    np.savez(tmp_path / "big.npz", X=X, y=y)
    model = tmp_path / "m.npz"
    p = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bprop",
            "train",
            "--data",
            "big.npz",
            "--hidden",
            "64",
            "--optimizer",
            "adam",
            "--batch-size",
            "32",
            "--epochs",
            "200",
            "--save",
            str(model),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not p.stderr.readline().startswith("epoch "):  # training runs: an epoch is done
            assert p.poll() is None
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=120)
    finally:
        p.kill()
        p.wait()
    assert p.returncode == 130, err
    assert "(stopped: interrupted)" in out and f"saved {model}" in out
    _, meta = bprop.load(model)
    assert meta["stopped"] == "interrupted" and 0 < meta["iterations"] < 200 * 500
    assert (
        f"bprop: interrupted after {meta['iterations']} iterations; {model} holds the "
        f"interrupted run"
    ) in err


def test_ctrl_c_while_scoring_still_saves_the_trained_model(tmp_path, monkeypatch, capsys):
    import bprop.cli.commands as commands

    def interrupted(*args, **kwargs):  # Ctrl-C pressed (again) as the run is scored
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "predict", interrupted)
    model = tmp_path / "m.npz"
    assert commands.main(["train", "--iterations", "7", "--save", str(model), "--quiet"]) == 130
    err = capsys.readouterr().err
    assert "interrupted while scoring; saving the model without its scores" in err
    assert f"interrupted after 7 iterations; {model} holds the interrupted run" in err
    thetas, meta = bprop.load(model)
    assert meta["stopped"] == "interrupted" and meta["iterations"] == 7
    assert "test_accuracy" not in meta and len(meta["cost_history"]) == 8


# The third trial by a new user: targets a save destroyed, labels that broke lines, and
# settings a resumed or scored model did not keep.


def _cli(capsys, *args):
    """(exit status, stdout, stderr) of the command line run in this process."""
    from bprop.cli import main

    try:
        status = main(list(map(str, args)))
    except SystemExit as e:  # argparse's errors
        status = e.code
    out, err = capsys.readouterr()
    return status, out, err


def _is_fifo(path):
    import stat

    return stat.S_ISFIFO(os.lstat(path).st_mode)


def test_save_never_replaces_a_fifo_or_a_directory(tmp_path, capsys):
    """Trial: --save /dev/null said "saved /dev/null" and (as root) replaced the device with
    a regular file; a FIFO was replaced too. (Never /dev/null itself here: the test would
    destroy it if the fix failed.)"""
    fifo = tmp_path / "f.npz"
    os.mkfifo(fifo)
    status, out, err = _cli(capsys, "train", "--quiet", "--iterations", "5", "--save", fifo)
    assert status == 2 and out == ""
    assert err == (
        f"bprop: error: --save: {fifo} is a FIFO (named pipe), not a regular file; a "
        f"save replaces the file at its name, so it writes only to a regular file (or "
        f"a new name)\n"
    )
    assert _is_fifo(fifo)
    link = tmp_path / "link.npz"
    link.symlink_to(fifo)
    status, _, err = _cli(capsys, "train", "--quiet", "--iterations", "5", "--save", link)
    assert status == 2 and f"--save: {link} (a link to {fifo}) is a FIFO" in err
    assert link.is_symlink() and _is_fifo(fifo)
    (tmp_path / "d.npz").mkdir()
    status, _, err = _cli(
        capsys, "train", "--quiet", "--iterations", "5", "--save", tmp_path / "d.npz"
    )
    assert (status, err) == (
        2,
        f"bprop: error: --save: {tmp_path / 'd.npz'} is a directory, not a file name\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.npz", "f.npz", "link.npz"]


def test_save_never_replaces_the_data_or_a_file_that_is_not_a_model(tmp_path, capsys, monkeypatch):
    """Trial: train --data X --save X wrote the model over the training data."""
    monkeypatch.chdir(tmp_path)
    csv_data = _blobs_csv(tmp_path / "d.csv")
    X, y = np.loadtxt(csv_data, delimiter=",")[:, 1:], np.loadtxt(csv_data, delimiter=",")[:, 0]
    np.savez(tmp_path / "d.npz", X=X, y=y.astype(int))
    kept = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for data, save in (
        ("d.npz", "d.npz"),
        ("d.npz", str(tmp_path / "d.npz")),
        ("./d.npz", "../" + tmp_path.name + "/d.npz"),
        ("d.csv", "d.csv"),
    ):
        status, out, err = _cli(
            capsys, "train", "--data", data, "--hidden", "2", "--quiet", "--save", save
        )
        assert (status, out) == (2, "")
        assert err == (
            f"bprop: error: --save {save} is the file of --data {data}: the model "
            f"would replace the data; name another file for the model\n"
        )
    status, _, err = _cli(capsys, "train", "--quiet", "--iterations", "2", "--save", "m.txt")
    assert (status, err) == (
        2,
        "bprop: error: --save m.txt: a model file is an .npz archive; "
        "name it m.npz (or another name ending in .npz)\n",
    )
    np.savez(tmp_path / "other.npz", X=X)  # someone's arrays: not replaced either
    kept["other.npz"] = (tmp_path / "other.npz").read_bytes()
    status, _, err = _cli(capsys, "train", "--quiet", "--iterations", "2", "--save", "other.npz")
    assert (status, err) == (
        2,
        "bprop: error: --save other.npz: the file is there and is not a "
        "bprop model (data, or another program's file?); the model would "
        "replace it: name another file, or remove it first\n",
    )
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == kept
    # a model's name in any case; saving over a model (the resumed one, too) is fine
    assert _cli(capsys, "train", "--quiet", "--iterations", "2", "--save", "M.NPZ")[0] == 0
    status, _, err = _cli(
        capsys, "train", "--quiet", "--iterations", "2", "--resume", "M.NPZ", "--save", "M.NPZ"
    )
    assert status == 0, err
    assert bprop.load("M.NPZ")[1]["iterations"] == 2


def test_labels_print_one_per_line_escaped(tmp_path, capsys):
    """Trial: a class "nine\\nnine" printed on two lines by predict."""
    names = ["nine\nnine", "back\\slash", "tab\there"]
    rng = np.random.default_rng(0)
    k = rng.integers(0, 3, 300)
    X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])[k] + rng.normal(size=(300, 2)) * 0.3
    with open(tmp_path / "d.csv", "w", newline="") as f:
        csv.writer(f).writerows([[names[c], a, b] for c, (a, b) in zip(k, X)])
    model = tmp_path / "m.npz"
    status, _, err = _cli(
        capsys, "train", "--data", tmp_path / "d.csv", "--hidden", "4", "--quiet", "--save", model
    )
    assert status == 0, err
    status, out, err = _cli(capsys, "predict", model, "--data", tmp_path / "d.csv")
    assert status == 0, err
    shown = {"nine\nnine": "nine\\nnine", "back\\slash": "back\\\\slash", "tab\there": "tab\\there"}
    lines = out.splitlines()
    assert len(lines) == 300 and set(lines) == set(shown.values())
    assert np.mean(np.array(lines) == np.array([shown[names[c]] for c in k])) > 0.95
    status, out, _ = _cli(capsys, "evaluate", model)
    assert status == 0 and "  back\\\\slash  " in out and "  nine\\nnine  " in out
    with open(tmp_path / "new.csv", "w", newline="") as f:
        csv.writer(f).writerows([["new\r\nlabel", 0.0, 0.0], [names[0], 4.0, 0.0]])
    status, _, err = _cli(capsys, "evaluate", model, "--data", tmp_path / "new.csv")
    assert (status, err) == (
        2,
        f"bprop: error: --data {tmp_path / 'new.csv'} has labels the "
        f"model does not know (new\\r\\nlabel); its classes are "
        f"back\\\\slash, nine\\nnine, tab\\there\n",
    )
    status, out, _ = _cli(capsys, "predict", "--help")
    assert status == 0 and "line feed, carriage return and tab print as \\\\, \\n, \\r" in out


def test_delimiter_that_cannot_separate_fields_is_named_as_the_flag(capsys):
    """Trial: --delimiter '"' was reported as "--data delimiter ..."."""
    for value, role in (('"', "quotes fields"), ("\n", "ends lines")):
        status, out, err = _cli(capsys, "train", "--delimiter", value, "--quiet")
        assert status == 2 and out == ""
        assert (
            f"argument --delimiter: {value!r} cannot separate fields: in a CSV file it {role}"
        ) in err and "--data" not in err


def test_resume_without_data_trains_on_the_models_own_data(tmp_path, capsys):
    """Trial: train --resume m.npz without --data trained on the digits."""
    data = _blobs_csv(tmp_path / "d.csv")
    text = data.read_text()
    data.write_text(text.replace(",", ";"))
    model = tmp_path / "m.npz"
    status, _, err = _cli(
        capsys,
        "train",
        "--data",
        data,
        "--delimiter",
        ";",
        "--hidden",
        "3",
        "--seed",
        "3",
        "--test-fraction",
        "0.3",
        "--quiet",
        "--save",
        model,
    )
    assert status == 0, err
    status, out, err = _cli(capsys, "train", "--resume", model, "--iterations", "2")
    assert status == 0, err
    assert err.splitlines()[0] == (
        f"bprop: note: no --data: resuming on the data the model of "
        f"--resume {model} was trained on, {data}"
    )
    assert out.splitlines()[0].startswith(
        f"training 2-3-3 (sigmoid hidden, logistic output) on 211 samples ({data}), "
    )  # its split, its delimiter
    data.write_text(text.replace(",", ";")[:-2] + "9\n")  # the file changed since: refused
    status, out, err = _cli(capsys, "train", "--resume", model, "--iterations", "2")
    assert (status, out) == (2, "")
    assert err == (
        f"bprop: error: the model was trained on {data}, and d.csv has changed since "
        f"training (its content differs): the rows its training held out are no "
        f"longer known; pass --data {data} to train on the data as they are now\n"
    )
    data.unlink()
    status, _, err = _cli(capsys, "train", "--resume", model, "--iterations", "2")
    assert (status, err) == (
        2,
        f"bprop: error: the model of --resume {model} was trained on "
        f"{data}, which is not there now; name the data with --data\n",
    )
    bprop.save(tmp_path / "py.npz", bprop.Network(bprop.initialize([64, 5, 10], seed=0)))
    status, _, err = _cli(capsys, "train", "--resume", tmp_path / "py.npz")
    assert (status, err) == (
        2,
        f"bprop: error: --resume {tmp_path / 'py.npz'} records no "
        f"training data (saved from Python?); name the data to train on "
        f"with --data\n",
    )


def test_resume_keeps_the_models_learning_rate_and_says_so(tmp_path, capsys):
    """Trial: a model trained at 0.002 resumed at adam's default 0.001, silently."""
    data = _blobs_csv(tmp_path / "d.csv")
    model, more = tmp_path / "m.npz", tmp_path / "more.npz"
    status, _, err = _cli(
        capsys,
        "train",
        "--data",
        data,
        "--hidden",
        "3",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.002",
        "--iterations",
        "3",
        "--quiet",
        "--save",
        model,
    )
    assert status == 0, err
    note = (
        f"bprop: note: learning rate 0.002, the one adam trained the model of --resume "
        f"{model} with (--learning-rate sets another)"
    )
    for flags, rate, said in (
        (("--optimizer", "adam"), 0.002, True),
        (("--optimizer", "adam", "--learning-rate", "0.01"), 0.01, False),
        (("--optimizer", "gd"), 1.0, False),
    ):  # gd's default
        status, _, err = _cli(
            capsys,
            "train",
            "--data",
            data,
            "--resume",
            model,
            *flags,
            "--iterations",
            "1",
            "--quiet",
            "--save",
            more,
        )
        assert status == 0, err
        assert bprop.load(more)[1]["learning_rate"] == rate
        assert (note in err) == said and "held out" not in err, flags
    other = _blobs_csv(tmp_path / "other.csv", seed=7)  # other data: the held-out rows unknown
    status, _, err = _cli(
        capsys,
        "train",
        "--data",
        other,
        "--resume",
        model,
        "--optimizer",
        "adam",
        "--iterations",
        "1",
        "--quiet",
    )
    assert status == 0, err
    assert err.splitlines() == [
        f"bprop: note: --data {other} is not the data the model of --resume {model} was trained "
        f"on (other.csv: the model recorded other files): the rows its training held out are "
        f"unknown for these data, so its test part may hold rows it was trained on",
        note,
    ]


def test_evaluate_and_predict_read_a_file_of_the_models_kind_with_its_delimiter(tmp_path, capsys):
    """Trial: evaluate --data F of a model trained with --delimiter ';' split F by ','."""
    text = _blobs_csv(tmp_path / "d.csv").read_text().replace(",", ";")
    (tmp_path / "d.csv").write_text(text)
    (tmp_path / "again.CSV").write_text(text)
    (tmp_path / "again.txt").write_text(text)
    model = tmp_path / "m.npz"
    status, _, err = _cli(
        capsys,
        "train",
        "--data",
        tmp_path / "d.csv",
        "--delimiter",
        ";",
        "--hidden",
        "3",
        "--quiet",
        "--save",
        model,
    )
    assert status == 0, err
    status, out, err = _cli(capsys, "evaluate", model, "--data", tmp_path / "again.CSV")
    assert status == 0 and "on 300 samples" in out, err
    status, out, err = _cli(capsys, "predict", model, "--data", tmp_path / "again.CSV")
    assert status == 0 and len(out.split()) == 300, err
    status, _, err = _cli(capsys, "evaluate", model, "--data", tmp_path / "again.txt")
    assert status == 2 and "1 column split by ','" in err  # another kind: its own default
    status, out, err = _cli(
        capsys, "evaluate", model, "--data", tmp_path / "again.txt", "--delimiter", ";"
    )
    assert status == 0 and "on 300 samples" in out, err


@pytest.mark.parametrize(
    "args, flag",
    [
        (["train", "--save=", "--iterations", "3"], "--save"),
        (["train", "--resume="], "--resume"),
        (["train", "--plot=", "--iterations", "3"], "--plot"),
        (["train", "--data=", "--iterations", "3"], "--data"),
        (["evaluate", ""], "MODEL.npz"),
        (["predict", "m.npz", "--data", " "], "--data"),
    ],
)
def test_an_empty_path_is_an_error_not_a_flag_left_out(tmp_path, args, flag):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stdout
    assert f"argument {flag}: expected a file or directory name" in r.stderr
    assert list(tmp_path.iterdir()) == []  # nothing trained and saved anywhere
