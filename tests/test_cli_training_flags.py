"""train's flags for schedules, clipping, shuffling, max_fun and AdamW's weight decay:
parsed into bprop.train's keywords, recorded in the model, and bad ones refused, naming
the flag, before training starts."""

import numpy as np
import pytest

import bprop
from bprop.cli import commands
from bprop.cli.train_plan import plan_train
from bprop.schedules import Cosine


@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if training starts."""

    def train(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(commands, "train", train)


def _keywords(*flags):
    return plan_train(commands.build_parser().parse_args(["train", *flags])).train_keywords()


def test_flags_become_trains_keywords():
    kw = _keywords(
        "--optimizer",
        "adamw",
        "--weight-decay",
        "0.05",
        "--learning-rate",
        "0.01",
        "--schedule",
        "cosine:warmup=2,min_lr=1e-4",
        "--clip-norm",
        "2.5",
        "--no-shuffle",
        "--batch-size",
        "64",
    )
    opt = kw["optimizer"]
    assert isinstance(opt, bprop.optim.AdamW) and kw["learning_rate"] is None
    assert (opt.learning_rate, opt.weight_decay) == (0.01, 0.05)
    assert isinstance(kw["schedule"], Cosine) and kw["schedule"].options() == {
        "warmup": 2,
        "min_lr": 1e-4,
        "epochs": None,
    }
    assert (kw["clip_norm"], kw["shuffle"], kw["max_fun"]) == (2.5, False, None)
    kw = _keywords("--optimizer", "adamw")  # adamw's default decay
    assert kw["optimizer"] == "adamw" and kw["shuffle"] is True and kw["schedule"] is None
    assert _keywords("--max-fun", "50")["max_fun"] == 50  # (lbfgs, the default optimizer)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--schedule", "warm"], "argument --schedule: unknown schedule 'warm'"),
        (["--schedule", "step:gamma=2"], r"argument --schedule: step: gamma must be in (0, 1]"),
        (["--schedule", "plateau:wait=3"], "argument --schedule: plateau has no option 'wait'"),
        (["--clip-norm", "0"], "argument --clip-norm: expected a finite number > 0, got '0'"),
        (["--clip-norm", "inf"], "argument --clip-norm: expected a finite number > 0"),
        (["--max-fun", "0"], "argument --max-fun: expected a whole number >= 1, got '0'"),
        (["--weight-decay", "-1"], "argument --weight-decay: expected a finite number >= 0"),
    ],
)
def test_bad_values_are_refused_by_the_parser(no_training, capsys, flags, message):
    with pytest.raises(SystemExit) as e:
        commands.main(["train", "--optimizer", "adam", *flags])
    assert e.value.code == 2 and message in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags, message",
    [
        (
            ["--optimizer", "lbfgs", "--schedule", "cosine"],
            "--schedule: lbfgs chooses its own step sizes; leave it out",
        ),
        (["--optimizer", "lbfgs", "--clip-norm", "1"], "--clip-norm: lbfgs takes no clipped"),
        (["--optimizer", "lbfgs", "--no-shuffle"], "--no-shuffle: lbfgs works on the full"),
        (["--optimizer", "adam", "--max-fun", "9"], "--max-fun: only used with --optimizer lbfgs"),
        (
            ["--optimizer", "adam", "--weight-decay", "0.1"],
            "--weight-decay: only used with --optimizer adamw (decoupled decay); adam takes "
            "the L2 term --lambda",
        ),
        (
            ["--optimizer", "adam", "--epochs", "2", "--schedule", "cosine:warmup=2"],
            "--schedule cosine:warmup=2,min_lr=0: cosine's warmup=2 leaves no epoch to anneal "
            "in a span of 2 epochs",
        ),
        (  # the run's epochs known once the data are: 1438 samples, batches of 500, 3 steps
            ["--optimizer", "gd", "--iterations", "3", "--batch-size", "500", "--schedule"]
            + ["cosine:warmup=1"],
            "in a span of 1 epoch: give fewer",
        ),
        (
            ["--optimizer", "gd", "--schedule", "cosine:min_lr=2"],
            "--schedule cosine:warmup=0,min_lr=2: cosine's min_lr=2 must be below the "
            "learning rate (1)",
        ),
    ],
)
def test_flags_that_disagree_are_refused_before_training(no_training, capsys, flags, message):
    assert commands.main(["train", "--quiet", *flags]) == 2
    err = capsys.readouterr().err
    assert err.startswith("bprop: error: ") and message in err


def test_a_run_with_the_new_flags_is_recorded(tmp_path, capsys):
    model = tmp_path / "m.npz"
    flags = ["train", "--quiet", "--save", str(model), "--lambda", "0", "--batch-size", "256"]
    assert (
        commands.main(
            [
                *flags,
                "--optimizer",
                "adamw",
                "--weight-decay",
                "0.05",
                "--learning-rate",
                "0.01",
                "--epochs",
                "3",
                "--schedule",
                "step:step_size=1,gamma=0.5",
                "--clip-norm",
                "1",
                "--no-shuffle",
            ]
        )
        == 0
    )
    _, meta = bprop.load(model)
    assert meta["optimizer"] == "adamw" and meta["learning_rate"] == 0.01
    assert meta["weight_decay"] == 0.05 and meta["schedule"] == "step:step_size=1,gamma=0.5"
    assert meta["clip_norm"] == 1.0 and meta["shuffle"] is False
    assert commands.main(["train", "--quiet", "--save", str(model), "--max-fun", "5"]) == 0
    _, meta = bprop.load(model)
    assert meta["stopped"] == "max_fun" and meta["iterations"] < 200
    assert meta["schedule"] is None and meta["shuffle"] is True
    assert "(stopped: max_fun)" in capsys.readouterr().out
    assert np.isfinite(meta["final_cost"])
