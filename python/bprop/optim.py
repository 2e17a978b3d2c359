"""Optimisers that step a list of weight matrices along their gradients.

Each is a small class with one method, ``step(thetas, grads) -> new thetas``.
Steps return new weight arrays instead of updating in place, so an interruption
in the middle of a step never leaves half-updated weights; an optimiser's state
(velocity, moments) is new arrays after each step too. L-BFGS works on the
unrolled vector through SciPy and lives in :mod:`bprop.training`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from . import _core
from ._internal import checks


class Optimizer:
    """Base class of the step optimisers: a ``learning_rate`` and a ``step``.

    A subclass sets ``name`` and ``default_learning_rate`` and implements
    :meth:`step`; :func:`bprop.train` accepts an instance as ``optimizer=``.

    Parameters
    ----------
    learning_rate : float, optional
        The step size alpha (> 0); None: the class's ``default_learning_rate``.

    Raises
    ------
    ValueError
        When ``learning_rate`` is not a positive number.

    Examples
    --------
    A learning-rate schedule in ``end_epoch``:

    >>> import bprop
    >>> class Halving(bprop.optim.GradientDescent):
    ...     def end_epoch(self, epoch):
    ...         self.learning_rate /= 2
    >>> X, y = bprop.data.load_digits()
    >>> opt = Halving(1.0)
    >>> _, history = bprop.train(bprop.initialize([64, 25, 10], seed=0), X, y, optimizer=opt,
    ...                          batch_size=256, epochs=3, seed=0, verbose=False)
    >>> opt.learning_rate
    0.125
    """

    name = "base"
    default_learning_rate = 0.1

    def __init__(self, learning_rate: float | None = None) -> None:
        lr = self.default_learning_rate if learning_rate is None else learning_rate
        self.learning_rate: float = checks.check_positive_real(lr, "learning_rate")

    def step(self, thetas: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        """New weights one step from ``thetas`` along ``grads`` (``thetas`` untouched).

        Parameters
        ----------
        thetas, grads : list of ndarray
            The weights and their gradient, matrix by matrix.

        Returns
        -------
        list of ndarray
            New arrays, the shapes and dtypes of ``thetas``.
        """
        raise NotImplementedError

    def end_epoch(self, epoch: int) -> None:
        """Called after each pass over the data (``epoch`` counts from 1): where a
        hand-written learning-rate schedule may change ``learning_rate`` (the built-in
        ones: :func:`bprop.train`'s ``schedule``, which sets the rate before each
        epoch). Nothing by default.

        Parameters
        ----------
        epoch : int
            The epoch just completed, from 1.
        """

    def step_checked(
        self, thetas: list[np.ndarray], grads: list[np.ndarray]
    ) -> tuple[list[np.ndarray], bool]:
        """``step``, and whether every new weight is finite (training stops on
        NaN/inf). A fused step knows it from its own pass; others scan.

        Parameters
        ----------
        thetas, grads : list of ndarray
            The weights and their gradient, matrix by matrix.

        Returns
        -------
        new : list of ndarray
            The new weights, as :meth:`step` returns them.
        finite : bool
            Whether every new weight is finite.

        Examples
        --------
        >>> import numpy as np
        >>> from bprop.optim import GradientDescent
        >>> new, finite = GradientDescent(1.0).step_checked([np.zeros((1, 1))], [np.ones((1, 1))])
        >>> new[0].item(), finite
        (-1.0, True)
        """
        new = _checked_step_result(self, self.step(thetas, grads), thetas)
        return new, all(bool(np.isfinite(t).all()) for t in new)


def _checked_step_result(opt: Optimizer, new: Any, thetas: list[np.ndarray]) -> list[np.ndarray]:
    """What a step returned, if it is new weights shaped like ``thetas`` (a list or
    tuple of arrays, their shapes and dtypes); else an error naming the step."""
    name = f"{type(opt).__name__}.step"
    if not isinstance(new, (list, tuple)):
        raise TypeError(
            f"{name} must return a list of arrays, one per weight matrix; it returned "
            f"{checks.shown(new) if new is None else type(new).__name__}"
        )
    if len(new) != len(thetas):
        raise ValueError(f"{name} returned {len(new)} arrays for {len(thetas)} weight matrices")
    for l, (a, t) in enumerate(zip(new, thetas), start=1):
        if not isinstance(a, np.ndarray) or a.shape != t.shape or a.dtype != t.dtype:
            got = (
                f"shape {a.shape}, dtype {a.dtype}"
                if isinstance(a, np.ndarray)
                else type(a).__name__
            )
            raise ValueError(
                f"{name} returned for Theta{l} {got}; expected an array of shape {t.shape}, "
                f"dtype {t.dtype} (the weights' own)"
            )
    return list(new)


class CoreRule(Optimizer):
    """A built-in rule: its update is written once, in the core (csrc/bprop/optimizers.cpp),
    which the step-by-step loop and whole epochs in the core both run. The class holds the
    hyperparameters and the state (velocity, or Adam's moments).

    The base of :class:`GradientDescent`, :class:`Momentum`, :class:`Nesterov`,
    :class:`Adam` and :class:`AdamW`; a subclass that overrides :meth:`step` runs its own
    rule instead.

    Parameters
    ----------
    learning_rate : float, optional
        The step size alpha (> 0); None: the class's ``default_learning_rate``.

    Raises
    ------
    ValueError
        When ``learning_rate`` is not a positive number.

    Examples
    --------
    >>> from bprop.optim import Adam, CoreRule
    >>> opt = Adam(0.01)
    >>> isinstance(opt, CoreRule), opt.config().learning_rate
    (True, 0.01)
    """

    def config(self) -> _core.OptimizerConfig:
        """The rule and hyperparameters as the core takes them.

        Returns
        -------
        bprop._core.OptimizerConfig
            The rule's code, the learning rate and the rule's other
            hyperparameters (momentum; Adam's betas, eps and step count).
        """
        return _core.OptimizerConfig(_core.OPTIMIZER_KINDS[self.name], self.rate())

    def rate(self) -> float:
        """The learning rate, checked again: ``end_epoch`` may have changed it.

        Returns
        -------
        float

        Raises
        ------
        ValueError, TypeError
            When ``learning_rate`` is no longer a positive number.

        Examples
        --------
        >>> from bprop.optim import GradientDescent
        >>> GradientDescent(0.5).rate()
        0.5
        """
        return checks.check_positive_real(self.learning_rate, "learning_rate")

    def state(self, thetas: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The state arrays of this step, which the core updates in place: zeros on first
        use, else new copies of the state (arrays of the old state that a caller holds
        keep their values).

        Parameters
        ----------
        thetas : list of ndarray
            The weights, whose shapes and dtype the state takes.

        Returns
        -------
        first, second : list of ndarray
            The rule's state (momentum: the velocity and ``[]``; Adam: the two
            moments; gradient descent: ``[]`` twice).
        """
        return [], []

    def step(self, thetas, grads):
        return self._core_step(thetas, grads)[0]

    def step_checked(self, thetas, grads):
        if type(self).step is not CoreRule.step:  # a subclass's own step: it rules
            return super().step_checked(thetas, grads)
        return self._core_step(thetas, grads)

    def _core_step(
        self, thetas: list[np.ndarray], grads: list[np.ndarray]
    ) -> tuple[list[np.ndarray], bool]:
        """The step taken by the core, and whether every new weight is finite."""
        thetas = [np.ascontiguousarray(t) for t in thetas]
        grads = [np.ascontiguousarray(g, dtype=t.dtype) for g, t in zip(grads, thetas)]
        config = self.config()
        new, finite = _core.optimizer_step(config, thetas, grads, *self.state(thetas))
        self.stepped(config)
        return new, bool(finite)

    def stepped(self, config: _core.OptimizerConfig) -> None:
        """Keep what a step changed in the config (Adam's step count).

        Parameters
        ----------
        config : bprop._core.OptimizerConfig
            The config the core stepped with, as the step left it.
        """


def _ready(
    arrays: list[np.ndarray] | None, thetas: list[np.ndarray], owner: Optimizer, what: str
) -> list[np.ndarray]:
    """State arrays for the core to update in place: zeros first, else new copies in the
    weights' dtype, so that arrays of the old state that a caller still holds (a
    subclass's ``old = self.velocity``) keep their values, as they did when the rules
    were numpy formulas that rebound the state."""
    if arrays is None:
        return [np.zeros_like(t) for t in thetas]
    shapes = [np.shape(a) for a in arrays]
    if shapes != [t.shape for t in thetas]:
        raise ValueError(
            f"this {type(owner).__name__} holds {what} for weights of shapes {shapes}, not "
            f"{[t.shape for t in thetas]}: use a new optimiser for another network"
        )
    return [np.array(a, dtype=t.dtype) for a, t in zip(arrays, thetas)]


class GradientDescent(CoreRule):
    """Gradient descent, the tutorial's update: ``Theta := Theta - alpha D``.

    Parameters
    ----------
    learning_rate : float, optional
        alpha; default 1.0.

    Raises
    ------
    ValueError
        When ``learning_rate`` is not a positive number.

    Examples
    --------
    >>> import numpy as np
    >>> from bprop.optim import GradientDescent
    >>> GradientDescent(0.5).step([np.array([[1.0, 2.0]])], [np.array([[0.2, -0.4]])])
    [array([[0.9, 2.2]])]
    """

    name = "gd"
    default_learning_rate = 1.0


class Momentum(CoreRule):
    """Heavy-ball momentum: ``v := mu v - alpha D``; ``Theta := Theta + v``.

    Parameters
    ----------
    learning_rate : float, optional
        alpha; default 0.5.
    momentum : float, default 0.9
        mu, in [0, 1).

    Raises
    ------
    ValueError
        When ``learning_rate`` is not positive or ``momentum`` is outside [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from bprop.optim import Momentum
    >>> opt, theta, grad = Momentum(0.1, momentum=0.5), [np.zeros((1, 1))], [np.ones((1, 1))]
    >>> theta = opt.step(theta, grad); theta = opt.step(theta, grad)
    >>> theta[0].item()                                  # -0.1, then -0.05 - 0.1
    -0.25
    """

    name = "momentum"
    default_learning_rate = 0.5

    def __init__(self, learning_rate: float | None = None, momentum: float = 0.9) -> None:
        super().__init__(learning_rate)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = momentum
        self.velocity: list[np.ndarray] | None = None

    def config(self) -> _core.OptimizerConfig:
        kind = _core.OPTIMIZER_KINDS[self.name]
        return _core.OptimizerConfig(kind, self.rate(), momentum=self.momentum)

    def state(self, thetas):
        self.velocity = _ready(self.velocity, thetas, self, "velocity")
        return self.velocity, []


class Nesterov(Momentum):
    """Nesterov momentum in the look-ahead form: ``Theta += -mu v_old + (1 + mu) v_new``.

    Parameters
    ----------
    learning_rate : float, optional
        alpha; default 0.5.
    momentum : float, default 0.9
        mu, in [0, 1).

    Raises
    ------
    ValueError
        When ``learning_rate`` is not positive or ``momentum`` is outside [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from bprop.optim import Nesterov
    >>> round(Nesterov(0.1, momentum=0.5).step([np.zeros((1, 1))], [np.ones((1, 1))])[0].item(), 6)
    -0.15
    """

    name = "nesterov"


class Adam(CoreRule):
    """Adam (Kingma & Ba): bias-corrected first and second moment estimates.

    ``m := beta1 m + (1 - beta1) D``, ``v := beta2 v + (1 - beta2) D^2``,
    ``Theta := Theta - alpha_t m / (sqrt(v) + eps)`` with
    ``alpha_t = alpha sqrt(1 - beta2^t) / (1 - beta1^t)``, stepped by the
    core's one definition of the rule.

    Parameters
    ----------
    learning_rate : float, optional
        alpha; default 0.001.
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the moment estimates.
    eps : float, default 1e-8
        Added to sqrt(v); positive.

    Raises
    ------
    ValueError
        When ``learning_rate`` is not a positive number, ``beta1`` or ``beta2`` is
        outside [0, 1), or ``eps`` is not a positive number.

    Examples
    --------
    The first step moves each weight by about alpha against its gradient's sign:

    >>> import numpy as np
    >>> from bprop.optim import Adam
    >>> Adam(0.01).step([np.zeros((1, 2))], [np.array([[3.0, -0.5]])])[0].round(6)
    array([[-0.01,  0.01]])
    """

    name = "adam"
    default_learning_rate = 0.001

    def __init__(
        self,
        learning_rate: float | None = None,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if isinstance(beta, bool) or not isinstance(beta, numbers.Real) or not 0 <= beta < 1:
                raise ValueError(f"{name} must be a number in [0, 1), got {beta!r}")
        if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not 0 < eps < math.inf:
            raise ValueError(f"eps must be a positive number, got {eps!r}")
        self.beta1: float = float(beta1)
        self.beta2: float = float(beta2)
        self.eps: float = float(eps)
        self.t: int = 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def config(self) -> _core.OptimizerConfig:
        kind = _core.OPTIMIZER_KINDS[self.name]
        return _core.OptimizerConfig(
            kind, self.rate(), beta1=self.beta1, beta2=self.beta2, eps=self.eps, t=self.t
        )

    def state(self, thetas):
        self.m = _ready(self.m, thetas, self, "moments")
        self.v = _ready(self.v, thetas, self, "moments")
        return self.m, self.v

    def stepped(self, config: _core.OptimizerConfig) -> None:
        self.t = config.t


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter): Adam with decoupled weight decay.

    Each step first shrinks the non-bias weights by ``alpha * weight_decay`` of
    themselves, then takes Adam's step:
    ``Theta := (Theta - alpha wd Theta) - alpha_t m / (sqrt(v) + eps)``, with ``m``,
    ``v`` and ``alpha_t`` as :class:`Adam`'s. The bias column (column 0) is not
    decayed, as ``lambda_`` never penalises it. The decay is ``alpha * wd`` per
    step, as in PyTorch's ``AdamW``, so it follows a learning-rate schedule; it must
    stay below 1 (``train`` refuses ``learning_rate * weight_decay >= 1`` when training
    starts). Adam's step is Kingma & Ba's form, as scikit-learn's: ``eps`` on
    ``sqrt(v)`` and the bias correction in ``alpha_t``, where PyTorch adds ``eps`` to
    the bias-corrected ``sqrt(v_hat)``.

    Unlike ``lambda_`` (an L2 term of J, whose gradient ``lambda_/m Theta`` goes
    through Adam's per-weight division by ``sqrt(v) + eps``, so weights with large
    gradients are barely regularised), the decay here is not rescaled: every
    weight shrinks by the same fraction. Use one or the other; both together is
    allowed (and is L2 plus decay).

    Parameters
    ----------
    learning_rate : float, optional
        alpha; default 0.001.
    weight_decay : float, default 0.01
        wd, the decay per unit of learning rate (>= 0; 0 is Adam).
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates of the moment estimates.
    eps : float, default 1e-8
        Added to sqrt(v); positive.

    Raises
    ------
    ValueError
        When ``weight_decay`` is negative or not finite, or an argument of
        :class:`Adam` is out of range.

    Examples
    --------
    A zero gradient: Adam does not move, AdamW shrinks the weight (not the bias)
    by ``alpha * wd``:

    >>> import numpy as np
    >>> from bprop.optim import AdamW
    >>> AdamW(0.1, weight_decay=0.5).step([np.array([[1.0, 2.0]])], [np.zeros((1, 2))])[0]
    array([[1. , 1.9]])
    """

    name = "adamw"

    def __init__(
        self,
        learning_rate: float | None = None,
        weight_decay: float = 0.01,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate, beta1=beta1, beta2=beta2, eps=eps)
        self.weight_decay: float = checks.check_nonnegative_real(weight_decay, "weight_decay")

    def config(self) -> _core.OptimizerConfig:
        config = super().config()
        config.weight_decay = self.weight_decay
        return config


# The built-in rules, which whole epochs in the core can run (exactly these classes:
# a subclass or an optimiser added to OPTIMIZERS steps from Python).
CORE_RULES: tuple[type[CoreRule], ...] = (GradientDescent, Momentum, Nesterov, Adam, AdamW)
OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in CORE_RULES}
OPTIMIZER_NAMES = (*OPTIMIZERS, "lbfgs")


def get_optimizer(name: str | Optimizer, learning_rate: float | None = None) -> Optimizer:
    """An optimiser instance from a name and a learning rate, or the instance given.

    Parameters
    ----------
    name : {"gd", "momentum", "nesterov", "adam", "adamw"} or Optimizer
        A name, or an instance (returned as it is).
    learning_rate : float, optional
        For a name: None gives the optimiser's default.

    Returns
    -------
    Optimizer

    Raises
    ------
    ValueError
        For an unknown name, or a ``learning_rate`` given with an instance (an
        instance carries its own rate, which would otherwise be ignored).

    Examples
    --------
    >>> from bprop.optim import get_optimizer
    >>> opt = get_optimizer("adam")
    >>> opt.name, opt.learning_rate
    ('adam', 0.001)
    """
    if isinstance(name, Optimizer):
        if learning_rate is not None:
            cls = type(name).__name__
            by_name = (
                f", or name it (optimizer={name.name!r}, learning_rate={learning_rate!r})"
                if OPTIMIZERS.get(name.name) is type(name)
                else ""
            )
            raise ValueError(
                f"learning_rate={learning_rate!r} with an optimizer instance ({cls}, learning "
                f"rate {name.learning_rate:g}): an instance carries its own rate, so "
                f"learning_rate would be ignored; give the rate to the optimizer "
                f"({cls}(learning_rate={learning_rate!r})){by_name}"
            )
        return name
    if name not in OPTIMIZERS:
        raise ValueError(
            f"optimizer must be one of {', '.join(OPTIMIZER_NAMES)}; got {checks.shown(name)}"
        )
    return OPTIMIZERS[name](learning_rate)
