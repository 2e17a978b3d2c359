"""Training: ``train`` resolves its arguments, builds the objective (this
process's samples, or all MPI ranks' with ``comm=``) and hands it to a solver
(``bprop.training.solvers``): gradient steps with an optimiser, or L-BFGS. The run's
history, progress, callbacks and stopping live in ``bprop.training.history``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from .._internal import checks
from .._internal.problem import Problem
from .._internal.stacklevel import user_stacklevel
from ..network import Network, network_kind
from ..optim import OPTIMIZER_NAMES, Optimizer
from ..schedules import Schedule
from .history import History, InputScaleWarning, TrainingDiverged
from .objective import Objective
from .settings import DIVERGENCE_FACTOR, resolve_settings
from .solvers import train_lbfgs, train_stochastic


def train(
    thetas: Any,
    X: Any,
    y: Any,
    *,
    lambda_: float = 0.0,
    optimizer: str | Optimizer = "gd",
    learning_rate: float | None = None,
    iterations: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: Any = None,
    validation_data: tuple[Any, Any] | None = None,
    early_stopping: bool = False,
    patience: int = 5,
    callbacks: Sequence[Callable[[dict], Any]] = (),
    verbose: bool = True,
    num_threads: int | None = None,
    sample_weight: Any = None,
    activation: Any = None,
    output: str | None = None,
    comm: Any = None,
    x_scale: float | None = None,
    tol: float | None = None,
    max_cost_growth: float | None = DIVERGENCE_FACTOR,
    schedule: str | Schedule | None = None,
    clip_norm: float | None = None,
    shuffle: bool = True,
    max_fun: int | None = None,
) -> tuple[Network, History]:
    """Train a network; returns the trained weights (new arrays) and the history.

    Parameters
    ----------
    thetas : list of ndarray
        Initial weights, ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``; not modified.
    X : array_like, shape (m, n)
        ``uint8`` pixels (scaled by ``x_scale``, 1/255 by default) and float32
        under float64 weights are used as they are, without a converted copy.
    y : array_like, shape (m,) or (m, K)
        Labels in ``[0, K)`` or targets in ``[0, 1]`` (real targets for an
        identity output).
    lambda_ : float, default 0.0
        The method's L2 strength: the objective is ``J`` over all m training
        samples, with the penalty ``lambda_/(2m) sum ||Theta_l[:, 1:]||^2``. A
        mini-batch's cost is the batch's mean data term plus that same
        full-data penalty, an unbiased estimate of ``J`` (and its gradient of
        ``J``'s): mini-batch and full-batch training minimise the same ``J``.
        A last batch of r < batch_size samples steps with its gradient times
        ``r / batch_size``, its share of the epoch, so that a remainder of a
        few samples neither regularises harder nor pulls the weights towards
        those few.
    optimizer : {"gd", "momentum", "nesterov", "adam", "adamw", "lbfgs"} or Optimizer
        "adamw" is :class:`~bprop.optim.AdamW` with its default weight decay
        0.01; give an instance for another (``AdamW(0.001, weight_decay=0.1)``).
    learning_rate : float, optional
        Default per optimiser (gd 1.0, momentum/nesterov 0.5, adam/adamw 0.001).
        With an :class:`~bprop.optim.Optimizer` instance leave it out: the
        instance carries its own rate (``Adam(0.01)``), and giving both raises
        ``ValueError``.
    iterations : int, optional
        Optimiser steps (lbfgs: iterations). Give this or ``epochs``.
    epochs : int, optional
        Passes over the data. Default: 100 iterations full-batch, 10 epochs mini-batch.
    batch_size : int, optional
        ``None``: full batch, as in the tutorial. An int: shuffled mini-batches
        (seeded by ``seed``; see ``shuffle``); not with lbfgs.
    seed : None, int or Generator
        Shuffling seed. Training is deterministic for a seed on any thread count.
    validation_data : (X_val, y_val), optional
        Evaluated at the end of each epoch: the validation cost, and the
        accuracy when y_val holds class labels (classification outputs).
    early_stopping : bool
        Stop after ``patience`` epochs without a lower validation cost and return
        the best weights. Needs ``validation_data``.
    patience : int, default 5
        With ``early_stopping``: the epochs in a row without a lower validation
        cost that end training.
    callbacks : sequence of callables
        ``cb(info)`` after each epoch; ``info`` has epoch, iteration, cost, val_cost,
        val_accuracy, learning_rate (the epoch's; None for lbfgs), thetas, history.
        Returning True stops training.
    verbose : bool
        Show progress: a bar on a terminal or in Jupyter, else (logs, pipes)
        one line per epoch on stderr (at most about 100 lines).
    num_threads : int, optional
        Threads of each cost and gradient evaluation; None: the module default
        (:func:`bprop.set_num_threads`). The result does not depend on it.
    sample_weight : array_like, shape (m,), optional
        Per-sample weights of the cost (see :func:`bprop.cost`); a mini-batch
        uses the weights of its samples.
    activation : str or list of str, optional
        The hidden layers' activation, as in :func:`bprop.cost` (default: a
        :class:`bprop.Network`'s own, else "sigmoid").
    output : {"logistic", "softmax", "identity"}, optional
        The output layer and its cost, as in :func:`bprop.cost` (default: a
        :class:`bprop.Network`'s own, else "logistic").
    comm : mpi4py communicator, optional
        Data-parallel training (see :mod:`bprop.distributed`): every rank calls
        ``train`` with the same weights and settings and its own shard of X, y
        (and of ``validation_data``); each step uses the gradient over all
        ranks' samples, so every rank applies the same update. ``batch_size`` is
        the global batch, shared out among the ranks in proportion to their
        shards. Deterministic for a seed and a number of ranks; only rank 0
        shows progress.
    x_scale : float, optional
        As in :func:`bprop.cost`: the factor applied to X (and to the
        validation X) as the core reads it; default 1/255 for uint8, else 1.
    tol : float, optional
        lbfgs only: stop once the largest entry of the (projected) gradient is
        at most ``tol`` (SciPy's ``gtol``; default SciPy's 1e-5), with
        ``history.stopped == "converged"``. The step optimisers stop by
        ``early_stopping``/``patience`` or a callback instead.
    max_cost_growth : float or None, default 4.0
        Step optimisers: stop with :class:`TrainingDiverged` once an epoch's
        mean cost exceeds this multiple of the initial cost, while every number
        is still finite (a learning rate too large, caught early). None: only
        NaN/inf stop training, as in scikit-learn's MLP (the estimators' rule).
    schedule : str or Schedule, optional
        The step optimisers' learning rate per epoch (:mod:`bprop.schedules`): a
        :class:`~bprop.schedules.Schedule` or a name with options,
        ``"step:step_size=5,gamma=0.5"``, ``"exponential:gamma=0.9"``,
        ``"cosine:warmup=2"``, ``"plateau:factor=0.5,patience=3"`` (it watches the
        validation cost with ``validation_data``, else the training cost),
        ``"invscaling:power_t=0.5"``. Its base rate is the optimiser's learning
        rate; before each epoch the optimiser's ``learning_rate`` is set to the
        schedule's (an instance given as ``optimizer`` keeps the last epoch's).
        None: the rate stays as the optimiser keeps it. Not with lbfgs.
    clip_norm : float, optional
        Step optimisers: before each step, when the global L2 norm of the
        gradient (all layers, bias columns included) exceeds ``clip_norm``,
        scale the whole gradient down to that norm, as
        ``torch.nn.utils.clip_grad_norm_``. A smaller last batch's share is
        applied after clipping. None: no clipping. Not with lbfgs.
    shuffle : bool, default True
        Mini-batches: a new random order of the samples each epoch (seeded by
        ``seed``); False: the batches in the samples' order, the same every epoch
        (scikit-learn's ``shuffle=False``). Full batch (``batch_size=None``): no
        effect (one batch). Not False with lbfgs.
    max_fun : int, optional
        lbfgs only: stop once the cost has been evaluated more than ``max_fun``
        times (SciPy's ``maxfun``, checked at the end of an iteration; default
        15000, as scikit-learn's MLP), with ``history.stopped == "max_fun"``.

    Returns
    -------
    thetas : Network
        The trained weights as a list that also records ``activation`` and
        ``output``, so :func:`bprop.save` and :func:`bprop.predict` know them.
    history : History

    Raises
    ------
    TrainingDiverged
        When the cost or weights become NaN/inf, or the cost grows past
        ``max_cost_growth``; carries the last finite weights. A
        ``FloatingPointError`` and a ``ValueError``.
    ValueError
        When an argument is out of range or the arguments disagree: shapes of
        ``thetas``, ``X`` and ``y`` (the message names the layer and the sizes),
        labels outside ``[0, K)``, non-finite inputs, an unknown ``optimizer``,
        ``learning_rate`` given with an Optimizer instance, ``batch_size``,
        ``schedule``, ``clip_norm`` or ``shuffle=False`` with lbfgs, ``max_fun``
        without it, an unknown ``schedule`` or one that does not fit the run,
        ``clip_norm <= 0``, ``early_stopping`` without ``validation_data``.
    TypeError
        When an argument has the wrong type: ``callbacks`` not a sequence of
        callables, ``validation_data`` not a pair, ``X`` not numeric.
    ScheduleError
        When a schedule whose rates are not known ahead (a custom one) gives an
        epoch a rate that is not finite and > 0; it names the schedule and the
        epoch and carries the weights and history of the epochs before. (A
        built-in schedule's rates, all but ``plateau``'s, are checked for every
        epoch of the run before training starts, a ``ValueError``.)

    Warns
    -----
    InputScaleWarning
        When X's largest ``|x|``, as the core reads it (times ``x_scale``), is
        above 100: inputs that large saturate sigmoid and tanh units from the
        first step and training tends to stay near chance. Standardise X's
        columns (:func:`bprop.data.standardize`). uint8 pixels, read as
        ``x/255``, never warn.

    Notes
    -----
    Ctrl-C stops training cleanly: the weights of the last completed step are
    returned with ``history.stopped == "interrupted"``.

    Examples
    --------
    The tutorial's run: full batch, L2 penalty, here with L-BFGS:

    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> net, history = bprop.train(bprop.initialize([64, 25, 10], seed=0), X, y, lambda_=1.0,
    ...                            optimizer="lbfgs", iterations=30, verbose=False)
    >>> history.stopped, history.iterations, bool(history.cost[-1] < history.cost[0])
    ('completed', 30, True)
    >>> bool((bprop.predict(net, X) == y).mean() > 0.9)
    True
    >>> [t.shape for t in net], net.output
    ([(25, 65), (10, 26)], 'logistic')

    Mini-batches with Adam, a validation set and a callback that stops after
    epoch 3:

    >>> X_tr, X_val, y_tr, y_val = bprop.data.train_validation_split(X, y, seed=0)
    >>> net, history = bprop.train(bprop.initialize([64, 25, 10], seed=0), X_tr, y_tr,
    ...                            optimizer="adam", learning_rate=0.01, batch_size=64,
    ...                            epochs=10, seed=0, validation_data=(X_val, y_val),
    ...                            callbacks=[lambda info: info["epoch"] == 3], verbose=False)
    >>> history.stopped, history.epochs, history.iterations, len(history.val_accuracy)
    ('callback', 3, 69, 3)

    A cosine schedule after one warm-up epoch, with clipped gradients; the rate
    of each epoch is in the history:

    >>> net, history = bprop.train(bprop.initialize([64, 25, 10], seed=0), X, y,
    ...                            optimizer="momentum", learning_rate=0.4, batch_size=128,
    ...                            epochs=4, seed=0, schedule="cosine:warmup=1", clip_norm=5.0,
    ...                            verbose=False)
    >>> [round(r, 3) for r in history.learning_rate]
    [0.2, 0.4, 0.3, 0.1]
    """
    activation, output = network_kind(thetas, activation, output)
    t0 = [t.copy() for t in checks.check_thetas(thetas)]
    objective = _objective(comm)(
        t0, X, y, lambda_, num_threads, sample_weight, activation, output, x_scale
    )
    _warn_large_inputs(objective)
    _check_callbacks(callbacks)
    settings = resolve_settings(
        optimizer=optimizer,
        learning_rate=learning_rate,
        iterations=iterations,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        patience=patience,
        early_stopping=early_stopping,
        has_validation=validation_data is not None,
        max_cost_growth=max_cost_growth,
        tol=tol,
        callbacks=callbacks,
        verbose=verbose and objective.shows_progress(),  # (MPI: rank 0 shows it)
        schedule=schedule,
        clip_norm=clip_norm,
        shuffle=shuffle,
        max_fun=max_fun,
    )
    validation = _validation(objective, t0, validation_data, output)
    solve = train_lbfgs if settings.lbfgs else train_stochastic
    return solve(t0, objective, settings, validation)


def _warn_large_inputs(objective: Objective) -> None:
    """InputScaleWarning when X, as the core reads it, is far from unit scale."""
    largest = objective.problem.largest_input()
    if checks.is_large_input(largest) and objective.shows_progress():  # (MPI: rank 0 says it)
        warnings.warn(
            f"X's largest |x| is {largest:g}: inputs far from unit scale saturate "
            f"sigmoid and tanh units, and training may stay near chance; standardise "
            f"X's columns (bprop.data.standardize, or scikit-learn's StandardScaler)",
            InputScaleWarning,
            stacklevel=user_stacklevel(),
        )


def _check_callbacks(callbacks: Any) -> None:
    if callable(callbacks) or isinstance(callbacks, (str, bytes)):
        raise TypeError(
            "callbacks must be a sequence of callables: wrap one in a list, callbacks=[fn]"
        )
    not_callable = [cb for cb in callbacks if not callable(cb)]
    if not_callable:
        raise TypeError(
            f"callbacks must be callables taking the epoch's info; got "
            f"{checks.shown(not_callable[0])}"
        )


def _validation(
    objective: Objective, t0: list[np.ndarray], validation_data: Any, output: str
) -> tuple[Problem, np.ndarray | None] | None:
    """``validation_data`` prepared for the core once, or None; errors name it."""
    if validation_data is None:
        return None
    try:
        Xv, yv = validation_data
    except (TypeError, ValueError):
        raise TypeError("validation_data must be a pair (X_val, y_val)") from None
    try:
        vp = objective.prepare(t0, Xv, yv, 0.0, objective.problem.num_threads)
    except (ValueError, TypeError) as e:  # say which data is at fault
        raise type(e)(f"validation_data (X_val, y_val): {e}") from None
    bad = checks.first_non_finite(vp.X)
    if bad is not None:
        raise ValueError(f"validation_data: X_val holds {bad[2]} at row {bad[0]}, column {bad[1]}")
    if vp.labels is None and output != "identity":
        raise ValueError("validation_data needs y_val as class labels (m,)")
    return vp, vp.labels


def _objective(comm: Any) -> Callable[..., Objective]:
    """The objective over this process's samples, or over all MPI ranks' with ``comm``."""
    if comm is None:
        return Objective
    from ..distributed import DistributedObjective

    return lambda *args: DistributedObjective(*args, comm=comm)


__all__ = ["History", "TrainingDiverged", "train", "OPTIMIZER_NAMES"]
