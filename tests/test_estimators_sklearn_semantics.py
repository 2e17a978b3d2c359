"""What a scikit-learn user swapping MLPClassifier/MLPRegressor for bprop's
estimators expects: multilabel y, ConvergenceWarning, L-BFGS's tol, the
stopping count, clear errors, scikit-learn's attribute names."""

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_iris, make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.utils import check_random_state  # noqa: E402

import bprop  # noqa: E402
from bprop.estimators import BackpropClassifier, BackpropRegressor  # noqa: E402


def _quiet(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def test_multilabel_indicator_targets():
    X, Y = make_multilabel_classification(n_samples=300, n_features=10, n_classes=5, random_state=0)
    clf = _quiet(BackpropClassifier((20,), lambda_=0.1, max_iter=300, random_state=0), X, Y)
    assert clf.classes_.tolist() == [0, 1, 2, 3, 4]
    P = clf.predict_proba(X)
    assert P.shape == (300, 5)
    np.testing.assert_array_equal(P, bprop.forward(clf.thetas_, X))  # each label's own sigmoid
    pred = clf.predict(X)
    assert pred.shape == Y.shape and set(np.unique(pred)) <= {0, 1}
    np.testing.assert_array_equal(pred, (P >= 0.5).astype(int))
    assert clf.score(X, Y) > 0.5  # subset accuracy, as scikit-learn scores multilabel
    assert np.all(np.isfinite(clf.predict_log_proba(X)))


def test_multilabel_equals_one_hot_labels_for_the_logistic_output():
    # K one-vs-all sigmoid units on one-hot targets are the method's model for labels too
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    y = rng.integers(0, 3, 200)
    a = _quiet(BackpropClassifier((7,), max_iter=30, random_state=1), X, y)
    b = _quiet(BackpropClassifier((7,), max_iter=30, random_state=1), X, np.eye(3, dtype=int)[y])
    for s, t in zip(a.thetas_, b.thetas_):
        np.testing.assert_allclose(s, t, rtol=1e-9, atol=1e-12)


def test_multilabel_errors_and_partial_fit():
    X, Y = make_multilabel_classification(n_samples=80, n_features=6, n_classes=3, random_state=1)
    with pytest.raises(ValueError, match="output='logistic'"):
        BackpropClassifier(output="softmax").fit(X, Y)
    clf = BackpropClassifier((5,), solver="adam", random_state=0)
    clf.partial_fit(X, Y)
    clf.partial_fit(X, Y)
    assert clf.predict(X).shape == Y.shape
    with pytest.raises(ValueError, match="kind of y"):
        clf.partial_fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="y should be a 1d array"):
        BackpropClassifier().fit(X, np.c_[Y[:, 0], 2 * Y[:, 1]])  # 2-D, not an indicator


def test_convergence_warning_when_max_iter_is_reached():
    X, y = bprop.data.load_digits()
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        BackpropClassifier((10,), solver="adam", max_iter=3, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="lbfgs"):
        BackpropClassifier((10,), max_iter=3, random_state=0).fit(X, y)
    with warnings.catch_warnings():  # stopped by the rule: no warning
        warnings.simplefilter("error", ConvergenceWarning)
        BackpropClassifier(
            (10,), solver="adam", max_iter=200, tol=10.0, n_iter_no_change=2, random_state=0
        ).fit(X, y)


def test_lbfgs_tol_is_the_gradient_tolerance():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(200, 1))
    y = np.sin(2 * X[:, 0])
    reg = BackpropRegressor(
        (10,), "tanh", lambda_=0.0, tol=1e-3, max_iter=2000, random_state=0
    ).fit(X, y)
    # stopped where SciPy's gtol says, not by "no improvement > tol for 10 iterations"
    _, grads = bprop.cost_and_gradient(reg.thetas_, X, y, 0.0, activation="tanh", output="identity")
    assert max(float(np.abs(g).max()) for g in grads) <= 1e-3
    assert reg.n_iter_ > 11 and reg.score(X, y) > 0.99


