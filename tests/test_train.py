"""Training loop, optimisers, history, interruption and divergence."""

import numpy as np
import pytest

import bprop
from bprop import optim


def blobs(m=300, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    y = rng.integers(0, 3, size=m)
    return centres[y] + rng.normal(size=(m, 2)), y


def test_gd_matches_hand_written_loop():
    X, y = blobs()
    thetas = bprop.initialize([2, 6, 3], seed=1)
    trained, h = bprop.train(
        thetas, X, y, lambda_=0.5, optimizer="gd", learning_rate=0.8, iterations=25, verbose=False
    )
    ref = [t.copy() for t in thetas]
    J_hist = []
    for _ in range(25):
        J, grads = bprop.reference.cost_and_gradient(ref, X, y, 0.5)
        J_hist.append(J)
        ref = [t - 0.8 * g for t, g in zip(ref, grads)]
    np.testing.assert_allclose(h.cost, J_hist, rtol=1e-11)
    for a, b in zip(trained, ref):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    assert h.iterations == 25 and h.epochs == 25 and h.stopped == "completed"
    np.testing.assert_array_equal(thetas[0], bprop.initialize([2, 6, 3], seed=1)[0])  # untouched


@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "adam", "lbfgs"])
@pytest.mark.parametrize("batch_size", [None, 32])
def test_every_optimizer_reduces_the_cost(name, batch_size):
    if name == "lbfgs" and batch_size:
        pytest.skip("lbfgs is full-batch")
    X, y = blobs()
    thetas = bprop.initialize([2, 6, 3], seed=2)
    lr = {"adam": 0.05}.get(name)
    kwargs = {"iterations": 60} if batch_size is None else {"epochs": 5}
    trained, h = bprop.train(
        thetas,
        X,
        y,
        lambda_=0.1,
        optimizer=name,
        learning_rate=lr,
        batch_size=batch_size,
        seed=0,
        verbose=False,
        **kwargs,
    )
    start = bprop.cost(thetas, X, y, 0.1)
    end = bprop.cost(trained, X, y, 0.1)
    assert end < 0.6 * start
    assert np.mean(bprop.predict(trained, X) == y) > 0.8


def test_minibatch_epochs_and_determinism():
    X, y = blobs(m=250)
    thetas = bprop.initialize([2, 5, 3], seed=3)
    a, ha = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=64,
        epochs=3,
        seed=7,
        verbose=False,
        num_threads=1,
    )
    b, hb = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=64,
        epochs=3,
        seed=7,
        verbose=False,
        num_threads=2,
    )
    assert ha.iterations == 12 and ha.epochs == 3 and len(ha.cost) == 12
    assert ha.cost == hb.cost
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    c, hc = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=64,
        epochs=3,
        seed=8,
        verbose=False,
    )
    assert hc.cost != ha.cost


def test_validation_history_and_early_stopping():
    X, y = blobs(m=400, seed=5)
    Xv, yv = blobs(m=100, seed=6)
    thetas = bprop.initialize([2, 30, 3], seed=4)
    trained, h = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.05,
        batch_size=50,
        epochs=200,
        validation_data=(Xv, yv),
        early_stopping=True,
        patience=3,
        seed=0,
        verbose=False,
    )
    assert h.stopped == "early_stopping"
    assert h.epochs < 200
    assert len(h.val_cost) == len(h.val_accuracy) == len(h.epoch_time) == h.epochs
    best = int(np.argmin(h.val_cost))
    assert h.best_epoch == best + 1
    assert bprop.cost(trained, Xv, yv) == pytest.approx(h.val_cost[best], rel=1e-12)
    assert h.val_accuracy[best] > 0.85


def test_callback_can_stop_and_sees_progress():
    X, y = blobs()
    seen = []

    def cb(info):
        seen.append((info["epoch"], info["iteration"], info["cost"]))
        return info["epoch"] == 4

    _, h = bprop.train(
        bprop.initialize([2, 4, 3], seed=0), X, y, iterations=50, callbacks=[cb], verbose=False
    )
    assert h.stopped == "callback" and h.iterations == 4
    assert [s[0] for s in seen] == [1, 2, 3, 4]


