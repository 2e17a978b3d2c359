"""Issue 21, "Messages and friction": what a new user met, each point checked
by the real message or value."""

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import bprop
from bprop._internal.checks import ACTIVATIONS

ROOT = Path(__file__).resolve().parent.parent


def _source_tree():
    if not (ROOT / "python" / "bprop").is_dir():
        pytest.skip("the source tree is not next to the tests (installed test run)")
    return ROOT


# ---- stale comments and dead code ------------------------------------------------------


def test_paths_named_in_comments_exist():
    root = _source_tree()
    named = re.compile(
        r"(?<![\w/])(?:tools|tests|csrc|python|docs|benchmarks|examples)/[\w./-]+"
        r"\.(?:sh|py|pyi|hpp|cpp|md)\b"
    )
    files = [
        root / "CMakeLists.txt",
        root / "pyproject.toml",
        *(
            p
            for d in ("csrc", "python", "tools", "docs", "tests", "benchmarks")
            for p in (root / d).rglob("*")
            if p.suffix in (".py", ".pyi", ".hpp", ".cpp", ".sh", ".md", ".txt")
        ),
    ]
    missing = [
        f"{f.relative_to(root)}: {path}"
        for f in files
        for path in named.findall(f.read_text(errors="replace"))
        if not (root / path).exists()
    ]
    assert missing == []


def test_kernels_header_counts_its_entry_points():
    text = (_source_tree() / "csrc" / "bprop" / "kernels.hpp").read_text()
    declared = re.findall(r"template <class T>\n\w+ (\w+)\(", text)
    said = re.search(r"The (\w+) entry points", text).group(1)
    words = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
    assert words[said] == len(declared) == 4
    assert all(name in text.split("\n\n")[0] for name in declared)


def test_activation_lists_in_docstrings_name_every_activation():
    from bprop.estimators import BackpropClassifier

    for doc in (bprop.cost.__doc__, BackpropClassifier.__doc__):
        listed = re.search(r"activation : \{([^}]*)\}", doc).group(1)
        assert sorted(re.findall(r'"(\w+)"', listed)) == sorted(ACTIVATIONS)


def _unused_imports(path):
    tree = ast.parse(path.read_text())
    probes = {
        id(n)
        for t in ast.walk(tree)
        if isinstance(t, ast.Try)  # `try: import x`:
        for s in t.body
        for n in ast.walk(s)
    }  # is x installed?
    imported = {}
    for node in ast.walk(tree):
        if (
            isinstance(node, (ast.Import, ast.ImportFrom))
            and id(node) not in probes
            and getattr(node, "module", "") != "__future__"
        ):
            for alias in node.names:
                imported[(alias.asname or alias.name).split(".")[0]] = node.lineno
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    exported = set()
    for node in ast.walk(tree):  # names listed in __all__ count as used
        if isinstance(node, ast.Assign) and any(
            getattr(t, "id", "") == "__all__" for t in node.targets
        ):
            exported |= {e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant)}
    return sorted(name for name in imported if name not in used | exported)


def test_no_dead_code():
    package = _source_tree() / "python" / "bprop"
    unused = {
        str(p.relative_to(package)): names
        for p in package.rglob("*.py")
        if p.name != "__init__.py" and (names := _unused_imports(p))
    }
    assert unused == {}
    from bprop.training import NoImprovement

    assert not hasattr(NoImprovement, "best_value")  # nothing read it


# ---- the command line names its flags, not the Python parameters they feed ---------


