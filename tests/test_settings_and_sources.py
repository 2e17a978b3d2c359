"""The one settings resolver (defaults and rules between options, each entry point's
wording) and the one --data registry (what a spec names, what it reads and records)."""

from pathlib import Path

import numpy as np
import pytest

from bprop import _core, optim
from bprop.data.sources import DATA_HELP, DataSource, DataSpecError
from bprop.training.settings import CLI, ESTIMATOR, TRAIN, resolve_settings


def test_default_lengths_per_entry_point():
    # as documented: train() 100 full-batch epochs, 10 with mini-batches, lbfgs 100
    # iterations; the command line's lbfgs 200 (--iterations' help)
    assert resolve_settings(optimizer="gd").epochs == 100
    assert resolve_settings(optimizer="adam", batch_size=32).epochs == 10
    assert resolve_settings(optimizer="gd", iterations=7).epochs is None
    assert resolve_settings(optimizer="lbfgs").iterations == 100
    assert resolve_settings(optimizer="lbfgs", epochs=3).iterations == 3
    assert resolve_settings(optimizer="lbfgs", spelling=CLI).iterations == 200
    s = resolve_settings(optimizer="momentum", learning_rate=0.2)
    assert isinstance(s.optimizer, optim.Momentum) and s.optimizer.learning_rate == 0.2
    assert resolve_settings(optimizer="lbfgs").lbfgs and s.patience == 5


@pytest.mark.parametrize(
    "spelling, match",
    [
        (TRAIN, "lbfgs works on the full batch: leave batch_size=None"),
        (CLI, "--batch-size: lbfgs works on the full batch"),
        (ESTIMATOR, "solver='lbfgs' works on the full batch: leave batch_size='auto'"),
    ],
)
def test_lbfgs_rules_said_in_each_entry_points_names(spelling, match):
    with pytest.raises(ValueError, match=match):
        resolve_settings(optimizer="lbfgs", batch_size=10, spelling=spelling)


def test_rules_between_options():
    with pytest.raises(ValueError, match="leave learning_rate=None"):
        resolve_settings(optimizer="lbfgs", learning_rate=0.1)
    resolve_settings(optimizer="lbfgs", learning_rate=0.1, spelling=ESTIMATOR)  # ignored there
    with pytest.raises(ValueError, match="give iterations or epochs, not both"):
        resolve_settings(optimizer="gd", iterations=1, epochs=1)
    with pytest.raises(ValueError, match="tol is L-BFGS's gradient tolerance"):
        resolve_settings(optimizer="gd", tol=1e-3)
    with pytest.raises(ValueError, match="early_stopping needs validation_data"):
        resolve_settings(optimizer="gd", early_stopping=True, has_validation=False)
    with pytest.raises(ValueError, match="--patience: only used with --early-stopping"):
        resolve_settings(optimizer="gd", patience=3, spelling=CLI)
    assert resolve_settings(optimizer="lbfgs", tol=0.5).gtol == 0.5


@pytest.mark.parametrize(
    "spec, kind, location, own_split",
    [
        ("digits", "digits", "", False),
        ("fashion-mnist", "fashion-mnist", "", True),
        ("fashion-mnist:/d", "fashion-mnist", "/d", True),
        ("mnist:/d", "mnist", "/d", True),
        ("a/b.NPZ", "npz", "a/b.NPZ", False),
        ("b.tsv", "csv", "b.tsv", False),
        ("b.json", None, "b.json", False),
    ],
)
def test_a_spec_is_parsed_once(spec, kind, location, own_split):
    s = DataSource.parse(spec)
    assert (s.kind, s.location, s.has_test_split) == (kind, location, own_split)
    assert s.is_file == (kind in ("npz", "csv"))


def test_what_a_source_reads_and_records(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert DataSource.parse("b.tsv").delimiter(None) == "\t"
    assert DataSource.parse("b.csv").delimiter(";") == ";"
    assert DataSource.parse("mnist:rel").record() == "mnist:" + str(tmp_path / "rel")
    assert DataSource.parse("d.npz").record() == str(tmp_path / "d.npz")
    assert DataSource.parse("fashion-mnist").class_names[0] == "T-shirt/top"
    with pytest.raises(DataSpecError, match="--data mnist needs a directory: mnist:DIR"):
        DataSource.parse("mnist").directory()
    with pytest.raises(DataSpecError, match="unknown --data 'b.json'"):
        DataSource.parse("b.json").load_whole(np.float64)
    assert DATA_HELP.startswith("digits")
    np.savez(tmp_path / "d.npz", X=np.arange(12.0).reshape(6, 2), y=np.arange(6) % 2)
    source = DataSource.parse("d.npz")
    X, y = source.load_whole(np.float32)
    assert X.dtype == np.float32 and y.tolist() == [0, 1, 0, 1, 0, 1]
    assert list(source.files()) == ["d.npz"] and Path(source.files()["d.npz"]).is_file()
    assert source.fingerprint()["d.npz"]["size"] == (tmp_path / "d.npz").stat().st_size


def test_built_in_rules_step_through_the_core():
    # one step from zeros: gd -lr g; momentum's velocity -lr g kept in place
    g = [np.array([[1.0, -2.0]])]
    assert optim.GradientDescent(0.5).step([np.zeros((1, 2))], g)[0].tolist() == [[-0.5, 1.0]]
    m = optim.Momentum(0.5, momentum=0.9)
    new = m.step([np.zeros((1, 2))], g)
    assert new[0].tolist() == [[-0.5, 1.0]] and m.velocity[0].tolist() == [[-0.5, 1.0]]
    a = optim.Adam(0.1)
    a.step([np.zeros((1, 2))], g)
    assert a.t == 1 and a.m[0].tolist() == [[(1 - 0.9) * 1.0, (1 - 0.9) * -2.0]]
    assert _core.OPTIMIZER_KINDS == {"gd": 0, "momentum": 1, "nesterov": 2, "adam": 3, "adamw": 4}
