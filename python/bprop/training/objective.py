"""The objective that training minimises, as one object: prepared data, the cost J
and its gradient, mini-batches of it, and accuracy.

J is the cost over all m training samples, with the penalty ``lambda/(2m)`` on the
non-bias weights (the method's convention; the core computes it). A mini-batch
is the same objective on fewer rows: its data term is the batch's mean and its
penalty is still ``lambda/(2m)``, so that every step is an unbiased step on J.

:class:`Objective` runs on the rows of this process; ``bprop.distributed``'s
``DistributedObjective`` sums the same quantities over MPI ranks. The solvers
(``bprop.training.solvers``) see only this interface.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._internal import checks
from .._internal.kind import resolve_kind
from .._internal.problem import Problem, evaluate, predict_prepared, prepare


class Objective:
    """J(Theta) and its gradient over the samples ``X, y`` of this process."""

    collective = False  # whether every evaluation needs all MPI ranks to take part

    def __init__(
        self,
        thetas: list[np.ndarray],
        X: Any,
        y: Any,
        lambda_: Any,
        num_threads: int | None,
        sample_weight: Any,
        activation: Any,
        output: Any,
        x_scale: Any = None,
    ) -> None:
        self.kind = resolve_kind(thetas, activation, output)
        self.x_scale = x_scale  # as given: None resolves per array (1/255 for uint8)
        self.problem = self.prepare(thetas, X, y, lambda_, num_threads, sample_weight)

    def prepare(
        self,
        thetas: list[np.ndarray],
        X: Any,
        y: Any,
        lambda_: Any,
        num_threads: int | None,
        sample_weight: Any = None,
    ) -> Problem:
        """Validated, contiguous data for repeated evaluations (X kept as uint8,
        or float32 under float64 weights, for the core to convert as it reads)."""
        return prepare(thetas, X, y, lambda_, num_threads, sample_weight, self.kind, self.x_scale)

    # -- values ---------------------------------------------------------------
    def value_and_gradient(
        self, thetas: list[np.ndarray], problem: Problem | None = None, with_gradient: bool = True
    ) -> tuple[float, list[np.ndarray] | None]:
        """J (and its gradient) on ``problem``: the training data by default, or a
        mini-batch or validation set prepared by this objective."""
        return evaluate(thetas, self.problem if problem is None else problem, with_gradient)

    def accuracy(self, thetas: list[np.ndarray], problem: Problem, labels: np.ndarray) -> float:
        return float(np.mean(predict_prepared(thetas, problem) == labels))

    # -- mini-batches ---------------------------------------------------------
    @property
    def rows(self) -> int:
        """Samples held here."""
        return int(self.problem.X.shape[0])

    def shard_sizes(self) -> list[int]:
        """Samples held by each process (one here)."""
        return [self.rows]

    def batch_positions(self, b: int, batch_size: int, rows: int, steps: int) -> slice:
        """Positions of batch b in a shuffled order of ``rows`` samples."""
        return slice(b * batch_size, (b + 1) * batch_size)

    def shuffle_rng(self, seed: Any) -> np.random.Generator:
        return np.random.default_rng(checks.check_seed(seed))

    def batch(self, rows: np.ndarray, share: float) -> Problem:
        """The mini-batch ``rows``, holding ``share`` of all training samples. The
        core divides lambda by the batch's m, so lambda is scaled by the share:
        the batch's penalty is the full-data ``lambda/(2m)`` term of J."""
        p = self.problem
        X = p.X[rows]
        w = None if p.w is None else p.w[rows]
        csr = None if p.csr is None else checks.csr_parts(X, p.csr[2].dtype, p.x_scale)
        return Problem(
            p.X_original,
            X,
            None if p.labels is None else p.labels[rows],
            None if p.Y is None else p.Y[rows],
            p.lambda_ * share,
            p.num_threads,
            p.kind,
            w,
            p.x_scale,
            rows,
            csr,
        )

    def has_weight(self, problem: Problem) -> bool:
        """Whether some sample of ``problem`` has a positive weight (a batch of
        zero weights has nothing to learn)."""
        return problem.w is None or float(problem.w.sum()) > 0

    def shows_progress(self) -> bool:
        return True


__all__ = ["Objective"]
