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
    """J(Theta) and its gradient over the samples ``X, y`` of this process.

    The interface the solvers see (:func:`bprop.train` builds one); the data is
    validated and prepared once, here.

    Parameters
    ----------
    thetas : list of ndarray
        Weights whose shapes and dtype the data is checked against.
    X : array_like, shape (m, n)
        The training samples.
    y : array_like, shape (m,) or (m, K)
        Their labels or targets.
    lambda_ : float
        The L2 strength.
    num_threads : int or None
        Threads of each evaluation (None: the module default).
    sample_weight : array_like, shape (m,), or None
        Weights of the samples in the cost.
    activation, output : str or None
        The network's kind, as in :func:`bprop.cost` (None: ``thetas``' own when
        a :class:`bprop.Network`, else "sigmoid" and "logistic").
    x_scale : float, optional
        The factor applied to X as the core reads it (None: 1/255 for uint8, else 1).

    Attributes
    ----------
    problem : Problem
        The prepared training data.
    kind : Kind
        The network's activation, output and dtype, resolved once.
    rows : int
        Samples held here.

    Raises
    ------
    ValueError, TypeError
        When the data does not fit the weights (the message names the layer and
        the sizes) or an argument is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> import bprop
    >>> from bprop.training import Objective
    >>> X, y = bprop.data.load_digits()
    >>> thetas = bprop.initialize([64, 25, 10], seed=0)
    >>> objective = Objective(thetas, X, y, 1.0, None, None, "sigmoid", "logistic")
    >>> J, grads = objective.value_and_gradient(thetas)
    >>> bool(np.isclose(J, bprop.cost(thetas, X, y, 1.0))), objective.rows
    (True, 1797)
    >>> batch = objective.batch(np.arange(100), 100 / objective.rows)   # a mini-batch of J
    >>> J_batch, none = objective.value_and_gradient(thetas, batch, with_gradient=False)
    >>> J_batch > 0, none is None
    (True, True)
    """

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
        or float32 under float64 weights, for the core to convert as it reads).

        Parameters
        ----------
        thetas : list of ndarray
            The weights the data must fit.
        X, y : array_like
            Samples and their labels or targets (training or validation data).
        lambda_ : float
            The L2 strength of evaluations on this data.
        num_threads : int or None
            Threads of each evaluation.
        sample_weight : array_like or None, optional
            Weights of the samples.

        Returns
        -------
        Problem
            The prepared data, to pass to :meth:`value_and_gradient`.

        Raises
        ------
        ValueError, TypeError
            When the data does not fit the weights or is invalid.
        """
        return prepare(thetas, X, y, lambda_, num_threads, sample_weight, self.kind, self.x_scale)

    # -- values ---------------------------------------------------------------
    def value_and_gradient(
        self, thetas: list[np.ndarray], problem: Problem | None = None, with_gradient: bool = True
    ) -> tuple[float, list[np.ndarray] | None]:
        """J (and its gradient) on ``problem``: the training data by default, or a
        mini-batch or validation set prepared by this objective.

        Parameters
        ----------
        thetas : list of ndarray
            The weights.
        problem : Problem, optional
            Prepared data (from ``prepare`` or ``batch``); None: the training data.
        with_gradient : bool, default True
            Compute the gradient too.

        Returns
        -------
        J : float
            The cost, penalty included.
        grads : list of ndarray or None
            The gradient, shaped as ``thetas``; None without ``with_gradient``.

        Raises
        ------
        FloatingPointError
            When the cost or gradient overflows to inf/NaN.
        """
        return evaluate(thetas, self.problem if problem is None else problem, with_gradient)

    def accuracy(self, thetas: list[np.ndarray], problem: Problem, labels: np.ndarray) -> float:
        """The share of ``problem``'s samples whose predicted class is their label.

        Parameters
        ----------
        thetas : list of ndarray
            The weights.
        problem : Problem
            Prepared data (a validation set).
        labels : ndarray of int, shape (m,)
            The samples' labels.

        Returns
        -------
        float
            The accuracy, in [0, 1].
        """
        return float(np.mean(predict_prepared(thetas, problem) == labels))

    # -- mini-batches ---------------------------------------------------------
    @property
    def rows(self) -> int:
        """Samples held here."""
        return int(self.problem.X.shape[0])

    def shard_sizes(self) -> list[int]:
        """Samples held by each process (one here).

        Returns
        -------
        list of int
            ``[rows]``; over MPI, every rank's count in rank order.
        """
        return [self.rows]

    def batch_positions(self, b: int, batch_size: int, rows: int, steps: int) -> slice:
        """Positions of batch b in a shuffled order of ``rows`` samples.

        Parameters
        ----------
        b : int
            The batch's number in the epoch, from 0.
        batch_size : int
            Samples per batch (this process's share of the global batch).
        rows : int
            Samples held here.
        steps : int
            Batches per epoch.

        Returns
        -------
        slice
            Positions ``b * batch_size`` up to ``(b + 1) * batch_size``.
        """
        return slice(b * batch_size, (b + 1) * batch_size)

    def shuffle_rng(self, seed: Any) -> np.random.Generator:
        """The generator that shuffles the samples each epoch.

        Parameters
        ----------
        seed : None, int or numpy.random.Generator
            As :func:`bprop.train`'s ``seed``.

        Returns
        -------
        numpy.random.Generator
            ``numpy.random.default_rng(seed)``.
        """
        return np.random.default_rng(checks.check_seed(seed))

    def batch(self, rows: np.ndarray, share: float) -> Problem:
        """The mini-batch ``rows``, holding ``share`` of all training samples. The
        core divides lambda by the batch's m, so lambda is scaled by the share:
        the batch's penalty is the full-data ``lambda/(2m)`` term of J.

        Parameters
        ----------
        rows : ndarray of int
            Indices of the batch's samples in the training data.
        share : float
            The batch's share of all training samples (``len(rows) / m``).

        Returns
        -------
        Problem
            The batch, to pass to :meth:`value_and_gradient`.
        """
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
        zero weights has nothing to learn).

        Parameters
        ----------
        problem : Problem
            Prepared data (a mini-batch).

        Returns
        -------
        bool
            True without sample weights.
        """
        return problem.w is None or float(problem.w.sum()) > 0

    def shows_progress(self) -> bool:
        """Whether this process shows progress and warnings (over MPI, rank 0 only).

        Returns
        -------
        bool
            True here.
        """
        return True


__all__ = ["Objective"]
