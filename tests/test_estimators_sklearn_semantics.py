"""What a scikit-learn user swapping MLPClassifier/MLPRegressor for bprop's
estimators expects: multilabel y, ConvergenceWarning, L-BFGS's tol, the
stopping count, clear errors, scikit-learn's attribute names."""

import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

import bprop  # noqa: E402
from bprop.estimators import BackpropClassifier, BackpropRegressor  # noqa: E402


def _quiet(est, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def test_multilabel_indicator_targets():
    X, Y = make_multilabel_classification(n_samples=300, n_features=10, n_classes=5,
                                          random_state=0)
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
        BackpropClassifier((10,), solver="adam", max_iter=200, tol=10.0, n_iter_no_change=2,
                           random_state=0).fit(X, y)


def test_lbfgs_tol_is_the_gradient_tolerance():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(200, 1))
    y = np.sin(2 * X[:, 0])
    reg = BackpropRegressor((10,), "tanh", lambda_=0.0, tol=1e-3, max_iter=2000,
                            random_state=0).fit(X, y)
    # stopped where SciPy's gtol says, not by "no improvement > tol for 10 iterations"
    _, grads = bprop.cost_and_gradient(reg.thetas_, X, y, 0.0, activation="tanh",
                                       output="identity")
    assert max(float(np.abs(g).max()) for g in grads) <= 1e-3
    assert reg.n_iter_ > 11 and reg.score(X, y) > 0.99


@pytest.mark.parametrize("n", [2, 5])
def test_stopping_count_matches_scikit_learn(n):
    X, y = bprop.data.load_digits()
    X, y = X[:300], y[:300]
    ours = BackpropClassifier((10,), solver="adam", tol=1e9, n_iter_no_change=n, max_iter=50,
                              random_state=0).fit(X, y)
    theirs = MLPClassifier((10,), solver="adam", tol=1e9, n_iter_no_change=n, max_iter=50,
                           random_state=0).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_ == n + 2


def test_n_iter_no_change_inf_switches_the_rule_off():
    X, y = bprop.data.load_digits()
    with pytest.warns(ConvergenceWarning):
        clf = BackpropClassifier((5,), solver="adam", tol=1e9, n_iter_no_change=np.inf,
                                 max_iter=7, random_state=0).fit(X[:200], y[:200])
    assert clf.n_iter_ == 7


def test_small_validation_sets_and_partial_fit_with_early_stopping_are_refused():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.normal(size=10)  # 0.1 of 10: one sample
    with pytest.raises(ValueError, match="validation set is too small"):
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
    stopped = _quiet(BackpropClassifier((12,), solver="adam", early_stopping=True, max_iter=5,
                                        random_state=0), X, y)
    assert stopped.best_loss_ is None


def test_verbose_prints_a_line_per_epoch_off_a_terminal(capsys):
    X, y = bprop.data.load_digits()
    _quiet(BackpropClassifier((5,), solver="adam", max_iter=3, verbose=True, early_stopping=True,
                              random_state=0), X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("Iteration 1, loss = ")
    assert "validation score = " in lines[-1]


def test_n_iter_counts_the_last_fit_like_scikit_learn():
    X, y = bprop.data.load_digits()
    clf = BackpropClassifier((5,), solver="adam", max_iter=4, warm_start=True, random_state=0)
    _quiet(clf, X, y)
    _quiet(clf, X, y)
    assert clf.n_iter_ == 4 and len(clf.loss_curve_) == 8  # the curve keeps both fits
