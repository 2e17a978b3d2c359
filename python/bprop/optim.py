"""Optimisers that step a list of weight matrices along their gradients.

Each is a small class with one method, ``step(thetas, grads) -> new thetas``.
Steps return new weight arrays instead of updating in place, so an interruption
in the middle of a step never leaves half-updated weights (an optimiser's own
state may be updated in place: it is discarded when training stops). L-BFGS works on the
unrolled vector through SciPy and lives in :mod:`bprop.training`.
"""

from __future__ import annotations

import numpy as np

from . import _core
from ._internal import checks


class Optimizer:
    """Base class: ``learning_rate`` and a ``step``."""

    name = "base"
    default_learning_rate = 0.1

    def __init__(self, learning_rate: float | None = None) -> None:
        lr = self.default_learning_rate if learning_rate is None else learning_rate
        self.learning_rate: float = checks.check_positive_real(lr, "learning_rate")

    def step(self, thetas: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        raise NotImplementedError

    def end_epoch(self, epoch: int) -> None:
        """Called after each pass over the data (``epoch`` counts from 1): where a
        learning-rate schedule would change ``learning_rate``. Nothing by default."""

    def step_checked(
        self, thetas: list[np.ndarray], grads: list[np.ndarray]
    ) -> tuple[list[np.ndarray], bool]:
        """``step``, and whether every new weight is finite (training stops on
        NaN/inf). A fused step knows it from its own pass; others scan."""
        new = self.step(thetas, grads)
        return new, all(bool(np.isfinite(t).all()) for t in new)


class CoreRule(Optimizer):
    """A built-in rule: its update is written once, in the core (csrc/bprop/optimizers.cpp),
    which the step-by-step loop and whole epochs in the core both run. The class holds the
    hyperparameters and the state (velocity, or Adam's moments)."""

    def config(self) -> _core.OptimizerConfig:
        """The rule and hyperparameters as the core takes them."""
        return _core.OptimizerConfig(_core.OPTIMIZER_KINDS[self.name], self.learning_rate)

    def state(self, thetas: list[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The state arrays the core updates in place, created as zeros on first use."""
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
        """Keep what a step changed in the config (Adam's step count)."""


def _ready(arrays: list[np.ndarray] | None, thetas: list[np.ndarray]) -> list[np.ndarray]:
    """State arrays the core can update in place: zeros first, else contiguous,
    writable copies in the weights' dtype where they are not."""
    if arrays is None:
        return [np.zeros_like(t) for t in thetas]
    return [
        a
        if a.flags.c_contiguous and a.flags.writeable and a.dtype == t.dtype
        else np.array(a, dtype=t.dtype)
        for a, t in zip(arrays, thetas)
    ]


class GradientDescent(CoreRule):
    """The tutorial's update: ``Theta := Theta - alpha D``."""

    name = "gd"
    default_learning_rate = 1.0


class Momentum(CoreRule):
    """Heavy-ball momentum: ``v := mu v - alpha D``; ``Theta := Theta + v``."""

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
        return _core.OptimizerConfig(kind, self.learning_rate, momentum=self.momentum)

    def state(self, thetas):
        self.velocity = _ready(self.velocity, thetas)
        return self.velocity, []


class Nesterov(Momentum):
    """Nesterov momentum in the look-ahead form: ``Theta += -mu v_old + (1 + mu) v_new``."""

    name = "nesterov"


class Adam(CoreRule):
    """Adam (Kingma & Ba): bias-corrected first and second moment estimates."""

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
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def config(self) -> _core.OptimizerConfig:
        kind = _core.OPTIMIZER_KINDS[self.name]
        return _core.OptimizerConfig(
            kind, self.learning_rate, beta1=self.beta1, beta2=self.beta2, eps=self.eps, t=self.t
        )

    def state(self, thetas):
        self.m, self.v = _ready(self.m, thetas), _ready(self.v, thetas)
        return self.m, self.v

    def stepped(self, config: _core.OptimizerConfig) -> None:
        self.t = config.t


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (GradientDescent, Momentum, Nesterov, Adam)
}
OPTIMIZER_NAMES = (*OPTIMIZERS, "lbfgs")


def get_optimizer(name: str | Optimizer, learning_rate: float | None = None) -> Optimizer:
    """An optimiser instance from a name (``"gd"``, ``"momentum"``, ``"nesterov"``, ``"adam"``)
    and a learning rate (``None``: the optimiser's default), or the instance given.

    An instance carries its own rate, so giving one with ``learning_rate`` as
    well is a ``ValueError`` (the rate would otherwise be ignored)."""
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