def test_ctrl_c_returns_last_completed_step():
    X, y = blobs()
    thetas = bprop.initialize([2, 4, 3], seed=0)

    def interrupt(info):
        if info["epoch"] == 3:
            raise KeyboardInterrupt

    trained, h = bprop.train(thetas, X, y, iterations=10, callbacks=[interrupt], verbose=False)
    assert h.stopped == "interrupted" and h.iterations == 3
    ref, _ = bprop.train(thetas, X, y, iterations=3, verbose=False)
    for a, b in zip(trained, ref):
        np.testing.assert_array_equal(a, b)


def test_ctrl_c_in_lbfgs():
    X, y = blobs()

    def interrupt(info):
        if info["epoch"] == 2:
            raise KeyboardInterrupt

    trained, h = bprop.train(
        bprop.initialize([2, 4, 3], seed=0),
        X,
        y,
        optimizer="lbfgs",
        iterations=20,
        callbacks=[interrupt],
        verbose=False,
    )
    assert h.stopped == "interrupted" and h.iterations == 2
    assert bprop.cost(trained, X, y) == pytest.approx(h.cost[-1], rel=1e-12)


@pytest.mark.filterwarnings("ignore::bprop.InputScaleWarning")  # huge inputs on purpose
def test_divergence_names_iteration_and_keeps_finite_weights():
    X, y = blobs()
    X = X * 1e150
    thetas = bprop.initialize([2, 4, 3], seed=0)
    with pytest.raises(
        bprop.TrainingDiverged, match=r"diverged at iteration \d+.*smaller learning rate"
    ) as e:
        bprop.train(thetas, X, y, learning_rate=1e200, iterations=20, verbose=False)
    assert all(np.isfinite(t).all() for t in e.value.thetas)
    assert e.value.history.iterations < 20


def test_lbfgs_history_and_float32():
    X, y = blobs()
    thetas = bprop.initialize([2, 5, 3], seed=0, dtype=np.float32)
    trained, h = bprop.train(
        thetas, X, y, lambda_=0.1, optimizer="lbfgs", iterations=30, verbose=False
    )
    assert trained[0].dtype == np.float32
    assert len(h.cost) == h.iterations + 1
    assert h.cost[-1] < h.cost[0]
    assert all(b <= a + 1e-6 for a, b in zip(h.cost, h.cost[1:]))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"iterations": 5, "epochs": 5}, ValueError, "iterations or epochs, not both"),
        ({"iterations": 0}, ValueError, "iterations must be a positive int"),
        ({"batch_size": -3}, ValueError, "batch_size must be a positive int"),
        ({"optimizer": "sgd2"}, ValueError, "optimizer must be one of gd, momentum"),
        ({"learning_rate": -1.0}, ValueError, "learning_rate must be finite and > 0"),
        ({"early_stopping": True}, ValueError, "early_stopping needs validation_data"),
        ({"optimizer": "lbfgs", "batch_size": 10}, ValueError, "lbfgs works on the full batch"),
        ({"validation_data": np.zeros(3)}, TypeError, "validation_data must be a pair"),
    ],
)
def test_bad_training_arguments(kwargs, exc, match):
    X, y = blobs(m=20)
    with pytest.raises(exc, match=match):
        bprop.train(bprop.initialize([2, 3, 3]), X, y, verbose=False, **kwargs)


def test_optimizer_steps_do_not_modify_inputs():
    t = [np.ones((2, 3))]
    g = [np.full((2, 3), 0.5)]
    for name in optim.OPTIMIZERS:
        new = optim.get_optimizer(name, 0.1).step(t, g)
        np.testing.assert_array_equal(t[0], 1.0)
        assert (new[0] < 1.0).all()


