"""A network's kind resolved once into a small typed value: its hidden layers'
activations and its output, by name and as the core's codes, and its dtype.
:func:`~bprop._internal.problem.prepare` takes it, and the core receives it as
``_core.NetworkKind``; the names go into messages, models and histories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from . import checks


@dataclass(frozen=True)
class Kind:
    """What a network computes, checked against its weights.

    Attributes
    ----------
    activation : str or tuple of str
        The hidden layers' activation as given: one name for all, or one per layer.
    output : str
        "logistic", "softmax" or "identity".
    activation_codes : tuple of int
        The core's code of each hidden layer's activation.
    output_code : int
        The core's code of the output layer.
    dtype : numpy.dtype
        The weights' dtype (float32 or float64).
    """

    activation: str | tuple[str, ...]
    output: str
    activation_codes: tuple[int, ...]
    output_code: int
    dtype: np.dtype

    def core(self) -> _core.NetworkKind:
        """The kind as the core takes it."""
        return _core.NetworkKind(list(self.activation_codes), self.output_code)


def resolve_kind(thetas: list[np.ndarray], activation: Any, output: Any) -> Kind:
    """The :class:`Kind` of checked weights ``thetas`` with these names (ValueError
    naming the argument when a name is unknown or does not fit the layers)."""
    output_code = checks.check_output(output, thetas[-1].shape[0])
    codes = checks.check_activations(activation, len(thetas) - 1)
    name = activation if isinstance(activation, str) else tuple(activation)
    return Kind(name, output, tuple(codes), output_code, np.dtype(thetas[0].dtype))
