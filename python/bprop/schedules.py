"""Learning-rate schedules: the step size of each epoch of :func:`bprop.train`.

A schedule is given as ``train(..., schedule=...)`` (an instance or a name, with
options as the command line spells them: ``"cosine:warmup=2"``), or as the command
line's ``--schedule``. Before each epoch ``train`` sets the optimiser's
``learning_rate`` to the schedule's rate for that epoch, so whole epochs in the core
and steps from Python use the same rate (and give the same weights, bit for bit);
``history.learning_rate`` records the rate of every epoch. The base rate ``alpha``
is the optimiser's learning rate when training starts; epochs count from 1.

=================  ===================================================================
name               rate of epoch e (of E in the run)
=================  ===================================================================
``constant``       ``alpha``
``step``           ``alpha * gamma ** ((e - 1) // step_size)``
``exponential``    ``alpha * gamma ** (e - 1)``
``cosine``         a linear warm-up ``alpha * e / (warmup + 1)`` for ``e <= warmup``,
                   then ``min_lr + (alpha - min_lr) (1 + cos(pi p)) / 2`` with
                   ``p = (e - warmup - 1) / (E - warmup)``
``plateau``        ``alpha``, times ``factor`` (down to ``min_lr``) each time
                   ``patience`` epochs in a row did not lower the watched cost by
                   more than ``tol``
``invscaling``     ``alpha / (t + 1) ** power_t``, ``t`` the samples seen in the
                   earlier epochs (scikit-learn's ``learning_rate="invscaling"``)
=================  ===================================================================

L-BFGS chooses its own step sizes and takes no schedule.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, Callable

from ._internal import checks


class Schedule:
    """Base class of the schedules: a learning rate for each epoch of a run.

    :func:`bprop.train` calls :meth:`start` once (on a copy: the instance given is
    not changed), :meth:`rate` before each epoch and :meth:`observe` after it. A
    subclass sets ``name`` and implements :meth:`rate`.

    Examples
    --------
    A schedule of one's own, halving the rate every other epoch:

    >>> from bprop.schedules import Schedule
    >>> class EveryOther(Schedule):
    ...     name = "every-other"
    ...     def rate(self, epoch):
    ...         return self.base_rate / 2 ** ((epoch - 1) // 2)
    >>> s = EveryOther()
    >>> s.start(0.8, epochs=5)
    >>> [s.rate(e) for e in range(1, 6)]
    [0.8, 0.8, 0.4, 0.4, 0.2]
    """

    name = "base"
    # The rate of every epoch is known once the run starts (it does not depend on the
    # costs :meth:`observe` sees): :func:`started` checks them all before training.
    known_ahead = False
    base_rate: float = 0.0
    epochs: int = 0
    samples_per_epoch: int = 0

    def start(self, base_rate: float, epochs: int, samples_per_epoch: int = 1) -> None:
        """Begin a run: its base rate, its length and its samples; resets any state.

        Parameters
        ----------
        base_rate : float
            alpha, the optimiser's learning rate when training starts (> 0).
        epochs : int
            Epochs in the run (the last one possibly cut short by ``iterations``).
        samples_per_epoch : int, default 1
            Training samples per epoch (all ranks' with MPI).

        Raises
        ------
        ValueError
            When the schedule does not fit the run (a cosine warm-up as long as
            the run, a floor ``min_lr`` not below ``base_rate``).
        """
        self.base_rate = checks.check_positive_real(base_rate, "base_rate")
        self.epochs = checks.check_positive_int(epochs, "epochs")
        self.samples_per_epoch = checks.check_positive_int(samples_per_epoch, "samples_per_epoch")

    def rate(self, epoch: int) -> float:
        """The learning rate of ``epoch`` (from 1), after :meth:`Schedule.start`.

        Parameters
        ----------
        epoch : int
            The epoch about to run, from 1.

        Returns
        -------
        float
            A finite rate > 0.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement rate(self, epoch) -> float: the "
            f"learning rate of each epoch (from 1), e.g. from self.base_rate and self.epochs"
        )

    def hint(self, epoch: int) -> str:
        """A remedy for a rate of ``epoch`` that is not finite and > 0 (" (...)"), or ""."""
        return ""

    def observe(self, value: float) -> None:
        """The watched cost at the end of an epoch: the validation cost with
        ``validation_data``, else the epoch's training cost. Only
        :class:`ReduceOnPlateau` looks at it.

        Parameters
        ----------
        value : float
            The cost; lower is better.
        """

    def options(self) -> dict[str, Any]:
        """The schedule's options, by the names its constructor and :func:`get_schedule` take.

        Returns
        -------
        dict
        """
        return {}

    def spec(self) -> str:
        """The schedule as :func:`get_schedule` and ``--schedule`` read it.

        Returns
        -------
        str
            ``name`` or ``name:key=value,...``.

        Examples
        --------
        >>> from bprop.schedules import Cosine
        >>> Cosine(warmup=3).spec()
        'cosine:warmup=3,min_lr=0'
        """
        opts = ",".join(f"{k}={_text(v)}" for k, v in self.options().items() if v is not None)
        return f"{self.name}:{opts}" if opts else self.name

    def __repr__(self) -> str:
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options().items())
        return f"{type(self).__name__}({opts})"