def run(*args, cwd=None):
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "bprop", *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("train", "--test-fraction", "0.999"),
            "--test-fraction 0.999 leaves nothing to train on from 1797 samples (each of the 10 "
            "classes splits by that share, rounded)",
        ),
        (
            ("train", "--validation-fraction", "0.999"),
            "--validation-fraction 0.999 leaves nothing to train on from 1438 samples",
        ),
        (
            ("train", "--early-stopping", "--validation-fraction", "0.001"),
            "--validation-fraction 0.001 leaves nothing to hold out from 1438 samples",
        ),
        (
            ("evaluate", "m.npz", "--data", "digits", "--test-fraction", "0.0001"),
            "--test-fraction 0.0001 leaves nothing to hold out from 1797 samples",
        ),
        (("train", "--threads", "100000"), "--threads=100000 is far more than this machine's"),
    ],
)
def test_cli_errors_name_the_flag_given(tmp_path, args, message):
    bprop.save(tmp_path / "m.npz", bprop.Network(bprop.initialize([64, 3, 10], seed=0)))
    out = run(*args, "--quiet" if args[0] == "train" else "--threads=1", cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr == f"bprop: error: {message}" + out.stderr.split(message, 1)[1]
    assert "_fraction" not in out.stderr and "num_threads" not in out.stderr


def test_the_split_says_which_part_is_empty():
    X, y = bprop.data.load_digits()
    with pytest.raises(
        ValueError,
        match=r"^validation_fraction 0\.999 leaves nothing to train on "
        r"from 1797 samples \(each of the 10 classes",
    ):
        bprop.data.train_validation_split(X, y, 0.999)
    with pytest.raises(
        ValueError,
        match=r"^validation_fraction 0\.0001 leaves nothing to hold "
        r"out from 1797 samples$",
    ):
        bprop.data.train_validation_split(X, y, 0.0001, stratify=False)


def test_remedies_of_python_errors_are_said_in_flags():
    from bprop._internal.problem import overflow_error, prepare
    from bprop.cli.common import in_flags
    from bprop.training.history import Run
    from bprop.training.objective import Objective

    X, y = bprop.data.load_digits()
    with pytest.raises(bprop.TrainingDiverged) as e:
        bprop.train(
            bprop.initialize([64, 5, 10], seed=0),
            X,
            y,
            optimizer="gd",
            learning_rate=1e6,
            iterations=20,
            verbose=False,
        )
    assert "; try a smaller --learning-rate (now 1e+06)" in in_flags(str(e.value))
    thetas = bprop.initialize([3, 2, 2], seed=0)
    big = np.full((4, 3), 1e307)
    objective = Objective(thetas, big, [0, 1, 0, 1], 0.0, 1, None, "sigmoid", "logistic")
    run_ = Run(
        objective=objective,
        validation=None,
        early_stopping=False,
        patience=5,
        callbacks=[],
        verbose=False,
        total_epochs=1,
    )
    lbfgs = str(run_.diverged(thetas, "the weights became NaN/inf", None))
    assert in_flags(lbfgs).endswith("; try a larger --lambda or --standardize")
    assert in_flags(lbfgs, standardize=False).endswith("; try a larger --lambda or scaled inputs")
    inputs = str(overflow_error(thetas, prepare(thetas, big, [0, 1, 0, 1], 0.0, 1)))
    assert in_flags(inputs).endswith(
        "(largest |x| = 1e+307, weights up to 0.119343); standardise them with --standardize"
    )


def test_diverging_cli_run_names_the_learning_rate_flag():
    out = run(
        "train", "--optimizer", "gd", "--learning-rate", "1e4", "--iterations", "20", "--quiet"
    )
    assert out.returncode == 2
    assert "; try a smaller --learning-rate (now 10000)" in out.stderr


# ---- --data: any case, .tsv and .txt; binary files named as such -------------------


def _blobs(tmp_path, m=300):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, m)
    X = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])[y] + rng.normal(size=(m, 2))
    return X, y


def test_data_files_in_any_case_and_tsv_txt(tmp_path):
    X, y = _blobs(tmp_path)
    np.savetxt(tmp_path / "b.CSV", np.column_stack([y, X]), delimiter=",")
    np.savetxt(tmp_path / "b.tsv", np.column_stack([y, X]), delimiter="\t")
    np.savetxt(tmp_path / "b.txt", np.column_stack([y, X]), delimiter=",")
    np.savetxt(tmp_path / "s.Txt", np.column_stack([y, X]), delimiter=" ")
    with open(tmp_path / "b.Npz", "wb") as f:
        np.savez(f, X=X, y=y)
    accuracies = set()
    for data, extra in (
        ("b.CSV", ()),
        ("b.tsv", ()),
        ("b.txt", ()),
        ("b.Npz", ()),
        ("s.Txt", ("--delimiter", " ")),
    ):
        model = f"m-{data}.npz"
        out = run(
            "train",
            "--data",
            data,
            *extra,
            "--hidden",
            "4",
            "--quiet",
            "--save",
            model,
            cwd=tmp_path,
        )
        assert out.returncode == 0, (data, out.stderr)
        accuracies.add(out.stdout.split("test accuracy ")[1].split()[0])
        ev = run("evaluate", model, cwd=tmp_path)  # the model's own data, by its record
        assert ev.returncode == 0 and "accuracy" in ev.stdout, (data, ev.stderr)
        ev = run("evaluate", model, "--data", data, *extra, cwd=tmp_path)
        assert ev.returncode == 0 and "on 300 samples" in ev.stdout, (data, ev.stderr)
        pr = run("predict", model, "--data", data, *extra, cwd=tmp_path)
        assert pr.returncode == 0 and len(pr.stdout.split()) == 300, (data, pr.stderr)
    assert len(accuracies) == 1  # the same data, read alike from every kind of file
    out = run("train", "--data", "s.Txt", "--quiet", cwd=tmp_path)  # spaces, comma expected
    assert out.returncode == 2
    assert out.stderr == (
        "bprop: error: --data s.Txt: 1 column split by ','; the file needs a "
        "label column and at least one feature (another --delimiter?)\n"
    )


