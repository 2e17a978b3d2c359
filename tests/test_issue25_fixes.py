"""The fresh-eyes trial of issue 25's training features: schedules that do not fit the
run refused before training (or, found mid-run, the epochs trained kept), --resume
carrying the saved settings, the model file's record, the estimators' messages."""

import glob
import math
import re

import numpy as np
import pytest

import bprop
from bprop.cli import commands
from bprop.schedules import Cosine, InvScaling, ReduceOnPlateau, Schedule, get_schedule


@pytest.fixture(scope="module")
def digits():
    return bprop.data.load_digits()


@pytest.fixture
def no_training(monkeypatch):
    def train(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(commands, "train", train)


class _Halt(Schedule):
    """The base rate, then ``bad`` from epoch 3."""

    name = "halt"

    def __init__(self, bad=0.0):
        self.bad = bad

    def rate(self, epoch):
        return self.base_rate if epoch < 3 else self.bad


def _start(X, y, **kw):
    kw = dict(optimizer="momentum", learning_rate=0.1, batch_size=256, seed=0, verbose=False) | kw
    return bprop.train(bprop.initialize([64, 8, 10], seed=0), X, y, **kw)


def test_a_cosine_span_shorter_than_the_run_is_refused_before_training(digits):
    seen = []
    with pytest.raises(ValueError, match=r"schedule: cosine:.*epochs=3's rate for epoch 4 of 8"):
        _start(*digits, schedule=Cosine(epochs=3), epochs=8, callbacks=[seen.append])
    assert seen == []  # no epoch ran
    # the same span ending above 0 is fine: it stays at min_lr
    _, h = _start(*digits, schedule=Cosine(epochs=2, min_lr=0.01), epochs=4)
    assert h.learning_rate[2:] == [0.01, 0.01]


def test_an_exponential_rate_that_underflows_is_refused_before_training(digits):
    with pytest.raises(ValueError, match=r"exponential:gamma=1e-200's rate for epoch 3 of 3"):
        _start(*digits, schedule="exponential:gamma=1e-200", epochs=3)


@pytest.mark.parametrize("bad", [0.0, -0.1, math.nan, math.inf])
def test_a_custom_schedules_bad_rate_keeps_the_epochs_trained(digits, bad):
    with pytest.raises(bprop.ScheduleError) as e:
        _start(*digits, schedule=_Halt(bad), epochs=5)
    assert "schedule: halt's rate for epoch 3 of 5" in str(e.value)
    assert e.value.history.epochs == 2 and e.value.history.stopped == "schedule"
    assert np.isfinite(e.value.history.final_cost)
    # the weights are those of the two epochs trained, as a run of two epochs gives them
    net, _ = _start(*digits, schedule=_Halt(bad), epochs=2)
    for a, b in zip(e.value.thetas, net):
        np.testing.assert_array_equal(a, b)


def test_the_cli_refuses_a_short_cosine_span_before_training(no_training, capsys):
    flags = ["--optimizer", "momentum", "--batch-size", "128", "--epochs", "4"]
    assert commands.main(["train", "--quiet", *flags, "--schedule", "cosine:epochs=2"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bprop: error: --schedule cosine:warmup=0,min_lr=0,epochs=2's rate ")
    assert "for epoch 3 of 4 is 0.0" in err and "give epochs=4 or more" in err


def test_the_cli_keeps_the_epochs_trained_when_a_rate_fails_mid_run(tmp_path, capsys):
    # plateau cuts by 10 each epoch (no cost is 10 lower): 1e-300 reaches 0.0 at epoch 26
    model = tmp_path / "pz.npz"
    argv = ["train", "--quiet", "--hidden", "5", "--optimizer", "momentum", "--epochs", "40"]
    argv += ["--learning-rate", "1e-300", "--schedule", "plateau:factor=0.1,patience=1,tol=10"]
    assert commands.main([*argv, "--save", str(model)]) == 2
    err = capsys.readouterr().err
    assert "--schedule plateau:factor=0.1,patience=1,min_lr=0,tol=10's rate for epoch 26" in err
    kept = glob.glob(str(tmp_path / "pz.unsaved-*.npz"))
    assert len(kept) == 1 and f"the model of the 25 epochs trained is kept in {kept[0]}" in err
    assert not model.exists()
    _, meta = bprop.load(kept[0])
    assert meta["stopped"] == "schedule" and meta["iterations"] == 25


def test_plateau_refuses_a_floor_above_the_rate(digits, no_training, capsys):
    with pytest.raises(ValueError, match=r"plateau's min_lr=1 must be below the learning rate"):
        _start(*digits, schedule="plateau:min_lr=1,patience=1,tol=10", learning_rate=0.5)
    with pytest.raises(ValueError, match="min_lr=0.5 must be below"):
        ReduceOnPlateau(min_lr=0.5).start(0.5, epochs=3)
    argv = ["train", "--quiet", "--optimizer", "gd", "--learning-rate", "0.5"]
    assert commands.main([*argv, "--schedule", "plateau:min_lr=1"]) == 2
    assert "bprop: error: --schedule plateau:factor=0.1,patience=10,min_lr=1,tol=0: plateau's " in (
        capsys.readouterr().err
    )


@pytest.mark.parametrize(
    "spec, message",
    [
        ("step:gamma=0.5,gamma=0.1", "step: option 'gamma' given twice"),
        ("cosine:", "no options after the colon: give cosine alone"),
        ("cosine:warmup=1,", "cosine: an empty option in 'cosine:warmup=1,' (a stray comma?)"),
        ("step:gamma=0.5,,step_size=2", "an empty option"),
    ],
)
def test_schedule_specs_that_say_something_odd_are_refused(spec, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        get_schedule(spec)


def test_spec_round_trips_exactly():
    s = InvScaling(power_t=0.123456789)
    assert s.spec() == "invscaling:power_t=0.123456789"
    assert get_schedule(s.spec()).power_t == 0.123456789
    c = Cosine(warmup=1, min_lr=1 / 3)
    assert get_schedule(c.spec()).min_lr == 1 / 3 and Cosine(min_lr=2.0).spec().endswith("=2")


def test_a_schedule_without_rate_says_what_to_implement():
    class Mine(Schedule):
        name = "mine"

    s = Mine()
    s.start(0.1, 3)
    with pytest.raises(NotImplementedError, match=r"Mine must implement rate\(self, epoch\)"):
        s.rate(1)


def _plan(*flags):
    from bprop.cli.train_plan import plan_train

    return plan_train(commands.build_parser().parse_args(["train", *flags]))


def test_resume_carries_the_saved_settings_and_names_what_it_drops(tmp_path, capsys):
    model = str(tmp_path / "aw.npz")
    trained = ["--optimizer", "adamw", "--weight-decay", "0.05", "--schedule", "cosine:warmup=2"]
    trained += ["--clip-norm", "5", "--lambda", "0", "--batch-size", "64", "--no-shuffle"]
    argv = ["train", "--quiet", "--epochs", "3", "--save", model]
    assert commands.main([*argv, *trained]) == 0
    capsys.readouterr()
    plan = _plan("--resume", model, "--optimizer", "adamw", "--epochs", "3", "--batch-size", "64")
    kw = plan.train_keywords()
    assert kw["lambda_"] == 0 and kw["optimizer"].weight_decay == 0.05
    assert (kw["clip_norm"], kw["shuffle"], kw["schedule"]) == (5.0, False, None)
    notes = "\n".join(plan.notes)
    assert "lambda 0, weight decay 0.05, clip norm 5, --no-shuffle: the settings the model" in notes
    assert "not carried over from the model of --resume" in notes
    assert "schedule cosine:warmup=2,min_lr=0 (it would start again" in notes
    # flags win; another optimiser drops the decay, saying so; lbfgs drops the step settings
    plan = _plan("--resume", model, "--optimizer", "momentum", "--lambda", "2", "--clip-norm", "1")
    kw = plan.train_keywords()
    assert (kw["lambda_"], kw["clip_norm"], kw["shuffle"]) == (2.0, 1.0, False)
    assert "weight decay 0.05 (momentum takes none)" in "\n".join(plan.notes)
    plan = _plan("--resume", model)
    notes = "\n".join(plan.notes)
    assert plan.train_keywords()["lambda_"] == 0 and "clip norm 5 (lbfgs takes no" in notes
    # the run resumed records what it used
    resumed = ["train", "--quiet", "--resume", model, "--optimizer", "adamw", "--save", model]
    assert commands.main(resumed) == 0
    _, meta = bprop.load(model)
    assert (meta["lambda_"], meta["weight_decay"], meta["clip_norm"]) == (0, 0.05, 5.0)
    assert meta["shuffle"] is False and meta["schedule"] is None


def test_a_plain_run_has_no_resume_notes_and_the_old_defaults():
    plan = _plan("--optimizer", "adam")
    kw = plan.train_keywords()
    assert (kw["lambda_"], kw["clip_norm"], kw["shuffle"]) == (1.0, None, True)


def test_the_model_records_the_weight_decay_and_max_fun_used(tmp_path):
    model = str(tmp_path / "m.npz")
    argv = ["train", "--quiet", "--save", model, "--hidden", "5"]
    assert commands.main([*argv, "--optimizer", "adamw", "--epochs", "1"]) == 0
    _, meta = bprop.load(model)
    assert meta["weight_decay"] == 0.01 and meta["max_fun"] is None
    assert commands.main([*argv, "--iterations", "2"]) == 0
    _, meta = bprop.load(model)
    assert meta["weight_decay"] is None and meta["max_fun"] == 15000
    assert commands.main([*argv, "--iterations", "2", "--max-fun", "40"]) == 0
    assert bprop.load(model)[1]["max_fun"] == 40


def test_estimators_say_which_solver_is_sklearns_sgd(digits):
    from bprop.estimators import BackpropClassifier

    X, y = digits
    clf = BackpropClassifier(solver="sgd", learning_rate="invscaling")
    with pytest.raises(ValueError, match=r"solver='nesterov' is scikit-learn's default sgd"):
        clf.fit(X[:50], y[:50])
    with pytest.raises(ValueError, match=r"^learning_rate_init must be"):
        BackpropClassifier(solver="adam", learning_rate_init=-1).fit(X[:50], y[:50])


def test_estimators_take_weight_decay_and_clip_norm(digits, monkeypatch):
    from sklearn.base import clone

    from bprop import estimators
    from bprop.estimators import BackpropClassifier, BackpropRegressor

    X, y = digits
    clf = BackpropClassifier((5,), solver="adamw", weight_decay=0.2, clip_norm=1.5, max_iter=2)
    assert clone(clf).get_params()["weight_decay"] == 0.2
    assert clone(clf).set_params(clip_norm=3.0).clip_norm == 3.0
    assert "weight_decay" in BackpropRegressor().get_params()
    seen = {}
    real = estimators.train

    def spy(*args, **kw):
        seen.update(kw)
        return real(*args, **kw)

    monkeypatch.setattr(estimators, "train", spy)
    with pytest.warns(Warning):  # (2 epochs do not converge)
        clf.fit(X, y)
    assert seen["optimizer"].weight_decay == 0.2 and seen["clip_norm"] == 1.5
    with pytest.raises(ValueError, match="clip_norm"):
        BackpropClassifier(solver="adam", clip_norm=0).fit(X[:50], y[:50])


def test_a_decay_that_would_flip_the_weights_sign_is_refused(digits, no_training, capsys):
    X, y = digits
    with pytest.raises(ValueError, match=r"^weight_decay=200 with learning_rate=0.01"):
        _start(X, y, optimizer=bprop.optim.AdamW(0.01, weight_decay=200), learning_rate=None)
    argv = ["train", "--quiet", "--optimizer", "adamw", "--learning-rate", "0.5"]
    assert commands.main([*argv, "--weight-decay", "2"]) == 2
    assert "bprop: error: --weight-decay 2 with learning rate 0.5" in capsys.readouterr().err