@pytest.mark.parametrize("n", [2, 5])
def test_stopping_count_matches_scikit_learn(n):
    X, y = bprop.data.load_digits()
    X, y = X[:300], y[:300]
    ours = BackpropClassifier(
        (10,), solver="adam", tol=1e9, n_iter_no_change=n, max_iter=50, random_state=0
    ).fit(X, y)
    theirs = MLPClassifier(
        (10,), solver="adam", tol=1e9, n_iter_no_change=n, max_iter=50, random_state=0
    ).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == n + 2


def test_n_iter_no_change_inf_switches_the_rule_off():
    X, y = bprop.data.load_digits()
    with pytest.warns(ConvergenceWarning):
        clf = BackpropClassifier(
            (5,), solver="adam", tol=1e9, n_iter_no_change=np.inf, max_iter=7, random_state=0
        ).fit(X[:200], y[:200])
    assert clf.n_iter_ == 7


def test_small_validation_sets_and_partial_fit_with_early_stopping_are_refused():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.normal(size=10)  # 0.1 of 10: one sample
    # scikit-learn's words, so that code matching MLPRegressor's error keeps working
    with pytest.raises(
        ValueError,
        match="The validation set is too small.*Increase "
        "'validation_fraction' or the size of your dataset",
    ):
        BackpropRegressor(solver="adam", early_stopping=True, validation_fraction=0.1).fit(X, y)
    with pytest.raises(ValueError, match="early_stopping"):
        BackpropRegressor(solver="adam", early_stopping=True).partial_fit(X, y)


@pytest.mark.filterwarnings("ignore::bprop.InputScaleWarning")  # huge inputs on purpose
def test_divergence_from_huge_inputs_names_the_inputs():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.5, 1.0, size=(40, 3)) * 1e308
    y = rng.normal(size=40)
    for solver in ("adam", "lbfgs"):
        with pytest.raises(FloatingPointError, match="inputs are too large") as e:
            BackpropRegressor((4,), "relu", solver=solver, random_state=0).fit(X, y)
        assert "learning rate" not in str(e.value)
    # large weights on ordinary inputs still point at the weights
    Xs = X / 1e308
    thetas = bprop.initialize([3, 4, 1], seed=0)
    thetas = [t * 1e160 for t in thetas]
    with pytest.raises(FloatingPointError, match="weights are too large"):
        bprop.cost(thetas, Xs, y, activation="relu", output="identity")


def test_scikit_learn_attribute_names():
    X, y = bprop.data.load_digits()
    clf = _quiet(BackpropClassifier((12,), max_iter=20, random_state=0), X, y)
    assert [c.shape for c in clf.coefs_] == [(64, 12), (12, 10)]
    assert [b.shape for b in clf.intercepts_] == [(12,), (10,)]
    np.testing.assert_array_equal(clf.coefs_[0], clf.thetas_[0][:, 1:].T)
    np.testing.assert_array_equal(clf.intercepts_[1], clf.thetas_[1][:, 0])
    with pytest.raises(ValueError):
        clf.coefs_[0][0, 0] = 1.0  # read-only views
    assert clf.loss_ == clf.loss_curve_[-1] and clf.best_loss_ == min(clf.loss_curve_)
    stopped = _quiet(
        BackpropClassifier((12,), solver="adam", early_stopping=True, max_iter=5, random_state=0),
        X,
        y,
    )
    assert stopped.best_loss_ is None


