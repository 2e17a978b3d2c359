"""The scikit-learn estimators: scikit-learn's own checks, pipelines, search,
pickling, labels of any kind, weights, early stopping, partial_fit."""

import pickle
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from scipy import sparse  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits, make_blobs  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import bprop  # noqa: E402
from bprop.estimators import BackpropClassifier, BackpropRegressor  # noqa: E402

STOCHASTIC = dict(solver="adam", learning_rate=0.01, batch_size=32, random_state=0)
ESTIMATORS = [
    BackpropClassifier(),
    BackpropRegressor(),
    BackpropClassifier(
        activation="relu",
        output="softmax",
        early_stopping=True,
        validation_fraction=0.2,
        **STOCHASTIC,
    ),
    BackpropRegressor(activation="tanh", dtype=np.float32, **STOCHASTIC),
    BackpropClassifier(dtype="float32", solver="momentum", class_weight="balanced"),
]

# Checks that cannot pass for some settings, and why. The default settings
# (L-BFGS, full batch) pass every check but the sample-weight equivalence, which
# test_weighted_and_repeated_fits_stop_on_one_objective checks to L-BFGS's own tolerance
# (see LBFGS_EQUIVALENCE). scikit-learn itself skips
# check_array_api_input unless SCIPY_ARRAY_API=1: bprop takes numpy arrays
# (anything np.asarray converts) and no other array API.
SHUFFLED = (
    "shuffled mini-batches see a repeated sample twice per epoch at random places, a "
    "weighted one once: the same objective, a different path"
)


def expected_failures(estimator):
    failures = {}
    equivalence = (
        "check_sample_weight_equivalence_on_dense_data",
        "check_sample_weight_equivalence_on_sparse_data",
    )
    if estimator._batch_size(10**6) is not None:  # mini-batches
        failures.update(dict.fromkeys(equivalence, SHUFFLED))
    if estimator.class_weight if isinstance(estimator, BackpropClassifier) else False:
        failures.update(
            dict.fromkeys(
                equivalence,
                ("class_weight='balanced' counts repeated samples, so repeating is not weighting"),
            )
        )
    if estimator.early_stopping:
        failures["check_class_weight_classifiers"] = (
            "early stopping scores the held-out samples of a small problem with weights "
            "1000:0.0001; every model scores ~1 there and the first one is kept"
        )
        # As scikit-learn's MLP with early_stopping=True: partial_fit refuses it.
        # (validation_fraction=0.2 holds out 2 of the 10 samples some checks fit, and
        # 4 of 20, one per class of the 3-class checks: the stratified split works.)
        for check in (
            "check_estimators_partial_fit_n_features",
            "check_n_features_in_after_fitting",
            "check_fit_score_takes_y",
        ):
            failures[check] = "early_stopping=True: partial_fit is refused, as with MLPClassifier"
    return failures


# L-BFGS stops where the largest gradient entry is at most tol (1e-4, as MLPClassifier).
# Weighted and repeated samples define one objective J, but the two runs round differently
# and stop at different points of that tolerance region: their predictions differ by
# ~1e-7 (regressor: 9e-8 on AVX-512, 2.2e-7 on AVX2) to ~5e-3 (classifier), and a
# tighter tol only lengthens the runs, so the points drift further apart in this flat J
# (1e-5 at tol=1e-6; ~1e-7 even at L-BFGS's float64 floor). Compared at scikit-learn's
# fixed rtol=1e-7 the check would pass or fail by which CPU rounds last.
LBFGS_EQUIVALENCE = (
    "compared at L-BFGS's own tolerance (tol) by "
    "test_weighted_and_repeated_fits_stop_on_one_objective; scikit-learn's "
    "fixed rtol=1e-7 is below where two L-BFGS runs stop"
)
EQUIVALENCE = (
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
)


# Some of scikit-learn's checks fit data around 100 (rng.normal(loc=100)): InputScaleWarning.
@pytest.mark.filterwarnings("ignore::bprop.InputScaleWarning")
@parametrize_with_checks(ESTIMATORS, expected_failed_checks=expected_failures)
def test_scikit_learn_checks(estimator, check):
    name = getattr(check, "func", check).__name__
    if name in EQUIVALENCE and estimator.solver == "lbfgs":
        pytest.skip(LBFGS_EQUIVALENCE)
    check(estimator)


