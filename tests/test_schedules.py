"""Learning-rate schedules (bprop.schedules): each rate against its formula written by
hand, training with a schedule against a plain numpy loop, scikit-learn's invscaling and
adaptive in the estimators against scikit-learn's own MLP, shuffle=False and max_fun."""

import math
import warnings

import numpy as np
import pytest

import bprop
from bprop import schedules
from bprop.schedules import (
    Constant,
    Cosine,
    Exponential,
    InvScaling,
    ReduceOnPlateau,
    StepDecay,
    get_schedule,
)

# Each rate is a handful of double operations, evaluated in another order here.
RTOL = 1e-14


def blobs(m=300, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    y = rng.integers(0, 3, size=m)
    return centres[y] + rng.normal(size=(m, 2)), y


def rates(schedule, base, epochs, samples=1, chosen=None):
    schedule.start(base, epochs, samples)
    return [schedule.rate(e) for e in (chosen or range(1, epochs + 1))]


# ---- the rates at chosen epochs, against the formulas ---------------------------------


def test_constant_step_and_exponential_rates():
    assert rates(Constant(), 0.3, 4) == [0.3] * 4
    got = rates(StepDecay(step_size=3, gamma=0.5), 0.8, 10, chosen=[1, 3, 4, 6, 7, 10])
    assert got == pytest.approx([0.8, 0.8, 0.4, 0.4, 0.2, 0.1], rel=RTOL)
    got = rates(Exponential(gamma=0.9), 0.5, 30, chosen=[1, 2, 11, 30])
    assert got == pytest.approx([0.5, 0.45, 0.5 * 0.9**10, 0.5 * 0.9**29], rel=RTOL)


def test_cosine_rates_with_warm_up_and_floor():
    a, lo, w, E = 0.1, 0.01, 3, 13
    hand = {e: a * e / (w + 1) for e in (1, 2, 3)}  # the linear warm-up
    for e in (4, 5, 9, 13):  # p from 0 (epoch w + 1, at a) to (E - w - 1) / (E - w)
        p = (e - w - 1) / (E - w)
        hand[e] = lo + (a - lo) * (1 + math.cos(math.pi * p)) / 2
    got = rates(Cosine(warmup=w, min_lr=lo), a, E, chosen=list(hand))
    assert got == pytest.approx(list(hand.values()), rel=RTOL)
    assert got[3] == a and hand[9] == pytest.approx(lo + (a - lo) / 2, rel=RTOL)  # half way
    assert lo < got[-1] < got[-2]  # still above the floor at the last epoch
    # a span of its own: past it the rate stays at the floor
    assert rates(Cosine(epochs=4), 1.0, 8, chosen=[1, 3, 5, 8]) == pytest.approx(
        [1.0, 0.5, 0.0, 0.0], abs=1e-15
    )


def test_invscaling_counts_samples_as_scikit_learn():
    # scikit-learn's SGD: learning_rate_init / (t + 1) ** power_t, t the samples seen
    m, p = 37, 0.25
    got = rates(InvScaling(power_t=p), 0.2, 6, samples=m, chosen=[1, 2, 6])
    assert got == [0.2, 0.2 / (m + 1) ** p, 0.2 / (5 * m + 1) ** p]  # the same operations
    assert schedules.invscaling_rate(0.2, p, 5 * m) == got[-1]
    assert rates(InvScaling(power_t=0), 0.2, 3, samples=m) == [0.2] * 3


def test_reduce_on_plateau_follows_the_watched_cost():
    s = ReduceOnPlateau(factor=0.5, patience=2, min_lr=0.1, tol=0.05)
    s.start(1.0, epochs=12)
    costs = [5.0, 4.0, 3.98, 3.97, 3.0, 3.5, 3.4, 3.2, 3.1, 3.3, 3.2, 3.1]
    seen = []
    for e, c in enumerate(costs, start=1):
        seen.append(s.rate(e))
        s.observe(c)
    # 3.98 and 3.97 improve by less than tol: the cut comes after 3.97 (epoch 4); 3.5,
    # 3.4: the next after epoch 7; then 3.2, 3.1, 3.3 (none below 3.0 - tol): after 9
    # and the floor 0.1 holds after 11
    assert seen == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1]
    s.start(1.0, epochs=3)  # a new run starts afresh
    assert s.rate(1) == 1.0


# ---- names, options and refusals --------------------------------------------------------