def test_verbose_prints_a_line_per_epoch_off_a_terminal(capsys):
    X, y = bprop.data.load_digits()
    _quiet(
        BackpropClassifier(
            (5,), solver="adam", max_iter=3, verbose=True, early_stopping=True, random_state=0
        ),
        X,
        y,
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("Iteration 1, loss = ")
    assert "validation score = " in lines[-1]


def test_n_iter_counts_the_last_fit_like_scikit_learn():
    X, y = bprop.data.load_digits()
    clf = BackpropClassifier((5,), solver="adam", max_iter=4, warm_start=True, random_state=0)
    _quiet(clf, X, y)
    _quiet(clf, X, y)
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 8  # the curve keeps both fits


# ---- switching from MLPClassifier/MLPRegressor (issue 21, point 5) --------------------


@pytest.mark.parametrize("Estimator", [BackpropClassifier, BackpropRegressor])
def test_float32_X_gives_float32_weights_and_predictions(Estimator):
    X, y = bprop.data.load_digits()
    X32 = X.astype(np.float32)
    est = _quiet(Estimator((5,), max_iter=20, random_state=0), X32, y)
    assert {t.dtype for t in est.thetas_} == {np.dtype(np.float32)}
    assert {c.dtype for c in est.coefs_ + est.intercepts_} == {np.dtype(np.float32)}
    out = est.predict_proba if Estimator is BackpropClassifier else est.predict
    assert out(X32).dtype == np.float32  # as MLPClassifier/MLPRegressor
    assert out(X).dtype == np.float64  # numpy's promotion of float64 X and float32 weights
    np.testing.assert_allclose(out(X), out(X32), rtol=1e-6, atol=1e-6)
    if Estimator is BackpropClassifier:
        assert est.predict_log_proba(X32).dtype == np.float32
        assert est.predict(X32).dtype == y.dtype  # labels stay labels
    # float64 X, or dtype given: the weights' dtype as before
    assert _quiet(Estimator((5,), max_iter=2, random_state=0), X, y).thetas_[0].dtype == np.float64
    wide = _quiet(Estimator((5,), max_iter=2, dtype=np.float64, random_state=0), X32, y)
    assert wide.thetas_[0].dtype == np.float64 and out.__func__(wide, X32).dtype == np.float64


def test_partial_fit_keeps_the_dtype_of_its_first_call():
    X, y = bprop.data.load_digits()
    clf = BackpropClassifier((5,), solver="adam", random_state=0)
    clf.partial_fit(X.astype(np.float32), y, classes=np.arange(10))
    clf.partial_fit(X, y)  # float64 X: the float32 network continues
    assert clf.thetas_[0].dtype == np.float32 and clf.n_iter_ == 2


@pytest.mark.filterwarnings("ignore::bprop.InputScaleWarning")  # huge inputs on purpose
def test_non_finite_weights_raise_a_value_error_that_says_so():
    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.standard_normal(size=10)
    for solver in ("adam", "lbfgs"):
        with pytest.raises(
            ValueError,
            match=r"^Solver produced non-finite parameter weights\. "
            r"The input data may contain large values and "
            r"need to be preprocessed\.",
        ) as e:
            BackpropRegressor(activation="relu", solver=solver, random_state=0).fit(X, y)
        assert isinstance(e.value, bprop.TrainingDiverged)  # bprop's own type and attributes
        assert isinstance(e.value, FloatingPointError)
        assert "inputs are too large" in str(e.value)
        assert all(np.isfinite(t).all() for t in e.value.thetas)
    # a learning rate far too large: the same error, and bprop's remedy
    X, y = bprop.data.load_digits()
    with pytest.raises(ValueError, match="non-finite parameter weights.*smaller learning rate"):
        BackpropRegressor((10,), solver="gd", learning_rate=1e300, max_iter=5, random_state=0).fit(
            X, y
        )


def sklearn_init(sizes, random_state):
    """MLPRegressor's initial weights for relu (Glorot uniform), as bprop thetas."""
    rng = check_random_state(random_state)
    thetas = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = np.sqrt(6.0 / (n_in + n_out))
        W = rng.uniform(-bound, bound, (n_in, n_out))
        b = rng.uniform(-bound, bound, n_out)
        thetas.append(np.c_[b, W.T])
    return thetas


@pytest.mark.parametrize(
    "solver, sk",
    [
        ("gd", dict(solver="sgd", momentum=0.0)),
        ("momentum", dict(solver="sgd", nesterovs_momentum=False)),
        ("nesterov", dict(solver="sgd")),
        ("adam", dict(solver="adam")),
    ],
)
def test_step_solvers_are_mlpregressors_update_rules(solver, sk):
    # From the same weights, on the full batch, the objective (squared loss / 2 + the
    # alpha/(2n) penalty), its gradient and each update rule are scikit-learn's: the
    # losses and the weights agree to rounding. (Mini-batches differ on purpose: bprop's
    # penalty is the whole data's, see docs/estimators.md.)
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = MLPRegressor(
            hidden_layer_sizes=(20,),
            learning_rate_init=0.001,
            alpha=1e-4,
            max_iter=10,
            batch_size=len(y),
            shuffle=False,
            n_iter_no_change=np.inf,
            random_state=0,
            **sk,
        ).fit(X, y)
    thetas, history = bprop.train(
        sklearn_init([4, 20, 1], 0),
        X,
        y,
        lambda_=1e-4,
        optimizer=solver,
        learning_rate=0.001,
        epochs=10,
        activation="relu",
        output="identity",
        verbose=False,
    )
    np.testing.assert_allclose(history.cost, theirs.loss_curve_, rtol=1e-10)
    for t, coef, intercept in zip(thetas, theirs.coefs_, theirs.intercepts_):
        np.testing.assert_allclose(t[:, 1:].T, coef, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(t[:, 0], intercept, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("solver", ["gd", "nesterov"])
def test_step_solvers_do_not_stop_where_mlpregressor_goes_on(solver):
    # scikit-learn's test_mlp_warm_start_no_convergence, sgd: the He-initialised relu
    # network on unscaled iris starts at 20x MLPRegressor's loss and climbs for a few
    # epochs before it falls; only non-finite weights end a fit, as there.
    X, y = load_iris(return_X_y=True)
    reg = BackpropRegressor(
        (100,),
        "relu",
        solver=solver,
        alpha=1e-4,
        learning_rate_init=0.001,
        warm_start=True,
        max_iter=10,
        n_iter_no_change=np.inf,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y)
    assert reg.n_iter_ == 10 and np.isfinite(reg.loss_curve_).all()
    reg.set_params(max_iter=20)
    with pytest.warns(ConvergenceWarning):
        reg.fit(X, y)
    assert reg.n_iter_ == 20 and reg.loss_curve_[-1] < reg.loss_curve_[0]


def test_early_stopping_splits_stratified_by_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = np.array(["a"] * 39 + ["b"])
    # a class of one sample cannot be on both sides: refused, as MLPClassifier refuses it
    with pytest.raises(
        ValueError,
        match=r"stratified by class.*least populated class.*"
        r"too few members are: \['b'\]",
    ):
        BackpropClassifier(
            solver="adam", early_stopping=True, validation_fraction=0.25, random_state=0
        ).fit(X, y)
    # each class's share is kept in the held-out part
    labels = np.repeat([0, 1, 2], [60, 30, 10])
    clf = BackpropClassifier(early_stopping=True, validation_fraction=0.2).fit(
        np.c_[labels, labels], labels
    )  # fit sets classes_
    _, val_rows = clf._validation_split(labels, np.random.RandomState(0))
    assert np.bincount(labels[val_rows]).tolist() == [12, 6, 2]
    # a multilabel y is not stratified (as scikit-learn), and trains
    X, Y = make_multilabel_classification(n_samples=50, random_state=0)
    assert BackpropClassifier(early_stopping=True).fit(X, Y).predict(X).shape == Y.shape


@pytest.mark.parametrize("output", ["logistic", "softmax"])
def test_partial_fit_whose_first_batch_holds_one_class(output):
    X, y = bprop.data.load_digits()
    X, y = X[:400], y[:400] % 2
    clf = BackpropClassifier(
        (10,),
        output=output,
        solver="adam",
        learning_rate=0.05,
        class_weight={0: 1.0, 1: 2.0},
        random_state=0,
    )
    clf.partial_fit(X[y == 0][:50], y[y == 0][:50], classes=[0, 1])
    assert clf.predict(X[:5]).tolist() == [0] * 5  # only 0 seen so far
    for _ in range(30):
        clf.partial_fit(X, y)
    assert clf.score(X, y) > 0.85 and clf.classes_.tolist() == [0, 1]


def test_scikit_learns_parameter_names():
    X, y = bprop.data.load_digits()
    X, y = X[:300], y[:300]
    ours = BackpropClassifier((8,), "sigmoid", lambda_=0.5, max_iter=15, random_state=0)
    theirs = BackpropClassifier((8,), "logistic", alpha=0.5, max_iter=15, random_state=0)
    for a, b in zip(_quiet(ours, X, y).thetas_, _quiet(theirs, X, y).thetas_):
        np.testing.assert_array_equal(a, b)
    # stored as given: get_params, clone and set_params see scikit-learn's names
    params = theirs.get_params()
    assert params["alpha"] == 0.5 and params["lambda_"] is None
    assert params["activation"] == "logistic"
    assert clone(theirs).get_params() == params
    step = dict(solver="nesterov", max_iter=5, random_state=0)
    a = _quiet(BackpropClassifier((8,), learning_rate=0.05, **step), X, y)
    b = _quiet(BackpropClassifier((8,), learning_rate_init=0.05, **step), X, y)
    c = _quiet(
        BackpropClassifier((8,), learning_rate="constant", learning_rate_init=0.05, **step), X, y
    )
    for s, t, u in zip(a.thetas_, b.thetas_, c.thetas_):
        np.testing.assert_array_equal(s, t)
        np.testing.assert_array_equal(s, u)
    assert a._optimizer.learning_rate == 0.05
    search = GridSearchCV(
        BackpropClassifier((8,), max_iter=15, random_state=0), {"alpha": [0.1, 1.0]}, cv=2
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert search.best_params_["alpha"] in (0.1, 1.0)
    assert BackpropRegressor(alpha=0.1).get_params()["alpha"] == 0.1


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(lambda_=1.0, alpha=1.0), r"lambda_=1\.0 and alpha=1\.0 are one parameter"),
        (
            dict(learning_rate=0.1, learning_rate_init=0.1),
            "learning_rate=0.1 and learning_rate_init",
        ),
        (dict(alpha=-1.0), "alpha must be finite and >= 0"),
        (dict(learning_rate="warmup"), "or one of scikit-learn's schedules 'constant', "),
        (dict(power_t=-0.5), "power_t must be finite and >= 0"),
        (dict(max_fun=0), "max_fun must be a positive int"),
        (dict(shuffle="no"), "shuffle must be True or False"),
        (dict(activation="logistics"), "activation 'logistics'"),
    ],
)
def test_both_names_or_bad_values_are_refused_at_fit(params, match):
    X, y = bprop.data.load_digits()
    est = BackpropClassifier(solver="adam", **params)  # __init__ stores, as scikit-learn's
    with pytest.raises(ValueError, match=match):
        est.fit(X[:50], y[:50])


# ---- a new user's trial: early stopping with lbfgs, warm starts, where warnings point ----


@pytest.mark.parametrize("Estimator", [BackpropClassifier, BackpropRegressor])
def test_lbfgs_ignores_early_stopping_as_scikit_learns_mlp(Estimator):
    """Trial: early_stopping=True with the default lbfgs held out 10% and stopped after 56
    iterations of 200; scikit-learn's MLP ignores it for lbfgs."""
    X, y = bprop.data.load_digits()
    X, y = X[:400], y[:400]
    settings = dict(hidden_layer_sizes=(10,), max_iter=30, random_state=0)
    plain = _quiet(Estimator(**settings), X, y)
    early = _quiet(Estimator(early_stopping=True, **settings), X, y)
    assert early.n_iter_ == plain.n_iter_ == 30  # all of max_iter, on all the data
    for a, b in zip(early.thetas_, plain.thetas_):
        np.testing.assert_array_equal(a, b)
    assert early.validation_scores_ is None and early.best_validation_score_ is None
    assert early.best_loss_ == min(early.loss_curve_)
    # the step solvers still hold out and stop
    adam = _quiet(
        Estimator(
            (10,),
            solver="adam",
            learning_rate=0.01,
            early_stopping=True,
            n_iter_no_change=2,
            max_iter=200,
            random_state=0,
        ),
        X,
        y,
    )
    assert len(adam.validation_scores_) == adam.n_iter_ < 200 and adam.best_loss_ is None


def test_a_warm_start_with_other_layer_sizes_is_refused():
    """Trial: a warm start after hidden_layer_sizes changed silently started afresh."""
    X, y = bprop.data.load_digits()
    X, y = X[:300], y[:300]
    clf = _quiet(BackpropClassifier((8,), max_iter=5, warm_start=True, random_state=0), X, y)
    before = [t.copy() for t in clf.thetas_]
    clf.set_params(hidden_layer_sizes=(12, 4))
    with pytest.raises(
        ValueError,
        match=r"^warm_start=True continues the fitted network, but "
        r"the layer sizes changed since the previous fit "
        r"\(64-8-10 then, 64-12-4-10 now: hidden_layer_sizes "
        r"\(8,\) -> \(12, 4\)\); fit a new estimator, or set "
        r"warm_start=False$",
    ):
        clf.fit(X, y)
    for a, b in zip(clf.thetas_, before):  # the fitted network is left as it was
        np.testing.assert_array_equal(a, b)
    clf.set_params(hidden_layer_sizes=(8,))
    with pytest.raises(ValueError, match=r"64-8-10 then, 32-8-10 now: features 64 -> 32"):
        clf.fit(X[:, :32], y)
    assert _quiet(clf, X, y).n_iter_ == 5  # the same sizes: continued
    assert _quiet(clf.set_params(warm_start=False, hidden_layer_sizes=(12,)), X, y).thetas_[
        0
    ].shape == (12, 65)  # no warm start: any sizes
    reg = BackpropRegressor((6,), solver="adam", random_state=0).partial_fit(X, y)
    reg.set_params(hidden_layer_sizes=(7,))
    with pytest.raises(
        ValueError,
        match=r"^partial_fit continues the fitted network, but the "
        r"layer sizes changed.*\(6,\) -> \(7,\)\); fit a new "
        r"estimator$",
    ):
        reg.partial_fit(X, y)


def _warnings_of(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return {(w.category.__name__, w.filename) for w in caught}


def test_warnings_point_at_the_users_call():
    """Trial: the estimators' InputScaleWarning pointed at estimators.py:240."""
    X, y = bprop.data.load_digits()
    big, y = X[:200] * 1000, y[:200]
    Y = np.eye(3, dtype=int)[y % 3]
    here = {("InputScaleWarning", __file__), ("ConvergenceWarning", __file__)}
    assert _warnings_of(lambda: BackpropClassifier((4,), max_iter=2).fit(big, y)) == here
    assert _warnings_of(lambda: BackpropClassifier((4,), max_iter=2).fit(big, Y)) == here
    assert _warnings_of(lambda: BackpropRegressor((4,), max_iter=2).fit(big, y * 1.0)) == here
    assert _warnings_of(
        lambda: BackpropClassifier((4,), solver="adam").partial_fit(big, y, classes=np.arange(10))
    ) == {("InputScaleWarning", __file__)}
    assert _warnings_of(
        lambda: bprop.train(
            bprop.initialize([64, 4, 10], seed=0), big, y, iterations=2, verbose=False
        )
    ) == {("InputScaleWarning", __file__)}