@pytest.mark.parametrize("dense", [True, False])
@pytest.mark.parametrize("Estimator", [BackpropClassifier, BackpropRegressor])
def test_weighted_and_repeated_fits_stop_on_one_objective(Estimator, dense):
    # scikit-learn's check_sample_weight_equivalence data: integer weights (zeros too)
    rng = np.random.RandomState(42)
    X = rng.rand(15, 30)
    y = rng.randint(0, 3, size=15)
    sw = rng.randint(0, 5, size=15)
    X_rep, y_rep = X.repeat(sw, axis=0), y.repeat(sw)
    as_X = (lambda a: a) if dense else sparse.csr_matrix
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # both stop by the tolerance
        repeated = Estimator(random_state=0).fit(as_X(X_rep), y_rep)
        weighted = Estimator(random_state=0).fit(as_X(X), y, sample_weight=sw)
    tol = repeated.tol
    for fit in (repeated, weighted):
        # The same J (the repeated samples' mean cost + lambda_/(2W) penalty, W = sw.sum()):
        # each fit stopped where J's largest gradient entry is at most tol, whichever
        # kernel path rounded its sums; the two sums of J differ by rounding (~1e-15).
        _, grads = bprop.cost_and_gradient(
            fit.thetas_, X_rep, y_rep, 1.0, activation="sigmoid", output=fit._output
        )
        assert max(float(np.abs(g).max()) for g in grads) <= tol * (1 + 1e-6)
    # not trivially: both trained (a flat start would be no test of the weights)
    assert weighted.n_iter_ > 10 and repeated.n_iter_ > 10


def digits_split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16.0, y, test_size=0.25, random_state=0, stratify=y)


def test_matches_the_functional_api():
    # Same seed, same problem: the estimator's weights are bprop.train's weights.
    Xtr, Xte, ytr, yte = digits_split()
    clf = BackpropClassifier((25,), lambda_=1.0, max_iter=50, tol=0.0, random_state=3).fit(Xtr, ytr)
    rng = np.random.RandomState(3)
    thetas = bprop.initialize(
        [64, 25, 10], method="xavier", seed=int(rng.randint(np.iinfo(np.int32).max))
    )
    expected, _ = bprop.train(
        thetas, Xtr, ytr, lambda_=1.0, optimizer="lbfgs", iterations=50, verbose=False
    )
    for a, b in zip(clf.thetas_, expected):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(clf.predict(Xte), bprop.predict(expected, Xte))
    assert clf.n_iter_ == len(clf.loss_curve_) == 50
    assert clf.score(Xte, yte) > 0.95


def test_pipeline_grid_search_and_cross_validation():
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), BackpropClassifier(max_iter=60, random_state=0))
    search = GridSearchCV(
        pipe,
        {
            "backpropclassifier__lambda_": [0.1, 3.0],
            "backpropclassifier__hidden_layer_sizes": [(10,), (25,)],
        },
        cv=3,
    )
    search.fit(X, y)
    assert set(search.best_params_) == {
        "backpropclassifier__lambda_",
        "backpropclassifier__hidden_layer_sizes",
    }
    assert search.best_score_ > 0.9
    scores = cross_val_score(BackpropClassifier(max_iter=60, random_state=0), X / 16, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.85


def test_pickle_round_trip_gives_identical_predictions():
    Xtr, Xte, ytr, _ = digits_split()
    clf = BackpropClassifier(activation="relu", output="softmax", max_iter=30, random_state=0).fit(
        Xtr, ytr
    )
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(again.predict_proba(Xte), clf.predict_proba(Xte))
    reg = BackpropRegressor(max_iter=30, random_state=0).fit(Xtr, Xtr[:, :3])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(Xte), reg.predict(Xte))


@pytest.mark.parametrize("labels", [["cat", "dog", "emu"], [1, 2, 3], [-5, 0, 7]])
@pytest.mark.parametrize("output", ["logistic", "softmax"])
def test_any_label_values(labels, output):
    X, idx = make_blobs(n_samples=150, centers=3, cluster_std=0.6, random_state=0)
    y = np.array(labels)[idx]
    clf = BackpropClassifier((8,), output=output, random_state=0).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, np.sort(labels))
    assert clf.score(X, y) > 0.95
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


def test_binary_logistic_uses_one_output_unit():
    X, y = make_blobs(n_samples=100, centers=2, random_state=1)
    clf = BackpropClassifier((5,), random_state=0).fit(X, np.where(y, "yes", "no"))
    assert clf.thetas_[-1].shape[0] == 1
    p = bprop.forward(clf.thetas_, X)[:, 0]
    np.testing.assert_allclose(clf.predict_proba(X), np.c_[1 - p, p], rtol=1e-15)
    soft = BackpropClassifier((5,), output="softmax", random_state=0).fit(X, y)
    assert soft.thetas_[-1].shape[0] == 2


def test_class_weight_equals_sample_weight():
    X, y = make_blobs(n_samples=120, centers=3, random_state=2)
    weights = {0: 1.0, 1: 4.0, 2: 0.5}
    a = BackpropClassifier((6,), class_weight=weights, max_iter=40, random_state=0).fit(X, y)
    b = BackpropClassifier((6,), max_iter=40, random_state=0).fit(
        X, y, sample_weight=np.array([weights[k] for k in y])
    )
    for ta, tb in zip(a.thetas_, b.thetas_):
        np.testing.assert_array_equal(ta, tb)


