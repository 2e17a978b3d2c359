"""Training's settings, resolved in one place: the defaults (how long a run is, when it
counts as diverging) and the rules between options (L-BFGS steps on the full batch with
its own step sizes; ``tol`` is its tolerance; iterations or epochs, not both; early
stopping needs held-out data). :func:`bprop.train`, the command line and the estimators
all call :func:`resolve_settings`; each names the options its own way in the messages
(``batch_size=None``, ``--batch-size``, ``batch_size='auto'``), through a
:class:`Spelling`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .._internal import checks
from ..optim import Optimizer, get_optimizer

# A run without iterations or epochs: full-batch steps make 100 passes, mini-batches 10.
FULL_BATCH_EPOCHS = 100
MINI_BATCH_EPOCHS = 10
# L-BFGS's iterations by default: train()'s (the command line documents its own, 200).
LBFGS_ITERATIONS = 100
# The step optimisers stop once an epoch's mean cost exceeds this multiple of the first.
DIVERGENCE_FACTOR = 4.0
PATIENCE = 5


@dataclass(frozen=True)
class Spelling:
    """How an entry point says that a rule is broken, in its own names of the options.

    A field that is None marks a rule the entry point does not apply (the estimators
    ignore a learning rate under lbfgs, as scikit-learn's MLP does).
    """

    lbfgs_batch: str
    lbfgs_rate: str | None
    tol_without_lbfgs: str | None
    patience_alone: str | None
    early_stopping_alone: str | None
    lbfgs_iterations: int = LBFGS_ITERATIONS


TRAIN = Spelling(
    lbfgs_batch="lbfgs works on the full batch: leave batch_size=None",
    lbfgs_rate="lbfgs chooses its own step sizes: leave learning_rate=None",
    tol_without_lbfgs=(
        "tol is L-BFGS's gradient tolerance: give it with optimizer='lbfgs' "
        "(the step optimisers stop by early_stopping/patience)"
    ),
    patience_alone=None,
    early_stopping_alone="early_stopping needs validation_data",
)
CLI = Spelling(
    lbfgs_batch=(
        "--batch-size: lbfgs works on the full batch; leave it out or pick another --optimizer"
    ),
    lbfgs_rate="--learning-rate: lbfgs chooses its own step sizes; leave it out",
    tol_without_lbfgs=None,
    patience_alone="--patience: only used with --early-stopping",
    early_stopping_alone=None,  # --early-stopping holds out a validation share itself
    lbfgs_iterations=200,
)
ESTIMATOR = Spelling(
    lbfgs_batch="solver='lbfgs' works on the full batch: leave batch_size='auto'",
    lbfgs_rate=None,
    tol_without_lbfgs=None,  # tol is also the stopping rule's tolerance
    patience_alone=None,
    early_stopping_alone=None,  # lbfgs ignores early_stopping, as scikit-learn's MLP
)


@dataclass(frozen=True)
class Settings:
    """One run's resolved settings.

    Attributes
    ----------
    optimizer : Optimizer or None
        The step optimiser; None for L-BFGS.
    iterations : int or None
        Steps (L-BFGS: iterations, always set); None: ``epochs`` passes.
    epochs : int or None
        Passes over the data when ``iterations`` is None.
    batch_size : int or None
        None: the full batch.
    seed : None, int or Generator
    patience : int
    early_stopping : bool
    max_cost_growth : float or None
    gtol : float or None
        L-BFGS's gradient tolerance (None: SciPy's default).
    callbacks : tuple of callables
    verbose : bool
    """

    optimizer: Optimizer | None
    iterations: int | None
    epochs: int | None
    batch_size: int | None
    seed: Any = None
    patience: int = PATIENCE
    early_stopping: bool = False
    max_cost_growth: float | None = DIVERGENCE_FACTOR
    gtol: float | None = None
    callbacks: tuple[Callable[[dict], Any], ...] = ()
    verbose: bool = True

    @property
    def lbfgs(self) -> bool:
        return self.optimizer is None


def resolve_settings(
    *,
    optimizer: str | Optimizer,
    learning_rate: float | None = None,
    iterations: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: Any = None,
    patience: int | None = None,
    early_stopping: bool = False,
    has_validation: bool = True,
    max_cost_growth: float | None = DIVERGENCE_FACTOR,
    tol: float | None = None,
    callbacks: Sequence[Callable[[dict], Any]] = (),
    verbose: bool = True,
    spelling: Spelling = TRAIN,
) -> Settings:
    """Check the options against each other and fill in the defaults; a ``ValueError``
    or ``TypeError`` names the option at fault as ``spelling`` writes it."""
    iterations, epochs, batch_size = (
        None if v is None else checks.check_positive_int(v, name)
        for v, name in ((iterations, "iterations"), (epochs, "epochs"), (batch_size, "batch_size"))
    )
    if patience is not None and not early_stopping and spelling.patience_alone:
        raise ValueError(spelling.patience_alone)
    patience = PATIENCE if patience is None else checks.check_positive_int(patience, "patience")
    if iterations is not None and epochs is not None:
        raise ValueError("give iterations or epochs, not both")
    if early_stopping and not has_validation and spelling.early_stopping_alone:
        raise ValueError(spelling.early_stopping_alone)
    if max_cost_growth is not None and not (
        isinstance(max_cost_growth, numbers.Real) and max_cost_growth > 1
    ):
        raise ValueError(f"max_cost_growth must be a number > 1 or None, got {max_cost_growth!r}")
    run = dict(
        seed=checks.check_seed(seed),
        patience=patience,
        early_stopping=early_stopping,
        max_cost_growth=max_cost_growth,
        callbacks=tuple(callbacks),
        verbose=verbose,
    )
    if isinstance(optimizer, str) and optimizer == "lbfgs":
        return _lbfgs(learning_rate, iterations or epochs, batch_size, tol, spelling, run)
    if tol is not None and spelling.tol_without_lbfgs:
        raise ValueError(spelling.tol_without_lbfgs)
    if iterations is None:  # (a batch_size of m or more is the full batch, in 10 epochs)
        epochs = epochs or (FULL_BATCH_EPOCHS if batch_size is None else MINI_BATCH_EPOCHS)
    opt = get_optimizer(optimizer, learning_rate)
    return Settings(opt, iterations, epochs, batch_size, **run)


def _lbfgs(
    learning_rate: float | None,
    iterations: int | None,
    batch_size: int | None,
    tol: float | None,
    spelling: Spelling,
    run: dict[str, Any],
) -> Settings:
    """L-BFGS's settings: the full batch, its own step sizes, ``tol`` its tolerance."""
    if batch_size is not None:
        raise ValueError(spelling.lbfgs_batch)
    if learning_rate is not None and spelling.lbfgs_rate:
        raise ValueError(spelling.lbfgs_rate)
    gtol = None if tol is None else checks.check_nonnegative_real(tol, "tol")
    return Settings(None, iterations or spelling.lbfgs_iterations, None, None, gtol=gtol, **run)


__all__ = [
    "CLI",
    "DIVERGENCE_FACTOR",
    "ESTIMATOR",
    "TRAIN",
    "Settings",
    "Spelling",
    "resolve_settings",
]
