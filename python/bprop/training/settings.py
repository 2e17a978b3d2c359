"""Training's settings, resolved in one place: the defaults (how long a run is, when it
counts as diverging) and the rules between options (L-BFGS steps on the full batch with
its own step sizes, so it takes no schedule, clipping or shuffling; ``tol`` and
``max_fun`` are its limits; iterations or epochs, not both; early stopping needs held-out
data). :func:`bprop.train`, the command line and the estimators
all call :func:`resolve_settings`; each names the options its own way in the messages
(``batch_size=None``, ``--batch-size``, ``batch_size='auto'``), through a
:class:`Spelling`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._internal import checks
from ..optim import Optimizer, get_optimizer
from ..schedules import Schedule, get_schedule

# A run without iterations or epochs: full-batch steps make 100 passes, mini-batches 10.
FULL_BATCH_EPOCHS = 100
MINI_BATCH_EPOCHS = 10
# L-BFGS's iterations by default: train()'s (the command line documents its own, 200).
LBFGS_ITERATIONS = 100
# L-BFGS's limit on cost evaluations by default: SciPy's (and scikit-learn's max_fun).
LBFGS_MAX_FUN = 15000
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
    lbfgs_schedule: str | None = None
    lbfgs_clip: str | None = None
    lbfgs_shuffle: str | None = None
    max_fun_without_lbfgs: str | None = None


TRAIN = Spelling(
    lbfgs_batch="lbfgs works on the full batch: leave batch_size=None",
    lbfgs_rate="lbfgs chooses its own step sizes: leave learning_rate=None",
    tol_without_lbfgs=(
        "tol is L-BFGS's gradient tolerance: give it with optimizer='lbfgs' "
        "(the step optimisers stop by early_stopping/patience)"
    ),
    patience_alone=None,
    early_stopping_alone="early_stopping needs validation_data",
    lbfgs_schedule="lbfgs chooses its own step sizes: leave schedule=None",
    lbfgs_clip="lbfgs takes no clipped steps (it searches along its own directions): leave "
    "clip_norm=None",
    lbfgs_shuffle="lbfgs works on the full batch, which has no order: leave shuffle=True",
    max_fun_without_lbfgs=(
        "max_fun is L-BFGS's limit on cost evaluations: give it with optimizer='lbfgs'"
    ),
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
    lbfgs_schedule="--schedule: lbfgs chooses its own step sizes; leave it out or pick "
    "another --optimizer",
    lbfgs_clip="--clip-norm: lbfgs takes no clipped steps; leave it out or pick another "
    "--optimizer",
    lbfgs_shuffle="--no-shuffle: lbfgs works on the full batch, which has no order; leave it out",
    max_fun_without_lbfgs="--max-fun: only used with --optimizer lbfgs",
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
    schedule : Schedule or None
        The step optimiser's learning-rate schedule (None: the rate as the
        optimiser keeps it).
    clip_norm : float or None
        The global gradient norm each step is clipped to (None: not clipped).
    shuffle : bool
        Mini-batches of a new random order each epoch (else in the samples' order).
    max_fun : int or None
        L-BFGS's limit on cost evaluations (None: SciPy's default, 15000).
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
    schedule: Schedule | None = None
    clip_norm: float | None = None
    shuffle: bool = True
    max_fun: int | None = None

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
    schedule: str | Schedule | None = None,
    clip_norm: float | None = None,
    shuffle: bool = True,
    max_fun: int | None = None,
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
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {checks.shown(shuffle)}")
    run = dict(
        seed=checks.check_seed(seed),
        patience=patience,
        early_stopping=early_stopping,
        max_cost_growth=max_cost_growth,
        callbacks=tuple(callbacks),
        verbose=verbose,
    )
    steps: dict[str, Any] = dict(
        schedule=None if schedule is None else _schedule(schedule),
        clip_norm=None if clip_norm is None else checks.check_positive_real(clip_norm, "clip_norm"),
        shuffle=bool(shuffle),
    )
    max_fun = None if max_fun is None else checks.check_positive_int(max_fun, "max_fun")
    if isinstance(optimizer, str) and optimizer == "lbfgs":
        limits = (iterations or epochs, tol, max_fun)
        return _lbfgs(learning_rate, batch_size, limits, steps, spelling, run)
    if tol is not None and spelling.tol_without_lbfgs:
        raise ValueError(spelling.tol_without_lbfgs)
    if max_fun is not None and spelling.max_fun_without_lbfgs:
        raise ValueError(spelling.max_fun_without_lbfgs)
    if iterations is None:  # (a batch_size of m or more is the full batch, in 10 epochs)
        epochs = epochs or (FULL_BATCH_EPOCHS if batch_size is None else MINI_BATCH_EPOCHS)
    opt = get_optimizer(optimizer, learning_rate)
    return Settings(opt, iterations, epochs, batch_size, **run, **steps)


def _schedule(schedule: Any) -> Schedule:
    """``schedule`` as a :class:`Schedule`; errors name the option."""
    try:
        return get_schedule(schedule)
    except ValueError as e:
        raise ValueError(f"schedule: {e}") from None


def _lbfgs(
    learning_rate: float | None,
    batch_size: int | None,
    limits: tuple[int | None, float | None, int | None],
    steps: dict[str, Any],
    spelling: Spelling,
    run: dict[str, Any],
) -> Settings:
    """L-BFGS's settings: the full batch, its own step sizes (no schedule, clipping or
    shuffling); ``limits``: its iterations, ``tol`` (its tolerance) and ``max_fun``."""
    if batch_size is not None:
        raise ValueError(spelling.lbfgs_batch)
    if learning_rate is not None and spelling.lbfgs_rate:
        raise ValueError(spelling.lbfgs_rate)
    for given, rule in (
        (steps["schedule"] is not None, spelling.lbfgs_schedule),
        (steps["clip_norm"] is not None, spelling.lbfgs_clip),
        (not steps["shuffle"], spelling.lbfgs_shuffle),
    ):
        if given and rule:
            raise ValueError(rule)
    iterations, tol, max_fun = limits
    gtol = None if tol is None else checks.check_nonnegative_real(tol, "tol")
    return Settings(
        None, iterations or spelling.lbfgs_iterations, None, None, gtol=gtol, max_fun=max_fun, **run
    )


__all__ = [
    "CLI",
    "DIVERGENCE_FACTOR",
    "LBFGS_MAX_FUN",
    "ESTIMATOR",
    "TRAIN",
    "Settings",
    "Spelling",
    "resolve_settings",
]