class Constant(Schedule):
    """The same rate every epoch: ``alpha``.

    Examples
    --------
    >>> from bprop.schedules import Constant
    >>> s = Constant()
    >>> s.start(0.1, epochs=3)
    >>> [s.rate(e) for e in (1, 2, 3)]
    [0.1, 0.1, 0.1]
    """

    name = "constant"
    known_ahead = True

    def rate(self, epoch: int) -> float:
        return self.base_rate


class StepDecay(Schedule):
    """The rate times ``gamma`` every ``step_size`` epochs:
    ``alpha * gamma ** ((e - 1) // step_size)`` (PyTorch's ``StepLR``).

    Parameters
    ----------
    step_size : int, default 10
        Epochs between two decays (>= 1).
    gamma : float, default 0.1
        The factor, in (0, 1].

    Raises
    ------
    ValueError, TypeError
        When ``step_size`` is not a positive int or ``gamma`` is outside (0, 1].

    Examples
    --------
    >>> from bprop.schedules import StepDecay
    >>> s = StepDecay(step_size=2, gamma=0.5)
    >>> s.start(1.0, epochs=5)
    >>> [s.rate(e) for e in range(1, 6)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    name = "step"
    known_ahead = True

    def __init__(self, step_size: int = 10, gamma: float = 0.1) -> None:
        self.step_size = checks.check_positive_int(step_size, "step_size")
        self.gamma = _factor(gamma, "gamma", upper_closed=True)

    def rate(self, epoch: int) -> float:
        return self.base_rate * self.gamma ** ((epoch - 1) // self.step_size)

    def options(self) -> dict[str, Any]:
        return {"step_size": self.step_size, "gamma": self.gamma}


class Exponential(Schedule):
    """The rate times ``gamma`` every epoch: ``alpha * gamma ** (e - 1)``
    (PyTorch's ``ExponentialLR``).

    Parameters
    ----------
    gamma : float, default 0.95
        The factor per epoch, in (0, 1].

    Raises
    ------
    ValueError, TypeError
        When ``gamma`` is outside (0, 1].

    Examples
    --------
    >>> from bprop.schedules import Exponential
    >>> s = Exponential(gamma=0.5)
    >>> s.start(1.0, epochs=3)
    >>> [s.rate(e) for e in (1, 2, 3)]
    [1.0, 0.5, 0.25]
    """

    name = "exponential"
    known_ahead = True

    def __init__(self, gamma: float = 0.95) -> None:
        self.gamma = _factor(gamma, "gamma", upper_closed=True)

    def rate(self, epoch: int) -> float:
        return self.base_rate * self.gamma ** (epoch - 1)

    def options(self) -> dict[str, Any]:
        return {"gamma": self.gamma}


class Cosine(Schedule):
    """Cosine annealing from ``alpha`` towards ``min_lr`` over the run, after an
    optional linear warm-up, per epoch.

    Epochs ``e <= warmup`` ramp up: ``alpha * e / (warmup + 1)``. Then, with
    ``p = (e - warmup - 1) / (E - warmup)`` going from 0 (the first epoch after the
    warm-up, at ``alpha``) towards 1: ``min_lr + (alpha - min_lr) (1 + cos(pi p)) / 2``.
    The last epoch's rate is still above ``min_lr`` (it would reach it one epoch later).

    Parameters
    ----------
    warmup : int, default 0
        Warm-up epochs (>= 0), fewer than the run's.
    min_lr : float, default 0.0
        The floor the rate anneals towards (>= 0, below ``alpha``).
    epochs : int, optional
        E, the epochs the cosine spans; None: the run's.

    Raises
    ------
    ValueError, TypeError
        When an option is out of range; at the start of a run, when ``warmup``
        is not below E or ``min_lr`` not below the base rate.

    Examples
    --------
    >>> import math
    >>> from bprop.schedules import Cosine
    >>> s = Cosine(warmup=1)
    >>> s.start(1.0, epochs=5)
    >>> [round(s.rate(e), 4) for e in range(1, 6)]
    [0.5, 1.0, 0.8536, 0.5, 0.1464]
    """

    name = "cosine"
    known_ahead = True

    def __init__(self, warmup: int = 0, min_lr: float = 0.0, epochs: int | None = None) -> None:
        if isinstance(warmup, bool) or not isinstance(warmup, numbers.Integral) or warmup < 0:
            raise ValueError(f"warmup must be a whole number >= 0, got {checks.shown(warmup)}")
        self.warmup: int = int(warmup)
        self.min_lr: float = checks.check_nonnegative_real(min_lr, "min_lr")
        self.span: int | None = (
            None if epochs is None else checks.check_positive_int(epochs, "epochs")
        )

    def start(self, base_rate: float, epochs: int, samples_per_epoch: int = 1) -> None:
        super().start(base_rate, epochs, samples_per_epoch)
        span = self.span or self.epochs
        if self.warmup >= span:
            raise ValueError(
                f"cosine's warmup={self.warmup} leaves no epoch to anneal in a span of "
                f"{span} epoch{'' if span == 1 else 's'}: give fewer warm-up epochs, or train "
                f"for more epochs"
            )
        if self.min_lr >= self.base_rate:
            raise ValueError(
                f"cosine's min_lr={_text(self.min_lr)} must be below the learning rate "
                f"({_text(self.base_rate)})"
            )

    def rate(self, epoch: int) -> float:
        if epoch <= self.warmup:
            return self.base_rate * epoch / (self.warmup + 1)
        span = self.span or self.epochs
        p = min(1.0, (epoch - self.warmup - 1) / (span - self.warmup))
        return self.min_lr + (self.base_rate - self.min_lr) * (1 + math.cos(math.pi * p)) / 2

    def hint(self, epoch: int) -> str:
        span = self.span or self.epochs
        if epoch <= span:
            return ""
        return (
            f" (the cosine spans {span} epochs and then stays at min_lr={_text(self.min_lr)}: "
            f"give epochs={self.epochs} or more, or a min_lr above 0)"
        )

    def options(self) -> dict[str, Any]:
        return {"warmup": self.warmup, "min_lr": self.min_lr, "epochs": self.span}


class ReduceOnPlateau(Schedule):
    """Cut the rate by ``factor`` when the watched cost stops falling (PyTorch's
    ``ReduceLROnPlateau``, Keras's callback).

    The watched cost is the validation cost when :func:`bprop.train` has
    ``validation_data``, else each epoch's training cost. Once ``patience``
    epochs in a row failed to lower its best value by more than ``tol``, the
    rate is multiplied by ``factor`` (not below ``min_lr``) and the count starts
    again (the best value is kept): :class:`bprop.training.NoImprovement`, the one
    stopping rule, decides when.

    Parameters
    ----------
    factor : float, default 0.1
        The cut, in (0, 1).
    patience : int, default 10
        Epochs without improvement before a cut (>= 1).
    min_lr : float, default 0.0
        The lowest rate (>= 0).
    tol : float, default 0.0
        How much lower than the best a cost must be to count as an improvement.

    Raises
    ------
    ValueError, TypeError
        When an option is out of range.

    Examples
    --------
    >>> from bprop.schedules import ReduceOnPlateau
    >>> s = ReduceOnPlateau(factor=0.5, patience=2)
    >>> s.start(1.0, epochs=6)
    >>> rates = []
    >>> for epoch, cost in enumerate([3.0, 2.0, 2.5, 2.1, 1.0, 1.5], start=1):
    ...     rates.append(s.rate(epoch))
    ...     s.observe(cost)
    >>> rates, s.rate(7)
    ([1.0, 1.0, 1.0, 1.0, 0.5, 0.5], 0.5)
    """

    name = "plateau"

    def __init__(
        self, factor: float = 0.1, patience: int = 10, min_lr: float = 0.0, tol: float = 0.0
    ) -> None:
        self.factor = _factor(factor, "factor", upper_closed=False)
        self.patience = checks.check_positive_int(patience, "patience")
        self.min_lr = checks.check_nonnegative_real(min_lr, "min_lr")
        self.tol = checks.check_nonnegative_real(tol, "tol")
        self.current = 0.0
        self._rule: Any = None

    def start(self, base_rate: float, epochs: int, samples_per_epoch: int = 1) -> None:
        from .training.history import NoImprovement  # (training imports this module)

        super().start(base_rate, epochs, samples_per_epoch)
        if self.min_lr >= self.base_rate:
            raise ValueError(
                f"plateau's min_lr={_text(self.min_lr)} must be below the learning rate "
                f"({_text(self.base_rate)}): the cuts would raise the rate"
            )
        self.current = self.base_rate
        self._rule = NoImprovement(self.patience, self.tol)

    def rate(self, epoch: int) -> float:
        return self.current

    def observe(self, value: float) -> None:
        if self._rule.update(value, []):
            self.current = max(self.current * self.factor, self.min_lr)
            self._rule.since_best = 0

    def options(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "patience": self.patience,
            "min_lr": self.min_lr,
            "tol": self.tol,
        }


class InvScaling(Schedule):
    """scikit-learn's ``learning_rate="invscaling"``: ``alpha / (t + 1) ** power_t``,
    ``t`` the training samples seen before the epoch (``(e - 1) m``), so the
    first epoch runs at ``alpha``.

    Parameters
    ----------
    power_t : float, default 0.5
        The exponent (>= 0; 0 is constant).

    Raises
    ------
    ValueError, TypeError
        When ``power_t`` is negative or not a number.

    Examples
    --------
    >>> from bprop.schedules import InvScaling
    >>> s = InvScaling(power_t=0.5)
    >>> s.start(1.0, epochs=3, samples_per_epoch=3)
    >>> [s.rate(e) for e in (1, 2, 3)]
    [1.0, 0.5, 0.3779644730092272]
    """

    name = "invscaling"
    known_ahead = True

    def __init__(self, power_t: float = 0.5) -> None:
        self.power_t = checks.check_nonnegative_real(power_t, "power_t")

    def rate(self, epoch: int) -> float:
        return invscaling_rate(self.base_rate, self.power_t, (epoch - 1) * self.samples_per_epoch)

    def options(self) -> dict[str, Any]:
        return {"power_t": self.power_t}


def invscaling_rate(base_rate: float, power_t: float, samples_seen: int) -> float:
    """scikit-learn's inverse scaling, as its SGD optimiser computes it:
    ``base_rate / (samples_seen + 1) ** power_t``.

    Parameters
    ----------
    base_rate : float
        The initial rate (scikit-learn's ``learning_rate_init``).
    power_t : float
        The exponent.
    samples_seen : int
        Training samples of the epochs so far (scikit-learn's ``t_``).

    Returns
    -------
    float

    Examples
    --------
    >>> from bprop.schedules import invscaling_rate
    >>> invscaling_rate(0.1, 0.5, 99)
    0.01
    """
    return float(base_rate) / (samples_seen + 1) ** power_t


SCHEDULES: dict[str, Callable[..., Schedule]] = {
    cls.name: cls for cls in (Constant, StepDecay, Exponential, Cosine, ReduceOnPlateau, InvScaling)
}


def bad_rate(rate: Any) -> bool:
    """Whether ``rate`` is not a learning rate: not a finite real number > 0."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
        return True
    r = float(rate)
    return not (math.isfinite(r) and r > 0)


def rate_error(schedule: Schedule, epoch: int, rate: Any) -> str:
    """The message for ``schedule``'s rate ``rate`` of ``epoch``, not a learning rate."""
    return (
        f"{schedule.spec()}'s rate for epoch {epoch} of {schedule.epochs} is "
        f"{checks.shown(rate)}: a learning rate must be finite and > 0"
    )


def started(
    schedule: Schedule, base_rate: float, epochs: int, samples_per_epoch: int = 1
) -> Schedule:
    """A copy of ``schedule`` (the one given is left as it is), started for a run, with
    the rate of every epoch checked before training when it is known ahead
    (:attr:`Schedule.known_ahead`: all built-in schedules but ``plateau``).

    Parameters
    ----------
    schedule : Schedule
    base_rate : float
        The optimiser's learning rate when training starts.
    epochs : int
        Epochs in the run.
    samples_per_epoch : int, default 1

    Returns
    -------
    Schedule

    Raises
    ------
    ValueError
        When the schedule does not fit the run: a rate that is not finite and > 0
        (the message names the epoch), or :meth:`Schedule.start`'s refusal.

    Examples
    --------
    >>> from bprop.schedules import Cosine, started
    >>> try:
    ...     started(Cosine(epochs=2), 0.1, epochs=4)
    ... except ValueError as e:
    ...     print(str(e).split(": ")[0])
    cosine:warmup=0,min_lr=0,epochs=2's rate for epoch 3 of 4 is 0.0
    """
    import copy

    s = copy.deepcopy(schedule)
    s.start(base_rate, epochs, samples_per_epoch)
    if s.known_ahead:
        for epoch in range(1, epochs + 1):
            rate = s.rate(epoch)
            if bad_rate(rate):
                raise ValueError(rate_error(s, epoch, rate) + s.hint(epoch))
    return s


def get_schedule(spec: str | Schedule) -> Schedule:
    """A schedule from its name and options, or the instance given.

    Parameters
    ----------
    spec : str or Schedule
        A name of ``SCHEDULES`` (constant, step, exponential, cosine, plateau,
        invscaling), optionally followed by ``:`` and ``key=value`` options
        separated by commas, the constructor's keywords: ``"step:step_size=5,gamma=0.5"``,
        ``"cosine:warmup=2,min_lr=1e-4"``, ``"plateau:factor=0.5,patience=3"``.

    Returns
    -------
    Schedule

    Raises
    ------
    ValueError
        For an unknown name or option, a value that is not a number, or one out
        of range (the message names the option).
    TypeError
        When ``spec`` is neither a string nor a :class:`Schedule`.

    Examples
    --------
    >>> from bprop.schedules import get_schedule
    >>> get_schedule("step:step_size=5,gamma=0.5")
    StepDecay(step_size=5, gamma=0.5)
    >>> get_schedule("cosine")
    Cosine(warmup=0, min_lr=0.0, epochs=None)
    """
    if isinstance(spec, Schedule):
        return spec
    if not isinstance(spec, str):
        raise TypeError(
            f"schedule must be a name ({', '.join(SCHEDULES)}) or a bprop.schedules.Schedule, "
            f"got {checks.shown(spec)}"
        )
    name, colon, rest = spec.strip().partition(":")
    if name not in SCHEDULES:
        raise ValueError(
            f"unknown schedule {checks.shown(name)}: expected one of {', '.join(SCHEDULES)}"
        )
    options: dict[str, Any] = {}
    if colon and not rest.strip():
        raise ValueError(
            f"{checks.shown(spec)}: no options after the colon: give {name} alone, or "
            f"{name}:key=value,..."
        )
    for item in (part.strip() for part in rest.split(",") if rest.strip()):
        key, eq, value = item.partition("=")
        key = key.strip()
        if not item:
            raise ValueError(
                f"{name}: an empty option in {checks.shown(spec)} (a stray comma?): options "
                f"are key=value separated by single commas"
            )
        if not eq or not key:
            raise ValueError(f"{name}: options are key=value, got {checks.shown(item)}")
        if key in options:
            raise ValueError(
                f"{name}: option {checks.shown(key)} given twice in {checks.shown(spec)}"
            )
        options[key] = _number(value.strip(), f"{name}'s {key}")
    known = SCHEDULES[name]().options()
    unknown = [k for k in options if k not in known]
    if unknown:
        raise ValueError(
            f"{name} has no option {checks.shown(unknown[0])} "
            f"(its options: {', '.join(known) or 'none'})"
        )
    try:
        return SCHEDULES[name](**options)
    except (TypeError, ValueError) as e:  # an option out of range: say whose
        raise ValueError(f"{name}: {e}") from None


def _number(text: str, what: str) -> int | float:
    """A whole number as int, else a float; an error naming ``what``."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{what} must be a number, got {checks.shown(text)}") from None


def _text(value: Any) -> str:
    """A number as short as it reads back exactly: 0.1, 1e-05, 0.123456789, 2 (not 2.0)."""
    if not isinstance(value, float):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _factor(value: Any, name: str, *, upper_closed: bool) -> float:
    """A number in (0, 1] (``upper_closed``) or (0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {checks.shown(value)}")
    v = float(value)
    ok = 0 < v <= 1 if upper_closed else 0 < v < 1
    if not ok:
        interval = "(0, 1]" if upper_closed else "(0, 1)"
        raise ValueError(f"{name} must be in {interval}, got {checks.shown(value)}")
    return v


__all__ = [
    "SCHEDULES",
    "Constant",
    "Cosine",
    "Exponential",
    "InvScaling",
    "ReduceOnPlateau",
    "Schedule",
    "StepDecay",
    "get_schedule",
    "invscaling_rate",
    "started",
]