def test_adam_first_step_is_learning_rate_sized():
    new = optim.Adam(0.01).step([np.zeros((1, 2))], [np.array([[3.0, -0.2]])])
    np.testing.assert_allclose(new[0], [[-0.01, 0.01]], rtol=1e-5)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 2e-6)])
def test_fused_adam_step_follows_the_formulas(dtype, rtol):
    # The C++ step against the formulas written out in numpy (float64), over 5 steps.
    rng = np.random.default_rng(0)
    thetas = [rng.normal(size=(7, 5)).astype(dtype), rng.normal(size=(3, 8)).astype(dtype)]
    opt = optim.Adam(0.01)
    m = [np.zeros(t.shape) for t in thetas]
    v = [np.zeros(t.shape) for t in thetas]
    expected = [t.astype(np.float64) for t in thetas]
    for step in range(1, 6):
        grads = [rng.normal(size=t.shape).astype(dtype) for t in thetas]
        thetas = opt.step(thetas, grads)
        lr_t = 0.01 * np.sqrt(1 - 0.999**step) / (1 - 0.9**step)
        for l, g in enumerate(grads):
            m[l] = 0.9 * m[l] + 0.1 * g
            v[l] = 0.999 * v[l] + 0.001 * g.astype(np.float64) ** 2
            expected[l] = expected[l] - lr_t * m[l] / (np.sqrt(v[l]) + 1e-8)
    for l, (t, e) in enumerate(zip(thetas, expected)):
        assert t.dtype == dtype
        np.testing.assert_allclose(t, e, rtol=rtol, atol=rtol)
        np.testing.assert_allclose(opt.m[l], m[l], rtol=rtol, atol=rtol)  # moments in place
        np.testing.assert_allclose(opt.v[l], v[l], rtol=rtol, atol=rtol * 1e-3)
    # a non-contiguous weight matrix is stepped as a C-ordered copy: the same numbers
    a = optim.Adam(0.01)
    b = optim.Adam(0.01)
    t = rng.normal(size=(6, 4)).astype(dtype)
    g = rng.normal(size=(6, 4)).astype(dtype)
    fused = a.step([t], [g])[0]
    strided = b.step([np.asfortranarray(t)], [np.asfortranarray(g)])[0]
    np.testing.assert_allclose(fused, strided, rtol=rtol, atol=0)


def _reference_minibatch_gd(thetas, X, y, lambda_, lr, bs, seed, epochs):
    """Mini-batch gd on J written out: the batch's mean data term plus the full-data
    penalty lambda/(2m), whatever the batch's size; a smaller last batch steps by
    its share, r / bs."""
    m = X.shape[0]
    rng = np.random.default_rng(seed)
    ref = [t.copy() for t in thetas]
    costs = []
    for _ in range(epochs):
        order = rng.permutation(m)
        for start in range(0, m, bs):
            rows = np.sort(order[start : start + bs])
            J, grads = bprop.reference.cost_and_gradient(ref, X[rows], y[rows], 0.0)
            J += lambda_ / (2 * m) * sum(np.sum(t[:, 1:] ** 2) for t in ref)
            for g, t in zip(grads, ref):
                g[:, 1:] += lambda_ / m * t[:, 1:]
            costs.append(J)
            ref = [t - lr * len(rows) / bs * g for t, g in zip(ref, grads)]
    return ref, costs