def test_names_and_options_are_read_and_written_back():
    for spec, expected in [
        ("constant", Constant()),
        ("step:step_size=5,gamma=0.5", StepDecay(5, 0.5)),
        ("exponential:gamma=0.9", Exponential(0.9)),
        (" cosine: warmup=2 , min_lr=1e-4 ", Cosine(2, 1e-4)),
        ("plateau:factor=0.5,patience=3", ReduceOnPlateau(0.5, 3)),
        ("invscaling:power_t=0.25", InvScaling(0.25)),
    ]:
        s = get_schedule(spec)
        assert type(s) is type(expected) and s.options() == expected.options()
        assert get_schedule(s.spec()).options() == s.options()
    s = StepDecay()
    assert get_schedule(s) is s and set(schedules.SCHEDULES) == {
        "constant",
        "step",
        "exponential",
        "cosine",
        "plateau",
        "invscaling",
    }


@pytest.mark.parametrize(
    "spec, error, match",
    [
        ("warm", ValueError, r"unknown schedule 'warm': expected one of constant, step"),
        ("step:gamma", ValueError, r"step: options are key=value, got 'gamma'"),
        ("step:size=3", ValueError, r"step has no option 'size' \(its options: step_size, gamma"),
        ("step:step_size=0", ValueError, "step: step_size must be a positive int, got 0"),
        ("step:step_size=2.5", ValueError, "step: step_size must be a positive int"),
        ("exponential:gamma=1.5", ValueError, r"gamma must be in \(0, 1\], got 1.5"),
        ("exponential:gamma=x", ValueError, "exponential's gamma must be a number, got 'x'"),
        ("cosine:warmup=-1", ValueError, "warmup must be a whole number >= 0, got -1"),
        ("cosine:min_lr=-1", ValueError, "min_lr must be finite and >= 0"),
        ("plateau:factor=1", ValueError, r"factor must be in \(0, 1\), got 1"),
        ("invscaling:power_t=-0.5", ValueError, "power_t must be finite and >= 0, got -0.5"),
        (3, TypeError, "schedule must be a name"),
    ],
)
def test_bad_schedules_are_refused_naming_the_option(spec, error, match):
    with pytest.raises(error, match=match):
        get_schedule(spec)


def test_train_refuses_a_bad_schedule_before_training():
    X, y = blobs(60)
    t0 = bprop.initialize([2, 4, 3], seed=0)
    started = []
    kw = dict(optimizer="adam", batch_size=20, seed=0, verbose=False, callbacks=[started.append])
    for schedule, epochs, match in [
        ("cosine:warmup=3", 3, r"schedule: cosine's warmup=3 leaves no epoch to anneal in a "),
        ("cosine:min_lr=0.5", 3, r"schedule: cosine's min_lr=0.5 must be below the learning "),
        ("stepwise", 3, "schedule: unknown schedule 'stepwise'"),
    ]:
        with pytest.raises(ValueError, match=match):
            bprop.train(t0, X, y, schedule=schedule, epochs=epochs, **kw)
    with pytest.raises(ValueError, match="lbfgs chooses its own step sizes: leave schedule=None"):
        bprop.train(t0, X, y, optimizer="lbfgs", schedule="constant", verbose=False)
    assert started == []  # no epoch began


# ---- training with a schedule -----------------------------------------------------------


def _reference_in_order(thetas, X, y, lambda_, epoch_rates, bs, clip_norm=None):
    """Mini-batch gd written out in numpy: batches in the samples' order (shuffle=False),
    each batch's mean data term plus the full-data penalty, its gradient clipped to
    ``clip_norm`` (the global norm), then a smaller last batch's share, each epoch at
    its own rate."""
    m = X.shape[0]
    ref = [t.copy() for t in thetas]
    for lr in epoch_rates:
        for start in range(0, m, bs):
            rows = np.arange(start, min(m, start + bs))
            _, grads = bprop.reference.cost_and_gradient(ref, X[rows], y[rows], 0.0)
            for g, t in zip(grads, ref):
                g[:, 1:] += lambda_ / m * t[:, 1:]
            norm = math.sqrt(sum(float(np.sum(g**2)) for g in grads))
            if clip_norm is not None and norm > clip_norm:
                grads = [g * (clip_norm / norm) for g in grads]
            ref = [t - lr * len(rows) / bs * g for t, g in zip(ref, grads)]
    return ref


