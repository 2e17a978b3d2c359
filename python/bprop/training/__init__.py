"""Training: ``train`` (``driver``) resolves its settings (``settings``: the defaults and
the rules between options, shared with the command line and the estimators), builds the
objective (``objective``: J, its gradient and mini-batches; over MPI ranks,
``bprop.distributed.DistributedObjective``) and hands it to a solver (``solvers``:
gradient steps with an optimiser, an epoch at a time through ``epochs`` or
``core_epochs``, or L-BFGS); ``history`` records the run, shows progress and holds the
one stopping rule."""

from .driver import OPTIMIZER_NAMES, train
from .history import (
    History,
    InputScaleWarning,
    NoImprovement,
    ScheduleError,
    TrainingDiverged,
)
from .objective import Objective

__all__ = [
    "train",
    "History",
    "InputScaleWarning",
    "ScheduleError",
    "TrainingDiverged",
    "NoImprovement",
    "Objective",
    "OPTIMIZER_NAMES",
]