def test_weights_act_like_repeated_samples():
    X, y = make_blobs(n_samples=60, centers=2, random_state=3)
    w = np.random.default_rng(0).integers(0, 3, 60)
    weighted = BackpropClassifier((4,), max_iter=30, random_state=0).fit(X, y, sample_weight=w)
    repeated = BackpropClassifier((4,), max_iter=30, random_state=0).fit(
        np.repeat(X, w, axis=0), np.repeat(y, w)
    )
    np.testing.assert_allclose(
        weighted.predict_proba(X), repeated.predict_proba(X), rtol=1e-7, atol=1e-9
    )


def test_early_stopping_keeps_the_best_validation_weights():
    Xtr, _, ytr, _ = digits_split()
    clf = BackpropClassifier(
        (30,),
        "relu",
        output="softmax",
        solver="adam",
        learning_rate=0.05,
        batch_size=64,
        max_iter=100,
        early_stopping=True,
        n_iter_no_change=4,
        random_state=0,
    ).fit(Xtr, ytr)
    scores = clf.validation_scores_
    assert clf.n_iter_ == len(scores) == len(clf.loss_curve_) < 100
    assert clf.best_validation_score_ == max(scores)
    assert max(scores) > 0.9
    assert max(scores[-4:]) <= max(scores[:-4]) + clf.tol  # 4 epochs without a gain: stopped


def test_tol_stops_on_a_flat_training_loss():
    Xtr, _, ytr, _ = digits_split()
    clf = BackpropClassifier(
        solver="gd", learning_rate=1e-9, batch_size=None, max_iter=200, tol=1e-3, n_iter_no_change=3
    ).fit(Xtr, ytr)
    # epoch 1 sets the best; scikit-learn stops once more than 3 epochs (2-5) did not improve
    assert clf.n_iter_ == 5


def test_partial_fit_continues_and_matches_epochs():
    Xtr, Xte, ytr, yte = digits_split()
    clf = BackpropClassifier(**STOCHASTIC)
    for _ in range(8):
        clf.partial_fit(Xtr, ytr, classes=np.arange(10))
    assert clf.n_iter_ == 8 and clf.score(Xte, yte) > 0.9
    assert np.all(np.diff(clf.loss_curve_[:4]) < 0)
    with pytest.raises(ValueError, match="first call to partial_fit needs classes"):
        BackpropClassifier(**STOCHASTIC).partial_fit(Xtr, ytr)
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(Xtr, ytr + 20)
    assert not hasattr(BackpropClassifier(), "partial_fit")  # lbfgs is full-batch


def test_warm_start_continues_from_the_weights():
    Xtr, _, ytr, _ = digits_split()
    clf = BackpropClassifier(max_iter=5, tol=0.0, warm_start=True, random_state=0).fit(Xtr, ytr)
    first = clf.loss_curve_[-1]
    clf.fit(Xtr, ytr)
    assert clf.loss_curve_[-1] < first and len(clf.loss_curve_) == 10


def test_feature_names_from_a_dataframe():
    pd = pytest.importorskip("pandas")
    X, y = make_blobs(n_samples=60, centers=2, random_state=0)
    df = pd.DataFrame(X, columns=["width", "height"])
    clf = BackpropClassifier((4,), random_state=0).fit(df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["width", "height"])
    assert clf.n_features_in_ == 2
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(df.rename(columns={"width": "w"}))


def test_regressor_on_a_curve_and_multioutput():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(300, 2))
    Y = np.c_[np.sin(X[:, 0]), X[:, 0] * X[:, 1]]
    reg = BackpropRegressor((30,), "tanh", lambda_=0.0, max_iter=400, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (300, 2) and reg.score(X, Y) > 0.98
    one = BackpropRegressor((30,), "tanh", lambda_=0.0, random_state=0).fit(X, Y[:, 0])
    assert one.predict(X).shape == (300,)


def test_faster_or_equal_to_mlpclassifier_accuracy_on_digits():
    # Same network and solver as MLPClassifier: accuracy in the same range.
    Xtr, Xte, ytr, yte = digits_split()
    ours = BackpropClassifier((25,), lambda_=1.0, random_state=0).fit(Xtr, ytr).score(Xte, yte)
    theirs = (
        MLPClassifier(
            (25,),
            activation="logistic",
            solver="lbfgs",
            alpha=1.0 / len(ytr),
            max_iter=200,
            random_state=0,
        )
        .fit(Xtr, ytr)
        .score(Xte, yte)
    )
    assert ours > 0.95 and ours >= theirs - 0.02


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(solver="sgd"), "solver must be one of gd, momentum, nesterov, adam, adamw, lbfgs"),
        (dict(hidden_layer_sizes=(0,)), "hidden_layer_sizes must be positive ints"),
        (dict(activation="swish"), "activation 'swish'"),
        (dict(output="identity"), "output must be 'logistic' or 'softmax'"),
        (dict(lambda_=-1.0), "lambda_ must be finite and >= 0"),
        (dict(batch_size=10), "solver='lbfgs' works on the full batch"),
        (dict(validation_fraction=1.5), r"validation_fraction must be in \(0, 1\)"),
        (dict(max_iter=0), "max_iter must be a positive int"),
    ],
)
def test_bad_parameters_are_named(params, match):
    X, y = make_blobs(n_samples=30, centers=2, random_state=0)
    with pytest.raises(ValueError, match=match):
        clone(BackpropClassifier()).set_params(**params).fit(X, y)