@pytest.mark.parametrize("bs", [32, 299, 150])  # remainders 12, 1 and none
def test_every_minibatch_step_is_a_step_on_the_one_objective(bs):
    X, y = blobs()
    thetas = bprop.initialize([2, 6, 3], seed=1)
    trained, h = bprop.train(
        thetas,
        X,
        y,
        lambda_=5.0,
        optimizer="gd",
        learning_rate=0.5,
        batch_size=bs,
        epochs=3,
        seed=7,
        verbose=False,
    )
    ref, costs = _reference_minibatch_gd(thetas, X, y, 5.0, 0.5, bs, 7, 3)
    np.testing.assert_allclose(h.cost, costs, rtol=1e-11)
    for a, b in zip(trained, ref):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_a_remainder_batch_of_one_changes_nothing_visible():
    X, y = bprop.data.load_digits()
    Xtr, _, ytr, _ = bprop.data.train_validation_split(X, y, 0.2, seed=0)
    m = Xtr.shape[0]

    def run(bs, optimizer, lr):
        trained, h = bprop.train(
            bprop.initialize([64, 25, 10], seed=0),
            Xtr,
            ytr,
            lambda_=1.0,
            optimizer=optimizer,
            learning_rate=lr,
            batch_size=bs,
            epochs=30,
            seed=0,
            verbose=False,
        )
        return (
            np.mean(bprop.predict(trained, Xtr) == ytr),
            sum(float(np.sum(t[:, 1:] ** 2)) for t in trained),
            h,
        )

    assert m % (m // 3) == 1
    full = run(m, "gd", 1.0)
    for other in (run(m - 1, "gd", 1.0), run(m // 3, "gd", 1.0)):
        assert other[0] >= full[0] - 0.01  # was 0.10 with a last batch of one sample
        assert other[1] < 10 * full[1]
    a, b = run(m // 3, "adam", 0.01), run(m // 3 - 1, "adam", 0.01)  # remainders 1 and 4
    assert a[0] > 0.65 and abs(a[0] - b[0]) < 0.03 and a[1] == pytest.approx(b[1], rel=0.05)
    # the last step of an epoch costs about what the others do (no penalty jump)
    per_epoch = np.array(a[2].cost).reshape(30, -1)
    assert np.all(per_epoch[5:, -1] < 1.5 * per_epoch[5:, :-1].mean(axis=1))


def test_a_cost_climbing_far_above_its_start_is_divergence():
    X, y = bprop.data.load_digits()
    with pytest.raises(bprop.TrainingDiverged, match=r"cost grew from .* smaller learning rate"):
        bprop.train(
            bprop.initialize([64, 25, 10], seed=0),
            X,
            y,
            lambda_=1.0,
            optimizer="gd",
            learning_rate=100.0,
            iterations=100,
            verbose=False,
        )


def test_max_cost_growth_none_leaves_a_climbing_cost_to_the_caller():
    # scikit-learn's rule, the estimators': only NaN/inf end training
    X, y = bprop.data.load_digits()
    thetas = bprop.initialize([64, 25, 10], seed=0)
    kw = dict(lambda_=1.0, optimizer="gd", learning_rate=20.0, epochs=4, verbose=False)
    with pytest.raises(bprop.TrainingDiverged, match="more than 2x its start") as e:
        bprop.train(thetas, X, y, max_cost_growth=2.0, **kw)
    assert isinstance(e.value, ValueError) and isinstance(e.value, FloatingPointError)
    _, history = bprop.train(thetas, X, y, max_cost_growth=None, **kw)
    assert history.stopped == "completed" and max(history.epoch_cost) > 2 * history.cost[0]
    with pytest.raises(ValueError, match="max_cost_growth must be a number > 1 or None"):
        bprop.train(thetas, X, y, max_cost_growth=1, **kw)


def test_validation_data_errors_say_validation():
    X, y = blobs()
    Xv = X[:20].copy()
    Xv[3, 1] = np.nan
    thetas = bprop.initialize([2, 4, 3], seed=0)
    with pytest.raises(ValueError, match=r"validation_data: X_val holds nan at row 3, column 1"):
        bprop.train(thetas, X, y, validation_data=(Xv, y[:20]), iterations=2, verbose=False)
    with pytest.raises(ValueError, match=r"validation_data \(X_val, y_val\): .*labels must be in"):
        bprop.train(thetas, X, y, validation_data=(X[:20], y[:20] + 5), iterations=2, verbose=False)


@pytest.mark.parametrize("rate", [np.float32(0.5), np.float64(0.5), np.int64(1)])
def test_numpy_scalars_are_numbers(rate):
    X, y = blobs()
    trained, h = bprop.train(
        bprop.initialize([2, 4, 3], seed=0),
        X,
        y,
        optimizer="gd",
        learning_rate=rate,
        iterations=3,
        verbose=False,
    )
    assert h.iterations == 3 and h.cost[-1] < h.cost[0]


def test_progress_off_a_terminal_is_a_line_per_epoch(capsys):
    X, y = blobs()
    Xv, yv = blobs(60, seed=1)
    bprop.train(
        bprop.initialize([2, 4, 3], seed=0),
        X,
        y,
        optimizer="adam",
        batch_size=50,
        epochs=4,
        seed=0,
        validation_data=(Xv, yv),
        verbose=True,
    )
    lines = capsys.readouterr().err.splitlines()
    assert [l.split(":")[0] for l in lines] == [f"epoch {k}/4" for k in range(1, 5)]
    assert all("cost" in l and "val_acc" in l for l in lines)
    bprop.train(
        bprop.initialize([2, 4, 3], seed=0), X, y, optimizer="gd", iterations=450, verbose=True
    )
    lines = capsys.readouterr().err.splitlines()
    assert 90 <= len(lines) <= 101 and lines[-1].startswith("epoch 450/450")
    bprop.train(bprop.initialize([2, 4, 3], seed=0), X, y, iterations=3, verbose=False)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "adam"])
def test_a_step_reports_non_finite_weights(name):
    opt = optim.get_optimizer(name, 0.1)
    t = [np.zeros((2, 3)), np.ones((1, 3))]
    new, finite = opt.step_checked(t, [np.ones((2, 3)), np.ones((1, 3))])
    assert finite and all(np.isfinite(a).all() for a in new)
    g = [np.ones((2, 3)), np.ones((1, 3))]
    g[1][0, 2] = np.nan
    new, finite = opt.step_checked(new, g)
    assert not finite and np.isnan(new[1][0, 2])


def test_optimisers_hear_the_end_of_each_epoch():
    class Halving(optim.GradientDescent):  # a learning-rate schedule, as users would write one
        def __init__(self):
            super().__init__(1.0)
            self.seen = []

        def end_epoch(self, epoch):
            self.seen.append((epoch, self.learning_rate))
            self.learning_rate /= 2

    X, y = blobs()
    opt = Halving()
    bprop.train(
        bprop.initialize([2, 4, 3], seed=0),
        X,
        y,
        optimizer=opt,
        batch_size=100,
        epochs=3,
        seed=0,
        verbose=False,
    )
    assert opt.seen == [(1, 1.0), (2, 0.5), (3, 0.25)]


def test_an_optimizer_instance_with_a_learning_rate_is_refused():
    """Issue 21: train(optimizer=Adam(0.01), learning_rate=0.5) ignored the 0.5."""
    X, y = blobs()
    t0 = bprop.initialize([2, 4, 3], seed=0)
    settings = dict(batch_size=32, epochs=3, seed=0, verbose=False)
    with pytest.raises(
        ValueError,
        match=r"learning_rate=0\.5 with an optimizer instance \(Adam, "
        r"learning rate 0\.01\): an instance carries its own "
        r"rate.*Adam\(learning_rate=0\.5\).*optimizer='adam'",
    ):
        bprop.train(t0, X, y, optimizer=optim.Adam(0.01), learning_rate=0.5, **settings)

    class Halving(optim.GradientDescent):
        name = "halving"

    with pytest.raises(ValueError, match=r"Halving\(learning_rate=0\.5\)\)$"):
        bprop.train(t0, X, y, optimizer=Halving(), learning_rate=0.5, **settings)
    # the instance's own rate is the one used: as the name with that rate
    a, _ = bprop.train(t0, X, y, optimizer=optim.Adam(0.01), **settings)
    b, _ = bprop.train(t0, X, y, optimizer="adam", learning_rate=0.01, **settings)
    c, _ = bprop.train(t0, X, y, optimizer="adam", learning_rate=0.5, **settings)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[0], c[0])
