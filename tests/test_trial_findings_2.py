"""What a new user's trial of the restructured code turned up. An optimiser added to
OPTIMIZERS in Python steps from Python; a subclass that keeps the old state
(``old = self.velocity``) sees it unchanged; Adam's hyperparameters are checked; state
kept for another network is refused by name; a warm-start fit takes the parameters as
they are now; a missing name label in a CSV is named."""

import numpy as np
import pytest

import bprop
from bprop import optim


def _digits(m=300):
    X, y = bprop.data.load_digits()
    return X[:m], y[:m]


class SignSGD(optim.Optimizer):
    name = "signsgd"
    default_learning_rate = 0.01

    def step(self, thetas, grads):
        return [t - self.learning_rate * np.sign(g) for t, g in zip(thetas, grads)]


def test_an_optimizer_added_to_the_registry_steps_from_python(monkeypatch):
    monkeypatch.setitem(optim.OPTIMIZERS, "signsgd", SignSGD)
    X, y = _digits()
    start = bprop.initialize([64, 10, 10], seed=0)
    trained, h = bprop.train(start, X, y, lambda_=1.0, optimizer="signsgd", iterations=4)
    expect = [t.copy() for t in start]
    for _ in range(4):
        _, grads = bprop.cost_and_gradient(expect, X, y, 1.0)
        expect = [t - 0.01 * np.sign(g) for t, g in zip(expect, grads)]
    for got, want in zip(trained, expect):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert h.iterations == 4


class KeepsOldVelocity(optim.Momentum):
    """Nesterov written the way 0.2's own class was: the old velocity kept by reference."""

    def step(self, thetas, grads):
        old = self.velocity if self.velocity is not None else [np.zeros_like(t) for t in thetas]
        super().step(thetas, grads)
        mu = self.momentum
        return [t - mu * o + (1 + mu) * v for t, o, v in zip(thetas, old, self.velocity)]


def test_a_subclass_holding_the_old_state_sees_it_unchanged():
    X, y = _digits()
    start = bprop.initialize([64, 10, 10], seed=0)
    kw = dict(lambda_=1.0, epochs=2, batch_size=64, seed=3)
    mine, _ = bprop.train(start, X, y, optimizer=KeepsOldVelocity(0.3, momentum=0.5), **kw)
    builtin, _ = bprop.train(start, X, y, optimizer=optim.Nesterov(0.3, momentum=0.5), **kw)
    for a, b in zip(mine, builtin):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"beta1": 1.5}, "beta1"),
        ({"beta1": -0.1}, "beta1"),
        ({"beta1": float("nan")}, "beta1"),
        ({"beta2": 1.0}, "beta2"),
        ({"beta2": -1}, "beta2"),
        ({"beta2": True}, "beta2"),
        ({"eps": 0}, "eps"),
        ({"eps": -1e-8}, "eps"),
        ({"eps": float("nan")}, "eps"),
        ({"eps": float("inf")}, "eps"),
        ({"eps": "1e-8"}, "eps"),
    ],
)
def test_adam_hyperparameters_are_checked(kw, name):
    with pytest.raises(ValueError, match=name):
        optim.Adam(0.01, **kw)


def test_state_kept_for_another_network_is_refused_by_name():
    X, y = _digits()
    opt = optim.Adam(0.01)
    kw = dict(optimizer=opt, epochs=1, batch_size=64)
    bprop.train(bprop.initialize([64, 10, 10], seed=0), X, y, **kw)
    with pytest.raises(ValueError, match="Adam holds moments .* use a new optimiser"):
        bprop.train(bprop.initialize([64, 12, 10], seed=0), X, y, **kw)


def test_a_warm_start_fit_takes_the_learning_rate_and_solver_as_they_are_now():
    from bprop.estimators import BackpropClassifier

    X, y = _digits()
    c = BackpropClassifier(
        hidden_layer_sizes=(10,),
        solver="adam",
        warm_start=True,
        max_iter=3,
        learning_rate_init=0.1,
        random_state=0,
    ).fit(X, y)
    before = [t.copy() for t in c.thetas_]
    c.set_params(learning_rate_init=1e-12).fit(X, y)  # as scikit-learn: a new optimiser
    assert max(float(np.abs(a - b).max()) for a, b in zip(c.thetas_, before)) < 1e-9
    c.set_params(solver="momentum", learning_rate_init=0.01).fit(X, y)
    assert c._optimizer.name == "momentum"
    c.partial_fit(X, y)  # partial_fit carries the optimiser on
    assert c._optimizer.name == "momentum" and c._optimizer.velocity is not None