def test_a_binary_file_is_named_and_called_what_it_is(tmp_path):
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    message = (
        f"{binary}: not a text CSV file in UTF-8 (it holds the byte 0x89, which is not "
        f"UTF-8 text): a binary file, or text in another encoding (save it as UTF-8)"
    )
    for read in (bprop.data.load_csv, bprop.data.load_csv_features):
        with pytest.raises(ValueError) as e:
            read(binary)
        assert str(e.value) == message
    bprop.save(tmp_path / "m.npz", bprop.Network(bprop.initialize([2, 3, 3], seed=0)))
    for args in (
        ("train", "--data", str(binary)),
        ("evaluate", "m.npz", "--data", str(binary)),
        ("predict", "m.npz", "--data", str(binary)),
    ):
        out = run(*args, cwd=tmp_path)
        assert out.returncode == 2 and out.stderr == f"bprop: error: --data {message}\n", args


# ---- trace: one sample ---------------------------------------------------------------


def test_trace_of_several_rows_says_it_takes_one_sample():
    X, y = bprop.data.load_digits()
    thetas = bprop.initialize([64, 5, 10], seed=0)
    with pytest.raises(ValueError) as e:
        bprop.trace(thetas, X[:2], y[:2])
    assert str(e.value) == (
        "trace takes one sample: x of shape (64,) or (1, 64), and its label; "
        "x has 2 rows (shape (2, 64)). For sample i, pass X[i] and y[i]"
    )
    one = bprop.trace(thetas, X[3], y[3])
    assert bprop.trace(thetas, X[3:4], y[3:4]).cost == one.cost  # (1, n) and y[i:i+1]
    with pytest.raises(ValueError, match=r"^x has 5 values but Theta1 takes 64 inputs$"):
        bprop.trace(thetas, X[3, :5], y[3])
    with pytest.raises(ValueError, match=r"^y has 1 value but the network has 2 outputs"):
        bprop.trace(bprop.initialize([64, 2], seed=0), X[3], [0.5], output="identity")


# ---- numpy scalars in messages, the regressor's signature, "1 rank" -----------------


def test_messages_show_numpy_scalars_as_plain_numbers():
    pytest.importorskip("sklearn")
    from bprop.estimators import BackpropClassifier

    X = np.ones((4, 2))
    cases = [
        (
            lambda: BackpropClassifier().fit(X, np.zeros(4)),
            "the classifier needs samples of at least 2 classes; y holds only one class (0.0)",
        ),
        (
            lambda: BackpropClassifier((np.int64(5), np.int64(-1))).fit(X, [0, 1] * 2),
            "hidden_layer_sizes must be positive ints, got (5, -1)",
        ),
        (
            lambda: BackpropClassifier(tol=np.float64(-1)).fit(X, [0, 1] * 2),
            "tol must be a number >= 0, got -1.0",
        ),
        (
            lambda: bprop.train(
                bprop.initialize([2, 2]), X[:2], [0, 1], iterations=np.float64(2.5)
            ),
            "iterations must be a positive int, got 2.5",
        ),
        (
            lambda: bprop.set_num_threads(np.float64(2)),
            "num_threads must be an int (or None), got 2.0",
        ),
        (
            lambda: bprop.cost(
                bprop.initialize([2, 3, 2]), X[:2], [0, 1], activation=np.str_("step")
            ),
            "activation 'step' (hidden layer",
        ),
    ]
    for call, message in cases:
        with pytest.raises((ValueError, TypeError)) as e:
            call()
        assert str(e.value).startswith(message)
        assert "np." not in str(e.value)


