"""scikit-learn estimators around the fast core: ``BackpropClassifier`` and
``BackpropRegressor``.

They need scikit-learn (``pip install "bprop[sklearn]"``) and behave like its
own estimators: ``fit``/``partial_fit``/``predict``/``score``, ``get_params``/
``set_params``, ``clone``, pickling, ``Pipeline``, ``GridSearchCV``.

The objective is the tutorial's, with sample weights w_i (1 when not given)
and W = sum_i w_i::

    J = (1/W) sum_i w_i cost_i + lambda_/(2W) sum_l ||Theta_l[:, 1:]||^2

so without weights it is exactly the tutorial's J, and weights act like
repeated samples (a weight of 2 is a sample seen twice). A mini-batch step
uses the batch's weighted mean with the same ``lambda_/(2W)`` penalty, so that
mini-batch and full-batch training minimise the same J.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state, compute_sample_weight
    from sklearn.utils.metaestimators import available_if
    from sklearn.utils.multiclass import check_classification_targets, type_of_target
    from sklearn.utils.validation import (
        _check_sample_weight,
        check_is_fitted,
        column_or_1d,
        validate_data,
    )
except ImportError as e:  # pragma: no cover - exercised only without scikit-learn
    from ._internal.install_hint import install_hint

    raise ImportError(f"bprop.estimators needs scikit-learn: {install_hint('sklearn')}") from e

from ._internal import checks
from ._internal.stacklevel import user_stacklevel
from .init import initialize
from .network import forward
from .optim import OPTIMIZER_NAMES, OPTIMIZERS, AdamW, Optimizer, get_optimizer
from .params import layer_sizes
from .schedules import invscaling_rate
from .training import NoImprovement, TrainingDiverged, train
from .training.settings import ESTIMATOR, resolve_settings

SOLVERS = OPTIMIZER_NAMES

# scikit-learn's MLP raises this (a ValueError) when its weights become non-finite; the
# estimators' TrainingDiverged (a ValueError too) starts with it, so code matching it works.
NON_FINITE = (
    "Solver produced non-finite parameter weights. The input data may contain large "
    "values and need to be preprocessed."
)
# scikit-learn's learning-rate schedules (its learning_rate), for its "sgd" solvers:
# gd, momentum and nesterov here. Adam and AdamW keep their rate, as its adam does.
SCHEDULES = ("constant", "invscaling", "adaptive")
SGD_SOLVERS = ("gd", "momentum", "nesterov")
# "adaptive" stops once the rate is this small and the loss still does not improve.
ADAPTIVE_MIN_RATE = 1e-6


class _BackpropBase(BaseEstimator):
    """Parameters, validation and the training loop shared by both estimators."""

    _output: str  # the output layer of this fit: set by the subclass
    thetas_: list[np.ndarray]  # fitted weights (set by fit)

    def __init__(
        self,
        hidden_layer_sizes: Any = (25,),
        activation: Any = "sigmoid",
        *,
        lambda_: float | None = None,
        alpha: float | None = None,
        solver: str = "lbfgs",
        learning_rate: float | str | None = None,
        learning_rate_init: float | None = None,
        power_t: float = 0.5,
        batch_size: int | str | None = "auto",
        shuffle: bool = True,
        max_iter: int = 200,
        max_fun: int = 15000,
        weight_decay: float | None = None,
        clip_norm: float | None = None,
        tol: float = 1e-4,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        random_state: Any = None,
        num_threads: int | None = None,
        dtype: Any = None,
        verbose: bool = False,
        warm_start: bool = False,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.lambda_ = lambda_
        self.alpha = alpha
        self.solver = solver
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.max_iter = max_iter
        self.max_fun = max_fun
        self.weight_decay = weight_decay
        self.clip_norm = clip_norm
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.num_threads = num_threads
        self.dtype = dtype
        self.verbose = verbose
        self.warm_start = warm_start

    # ---- parameters -------------------------------------------------------

    def _hidden_sizes(self) -> list[int]:
        h = self.hidden_layer_sizes
        sizes = [h] if isinstance(h, numbers.Integral) else list(h)
        if not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) and int(s) >= 1
            for s in sizes
        ):
            raise ValueError(f"hidden_layer_sizes must be positive ints, got {checks.shown(h)}")
        return [int(s) for s in sizes]

    # scikit-learn's names for bprop's parameters: both are real parameters (stored as
    # given, so get_params/set_params/clone see what the user set), resolved here, once.

    def _lambda(self) -> float:
        """The L2 strength: ``lambda_`` or scikit-learn's ``alpha`` (the same
        ``/(2W)`` scale), 1.0 when neither is set."""
        value = _one_of(self, "lambda_", "alpha")
        if value is None:
            return 1.0
        try:
            return checks.check_lambda(value)
        except (TypeError, ValueError) as e:  # name the parameter the user set
            if self.alpha is None:
                raise
            raise type(e)(str(e).replace("lambda_", "alpha")) from None

    def _learning_rate(self) -> float | None:
        """The step size: ``learning_rate`` or scikit-learn's ``learning_rate_init``;
        None for the solver's default. A string ``learning_rate`` is scikit-learn's
        schedule (:meth:`_schedule`), which sets no step size."""
        if isinstance(self.learning_rate, str):
            if self.learning_rate not in SCHEDULES:
                raise ValueError(
                    f"learning_rate must be the step size, a number (scikit-learn's "
                    f"learning_rate_init), or one of scikit-learn's schedules "
                    f"{', '.join(map(repr, SCHEDULES))}; got {checks.shown(self.learning_rate)}"
                )
            value = self.learning_rate_init
        else:
            value = _one_of(self, "learning_rate", "learning_rate_init")
        named = "learning_rate_init" if value is self.learning_rate_init else "learning_rate"
        return None if value is None else checks.check_positive_real(value, named)

    def _schedule(self) -> str:
        """scikit-learn's schedule in force: ``learning_rate`` when it names one and the
        solver is of its "sgd" family (gd, momentum, nesterov), else "constant" (as
        scikit-learn's adam and lbfgs ignore it)."""
        if isinstance(self.learning_rate, str) and self.solver in SGD_SOLVERS:
            return self.learning_rate
        return "constant"

    def _rate_init(self) -> float:
        """The step size each fit starts from (scikit-learn's ``learning_rate_init``)."""
        rate = self._learning_rate()
        return OPTIMIZERS[self.solver].default_learning_rate if rate is None else rate

    def _activation(self) -> Any:
        """The hidden activation in bprop's names: scikit-learn's "logistic" is "sigmoid"."""
        a = self.activation
        if isinstance(a, str):
            return _SKLEARN_ACTIVATIONS.get(a, a)
        return [_SKLEARN_ACTIVATIONS.get(n, n) if isinstance(n, str) else n for n in a]

    def _check_params(self) -> None:
        if self.solver == "sgd":  # scikit-learn's name: its momentum options pick ours
            raise ValueError(
                f"solver must be one of {', '.join(SOLVERS)}, got 'sgd', scikit-learn's "
                "name; bprop names its variants: "
                "solver='nesterov' is scikit-learn's default sgd (momentum=0.9, "
                "nesterovs_momentum=True), 'momentum' its nesterovs_momentum=False and "
                "'gd' its momentum=0 (learning_rate='invscaling' or 'adaptive' works "
                "with each)"
            )
        if self.solver not in SOLVERS:
            raise ValueError(
                f"solver must be one of {', '.join(SOLVERS)}, got {checks.shown(self.solver)}"
            )
        checks.check_activations(self._activation(), len(self._hidden_sizes()))
        self._lambda()
        self._learning_rate()
        checks.check_nonnegative_real(self.power_t, "power_t")
        if not isinstance(self.shuffle, (bool, np.bool_)):
            raise ValueError(f"shuffle must be True or False, got {checks.shown(self.shuffle)}")
        checks.check_positive_int(self.max_iter, "max_iter")
        checks.check_positive_int(self.max_fun, "max_fun")
        if self.weight_decay is not None:
            checks.check_nonnegative_real(self.weight_decay, "weight_decay")
        if self.clip_norm is not None:
            checks.check_positive_real(self.clip_norm, "clip_norm")
        if not (
            isinstance(self.n_iter_no_change, numbers.Real) and self.n_iter_no_change == np.inf
        ):  # np.inf: the rule off, as scikit-learn
            checks.check_positive_int(self.n_iter_no_change, "n_iter_no_change")
        if not (
            self.batch_size is None
            or isinstance(self.batch_size, str)
            and self.batch_size == "auto"
        ):
            try:
                checks.check_positive_int(self.batch_size, "batch_size")
            except ValueError:
                raise ValueError(
                    f"batch_size must be 'auto', None (full batch) or a positive "
                    f"int, got {checks.shown(self.batch_size)}"
                ) from None
        resolve_settings(  # the rules between options, as train applies them
            optimizer=self.solver,
            batch_size=None if self.batch_size in (None, "auto") else int(self.batch_size),
            spelling=ESTIMATOR,
        )
        if not isinstance(self.tol, numbers.Real) or not self.tol >= 0:
            raise ValueError(f"tol must be a number >= 0, got {checks.shown(self.tol)}")
        if (
            not isinstance(self.validation_fraction, numbers.Real)
            or not 0 < self.validation_fraction < 1
        ):
            raise ValueError(
                f"validation_fraction must be in (0, 1), "
                f"got {checks.shown(self.validation_fraction)}"
            )
        if self.dtype is not None:
            checks.check_dtype(self.dtype)

    @staticmethod
    def _input_dtypes(network: np.dtype) -> list[Any]:
        """X dtypes used as they come (the core converts a block at a time, with
        ``x_scale=1``: values as they are, as scikit-learn treats them); any
        other dtype is converted to the network's."""
        return [network, np.uint8] + ([np.float32] if network == np.float64 else [])

    # ---- training ---------------------------------------------------------

    def _fit(
        self,
        X: np.ndarray,
        targets: np.ndarray,
        sample_weight: np.ndarray | None,
        n_outputs: int,
        dtype: np.dtype,
        *,
        incremental: bool,
    ) -> None:
        """Train weights of ``dtype`` on validated X and targets (labels 0..K-1 or
        real values): ``max_iter`` epochs, or one epoch from the current weights
        (partial_fit)."""
        rng = check_random_state(self.random_state)
        sizes = [X.shape[1], *self._hidden_sizes(), n_outputs]
        thetas = self._start_weights(sizes, dtype, rng, incremental)
        validation = None
        if self._holds_out() and not incremental:
            X, targets, sample_weight, validation = self._hold_out(X, targets, sample_weight, rng)
        # partial_fit carries scikit-learn's no-improvement count on ("adaptive" reads it)
        carried = getattr(self, "_no_improvement", None) if incremental else None
        tracker = _Tracker(self, validation, X.shape[0], carried)
        self._no_improvement = tracker.rule
        kwargs = self._train_keywords(X, sample_weight, incremental, tracker, rng)
        try:
            trained, history = train(thetas, X, targets, **kwargs)
        except TrainingDiverged as e:
            raise TrainingDiverged(f"{NON_FINITE} bprop: {e}", e.thetas, e.history) from None
        self.thetas_ = tracker.best_thetas if tracker.best_thetas is not None else trained
        self.n_layers_ = len(sizes)
        self.n_outputs_ = n_outputs
        if not incremental and history.stopped in ("completed", "stalled", "max_fun"):
            warnings.warn(
                _not_converged(self.solver, int(self.max_iter), history.stopped, int(self.max_fun)),
                ConvergenceWarning,
                stacklevel=user_stacklevel(),
            )

    def _start_weights(
        self, sizes: list[int], dtype: np.dtype, rng: np.random.RandomState, incremental: bool
    ) -> list[np.ndarray]:
        """The fitted weights (partial_fit, warm_start), or new ones with the fitted
        state reset."""
        keep = (incremental or self.warm_start) and hasattr(self, "thetas_")
        if keep:
            self._check_same_sizes(layer_sizes(self.thetas_), sizes, incremental)
            thetas = [t.astype(dtype) for t in self.thetas_]
        else:
            thetas = initialize(
                sizes,
                method="auto",
                activation=self._activation(),
                seed=int(rng.randint(np.iinfo(np.int32).max)),
                dtype=dtype,
            )
            self._optimizer: Optimizer | None = None
            self.loss_curve_: list[float] = []
            self.validation_scores_: list[float] | None = None
            self.best_validation_score_: float | None = None
            self.n_iter_ = 0
            self.t_ = 0
        if not incremental:  # as scikit-learn: the epochs of this fit, also warm-started
            self.n_iter_ = 0
        return thetas

    def _hold_out(
        self,
        X: np.ndarray,
        targets: np.ndarray,
        sample_weight: np.ndarray | None,
        rng: np.random.RandomState,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, tuple]:
        """Early stopping's validation set held out of X, targets and weights."""
        bad = checks.first_non_finite(X) if X.dtype.kind == "f" else None
        if bad is not None:  # before any split: its place in the caller's X
            checks.raise_non_finite_X(X, X, bad[0])
        train_rows, val_rows = self._validation_split(targets, rng)
        w_val = None if sample_weight is None else sample_weight[val_rows]
        if w_val is not None and not w_val.sum() > 0:
            w_val = None  # every held-out weight is 0: score them equally
        validation = (X[val_rows], targets[val_rows], w_val)
        self.validation_scores_ = []
        w_train = None if sample_weight is None else sample_weight[train_rows]
        return X[train_rows], targets[train_rows], w_train, validation

    def _train_keywords(
        self,
        X: np.ndarray,
        sample_weight: np.ndarray | None,
        incremental: bool,
        tracker: _Tracker,
        rng: np.random.RandomState,
    ) -> dict[str, Any]:
        """bprop.train's keywords for this fit: the solver, ``max_iter`` epochs (one for
        partial_fit), and the penalty on train's scale."""
        w = _as_core_weights(sample_weight)
        W = float(sample_weight.sum()) if sample_weight is not None else float(X.shape[0])
        if sample_weight is not None and w is None and not W > 0:
            raise ValueError("sample weights are all zero: at least one must be positive")
        if self.solver == "lbfgs":
            optimizer: str | Optimizer = "lbfgs"
        else:
            # As scikit-learn's MLP: every fit (warm start too) builds its optimiser from
            # the parameters as they are now; partial_fit carries it on, unless the solver
            # changed.
            if self._optimizer is None or not incremental or self._optimizer.name != self.solver:
                self._optimizer = get_optimizer(self.solver, self._learning_rate())
                if self.solver == "adamw" and self.weight_decay is not None:
                    self._optimizer = AdamW(self._rate_init(), float(self.weight_decay))
            optimizer = self._optimizer
        epochs = 1 if incremental else int(self.max_iter)
        kwargs: dict[str, Any] = dict(
            # train's penalty is lambda/(2m) over the m training rows; ours is lambda_/(2W)
            lambda_=self._lambda() * X.shape[0] / W,
            optimizer=optimizer,
            batch_size=self._batch_size(X.shape[0]),
            seed=int(rng.randint(np.iinfo(np.int32).max)),
            callbacks=[tracker],
            verbose=False,
            num_threads=self.num_threads,
            sample_weight=w,
            activation=self._activation(),
            output=self._output,
            x_scale=1.0,
        )
        if self.solver == "lbfgs":
            kwargs.update(iterations=epochs, tol=float(self.tol), max_fun=int(self.max_fun))
        else:
            # as scikit-learn's MLP: a climbing loss is the user's to read in loss_curve_;
            # only non-finite numbers end training
            kwargs.update(
                epochs=epochs,
                max_cost_growth=None,
                shuffle=bool(self.shuffle),
                clip_norm=None if self.clip_norm is None else float(self.clip_norm),
            )
        return kwargs

    @staticmethod
    def _check_same_sizes(before: list[int], now: list[int], incremental: bool) -> None:
        """A warm start or partial_fit continues the fitted network: refuse one of
        other layer sizes, which would otherwise start from fresh weights."""
        if before == now:
            return
        changed = []
        if before[1:-1] != now[1:-1]:
            changed.append(f"hidden_layer_sizes {tuple(before[1:-1])} -> {tuple(now[1:-1])}")
        if before[0] != now[0]:
            changed.append(f"features {before[0]} -> {now[0]}")
        if before[-1] != now[-1]:
            changed.append(f"output units {before[-1]} -> {now[-1]}")
        how = "partial_fit" if incremental else "warm_start=True"
        raise ValueError(
            f"{how} continues the fitted network, but the layer sizes changed since "
            f"the previous fit ({'-'.join(map(str, before))} then, "
            f"{'-'.join(map(str, now))} now: {', '.join(changed)}); fit a new "
            f"estimator{'' if incremental else ', or set warm_start=False'}"
        )

    def _holds_out(self) -> bool:
        """Whether fit holds out a validation set: ``early_stopping`` with a
        step-based solver. lbfgs ignores it, as scikit-learn's MLP does ("Only
        effective when solver='sgd' or 'adam'")."""
        return bool(self.early_stopping) and self.solver != "lbfgs"

    def _batch_size(self, m: int) -> int | None:
        """ "auto": scikit-learn's MLP rule, min(200, m) for the step-based
        solvers; lbfgs and None: the full batch."""
        if self.solver == "lbfgs" or self.batch_size is None:
            return None
        if isinstance(self.batch_size, str):
            return min(200, m)
        return int(self.batch_size)

    def _validation_split(
        self, targets: np.ndarray, rng: np.random.RandomState
    ) -> tuple[np.ndarray, np.ndarray]:
        """Training and held-out rows for early stopping, as scikit-learn's MLP
        splits: ``ceil(validation_fraction * m)`` held out, stratified by class
        for labels (not for a multilabel y or regression)."""
        m = targets.shape[0]
        n_val = int(np.ceil(self.validation_fraction * m))
        # the classifier's labels in the user's terms (an error names them so)
        stratify = (
            self.classes_[targets] if self._output != "identity" and targets.ndim == 1 else None
        )
        try:
            split = train_test_split(
                np.arange(m), test_size=n_val, random_state=rng, stratify=stratify
            )
        except ValueError as e:
            if stratify is None:
                raise
            raise ValueError(
                f"early_stopping=True holds out a validation set stratified by "
                f"class, as MLPClassifier does, and y cannot be split so: "
                f"{e}"
            ) from None
        train_rows, val_rows = np.sort(split[0]), np.sort(split[1])
        if val_rows.size < 2 or train_rows.size == 0:
            raise ValueError(
                f"The validation set is too small: early_stopping with "
                f"validation_fraction={self.validation_fraction} holds out "
                f"{val_rows.size} of {m} samples and its score needs at least 2. "
                f"Increase 'validation_fraction' or the size of your dataset."
            )
        return train_rows, val_rows

    def _outputs(self, X: Any) -> np.ndarray:
        """The network's outputs for X: float32 when the weights and X are both
        float32, else float64 (numpy's promotion of X and the weights, as in
        scikit-learn's MLP)."""
        check_is_fitted(self, "thetas_")
        float32 = _is_float32(X)
        X = validate_data(
            self,
            X,
            reset=False,
            accept_sparse="csr",
            dtype=self._input_dtypes(self.thetas_[0].dtype),
        )
        h = forward(
            self.thetas_,
            X,
            num_threads=self.num_threads,
            activation=self._activation(),
            output=self._output,
            x_scale=1.0,
        )
        return h if float32 else h.astype(np.float64, copy=False)

    def _validate_fit_data(
        self, X: Any, y: Any, reset: bool, **kw: Any
    ) -> tuple[Any, Any, np.dtype]:
        """Validated X and y, and the weights' dtype for this fit: ``dtype`` when
        given; the fitted network's while partial_fit continues it; else X's
        when X is float32 and float64 otherwise (as scikit-learn's MLP)."""
        self._check_params()
        fixed = (
            np.dtype(checks.check_dtype(self.dtype))
            if self.dtype is not None
            else self.thetas_[0].dtype
            if not reset and hasattr(self, "thetas_")
            else None
        )
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            accept_sparse="csr",
            dtype=self._input_dtypes(np.dtype(np.float64) if fixed is None else fixed),
            **kw,
        )
        if fixed is not None:
            return X, y, fixed
        return X, y, np.dtype(np.float32 if X.dtype == np.float32 else np.float64)

    def _validation_score(
        self, thetas: list[np.ndarray], Xv: np.ndarray, yv: np.ndarray, wv: np.ndarray | None
    ) -> float:
        """The held-out part's score (accuracy or R^2), weighted by its sample weights."""
        h = forward(
            thetas,
            Xv,
            num_threads=self.num_threads,
            activation=self._activation(),
            output=self._output,
            x_scale=1.0,
        )
        return self._score_outputs(h, yv, wv)

    def _score_outputs(self, h: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
        raise NotImplementedError  # accuracy or R^2: in each estimator

    def _sample_weights(
        self, X: np.ndarray, sample_weight: Any, factor: Any = None
    ) -> np.ndarray | None:
        """Validated weights (times ``factor``, e.g. class weights), or None for none."""
        if sample_weight is None and factor is None:
            return None
        sw = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if factor is not None:
            sw = sw * factor
        if not sw.sum() > 0:
            raise ValueError("sample weights are all zero: at least one must be positive")
        return sw

    def _check_partial_fit(self) -> None:
        if self.early_stopping:
            raise ValueError(
                "partial_fit does not support early_stopping=True (there is no "
                "held-out set across calls); set early_stopping=False"
            )

    # ---- scikit-learn's names for the fitted state --------------------------

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Per layer, the weights as scikit-learn's MLP holds them, (n_in, n_out):
        read-only views of ``thetas_[l][:, 1:].T``."""
        check_is_fitted(self, "thetas_")
        return [_read_only(t[:, 1:].T) for t in self.thetas_]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Per layer, the biases (n_out,): read-only views of ``thetas_[l][:, 0]``."""
        check_is_fitted(self, "thetas_")
        return [_read_only(t[:, 0]) for t in self.thetas_]

    @property
    def out_activation_(self) -> str:
        """scikit-learn's name of the output activation: "logistic", "softmax" or "identity"."""
        check_is_fitted(self, "thetas_")
        return self._output

    @property
    def loss_(self) -> float:
        """The training cost J after the last epoch (or L-BFGS iteration)."""
        check_is_fitted(self, "thetas_")
        return self.loss_curve_[-1] if self.loss_curve_ else float("nan")

    @property
    def best_loss_(self) -> float | None:
        """The lowest training cost J of the fit; None with early stopping (as
        scikit-learn: the validation score decides there; lbfgs, which ignores
        early stopping, has one)."""
        check_is_fitted(self, "thetas_")
        if self._holds_out() or not self.loss_curve_:
            return None
        return min(self.loss_curve_)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # CSR read by the core without densifying
        return tags

    def __sklearn_is_fitted__(self) -> bool:
        # `lambda_` ends in "_" like a fitted attribute: say what fitted means
        return hasattr(self, "thetas_")

    def _stochastic(self) -> bool:
        if self.solver == "lbfgs":
            raise AttributeError(
                "partial_fit needs a stochastic solver (gd, momentum, nesterov, adam, "
                "adamw); solver='lbfgs' works on the full data set"
            )
        return True


class _Tracker:
    """Per-epoch callback: the loss curve, validation scores, and scikit-learn's
    stopping rule (no improvement > tol for n_iter_no_change epochs), with its
    schedules' hooks (its optimiser's ``iteration_ends`` and ``trigger_stopping``):
    "invscaling" sets the next epoch's rate from the samples seen, "adaptive" divides
    the rate by 5 where the rule would stop. With early stopping it keeps the weights
    of the best validation score."""

    def __init__(
        self,
        est: _BackpropBase,
        validation: tuple[np.ndarray, np.ndarray, np.ndarray | None] | None,
        samples: int,
        rule: NoImprovement | None = None,
    ) -> None:
        self.est = est
        self.validation = validation
        self.samples = samples  # training rows per epoch: scikit-learn's t_ counts them
        # scikit-learn stops once more than n_iter_no_change epochs failed to improve;
        # L-BFGS stops by its gradient tolerance (tol), not by this rule.
        off = est.n_iter_no_change == np.inf or (est.solver == "lbfgs" and validation is None)
        self.rule = NoImprovement(
            np.inf if off else int(est.n_iter_no_change) + 1,
            float(est.tol),
            higher_is_better=validation is not None,
            keep_best=validation is not None,
        )
        # the carried count goes on if it was kept by the same rule (not, say, by an
        # early-stopping fit's rule on validation scores)
        same = ("patience", "tol", "sign", "keep_best")
        if rule is not None and all(getattr(rule, a) == getattr(self.rule, a) for a in same):
            self.rule = rule

    @property
    def best_thetas(self) -> list[np.ndarray] | None:
        return self.rule.best_thetas

    def __call__(self, info: dict) -> bool:
        est = self.est
        est.n_iter_ += 1
        est.loss_curve_.append(float(info["cost"]))
        if est.solver != "lbfgs":
            est.t_ = getattr(est, "t_", 0) + self.samples
        if self.validation is None:
            self._report(None)
            stop = self.rule.update(est.loss_curve_[-1], info["thetas"])
        else:
            score = est._validation_score(info["thetas"], *self.validation)
            assert est.validation_scores_ is not None
            est.validation_scores_.append(score)
            self._report(score)
            stop = self.rule.update(score, info["thetas"])
            if self.rule.is_best:
                est.best_validation_score_ = score
        return self._schedule_step(stop)

    def _schedule_step(self, stop: bool) -> bool:
        """The schedule's end of an epoch (scikit-learn's ``iteration_ends`` and
        ``trigger_stopping``); whether training stops."""
        est, opt = self.est, self.est._optimizer
        schedule = est._schedule()
        if opt is None or schedule == "constant":
            return stop
        if schedule == "invscaling":
            opt.learning_rate = invscaling_rate(est._rate_init(), float(est.power_t), est.t_)
            return stop
        if not stop or opt.learning_rate <= ADAPTIVE_MIN_RATE:  # "adaptive"
            return stop
        opt.learning_rate /= 5.0
        self.rule.since_best = 0  # counting starts again at the new rate
        if est.verbose:
            print(f"Setting learning rate to {opt.learning_rate:f}", flush=True)
        return False

    def _report(self, score: float | None) -> None:
        """With ``verbose``, a line per epoch on stdout, as scikit-learn's MLP prints
        (in logs and captured output too, not only on a terminal)."""
        if not self.est.verbose:
            return
        line = f"Iteration {self.est.n_iter_}, loss = {self.est.loss_curve_[-1]:.8f}"
        print(line if score is None else f"{line}, validation score = {score:.6f}", flush=True)


def _read_only(view: np.ndarray) -> np.ndarray:
    view.flags.writeable = False
    return view


def _not_converged(
    solver: str, max_iter: int, stopped: str = "completed", max_fun: int = 15000
) -> str:
    if stopped == "max_fun":
        return (
            f"lbfgs stopped after max_fun={max_fun} cost evaluations before its gradient "
            f"tolerance (tol) was met; increase max_fun (or max_iter) or scale the data"
        )
    if stopped == "stalled":
        return (
            "lbfgs stopped before its gradient tolerance (tol) was met: its line search "
            "could not lower the cost further (scale the data, or raise tol)"
        )
    if solver == "lbfgs":
        return (
            f"lbfgs stopped after max_iter={max_iter} iterations before its gradient "
            f"tolerance (tol) was met; increase max_iter or scale the data"
        )
    return (
        f"the {solver} solver ran max_iter={max_iter} epochs and the stopping rule (no "
        f"improvement > tol for n_iter_no_change epochs) was not met: the optimisation "
        f"has not converged yet"
    )


def _as_core_weights(sample_weight: np.ndarray | None) -> np.ndarray | None:
    """Equal weights change nothing but the penalty's W: the core's unweighted path."""
    if sample_weight is None or np.all(sample_weight == sample_weight[0]):
        return None
    return sample_weight


_SKLEARN_ACTIVATIONS = {"logistic": "sigmoid"}


def _is_float32(X: Any) -> bool:
    """Whether X as given holds float32 (an array, a sparse matrix, or a DataFrame
    whose columns all are)."""
    dtypes = getattr(X, "dtypes", None)  # a DataFrame
    if dtypes is not None and not isinstance(dtypes, np.dtype):
        return {str(d) for d in dtypes} == {"float32"}
    return getattr(X, "dtype", None) == np.float32


def _one_of(est: _BackpropBase, ours: str, theirs: str) -> Any:
    """The value of a parameter that has bprop's name and scikit-learn's: whichever
    is set (None: neither); both set is refused, whatever their values."""
    a, b = getattr(est, ours), getattr(est, theirs)
    if a is not None and b is not None:
        raise ValueError(
            f"{ours}={checks.shown(a)} and {theirs}={checks.shown(b)} are one parameter "
            f"({theirs} is scikit-learn's name for {ours}): set one of them"
        )
    return a if b is None else b


class BackpropClassifier(ClassifierMixin, _BackpropBase):
    """A fully-connected network classifier trained by backpropagation.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default (25,)
        Units of each hidden layer (the tutorial's digits network is (25,)).
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"} or list of them, default "sigmoid"
        Hidden activation, one name or one per hidden layer; scikit-learn's
        "logistic" is accepted for "sigmoid".
    output : {"logistic", "softmax"}, default "logistic"
        The tutorial's sigmoid outputs with the logistic cost (K one-vs-all
        units; one unit for two classes), or softmax with cross-entropy.
        With "logistic" the K units are independent, and ``predict_proba``
        normalises them to sum to 1: a ranking, not a calibrated
        probability. Choose "softmax" when the probabilities matter.
    lambda_ : float, optional
        The tutorial's L2 strength: ``lambda_/(2W)`` times the squared
        non-bias weights, W the number of samples (or the weight sum). Not
        set (None): 1.0.
    alpha : float, optional
        scikit-learn's name for ``lambda_``, on the same scale (MLPClassifier's
        penalty is ``alpha/(2 n_samples)`` times the squared weights). Set
        ``lambda_`` or ``alpha``, not both.
    solver : {"lbfgs", "gd", "momentum", "nesterov", "adam", "adamw"}, default "lbfgs"
        scikit-learn's ``solver="sgd"`` is "gd" (``momentum=0``), "momentum"
        (``nesterovs_momentum=False``) or "nesterov" (its default), all with
        momentum 0.9 and the same update rules. "adamw" is Adam with decoupled
        weight decay 0.01 (:class:`bprop.optim.AdamW`).
    learning_rate : float or {"constant", "invscaling", "adaptive"}, optional
        A number: the step size of the step-based solvers (default per solver:
        gd 1.0, momentum/nesterov 0.5, adam/adamw 0.001). A name:
        scikit-learn's schedule, with the step size from ``learning_rate_init``,
        for gd, momentum and nesterov (scikit-learn's "sgd"; adam, adamw and
        lbfgs ignore it, as scikit-learn's adam and lbfgs do). "constant": the
        same rate throughout; "invscaling": after each epoch the rate becomes
        ``learning_rate_init / (t_ + 1) ** power_t``, ``t_`` the samples seen;
        "adaptive": where the stopping rule (``tol``, ``n_iter_no_change``)
        would stop, the rate is divided by 5 instead, and training stops only
        once the rate is at most 1e-6.
    learning_rate_init : float, optional
        scikit-learn's name for the step size. Set ``learning_rate`` (a number)
        or ``learning_rate_init``, not both.
    power_t : float, default 0.5
        The exponent of "invscaling" (>= 0).
    batch_size : int, "auto" or None, default "auto"
        Mini-batch size of the step-based solvers; "auto" is scikit-learn's
        ``min(200, n_samples)``, None the full batch. lbfgs always uses the
        full batch.
    shuffle : bool, default True
        Draw the mini-batches in a new random order each epoch (seeded by
        ``random_state``); False: in the samples' order. lbfgs ignores it.
    max_iter : int, default 200
        Epochs (lbfgs: iterations).
    max_fun : int, default 15000
        lbfgs only: stop once the cost has been evaluated more than
        ``max_fun`` times (SciPy's ``maxfun``), with a ``ConvergenceWarning``.
    weight_decay : float, optional
        solver="adamw" only: its decoupled weight decay (>= 0; None: AdamW's
        default 0.01); the other solvers ignore it.
    clip_norm : float, optional
        The step-based solvers: clip each step's gradient to this global L2
        norm (> 0; None: no clipping); lbfgs ignores it.
    tol, n_iter_no_change : float, int
        Stop when the training cost (or, with early stopping, the validation
        accuracy) has not improved by ``tol`` for ``n_iter_no_change`` epochs.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data (stratified), score it
        every epoch, and keep the weights with the best score. Only with the
        step-based solvers (gd, momentum, nesterov, adam, adamw): lbfgs ignores it
        and trains on all the data, as scikit-learn's MLP does.
    validation_fraction : float, default 0.1
    class_weight : dict, "balanced" or None
        Weights per class, multiplied into ``sample_weight``.
    random_state : None, int or RandomState
        Seeds the initial weights, the shuffling and the validation split.
    num_threads : int, optional
        Threads for the core (None: bprop's default; -1: all cores).
    dtype : float64, float32 or None, default None
        The weights' dtype. None: X's dtype in ``fit`` when it is float32,
        else float64 (as scikit-learn's MLP). Predictions are float32 when the
        weights and the X given are both float32, else float64. X in the
        weights' dtype, uint8 X, and float32 X under float64 weights are used
        without a converted copy (values as they are: no 1/255 scaling here);
        other X is converted.
    verbose : bool, default False
        Print a line per epoch (iteration, training loss, validation score
        with early stopping) on stdout, as scikit-learn's MLP does.
    warm_start : bool, default False
        Start ``fit`` from the current weights. The layer sizes must be the
        previous fit's (the same ``hidden_layer_sizes``, features and
        classes): other sizes raise ``ValueError`` rather than start afresh.

    Attributes
    ----------
    thetas_ : list of ndarray
        ``thetas_[l]`` of shape ``(s_{l+1}, s_l + 1)``, bias in column 0:
        usable with every function of :mod:`bprop`.
    classes_ : ndarray, shape (n_classes,)
        The class labels, in the order of the output units.
    loss_curve_ : list of float
        Training cost J after each epoch (lbfgs: each iteration).
    validation_scores_ : list of float or None
        Validation accuracy per epoch with early stopping.
    best_validation_score_ : float or None
        The best validation accuracy with early stopping (None without, and
        with lbfgs).
    n_iter_ : int
        Epochs (lbfgs: iterations) of the last ``fit``, warm-started or not, as
        scikit-learn counts them; each ``partial_fit`` call adds one.
    t_ : int
        Training samples the step-based solvers have seen (one epoch adds the
        number of training samples), as scikit-learn counts them for
        "invscaling"; reset by a fit that starts afresh, 0 for lbfgs.
    n_features_in_ : int
    feature_names_in_ : ndarray
        When X has string column names (a DataFrame).

    Examples
    --------
    >>> import bprop
    >>> from sklearn.datasets import load_iris
    >>> from bprop.estimators import BackpropClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> X = bprop.data.standardize(X)[0]         # unit-scale features: lbfgs converges
    >>> clf = BackpropClassifier(hidden_layer_sizes=(10,), random_state=0).fit(X, y)
    >>> bool(clf.score(X, y) > 0.95), clf.classes_.tolist()
    (True, [0, 1, 2])
    >>> [t.shape for t in clf.thetas_]                   # usable with bprop's functions
    [(10, 5), (3, 11)]
    >>> bool((bprop.predict(clf.thetas_, X) == clf.predict(X)).all())
    True

    Labels of any values; softmax outputs:

    >>> names = load_iris().target_names[y]
    >>> clf = BackpropClassifier((10,), output="softmax", random_state=0).fit(X, names)
    >>> clf.predict(X[[0, 50, 100]]).tolist()
    ['setosa', 'versicolor', 'virginica']

    scikit-learn's "invscaling" schedule: the rate after each epoch is
    ``learning_rate_init / (t_ + 1) ** power_t``:

    >>> clf = BackpropClassifier((10,), solver="gd", learning_rate="invscaling",
    ...                          learning_rate_init=0.5, power_t=0.5, batch_size=50,
    ...                          max_iter=3, random_state=0)
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")               # 3 epochs: not converged
    ...     clf = clf.fit(X, y)
    >>> clf.t_, clf._optimizer.learning_rate == 0.5 / (450 + 1) ** 0.5
    (450, True)
    """

    def __init__(
        self,
        hidden_layer_sizes: Any = (25,),
        activation: Any = "sigmoid",
        *,
        output: str = "logistic",
        lambda_: float | None = None,
        alpha: float | None = None,
        solver: str = "lbfgs",
        learning_rate: float | str | None = None,
        learning_rate_init: float | None = None,
        power_t: float = 0.5,
        batch_size: int | str | None = "auto",
        shuffle: bool = True,
        max_iter: int = 200,
        max_fun: int = 15000,
        weight_decay: float | None = None,
        clip_norm: float | None = None,
        tol: float = 1e-4,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        class_weight: Any = None,
        random_state: Any = None,
        num_threads: int | None = None,
        dtype: Any = None,
        verbose: bool = False,
        warm_start: bool = False,
    ) -> None:
        super().__init__(
            hidden_layer_sizes,
            activation,
            lambda_=lambda_,
            alpha=alpha,
            solver=solver,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            batch_size=batch_size,
            shuffle=shuffle,
            max_iter=max_iter,
            max_fun=max_fun,
            weight_decay=weight_decay,
            clip_norm=clip_norm,
            tol=tol,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            random_state=random_state,
            num_threads=num_threads,
            dtype=dtype,
            verbose=verbose,
            warm_start=warm_start,
        )
        self.output = output
        self.class_weight = class_weight

    @property
    def _output(self) -> str:  # type: ignore[override]
        return self.output

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> BackpropClassifier:
        """Train on X (n_samples, n_features) and labels y (n_samples,) of any
        values, or a multilabel indicator matrix y (n_samples, n_labels) of 0/1.

        Starts from new weights seeded by ``random_state`` (from the fitted ones
        with ``warm_start``) and trains for up to ``max_iter`` epochs (lbfgs:
        iterations).

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            The samples; a CSR matrix is read by the core without densifying.
        y : array_like, shape (n_samples,) or (n_samples, n_labels)
            Class labels (numbers or strings; at least 2 classes), or a 0/1
            multilabel indicator matrix (needs ``output="logistic"``).
        sample_weight : array_like, shape (n_samples,), optional
            Non-negative weights of the samples in the cost (times
            ``class_weight``).

        Returns
        -------
        BackpropClassifier
            The fitted estimator (``self``).

        Raises
        ------
        ValueError
            When X or y are invalid (non-finite values, lengths that differ,
            one class only), ``output`` is neither "logistic" nor "softmax", a
            parameter is out of range, or a warm start meets other classes or
            layer sizes.

        Warns
        -----
        sklearn.exceptions.ConvergenceWarning
            When ``max_iter`` ends training before ``tol`` was met.

        Examples
        --------
        >>> import bprop
        >>> from sklearn.datasets import load_iris
        >>> from bprop.estimators import BackpropClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> X = bprop.data.standardize(X)[0]         # unit-scale features: lbfgs converges
        >>> clf = BackpropClassifier(hidden_layer_sizes=(10,), random_state=0).fit(X, y)
        >>> clf.n_iter_ == len(clf.loss_curve_), [c.shape for c in clf.coefs_]
        (True, [(4, 10), (10, 3)])
        """
        X, y, dtype = self._validate_fit_data(X, y, reset=True, multi_output=True)
        if self.output not in ("logistic", "softmax"):
            raise ValueError(
                f"output must be 'logistic' or 'softmax', got {checks.shown(self.output)}"
            )
        if y.ndim == 2 and type_of_target(y) == "multilabel-indicator":
            return self._fit_multilabel(X, y, sample_weight, dtype)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self._multilabel = False
        classes, labels = np.unique(y, return_inverse=True)
        previous: np.ndarray | None = getattr(self, "classes_", None)
        if self.warm_start and previous is not None and not np.array_equal(classes, previous):
            # the output units would now stand for other classes, or a fresh network would
            # silently replace the warm one. scikit-learn's words, so code matching them works.
            raise ValueError(
                f"warm_start can only be used where `y` has the same classes as "
                f"in the previous call to fit. Previously got {previous}, `y` has "
                f"{classes} (fit a new estimator, or set warm_start=False)"
            )
        self.classes_ = classes
        if self.classes_.size < 2:
            raise ValueError(
                f"the classifier needs samples of at least 2 classes; y holds only "
                f"one class ({checks.shown(self.classes_[0])})"
            )
        self._fit(
            X,
            labels,
            self._weights(X, labels, sample_weight),
            self._n_units(),
            dtype,
            incremental=False,
        )
        return self

    @available_if(_BackpropBase._stochastic)
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> BackpropClassifier:
        """One epoch on (X, y); the first call needs ``classes`` (all labels to expect).

        Continues from the current weights (the first call creates them);
        available with the step-based solvers only (not lbfgs). Each call adds 1
        to ``n_iter_``.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            The samples of this call.
        y : array_like, shape (n_samples,) or (n_samples, n_labels)
            Their labels (from ``classes``), or a 0/1 multilabel indicator matrix.
        classes : array_like, shape (n_classes,), optional
            Every label the data can hold; needed on the first call (not for a
            multilabel y), and if given later the same.
        sample_weight : array_like, shape (n_samples,), optional
            Non-negative weights of the samples in the cost.

        Returns
        -------
        BackpropClassifier
            The updated estimator (``self``).

        Raises
        ------
        ValueError
            When the first call lacks ``classes``, y holds a label not in
            ``classes``, the kind of y or the number of features changes, or X
            or y are invalid.
        AttributeError
            With ``solver="lbfgs"``, which works on the full data set.

        Examples
        --------
        >>> import bprop
        >>> from sklearn.datasets import load_iris
        >>> from bprop.estimators import BackpropClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> X = bprop.data.standardize(X)[0]         # unit-scale features: lbfgs converges
        >>> clf = BackpropClassifier((10,), solver="adam", learning_rate=0.05, batch_size=50,
        ...                          random_state=0)
        >>> for epoch in range(20):
        ...     clf = clf.partial_fit(X, y, classes=[0, 1, 2])
        >>> clf.n_iter_, bool(clf.score(X, y) > 0.9)
        (20, True)
        """
        self._check_partial_fit()
        first = not hasattr(self, "classes_")
        X, y, dtype = self._validate_fit_data(X, y, reset=first, multi_output=True)
        multilabel = y.ndim == 2 and type_of_target(y) == "multilabel-indicator"
        if not first and multilabel != getattr(self, "_multilabel", False):
            raise ValueError(
                "partial_fit needs the kind of y of the first call (a multilabel "
                "indicator matrix, or labels)"
            )
        if multilabel:
            if first:
                self.classes_, self._multilabel = np.arange(y.shape[1]), True
            elif y.shape[1] != self.classes_.size:
                raise ValueError(
                    f"y has {y.shape[1]} labels; the first call had {self.classes_.size}"
                )
            self._fit(
                X,
                np.asarray(y, dtype=dtype),
                self._sample_weights(X, sample_weight),
                y.shape[1],
                dtype,
                incremental=True,
            )
            return self
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self._multilabel = False
        if first:
            if classes is None:
                raise ValueError(
                    "the first call to partial_fit needs classes= (every label the data can hold)"
                )
            self.classes_ = np.unique(np.asarray(classes))
            if self.classes_.size < 2:
                raise ValueError("classes must hold at least 2 classes")
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes {np.unique(classes)} differ from the first call's {self.classes_}"
            )
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels {unknown[:5]} not in classes {self.classes_}")
        labels = np.searchsorted(self.classes_, y)
        self._fit(
            X,
            labels,
            self._weights(X, labels, sample_weight),
            self._n_units(),
            dtype,
            incremental=True,
        )
        return self

    def _fit_multilabel(
        self, X: np.ndarray, Y: np.ndarray, sample_weight: Any, dtype: np.dtype
    ) -> BackpropClassifier:
        """Independent sigmoid outputs on 0/1 targets, one per label: the method's
        logistic output layer is exactly the multilabel model."""
        if self.output != "logistic":
            raise ValueError(
                "a multilabel y needs output='logistic' (independent sigmoid "
                "units); softmax makes the labels compete"
            )
        if self.class_weight is not None:
            raise ValueError("class_weight is not supported with a multilabel y")
        K = Y.shape[1]
        previous: np.ndarray | None = getattr(self, "classes_", None)
        if (
            self.warm_start
            and previous is not None
            and (not getattr(self, "_multilabel", False) or previous.size != K)
        ):
            raise ValueError(
                f"warm_start can only be used where `y` has the same classes as "
                f"in the previous call to fit: y holds {K} labels (fit a new "
                f"estimator, or set warm_start=False)"
            )
        self.classes_ = np.arange(K)
        self._multilabel = True
        targets = np.asarray(Y, dtype=dtype)
        self._fit(X, targets, self._sample_weights(X, sample_weight), K, dtype, incremental=False)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # a multilabel y needs independent sigmoid outputs, without class weights
        tags.classifier_tags.multi_label = self.output == "logistic" and self.class_weight is None
        return tags

    def _n_units(self) -> int:
        K = len(self.classes_)
        return 1 if K == 2 and self.output == "logistic" else K

    def _weights(self, X: np.ndarray, labels: np.ndarray, sample_weight: Any) -> np.ndarray | None:
        if self.class_weight is None:
            return self._sample_weights(X, sample_weight)
        cw = self.class_weight
        if isinstance(cw, dict):  # keyed by the user's labels: map to 0..K-1
            _check_class_weight(cw, self.classes_)
            cw = {i: cw.get(c, 1.0) for i, c in enumerate(self.classes_)}
        return self._sample_weights(X, sample_weight, compute_sample_weight(cw, labels))

    def _score_outputs(self, h: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
        """Accuracy (weighted by w) of outputs h against labels 0..K-1 (multilabel:
        the share of samples with every label right, as scikit-learn scores)."""
        if y.ndim == 2:
            return float(accuracy_score(y, (h >= 0.5).astype(y.dtype), sample_weight=w))
        return float(accuracy_score(y, np.argmax(_proba(h), axis=1), sample_weight=w))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (n_samples, n_classes), columns in ``classes_`` order.

        Softmax outputs as they are; the logistic output's K sigmoid units
        normalised to sum to 1 (one unit p for two classes: [1 - p, p]). After
        a multilabel fit: each label's own probability (n_samples, n_labels).

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray, shape (n_samples, n_classes)
            Each row sums to 1 (not after a multilabel fit); float32 when the
            weights and X are both float32, else float64.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.
        ValueError
            When X is invalid or has another number of features than in ``fit``.

        Examples
        --------
        >>> import bprop
        >>> from sklearn.datasets import load_iris
        >>> from bprop.estimators import BackpropClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> X = bprop.data.standardize(X)[0]         # unit-scale features: lbfgs converges
        >>> clf = BackpropClassifier(hidden_layer_sizes=(10,), random_state=0).fit(X, y)
        >>> clf.predict_proba(X[[0, 50, 100]]).round(1)
        array([[1. , 0. , 0. ],
               [0. , 0.9, 0.1],
               [0. , 0. , 1. ]])
        """
        h = self._outputs(X)
        return h if getattr(self, "_multilabel", False) else _proba(h)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log(predict_proba(X))``: log class probabilities, columns in ``classes_`` order.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray, shape (n_samples, n_classes)
            The logarithms of :meth:`predict_proba` (``-inf`` for a probability
            of exactly 0).

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> import bprop
        >>> from sklearn.datasets import load_iris
        >>> from bprop.estimators import BackpropClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> X = bprop.data.standardize(X)[0]         # unit-scale features: lbfgs converges
        >>> clf = BackpropClassifier(hidden_layer_sizes=(10,), random_state=0).fit(X, y)
        >>> import numpy as np
        >>> bool(np.allclose(np.exp(clf.predict_log_proba(X[:5])), clf.predict_proba(X[:5])))
        True
        """
        with np.errstate(divide="ignore"):  # a probability of exactly 0 is -inf
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class of the largest probability, as a label from ``classes_``
        (multilabel: the 0/1 indicator matrix).

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray, shape (n_samples,) or (n_samples, n_labels)
            A label of ``classes_`` per sample; after a multilabel fit, int64 0/1
            with a 1 where a label's probability is at least 0.5.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> import bprop
        >>> from sklearn.datasets import load_iris
        >>> from bprop.estimators import BackpropClassifier
        >>> X, y = load_iris(return_X_y=True)
        >>> X = bprop.data.standardize(X)[0]         # unit-scale features: lbfgs converges
        >>> clf = BackpropClassifier(hidden_layer_sizes=(10,), random_state=0).fit(X, y)
        >>> clf.predict(X[[0, 50, 100]])
        array([0, 1, 2])
        """
        proba = self.predict_proba(X)  # first: raises NotFittedError before fit
        if getattr(self, "_multilabel", False):  # the indicator matrix: 1 where p >= 0.5
            return (proba >= 0.5).astype(np.int64)
        return self.classes_[np.argmax(proba, axis=1)]


def _check_class_weight(cw: dict, classes: np.ndarray) -> None:
    """A class_weight dict's keys are classes of y and its weights finite and >= 0,
    as scikit-learn's classifiers require (an unknown key was ignored without a word)."""
    known = set(classes.tolist())
    unknown = [k for k in cw if k not in known]
    if unknown:
        raise ValueError(
            f"class_weight names {', '.join(map(checks.shown, unknown))}, not classes of y "
            f"(the classes are {', '.join(map(checks.shown, classes.tolist()))})"
        )
    for k, w in cw.items():
        if isinstance(w, bool) or not isinstance(w, numbers.Real) or not 0 <= float(w) < np.inf:
            raise ValueError(
                f"class_weight[{checks.shown(k)}] must be a finite number >= 0, got "
                f"{checks.shown(w)}"
            )


def _proba(h: np.ndarray) -> np.ndarray:
    if h.shape[1] == 1:
        return np.hstack([1 - h, h])
    total = h.sum(axis=1, keepdims=True)
    # every sigmoid output underflowed to 0 (float32, extreme inputs): no preference
    return np.divide(h, total, out=np.full_like(h, 1.0 / h.shape[1]), where=total > 0)


class BackpropRegressor(RegressorMixin, _BackpropBase):
    """A fully-connected network regressor: identity outputs, squared error.

    The cost of a sample is ``(1/2) sum_k (h_k - y_k)^2``; parameters and
    attributes as :class:`BackpropClassifier` (no ``output``/``class_weight``;
    ``validation_scores_`` holds R^2). ``y`` is (n_samples,) or
    (n_samples, n_outputs); predictions have the same number of dimensions.

    Parameters
    ----------
    hidden_layer_sizes : int or tuple of int, default (25,)
        Units of each hidden layer.
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"} or list of them, default "sigmoid"
        Hidden activation, one name or one per hidden layer ("logistic" is
        accepted for "sigmoid").
    lambda_, alpha : float, optional
        The L2 strength, by bprop's or scikit-learn's name (set one); default 1.0.
    solver : {"lbfgs", "gd", "momentum", "nesterov", "adam", "adamw"}, default "lbfgs"
    learning_rate : float or {"constant", "invscaling", "adaptive"}, optional
        The step size of the step-based solvers, or scikit-learn's schedule
        (gd, momentum, nesterov) with the step size from ``learning_rate_init``.
    learning_rate_init : float, optional
        The step size by scikit-learn's name (set it or a numeric ``learning_rate``).
    power_t : float, default 0.5
        The exponent of "invscaling".
    batch_size : int, "auto" or None, default "auto"
        "auto": ``min(200, n_samples)``; None: the full batch.
    shuffle : bool, default True
        Mini-batches in a new random order each epoch (False: in order).
    max_iter : int, default 200
        Epochs (lbfgs: iterations).
    max_fun : int, default 15000
        lbfgs only: its limit on cost evaluations.
    weight_decay : float, optional
        solver="adamw" only: its decoupled weight decay (>= 0; None: AdamW's
        default 0.01); the other solvers ignore it.
    clip_norm : float, optional
        The step-based solvers: clip each step's gradient to this global L2
        norm (> 0; None: no clipping); lbfgs ignores it.
    tol : float, default 1e-4
    n_iter_no_change : int, default 10
        Stop when the training cost (with early stopping, the validation R^2)
        has not improved by ``tol`` for ``n_iter_no_change`` epochs.
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data (not stratified), score its
        R^2 every epoch and keep the best weights; step-based solvers only.
    validation_fraction : float, default 0.1
    random_state : None, int or RandomState
        Seeds the initial weights, the shuffling and the validation split.
    num_threads : int, optional
        Threads for the core (None: bprop's default; -1: all cores).
    dtype : float64, float32 or None, default None
        The weights' dtype (None: float32 for float32 X, else float64).
    verbose : bool, default False
        Print a line per epoch on stdout.
    warm_start : bool, default False
        Start ``fit`` from the current weights (the same layer sizes).

    See :class:`BackpropClassifier` for each parameter in full.

    Attributes
    ----------
    thetas_ : list of ndarray
        ``thetas_[l]`` of shape ``(s_{l+1}, s_l + 1)``, bias in column 0.
    n_outputs_ : int
        Targets per sample (output units).
    loss_curve_ : list of float
        Training cost J after each epoch (lbfgs: each iteration).
    validation_scores_ : list of float or None
        Validation R^2 per epoch with early stopping.
    best_validation_score_ : float or None
        The best validation R^2 with early stopping.
    n_iter_ : int
        Epochs (lbfgs: iterations) of the last ``fit``; each ``partial_fit``
        call adds one.
    t_ : int
        Training samples the step-based solvers have seen.
    n_features_in_ : int
    feature_names_in_ : ndarray
        When X has string column names (a DataFrame).

    Examples
    --------
    >>> import numpy as np
    >>> from bprop.estimators import BackpropRegressor
    >>> X = np.linspace(-2, 2, 200).reshape(-1, 1)
    >>> reg = BackpropRegressor((20,), "tanh", lambda_=0.0, random_state=0).fit(X, np.sin(X[:, 0]))
    >>> bool(reg.score(X, np.sin(X[:, 0])) > 0.99), reg.predict(X[:3]).shape
    (True, (3,))
    """

    _output = "identity"

    # Its own signature, so that an argument it does not take (output=...) is
    # reported as BackpropRegressor's, not as the private base class's.
    def __init__(
        self,
        hidden_layer_sizes: Any = (25,),
        activation: Any = "sigmoid",
        *,
        lambda_: float | None = None,
        alpha: float | None = None,
        solver: str = "lbfgs",
        learning_rate: float | str | None = None,
        learning_rate_init: float | None = None,
        power_t: float = 0.5,
        batch_size: int | str | None = "auto",
        shuffle: bool = True,
        max_iter: int = 200,
        max_fun: int = 15000,
        weight_decay: float | None = None,
        clip_norm: float | None = None,
        tol: float = 1e-4,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 10,
        random_state: Any = None,
        num_threads: int | None = None,
        dtype: Any = None,
        verbose: bool = False,
        warm_start: bool = False,
    ) -> None:
        super().__init__(
            hidden_layer_sizes,
            activation,
            lambda_=lambda_,
            alpha=alpha,
            solver=solver,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            batch_size=batch_size,
            shuffle=shuffle,
            max_iter=max_iter,
            max_fun=max_fun,
            weight_decay=weight_decay,
            clip_norm=clip_norm,
            tol=tol,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            random_state=random_state,
            num_threads=num_threads,
            dtype=dtype,
            verbose=verbose,
            warm_start=warm_start,
        )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> BackpropRegressor:
        """Train on X (n_samples, n_features) and real targets y.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            The samples.
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
            Real targets; :meth:`predict` returns the same number of dimensions.
        sample_weight : array_like, shape (n_samples,), optional
            Non-negative weights of the samples in the cost.

        Returns
        -------
        BackpropRegressor
            The fitted estimator (``self``).

        Raises
        ------
        ValueError
            When X or y are invalid (non-finite, lengths that differ, targets that
            overflow float32 with ``dtype=float32``), a parameter is out of range,
            or a warm start meets other layer sizes.

        Warns
        -----
        sklearn.exceptions.ConvergenceWarning
            When ``max_iter`` ends training before ``tol`` was met.

        Examples
        --------
        >>> import numpy as np
        >>> from bprop.estimators import BackpropRegressor
        >>> X = np.linspace(-2, 2, 200).reshape(-1, 1)
        >>> Y = np.column_stack([np.sin(X[:, 0]), np.cos(X[:, 0])])     # two targets
        >>> reg = BackpropRegressor((20,), "tanh", lambda_=0.0, random_state=0).fit(X, Y)
        >>> reg.n_outputs_, reg.predict(X[:3]).shape, bool(reg.score(X, Y) > 0.99)
        (2, (3, 2), True)
        """
        X, y, dtype = self._validate_fit_data(X, y, reset=True, multi_output=True, y_numeric=True)
        Y = self._targets(y, dtype)
        self._fit(
            X, Y, self._sample_weights(X, sample_weight), Y.shape[1], dtype, incremental=False
        )
        return self

    @available_if(_BackpropBase._stochastic)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> BackpropRegressor:
        """One epoch on (X, y), continuing from the current weights.

        The first call creates the weights; step-based solvers only (not lbfgs).
        Each call adds 1 to ``n_iter_``.

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            The samples of this call.
        y : array_like, shape (n_samples,) or (n_samples, n_outputs)
            Their targets, as many per sample as in the first call.
        sample_weight : array_like, shape (n_samples,), optional
            Non-negative weights of the samples in the cost.

        Returns
        -------
        BackpropRegressor
            The updated estimator (``self``).

        Raises
        ------
        ValueError
            When the number of outputs or features changes, or X or y are invalid.
        AttributeError
            With ``solver="lbfgs"``.

        Examples
        --------
        >>> import numpy as np
        >>> from bprop.estimators import BackpropRegressor
        >>> X = np.linspace(-2, 2, 200).reshape(-1, 1)
        >>> reg = BackpropRegressor((10,), "tanh", solver="adam", learning_rate=0.05,
        ...                         batch_size=50, random_state=0)
        >>> for epoch in range(40):
        ...     reg = reg.partial_fit(X, np.sin(X[:, 0]))
        >>> reg.n_iter_, bool(reg.score(X, np.sin(X[:, 0])) > 0.95)
        (40, True)
        """
        self._check_partial_fit()
        first = not hasattr(self, "thetas_")
        X, y, dtype = self._validate_fit_data(X, y, reset=first, multi_output=True, y_numeric=True)
        Y = self._targets(y, dtype)
        if not first and Y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {Y.shape[1]} outputs but the model was fitted with {self.n_outputs_}"
            )
        self._fit(X, Y, self._sample_weights(X, sample_weight), Y.shape[1], dtype, incremental=True)
        return self

    def _targets(self, y: np.ndarray, dtype: np.dtype) -> np.ndarray:
        self._y_ndim = y.ndim
        Y = np.asarray(y, dtype=dtype).reshape(y.shape[0], -1)
        if not np.isfinite(Y).all():
            raise ValueError(f"y overflows {dtype}; scale the targets or use dtype=float64")
        return Y

    def _score_outputs(self, h: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
        """R^2 (weighted by w) of outputs h against targets y."""
        return float(r2_score(y, h, sample_weight=w))

    def predict(self, X: Any) -> np.ndarray:
        """Predictions, shape (n_samples,) for a 1-D y in fit, else (n_samples, n_outputs).

        Parameters
        ----------
        X : array_like or scipy.sparse matrix, shape (n_samples, n_features)
            The samples.

        Returns
        -------
        ndarray, shape (n_samples,) or (n_samples, n_outputs)
            The network's identity outputs; float32 when the weights and X are
            both float32, else float64.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            Before ``fit``.

        Examples
        --------
        >>> import numpy as np
        >>> from bprop.estimators import BackpropRegressor
        >>> X = np.linspace(-2, 2, 200).reshape(-1, 1)
        >>> reg = BackpropRegressor((20,), "tanh", lambda_=0.0, random_state=0)
        >>> reg = reg.fit(X, np.sin(X[:, 0]))
        >>> pred = reg.predict(np.array([[0.0], [1.0]]))
        >>> pred.shape, bool(np.allclose(pred, np.sin([0.0, 1.0]), atol=0.05))
        ((2,), True)
        """
        h = self._outputs(X)
        return h[:, 0] if self._y_ndim == 1 else h

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


__all__ = ["BackpropClassifier", "BackpropRegressor", "SOLVERS"]