def test_a_missing_name_label_in_a_csv_is_named_not_a_class(tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text("cat,0.1,0.2\ndog,0.3,0.4\ncat,0.5,0.6\n ,0.7,0.8\ndog,0.9,1.0\n")
    with pytest.raises(ValueError, match=r"pets.csv: line 4, column 1: the label is missing"):
        bprop.data.load_csv(path)


def _returning(value_of):
    class Returns(optim.Optimizer):
        name, default_learning_rate = "returns", 0.1

        def step(self, thetas, grads):
            return value_of(thetas)

    return Returns()


@pytest.mark.parametrize(
    "value_of, error, said",
    [
        (lambda t: None, TypeError, r"Returns.step must return a list of arrays.*None"),
        (lambda t: t[:1], ValueError, r"Returns.step returned 1 arrays for 2 weight matrices"),
        (
            lambda t: [a.astype(np.float32) for a in t],
            ValueError,
            r"for Theta1 shape \(10, 65\), dtype float32; expected .* float64",
        ),
        (lambda t: [a.T for a in t], ValueError, r"for Theta1 shape \(65, 10\)"),
        (lambda t: [1.0, 2.0], ValueError, r"for Theta1 float; expected"),
    ],
)
def test_a_custom_step_returning_the_wrong_thing_is_named(value_of, error, said):
    X, y = _digits()
    with pytest.raises(error, match=said):
        bprop.train(
            bprop.initialize([64, 10, 10], seed=0),
            X,
            y,
            optimizer=_returning(value_of),
            epochs=1,
            batch_size=64,
        )


def test_a_custom_step_may_return_a_tuple():
    X, y = _digits()
    opt = _returning(lambda t: tuple(a * 0.5 for a in t))
    start = bprop.initialize([64, 10, 10], seed=0)
    out, _ = bprop.train(start, X, y, optimizer=opt, iterations=1, batch_size=64)
    np.testing.assert_array_equal(out[0], start[0] * 0.5)


def test_a_learning_rate_broken_by_end_epoch_is_named():
    class Broken(optim.GradientDescent):
        def end_epoch(self, epoch):
            self.learning_rate = "0.1"

    X, y = _digits()
    with pytest.raises(TypeError, match="learning_rate must be a number, got .0.1."):
        bprop.train(
            bprop.initialize([64, 10, 10], seed=0),
            X,
            y,
            optimizer=Broken(0.1),
            epochs=2,
            batch_size=64,
        )


@pytest.mark.parametrize(
    "class_weight, said",
    [
        (
            {"Cat": 100},
            r"class_weight names 'Cat', not classes of y \(the classes are 'cat', 'dog'\)",
        ),
        ({"cat": float("nan"), "dog": 1}, r"class_weight\['cat'\] must be a finite number >= 0"),
        ({"cat": -1}, r"class_weight\['cat'\] must be a finite number >= 0"),
    ],
)
def test_class_weight_mistakes_are_named(class_weight, said):
    from bprop.estimators import BackpropClassifier

    X, y = _digits(100)
    labels = np.where(y % 2 == 0, "cat", "dog")
    with pytest.raises(ValueError, match=said):
        BackpropClassifier(hidden_layer_sizes=(5,), max_iter=2, class_weight=class_weight).fit(
            X, labels
        )


@pytest.mark.parametrize("seed, error", [(-1, ValueError), ("abc", TypeError), (1.5, TypeError)])
def test_a_bad_seed_is_named(seed, error):
    X, y = _digits(50)
    with pytest.raises(error, match=r"seed must be a whole number >= 0 or None"):
        bprop.initialize([64, 5, 10], seed=seed)
    with pytest.raises(error, match=r"seed must be a whole number >= 0 or None"):
        bprop.train(bprop.initialize([64, 5, 10], seed=0), X, y, iterations=1, seed=seed)
    with pytest.raises(error, match=r"seed must be a whole number >= 0 or None"):
        bprop.data.train_validation_split(X, y, 0.2, seed=seed)


def _edited_model(tmp_path, name, change):
    import json

    path = tmp_path / "m.npz"
    net = bprop.Network(bprop.initialize([64, 5, 10], seed=0))
    bprop.save(path, net, classes=list(range(10)))
    with np.load(path) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(bytes(arrays["metadata_json"]).decode())
    change(meta)
    arrays["metadata_json"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    np.savez(tmp_path / name, **arrays)
    return tmp_path / name


@pytest.mark.parametrize(
    "change, said",
    [
        (lambda m: m.update(classes=[0]), "the record names 1 classes for 10 output units"),
        (lambda m: m.update(classes=[0, 1, 2]), "the record names 3 classes for 10 output units"),
        (lambda m: m.update(standardize={"mean": 1}), "standardisation record is not a mean"),
        (lambda m: m.update(standardize=[[0.0] * 3, [1.0] * 3]), "for each of 64 inputs"),
    ],
)
def test_a_model_record_that_does_not_fit_its_weights_is_named(tmp_path, change, said):
    from bprop.cli.common import CliError, load_model

    path = _edited_model(tmp_path, "edited.npz", change)
    with pytest.raises(CliError, match=said):
        load_model(str(path))


def test_a_model_file_that_may_not_be_read_is_not_called_corrupt(tmp_path, monkeypatch):
    import bprop.model_file
    from bprop.cli.common import CliError, load_model

    path = tmp_path / "m.npz"
    bprop.save(path, bprop.Network(bprop.initialize([4, 3, 2], seed=0)))

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(bprop.model_file, "open", refuse, raising=False)
    with pytest.raises(PermissionError):
        bprop.load(path)
    with pytest.raises(CliError, match=r"m.npz: cannot be read \(Permission denied\)"):
        load_model(str(path))


def test_a_fifo_or_directory_as_data_is_refused_not_waited_on(tmp_path):
    import os
    import subprocess
    import sys

    fifo, folder = tmp_path / "ff.csv", tmp_path / "dir.npz"
    os.mkfifo(fifo)
    folder.mkdir()
    with pytest.raises(ValueError, match=r"ff.csv is a FIFO \(named pipe\), not a data file"):
        bprop.data.load_csv(fifo)  # (it waited for a writer forever)
    with pytest.raises(ValueError, match=r"dir.npz is a directory, not a data file"):
        bprop.data.load_npz(folder)
    bprop.save(tmp_path / "m.npz", bprop.Network(bprop.initialize([64, 5, 10], seed=0)))
    for args, said in (
        (["train", "--data", str(fifo), "--iterations", "1"], "is a FIFO (named pipe)"),
        (["predict", str(tmp_path / "m.npz"), "--data", str(folder)], "is a directory"),
    ):
        r = subprocess.run(
            [sys.executable, "-m", "bprop", *args], capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 2 and said in r.stderr, r.stderr


def test_a_file_that_is_no_npz_gets_no_hint_to_load_pickles(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"\0garbage")
    with pytest.raises(ValueError, match="not an archive of numeric arrays") as e:
        bprop.data.load_npz(path)
    assert "allow_pickle" not in str(e.value)


def test_a_plot_directory_that_refuses_files_is_named_before_training(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import bprop._internal.atomic as atomic
    from bprop.cli.commands import check_outputs_writable
    from bprop.cli.common import CliError

    pytest.importorskip("matplotlib")
    folder = tmp_path / "plots"
    folder.mkdir()
    check_outputs_writable(SimpleNamespace(save=None, plot=str(folder)))  # writable: fine
    monkeypatch.setattr(atomic.os, "access", lambda *a, **k: False)  # as a read-only mount
    with pytest.raises(CliError, match=r"--plot .*plots: .*cannot write in the directory"):
        check_outputs_writable(SimpleNamespace(save=None, plot=str(folder)))


def test_gradient_check_threshold_and_trace_given_values_are_checked():
    thetas = bprop.initialize([3, 5, 3], method="debug")
    X, y = np.random.default_rng(0).normal(size=(5, 3)), [0, 1, 2, 0, 1]
    with pytest.raises(ValueError, match=r"threshold must be finite and > 0, got -1"):
        bprop.gradient_check(thetas, X, y, threshold=-1)
    t = [np.zeros((2, 2)), np.array([[0.5, 0.8, 0.9]])]
    with pytest.raises(ValueError, match=r"given a\(2\) holds NaN or inf"):
        bprop.trace(t, [0.5], [1.0], given={2: [float("nan"), 1.0]})


def test_resume_refuses_an_init_it_would_ignore(tmp_path):
    import subprocess
    import sys

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "bprop", *args],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )

    assert run("train", "--iterations", "2", "--save", "m.npz", "--quiet").returncode == 0
    r = run("train", "--resume", "m.npz", "--init", "he", "--iterations", "2")
    assert r.returncode == 2 and "--init he: --resume starts from the model's weights" in r.stderr
    assert run("train", "--resume", "m.npz", "--iterations", "2", "--quiet").returncode == 0
