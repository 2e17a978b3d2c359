"""Optimisers that step a list of weight matrices along their gradients.

Each is a small class with one method, ``step(thetas, grads) -> new thetas``.
Steps return new weight arrays instead of updating in place, so an interruption
in the middle of a step never leaves half-updated weights (an optimiser's own
state may be updated in place: it is discarded when training stops). L-BFGS works on the
unrolled vector through SciPy and lives in :mod:`bprop.training`.
"""

from __future__ import annotations

import math

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


class GradientDescent(Optimizer):
    """The tutorial's update: ``Theta := Theta - alpha D``."""

    name = "gd"
    default_learning_rate = 1.0

    def step(self, thetas, grads):
        return [t - t.dtype.type(self.learning_rate) * g for t, g in zip(thetas, grads)]


class Momentum(Optimizer):
    """Heavy-ball momentum: ``v := mu v - alpha D``; ``Theta := Theta + v``."""

    name = "momentum"
    default_learning_rate = 0.5

    def __init__(self, learning_rate: float | None = None, momentum: float = 0.9) -> None:
        super().__init__(learning_rate)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = momentum
        self.velocity: list[np.ndarray] | None = None

    def _new_velocity(self, grads):
        if self.velocity is None:
            self.velocity = [np.zeros_like(g) for g in grads]
        mu, lr = self.momentum, self.learning_rate
        return [(mu * v - lr * g).astype(g.dtype) for v, g in zip(self.velocity, grads)]

    def step(self, thetas, grads):
        self.velocity = self._new_velocity(grads)
        return [t + v for t, v in zip(thetas, self.velocity)]


class Nesterov(Momentum):
    """Nesterov momentum in the look-ahead form: ``Theta += -mu v_old + (1 + mu) v_new``."""

    name = "nesterov"

    def step(self, thetas, grads):
        old = self.velocity if self.velocity is not None else [np.zeros_like(g) for g in grads]
        new = self._new_velocity(grads)
        self.velocity = new
        mu = self.momentum
        return [
            (t - mu * vo + (1 + mu) * vn).astype(t.dtype) for t, vo, vn in zip(thetas, old, new)
        ]


class Adam(Optimizer):
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

    def step(self, thetas, grads):
        return self.step_checked(thetas, grads)[0]

    def step_checked(self, thetas, grads):
        if self.m is None or self.v is None:
            self.m = [np.zeros_like(g) for g in grads]
            self.v = [np.zeros_like(g) for g in grads]
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        lr = self.learning_rate * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        new = []
        finite = True
        # The moments are updated in place (cheaper per mini-batch); the weights never are.
        for t, g, m, v in zip(thetas, grads, self.m, self.v):
            if _fusable(t, g, m, v):  # the same formulas in one C++ pass, finiteness included
                out, ok = _core.adam_step(t, g, m, v, lr, b1, b2, self.eps)
                new.append(out)
                finite = finite and bool(ok)
                continue
            m *= b1
            m += (1 - b1) * g
            g2 = np.multiply(g, g)
            g2 *= 1 - b2
            v *= b2
            v += g2
            denom = np.sqrt(v)
            denom += self.eps
            update = np.divide(m, denom)
            update *= lr
            new.append(t - update)
            finite = finite and bool(np.isfinite(new[-1]).all())
        return new, finite


def _fusable(*arrays: np.ndarray) -> bool:
    """C-contiguous float32/float64 arrays of one dtype and shape, the last two writable."""
    a0 = arrays[0]
    return (
        a0.dtype in (np.float32, np.float64)
        and all(
            a.dtype == a0.dtype and a.shape == a0.shape and a.flags.c_contiguous for a in arrays
        )
        and all(a.flags.writeable for a in arrays[-2:])
    )


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