def test_a_last_batch_of_one_sample_is_not_regularised_harder():
    X, y = load_digits(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X / 16.0, y, test_size=0.2, random_state=0)
    scores, norms = [], []
    for bs in (None, len(ytr) - 1):  # the second leaves a last batch of one sample
        clf = BackpropClassifier(
            solver="adam",
            learning_rate=0.01,
            lambda_=1.0,
            max_iter=30,
            batch_size=bs,
            random_state=0,
        ).fit(Xtr, ytr)
        scores.append(clf.score(Xte, yte))
        norms.append(sum(float(np.sum(t[:, 1:] ** 2)) for t in clf.thetas_))
    assert scores[1] >= scores[0] - 0.05  # was 0.10: weights shrunk to a tenth
    assert norms[1] > 0.5 * norms[0]


def test_step_based_solvers_default_to_minibatches_of_200():
    Xtr, Xte, ytr, yte = digits_split()
    clf = BackpropClassifier(solver="adam", learning_rate=0.01, random_state=0).fit(Xtr, ytr)
    # full batch gave 200 steps and 0.24 here; min(200, n) batches give 7 steps an epoch
    assert clf.score(Xte, yte) > 0.9
    full = BackpropClassifier(
        solver="adam", learning_rate=0.01, batch_size=None, max_iter=5, random_state=0
    ).fit(Xtr, ytr)
    assert full._batch_size(len(ytr)) is None and clf._batch_size(len(ytr)) == 200
    with pytest.raises(ValueError, match="full batch: leave batch_size='auto'"):
        BackpropClassifier(solver="lbfgs", batch_size=32).fit(Xtr, ytr)


def test_predict_log_proba_is_the_log_of_predict_proba():
    Xtr, Xte, ytr, _ = digits_split()
    for output in ("logistic", "softmax"):
        clf = BackpropClassifier(output=output, max_iter=30, random_state=0).fit(Xtr, ytr)
        np.testing.assert_allclose(clf.predict_log_proba(Xte), np.log(clf.predict_proba(Xte)))
        assert clf.predict_log_proba(Xte).shape == (len(Xte), 10)


def test_warm_start_with_other_classes_is_refused():
    X, y = make_blobs(90, centers=3, random_state=0)
    clf = BackpropClassifier(warm_start=True, max_iter=20, random_state=0).fit(X, y)
    relabelled = np.where(y == 2, 3, y)  # [0, 1, 2] -> [0, 1, 3]: same count, other meaning
    # scikit-learn's words, so that code matching MLPClassifier's error keeps working
    same = r"warm_start can only be used where `y` has the same classes as in the previous call"
    with pytest.raises(
        ValueError,
        match=same + r" to fit\. Previously got \[0 1 2\], `y` has "
        r"\[0 1 3\]",
    ):
        clf.fit(X, relabelled)
    with pytest.raises(ValueError, match=same):
        clf.fit(X[y < 2], y[y < 2])  # fewer classes: a fresh network would replace it silently
    clf.fit(X, y)  # the same classes continue
    assert clf.classes_.tolist() == [0, 1, 2]


def test_the_estimators_give_train_an_optimizer_without_a_second_rate():
    """Issue 21: train refuses an optimizer instance together with learning_rate; the
    estimators build their optimiser from solver and learning_rate and pass it alone."""
    X, y = make_blobs(120, centers=3, random_state=0)
    clf = BackpropClassifier(
        solver="adam", learning_rate=0.05, hidden_layer_sizes=(4,), max_iter=3, random_state=0
    )
    with pytest.warns(sklearn.exceptions.ConvergenceWarning):
        clf.fit(X, y)
    clf.partial_fit(X, y)  # the kept optimiser, again without a rate beside it
    assert clf._optimizer.learning_rate == 0.05
    assert (
        BackpropClassifier(solver="gd", max_iter=2, hidden_layer_sizes=(3,))
        .partial_fit(X, y, classes=[0, 1, 2])
        ._optimizer.learning_rate
        == 1.0
    )