def test_regressor_names_itself_for_an_argument_it_does_not_take():
    pytest.importorskip("sklearn")
    from sklearn.base import clone

    from bprop.estimators import BackpropClassifier, BackpropRegressor

    with pytest.raises(
        TypeError,
        match=r"^BackpropRegressor\.__init__\(\) got an unexpected "
        r"keyword argument 'output'$",
    ):
        BackpropRegressor(output="softmax")
    reg = BackpropRegressor((3,), "tanh", lambda_=0.5, solver="adam")
    assert clone(reg).get_params() == reg.get_params()
    assert set(reg.get_params()) == set(BackpropClassifier().get_params()) - {
        "output",
        "class_weight",
    }


def test_distributed_without_mpiexec_says_one_rank():
    pytest.importorskip("mpi4py")
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PMI_RANK", "PMIX_RANK", "OMPI_COMM_WORLD_RANK")
    }
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "bprop", "train", "--distributed", "--iterations", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert " over 1 rank x " in out.stdout and "after 1 iteration in " in out.stdout
    assert out.stdout.split("\n")[1].split(" s on ")[1] == "1 rank"
    assert out.stderr.startswith(
        "bprop: note: --distributed was not started by mpiexec, so it "
        "runs on 1 rank; for N ranks: mpiexec -n N python -m bprop "
        "train --distributed ...\n"
    )


# ---- inputs far from unit scale: a hint before training ----------------------------


def test_train_warns_about_inputs_far_from_unit_scale():
    X, y = bprop.data.load_digits()  # pixels in [0, 1]
    thetas = bprop.initialize([64, 5, 10], seed=0)
    with pytest.warns(bprop.InputScaleWarning) as caught:
        bprop.train(thetas, X * 1000, y, iterations=2, verbose=False)
    assert [str(w.message) for w in caught] == [
        "X's largest |x| is 1000: inputs far from unit scale saturate sigmoid and tanh units, and "
        "training may stay near chance; standardise X's columns (bprop.data.standardize, or "
        "scikit-learn's StandardScaler)"
    ]
    assert caught[0].filename == __file__  # the caller's line
    # no warning (an error here) below the rule's 100, nor for uint8 pixels read as x/255
    bprop.train(thetas, X * 100, y, iterations=2, verbose=False)
    bprop.train(thetas, (X * 255).astype(np.uint8), y, iterations=2, verbose=False)
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.warns(bprop.InputScaleWarning, match=r"largest \|x\| is 2000"):
        bprop.train(
            thetas, sparse.csr_matrix(X * 1000), y, iterations=2, verbose=False, x_scale=2.0
        )


def test_cli_hints_standardize_before_training_on_large_inputs(tmp_path):
    X, y = bprop.data.load_digits()
    np.savez(tmp_path / "big.npz", X=X * 1000, y=y)
    out = run("train", "--data", "big.npz", "--iterations", "3", cwd=tmp_path)
    assert out.returncode == 0
    hint = (
        "bprop: hint: the inputs reach |x| = 1000; inputs far from unit scale saturate "
        "sigmoid and tanh units, and training may stay near chance: add --standardize\n"
    )
    assert out.stderr.startswith(hint)
    assert "InputScaleWarning" not in out.stderr  # said once, in flags
    out = run(
        "train", "--data", "big.npz", "--iterations", "3", "--standardize", "--quiet", cwd=tmp_path
    )
    assert out.returncode == 0 and out.stderr == ""


# ---- history.final_cost: J of the returned weights -----------------------------------


@pytest.mark.parametrize(
    "settings, evaluations",
    [
        (dict(optimizer="lbfgs", iterations=15), 0),  # known from its last iteration
        (dict(optimizer="gd", iterations=15), 1),  # the step optimisers: one pass at the end
        (dict(optimizer="adam", learning_rate=0.01, batch_size=64, epochs=2, seed=0), 1),
        (
            dict(
                optimizer="momentum",
                batch_size=100,
                epochs=30,
                seed=0,
                early_stopping=True,
                patience=2,
            ),
            None,
        ),  # the best epoch's weights
        (dict(optimizer="lbfgs", iterations=40, early_stopping=True, patience=1), 0),
    ],
)
def test_history_final_cost_is_the_cost_of_the_returned_weights(monkeypatch, settings, evaluations):
    from bprop.training import objective

    X, y = bprop.data.load_digits()
    Xtr, Xva, ytr, yva = bprop.data.train_validation_split(X, y, 0.2, seed=0)
    passes = []
    evaluate = objective.evaluate
    monkeypatch.setattr(
        objective,
        "evaluate",
        lambda thetas, p, with_gradient: (
            passes.append(p) if not with_gradient else None,
            evaluate(thetas, p, with_gradient),
        )[1],
    )
    validation = (Xva, yva) if settings.get("early_stopping") else None
    thetas, h = bprop.train(
        bprop.initialize([64, 25, 10], seed=0),
        Xtr,
        ytr,
        lambda_=1.0,
        validation_data=validation,
        verbose=False,
        **settings,
    )
    assert h.final_cost == bprop.cost(thetas, Xtr, ytr, 1.0)
    on_training_set = [p for p in passes if p.X.shape[0] == len(ytr)]
    if evaluations is not None:
        assert len(on_training_set) == evaluations
    if settings["optimizer"] == "lbfgs":
        best = h.best_epoch if settings.get("early_stopping") else len(h.cost) - 1
        assert h.final_cost == h.cost[best]
    else:
        assert h.final_cost < h.cost[0]


