"""Plain numpy implementations of the method, used as oracles and baselines.

- :mod:`bprop.reference.vectorized`: the matrix form over all samples at once
  (also re-exported here: ``bprop.reference.cost_and_gradient``...).
- :mod:`bprop.reference.per_sample`: the textbook loop, one sample at a time,
  built from :func:`output_delta` and :func:`hidden_delta`.

Both compute in the thetas' dtype and share nothing with the C++ core.
"""

from . import per_sample, vectorized
from ._math import (
    hidden_delta,
    output_activation,
    output_cost,
    output_delta,
    sigmoid,
    sigmoid_gradient,
    softmax,
)
from .vectorized import cost, cost_and_gradient, forward, predict

__all__ = [
    "cost",
    "cost_and_gradient",
    "forward",
    "predict",
    "sigmoid",
    "sigmoid_gradient",
    "softmax",
    "output_activation",
    "output_cost",
    "output_delta",
    "hidden_delta",
    "per_sample",
    "vectorized",
]
