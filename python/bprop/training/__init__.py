"""Training: ``train`` (``driver``) resolves its arguments, builds the
objective (``objective``: J, its gradient and mini-batches; over MPI ranks,
``bprop.distributed.DistributedObjective``) and hands it to a solver
(``solvers``: gradient steps with an optimiser, or L-BFGS); ``history`` records
the run, shows progress and holds the one stopping rule."""

from .driver import OPTIMIZER_NAMES, train
from .history import History, InputScaleWarning, NoImprovement, TrainingDiverged
from .objective import Objective

__all__ = [
    "train",
    "History",
    "InputScaleWarning",
    "TrainingDiverged",
    "NoImprovement",
    "Objective",
    "OPTIMIZER_NAMES",
]