@pytest.mark.parametrize(
    "schedule",
    ["step:step_size=2,gamma=0.5", "exponential:gamma=0.7", "cosine:warmup=1", "invscaling"],
)
def test_training_takes_each_epochs_rate(schedule):
    X, y = blobs(130)
    t0 = bprop.initialize([2, 5, 3], seed=1)
    trained, h = bprop.train(
        t0,
        X,
        y,
        lambda_=0.3,
        optimizer="gd",
        learning_rate=0.9,
        batch_size=32,
        epochs=5,
        shuffle=False,
        schedule=schedule,
        verbose=False,
    )
    expected = rates(get_schedule(schedule), 0.9, 5, samples=130)
    assert h.learning_rate == pytest.approx(expected, rel=RTOL) and len(set(expected)) > 1
    ref = _reference_in_order(t0, X, y, 0.3, h.learning_rate, 32)
    for a, b in zip(trained, ref):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_plateau_watches_validation_cost_or_training_cost():
    X, y = blobs(200)
    Xv, yv = blobs(60, seed=1)
    t0 = bprop.initialize([2, 5, 3], seed=1)
    kw = dict(optimizer="adam", learning_rate=0.5, batch_size=50, epochs=12, seed=0)
    plateau = "plateau:factor=0.5,patience=2"
    for validation in (None, (Xv, yv)):
        _, h = bprop.train(
            t0, X, y, schedule=plateau, validation_data=validation, verbose=False, **kw
        )
        watched = h.val_cost if validation else h.epoch_cost
        replay = get_schedule(plateau)
        replay.start(0.5, 12)
        expected = []
        for c in watched:
            expected.append(replay.rate(len(expected) + 1))
            replay.observe(c)
        assert h.learning_rate == expected and min(expected) < 0.5  # it did cut


def test_the_schedule_and_optimizer_given():
    X, y = blobs(90)
    t0 = bprop.initialize([2, 4, 3], seed=0)
    sched = Cosine(warmup=1)
    opt = bprop.optim.Momentum(0.4)
    _, h = bprop.train(
        t0, X, y, optimizer=opt, batch_size=30, epochs=4, schedule=sched, seed=0, verbose=False
    )
    assert sched.base_rate == 0.0  # started on a copy: the instance given is unchanged
    assert opt.learning_rate == h.learning_rate[-1]  # the optimiser keeps the last rate
    # without a schedule the rate is recorded as the optimiser keeps it
    _, h = bprop.train(t0, X, y, optimizer="gd", iterations=3, verbose=False)
    assert h.learning_rate == [1.0] * 3
    _, h = bprop.train(t0, X, y, optimizer="lbfgs", iterations=3, verbose=False)
    assert h.learning_rate == []


def test_the_learning_curve_shows_a_changing_rate():
    pytest.importorskip("matplotlib")
    X, y = blobs(90)
    t0 = bprop.initialize([2, 4, 3], seed=0)
    kw = dict(optimizer="gd", batch_size=30, epochs=3, seed=0, verbose=False)
    _, h = bprop.train(t0, X, y, schedule="exponential:gamma=0.01", **kw)
    fig = bprop.plot.learning_curves(h)
    rate_axis = fig.axes[1]
    assert rate_axis.get_ylabel() == "learning rate" and rate_axis.get_yscale() == "log"
    np.testing.assert_allclose(rate_axis.lines[0].get_ydata()[:3], h.learning_rate)
    _, h = bprop.train(t0, X, y, **kw)  # a constant rate: no second axis
    assert len(bprop.plot.learning_curves(h).axes) == 1


# ---- shuffle and max_fun ----------------------------------------------------------------


def test_shuffle_false_takes_the_batches_in_order_whatever_the_seed():
    X, y = blobs(100)
    t0 = bprop.initialize([2, 4, 3], seed=0)
    kw = dict(optimizer="gd", learning_rate=0.5, batch_size=16, epochs=3, verbose=False)
    a, _ = bprop.train(t0, X, y, shuffle=False, seed=1, **kw)
    b, _ = bprop.train(t0, X, y, shuffle=False, seed=2, **kw)
    c, _ = bprop.train(t0, X, y, seed=1, **kw)  # shuffled, as before
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not np.array_equal(a[0], c[0])
    ref = _reference_in_order(t0, X, y, 0.0, [0.5] * 3, 16)
    for p, q in zip(a, ref):
        np.testing.assert_allclose(p, q, rtol=1e-10, atol=1e-12)
    with pytest.raises(TypeError, match="shuffle must be True or False, got 'no'"):
        bprop.train(t0, X, y, shuffle="no", **kw)
    with pytest.raises(ValueError, match="lbfgs works on the full batch, which has no order"):
        bprop.train(t0, X, y, optimizer="lbfgs", shuffle=False, verbose=False)


