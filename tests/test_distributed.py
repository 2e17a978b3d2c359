"""Data-parallel training over MPI: spawned mpiexec runs against one process."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bprop

pytest.importorskip("mpi4py", reason="MPI tests need mpi4py (pip install 'bprop[mpi]')")
MPIEXEC = shutil.which("mpiexec")
if MPIEXEC is None:
    pytest.skip(
        "no mpiexec on PATH (pip install 'bprop[mpi]' brings MPICH's)", allow_module_level=True
    )
WORKER = Path(__file__).with_name("mpi_worker.py")
TIMEOUT = 120  # a hang fails the test instead of the suite


def _leftovers():
    """What MPICH's hydra leaves when a job aborts: shared-memory segments and a
    topology file at a fixed place in /tmp (TMPDIR does not move it)."""
    return set(Path("/dev/shm").glob("mpich_shm_*")) | set(
        Path("/tmp").glob("hydra_hwloc_xmlfile_*")
    )


def mpirun(n, *args, cwd=None):
    """Run under mpiexec, then remove what an aborted job of this run left behind."""
    before = _leftovers()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    try:
        return subprocess.run(
            [MPIEXEC, "-n", str(n), sys.executable, *map(str, args)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            cwd=cwd,
            env=env,
        )
    finally:
        for f in _leftovers() - before:
            f.unlink(missing_ok=True)


def write_problem(
    directory,
    *,
    m=257,
    sizes=(6, 5, 4, 3),
    activation="sigmoid",
    output="logistic",
    weighted=False,
    lambda_=1.5,
    seed=0,
):
    rng = np.random.default_rng(seed)
    thetas = bprop.initialize(list(sizes), method="xavier", seed=seed)
    X = rng.normal(size=(m, sizes[0]))
    y = rng.integers(0, sizes[-1], m)
    extra = {"w": rng.uniform(0, 2, m)} if weighted else {}
    extra_val = {"Xv": rng.normal(size=(61, sizes[0])), "yv": rng.integers(0, sizes[-1], 61)}
    np.savez(
        directory / "problem.npz",
        X=X,
        y=y,
        t0=thetas[0],
        t1=thetas[1],
        t2=thetas[2],
        activation=activation,
        output=output,
        lambda_=lambda_,
        **extra,
        **extra_val,
    )
    return thetas, X, y, extra.get("w")


def results(directory, n):
    return [dict(np.load(directory / f"rank{r}.npz")) for r in range(n)]


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("kind", [dict(), dict(activation="relu", output="softmax", weighted=True)])
def test_distributed_gradient_equals_one_process(tmp_path, n, kind):
    thetas, X, y, w = write_problem(tmp_path, **kind)
    out = mpirun(n, WORKER, "gradient", tmp_path)
    assert out.returncode == 0, out.stderr
    ranks = results(tmp_path, n)
    for r in ranks[1:]:  # every rank holds the same bits
        for k in r:
            np.testing.assert_array_equal(r[k], ranks[0][k])
    J, grads = bprop.cost_and_gradient(
        thetas,
        X,
        y,
        1.5,
        sample_weight=w,
        activation=kind.get("activation", "sigmoid"),
        output=kind.get("output", "logistic"),
    )
    assert float(ranks[0]["J"]) == pytest.approx(J, rel=1e-12)
    for l, g in enumerate(grads):
        np.testing.assert_allclose(ranks[0][f"g{l}"], g, rtol=1e-12, atol=1e-15)
    if n == 1:  # the same sums, finished by the core's one definition: the same bits
        assert float(ranks[0]["J"]) == J
        for l, g in enumerate(grads):
            np.testing.assert_array_equal(ranks[0][f"g{l}"], g)


def test_distributed_training_matches_and_is_deterministic(tmp_path):
    thetas, X, y, _ = write_problem(tmp_path, m=200)
    first = mpirun(2, WORKER, "train", tmp_path)
    assert first.returncode == 0, first.stderr
    run1 = results(tmp_path, 2)
    again = mpirun(2, WORKER, "train", tmp_path)
    assert again.returncode == 0, again.stderr
    run2 = results(tmp_path, 2)
    for k in run1[0]:
        np.testing.assert_array_equal(run1[0][k], run1[1][k])  # ranks agree
        np.testing.assert_array_equal(run1[0][k], run2[0][k])  # runs agree
    # Full-batch optimisers follow the single-process path.
    for name, settings in (
        ("gd", dict(optimizer="gd", learning_rate=0.5, iterations=4)),
        ("lbfgs", dict(optimizer="lbfgs", iterations=5)),
        (
            "adamw",
            dict(
                optimizer="adamw",
                learning_rate=0.05,
                iterations=4,
                schedule="exponential:gamma=0.5",
                clip_norm=0.05,
            ),
        ),
    ):
        trained, h = bprop.train(thetas, X, y, lambda_=1.5, verbose=False, **settings)
        np.testing.assert_allclose(run1[0][f"{name}_cost"], h.cost, rtol=1e-10)
        for l, t in enumerate(trained):
            np.testing.assert_allclose(run1[0][f"{name}_t{l}"], t, rtol=1e-9, atol=1e-12)
    # Validation scored over every rank's shard equals one process scoring all of it.
    Xv, yv = np.load(tmp_path / "problem.npz")["Xv"], np.load(tmp_path / "problem.npz")["yv"]
    trained, h = bprop.train(
        thetas,
        X,
        y,
        optimizer="gd",
        learning_rate=2.0,
        epochs=6,
        verbose=False,
        validation_data=(Xv, yv),
        early_stopping=True,
        patience=2,
    )
    np.testing.assert_allclose(run1[0]["val_cost"], h.val_cost, rtol=1e-10)
    np.testing.assert_array_equal(run1[0]["val_accuracy"], h.val_accuracy)
    for l, t in enumerate(trained):
        np.testing.assert_allclose(run1[0][f"val_t{l}"], t, rtol=1e-9, atol=1e-12)
    # Mini-batches: 2 epochs of 200 samples in global batches of 16 = 26 steps, cost falling.
    cost = run1[0]["adam_cost"]
    assert cost.shape == (26,) and cost[-5:].mean() < cost[:5].mean()


def test_a_bad_shard_ends_the_job_with_that_ranks_error(tmp_path):
    write_problem(tmp_path, m=60)
    out = mpirun(3, WORKER, "bad_rank1", tmp_path)
    assert out.returncode != 0
    assert "rank 1: X holds nan at row 2, column 1" in out.stderr


def test_invalid_weights_on_root_raise_on_every_rank(tmp_path):
    write_problem(tmp_path, m=60)
    out = mpirun(2, WORKER, "bad_broadcast", tmp_path)
    assert out.returncode == 0, out.stderr
    for r in results(tmp_path, 2):
        assert str(r["message"]).startswith("rank 0: thetas[1] (Theta2) has shape (2, 9)")


@pytest.mark.parametrize("scenario", ["crash_rank1", "crash_rank1_long"])
def test_a_crashing_rank_aborts_the_job_instead_of_hanging(tmp_path, scenario):
    write_problem(tmp_path, m=60)
    out = mpirun(2, WORKER, scenario, tmp_path)
    assert out.returncode != 0
    # The whole message arrives: the rank aborts only once its launcher has read it.
    assert "error on rank 1: RuntimeError: boom on purpose" in out.stderr
    assert "(end of the message)" in out.stderr


def test_cli_distributed_train_and_saved_model(tmp_path):
    pytest.importorskip("sklearn")
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    y = rng.integers(0, 3, 600)
    X = centres[y] + rng.normal(size=(600, 2))
    np.savez(tmp_path / "blobs.npz", X=X, y=y)
    out = mpirun(
        3,
        "-m",
        "bprop",
        "train",
        "--distributed",
        "--data",
        tmp_path / "blobs.npz",
        "--hidden",
        "8",
        "--iterations",
        "50",
        "--save",
        tmp_path / "m.npz",
        "--quiet",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("test accuracy") == 1  # rank 0 alone reports
    acc = float(out.stdout.split("test accuracy ")[1].split()[0])
    assert acc > 0.9
    thetas, meta = bprop.load(tmp_path / "m.npz")
    assert meta["ranks"] == 3 and meta["test_accuracy"] == pytest.approx(acc, abs=5e-5)
    # evaluate scores the very rows the ranks held out (once it rebuilt another split,
    # which overlapped the training rows)
    ev = subprocess.run(
        [sys.executable, "-m", "bprop", "evaluate", str(tmp_path / "m.npz")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ev.returncode == 0, ev.stderr
    assert f"accuracy {acc:.4f} on " in ev.stdout
    bad = mpirun(
        2, "-m", "bprop", "train", "--distributed", "--data", tmp_path / "none.npz", cwd=tmp_path
    )
    assert bad.returncode == 2 and bad.stderr.count("bprop: error: rank 0:") == 1


def test_shard_loading_reads_only_its_rows(tmp_path):
    pytest.importorskip("mpi4py")
    X = np.arange(70.0).reshape(35, 2)
    y = np.arange(35) % 3
    np.savez_compressed(tmp_path / "d.npz", X=X, y=y)

    class Comm:  # shard_range needs only the rank and size
        def __init__(self, r, n):
            self.r, self.n = r, n

        def Get_rank(self):
            return self.r

        def Get_size(self):
            return self.n

    from bprop import distributed

    parts = [
        distributed.load_shard(str(tmp_path / "d.npz"), comm=Comm(r, 4), dtype=np.float64)
        for r in range(4)
    ]
    np.testing.assert_array_equal(np.concatenate([p[0] for p in parts]), X)
    np.testing.assert_array_equal(np.concatenate([p[1] for p in parts]), y)
    assert [len(p[1]) for p in parts] == [8, 9, 9, 9] and parts[0][2] == 35


def test_evaluate_after_distributed_training_scores_only_held_out_rows(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 5))
    y = (X[:, 0] > 0).astype(int)
    flip = rng.random(400) < 0.3
    y[flip] = 1 - y[flip]  # noisy labels: a net that memorises scores far better on its own rows
    np.savez(tmp_path / "noisy.npz", X=X, y=y)
    out = mpirun(
        2,
        "-m",
        "bprop",
        "train",
        "--distributed",
        "--data",
        tmp_path / "noisy.npz",
        "--lambda",
        "0",
        "--hidden",
        "60",
        "--iterations",
        "400",
        "--save",
        tmp_path / "d.npz",
        "--quiet",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    train_acc, test_acc = (
        float(v.split()[0].rstrip(","))
        for v in out.stdout.split("train accuracy ")[1].split("test accuracy ")
    )
    assert train_acc > test_acc + 0.1
    ev = subprocess.run(
        [sys.executable, "-m", "bprop", "evaluate", str(tmp_path / "d.npz")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ev.returncode == 0, ev.stderr
    assert f"accuracy {test_acc:.4f} on " in ev.stdout
    # --resume on one process keeps that split too (issue 21): its test rows are the same
    more = subprocess.run(
        [
            sys.executable,
            "-m",
            "bprop",
            "train",
            "--data",
            "noisy.npz",
            "--resume",
            str(tmp_path / "d.npz"),
            "--optimizer",
            "gd",
            "--learning-rate",
            "1e-12",
            "--iterations",
            "1",
            "--save",
            str(tmp_path / "r.npz"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert more.returncode == 0, more.stderr
    assert f"test accuracy {test_acc:.4f}" in more.stdout
    assert bprop.load(tmp_path / "r.npz")[1]["split_ranks"] == 2