def test_diverged_history_has_no_final_cost():
    X, y = bprop.data.load_digits()
    with pytest.raises(bprop.TrainingDiverged) as e:
        bprop.train(
            bprop.initialize([64, 5, 10], seed=0),
            X,
            y,
            optimizer="gd",
            learning_rate=1e6,
            iterations=20,
            verbose=False,
        )
    assert np.isnan(e.value.history.final_cost)


def _second_ctrl_c_during_the_final_pass(monkeypatch):
    """A callback that stands for Ctrl-C after the first epoch, and makes the pass that
    evaluates history.final_cost (the only one without a gradient here) a second Ctrl-C."""
    from bprop.training import objective

    evaluate = objective.evaluate

    def final_pass(thetas, problem, with_gradient):
        if not with_gradient:
            raise KeyboardInterrupt
        return evaluate(thetas, problem, with_gradient)

    def first_ctrl_c(info):
        monkeypatch.setattr(objective, "evaluate", final_pass)
        raise KeyboardInterrupt

    return first_ctrl_c


def test_a_final_cost_pass_stopped_by_a_second_ctrl_c_is_not_computed(monkeypatch):
    """Trial: a second Ctrl-C right after the first interrupted final_cost's pass, which
    then held NaN, and the command line printed 'cost J nan'."""
    X, y = bprop.data.load_digits()
    thetas, h = bprop.train(
        bprop.initialize([64, 5, 10], seed=0),
        X,
        y,
        iterations=20,
        verbose=False,
        callbacks=[_second_ctrl_c_during_the_final_pass(monkeypatch)],
    )
    assert (h.stopped, h.iterations) == ("interrupted", 1)
    assert h.final_cost is None and h.final_cost_skipped == "interrupted"
    assert len(thetas) == 2  # the weights of the completed step are still returned
    monkeypatch.undo()
    net, clean = bprop.train(
        bprop.initialize([64, 5, 10], seed=0), X, y, iterations=1, verbose=False
    )
    assert clean.final_cost == bprop.cost(net, X, y) and clean.final_cost_skipped is None


def test_the_command_line_says_the_final_cost_was_not_computed(monkeypatch, tmp_path, capsys):
    from bprop.cli import commands

    callback = _second_ctrl_c_during_the_final_pass(monkeypatch)
    train = commands.train
    monkeypatch.setattr(commands, "train", lambda *a, **kw: train(*a, callbacks=[callback], **kw))
    code = commands.main(
        [
            "train",
            "--optimizer",
            "gd",
            "--iterations",
            "20",
            "--quiet",
            "--save",
            str(tmp_path / "m.npz"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 130
    assert "64-25-10: cost J not computed (interrupted) after 1 iteration in " in out
    assert "(stopped: interrupted)" in out and "nan" not in out
    _, meta = bprop.load(tmp_path / "m.npz")
    assert meta["final_cost"] is None and meta["stopped"] == "interrupted"


def test_cli_summary_and_model_report_the_final_cost(tmp_path):
    out = run(
        "train",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.01",
        "--batch-size",
        "64",
        "--epochs",
        "2",
        "--save",
        "m.npz",
        "--quiet",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    thetas, meta = bprop.load(tmp_path / "m.npz")
    assert f"cost J {meta['final_cost']:.4f} on all 1438 training samples" in out.stdout
    assert meta["final_cost"] < meta["cost_history"][0]


def test_the_guide_says_what_history_cost_holds():
    guide = (_source_tree() / "docs" / "guide.md").read_text()
    assert "the cost after every step" not in guide
    assert "the cost\nat the start of each step" in guide and "history.final_cost" in guide