def test_max_fun_limits_lbfgs_as_scipys_maxfun():
    from scipy.optimize import minimize
    from threadpoolctl import threadpool_limits

    X, y = bprop.data.load_digits()
    X, y = X[:300], y[:300]
    t0 = bprop.initialize([64, 10, 10], seed=0)
    net, h = bprop.train(
        t0, X, y, lambda_=1.0, optimizer="lbfgs", iterations=200, max_fun=12, verbose=False
    )
    sizes = bprop.layer_sizes(t0)

    def fun(v):
        J, grads = bprop.cost_and_gradient(bprop.roll(v, sizes), X, y, 1.0)
        return J, bprop.unroll(grads)

    calls = []
    with threadpool_limits(limits=1, user_api="blas"):  # as train runs SciPy
        theirs = minimize(
            lambda v: calls.append(1) or fun(v),
            bprop.unroll(t0),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": 200, "maxfun": 12},
        )
    assert h.stopped == "max_fun" and h.iterations == theirs.nit < 200
    assert len(calls) == theirs.nfev > 12  # SciPy ends the iteration in progress
    np.testing.assert_allclose(bprop.unroll(net), theirs.x, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="max_fun must be a positive int, got 0"):
        bprop.train(t0, X, y, optimizer="lbfgs", max_fun=0, verbose=False)
    with pytest.raises(ValueError, match="max_fun is L-BFGS's limit on cost evaluations"):
        bprop.train(t0, X, y, optimizer="adam", max_fun=10, verbose=False)


# ---- the estimators: scikit-learn's learning_rate schedules -----------------------------

sklearn = pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from bprop.estimators import BackpropClassifier  # noqa: E402


def _iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    return bprop.data.standardize(X)[0], y


def _sgd_pair(**kw):
    """scikit-learn's plain SGD and bprop's gd, with the same schedule options."""
    theirs = MLPClassifier((5,), solver="sgd", momentum=0.0, random_state=0, **kw)
    ours = BackpropClassifier((5,), solver="gd", random_state=0, **kw)
    return theirs, ours


def test_invscaling_rates_are_scikit_learns():
    X, y = _iris()
    kw = dict(learning_rate="invscaling", learning_rate_init=0.3, power_t=0.3, batch_size=40)
    for max_iter in (1, 4):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            theirs, ours = (est.fit(X, y) for est in _sgd_pair(max_iter=max_iter, **kw))
        assert ours.t_ == theirs.t_ == 150 * max_iter
        assert ours._optimizer.learning_rate == theirs._optimizer.learning_rate
        assert ours._optimizer.learning_rate == 0.3 / (150 * max_iter + 1) ** 0.3
    theirs, ours = _sgd_pair(**kw)
    for _ in range(3):  # partial_fit carries the rate and t_ on
        theirs.partial_fit(X, y, classes=[0, 1, 2])
        ours.partial_fit(X, y, classes=[0, 1, 2])
        assert ours._optimizer.learning_rate == theirs._optimizer.learning_rate
    assert ours.t_ == theirs.t_ == 450
    # adam keeps its rate, as scikit-learn's adam does
    ours = BackpropClassifier((5,), solver="adam", random_state=0, max_iter=2, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        assert ours.fit(X, y)._optimizer.learning_rate == 0.3


def test_adaptive_divides_by_5_where_scikit_learn_does():
    X, y = _iris()
    # tol so large that no epoch improves: the rule fires every n_iter_no_change + 1
    # epochs; 1e-5 -> 2e-6 -> 4e-7, and at the third firing the rate is small enough to stop
    kw = dict(learning_rate="adaptive", learning_rate_init=1e-5, tol=1e9, n_iter_no_change=2)
    theirs, ours = (est.fit(X, y) for est in _sgd_pair(max_iter=50, **kw))
    assert ours.n_iter_ == theirs.n_iter_ == 1 + 3 * 3
    assert ours._optimizer.learning_rate == theirs._optimizer.learning_rate == 1e-5 / 5 / 5
    theirs, ours = _sgd_pair(**kw)
    seen = []
    for _ in range(8):  # across partial_fit calls too
        theirs.partial_fit(X, y, classes=[0, 1, 2])
        ours.partial_fit(X, y, classes=[0, 1, 2])
        assert ours._optimizer.learning_rate == theirs._optimizer.learning_rate
        seen.append(ours._optimizer.learning_rate)
    assert seen == [1e-5] * 3 + [1e-5 / 5] * 3 + [1e-5 / 5 / 5] * 2


def test_estimator_shuffle_and_max_fun():
    X, y = _iris()
    kw = dict(solver="gd", learning_rate=0.5, batch_size=16, max_iter=2, shuffle=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = BackpropClassifier((5,), random_state=0, **kw).fit(X, y)
        b = BackpropClassifier((5,), random_state=0, **{**kw, "shuffle": True}).fit(X, y)
    assert not np.array_equal(a.thetas_[0], b.thetas_[0])
    with pytest.warns(ConvergenceWarning, match="max_fun"):
        clf = BackpropClassifier((5,), max_fun=5, max_iter=100, random_state=0).fit(X, y)
    assert clf.n_iter_ < 100
