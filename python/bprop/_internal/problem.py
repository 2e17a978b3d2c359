"""A problem prepared for the core: validated, contiguous inputs, evaluated
again and again (each step of training, each gradient-check probe) without
checking them again, and the core's status turned into Python errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _core
from . import checks
from .threads import resolve_num_threads


@dataclass
class Problem:
    """Validated, contiguous inputs for repeated core calls."""

    X_original: Any
    X: Any  # an ndarray, or a canonical scipy.sparse CSR matrix
    labels: np.ndarray | None
    Y: np.ndarray | None
    lambda_: float
    num_threads: int
    w: np.ndarray | None = None
    activations: list[int] | None = None
    output: int = 0
    x_scale: float = 1.0  # the core reads X as X.astype(dtype) * x_scale
    rows: np.ndarray | None = None  # a mini-batch's rows in X_original
    csr: tuple | None = None  # a sparse X as the core reads it (checks.csr_parts)

    def samples(self) -> _core.Samples:
        """The samples as the core reads them: a dense X with its scale, or the CSR
        parts (already scaled) in place of X; the targets and sample weights."""
        if self.csr is not None:
            return _core.Samples(None, self.labels, self.Y, self.w, 1.0, self.csr)
        return _core.Samples(self.X, self.labels, self.Y, self.w, self.x_scale)

    def kind(self) -> _core.NetworkKind:
        """The network's kind as the core takes it: activation codes."""
        return _core.NetworkKind(self.activations or [], self.output)

    def largest_input(self) -> float:
        """max |x| over X as the core reads it (scaled by x_scale)."""
        if self.csr is not None:  # its values are scaled already
            return checks.largest_input(self.csr[2])
        return checks.largest_input(self.X, self.x_scale)

    def raise_non_finite_X(self, dtype: Any, row: int) -> None:
        checks.raise_non_finite_X(self.X_original, self.X, row, dtype, self.x_scale, self.rows)


def prepare(
    thetas: list[np.ndarray],
    X: Any,
    y: Any,
    lambda_: Any,
    num_threads: int | None,
    sample_weight: Any = None,
    activation: Any = "sigmoid",
    output: Any = "logistic",
    x_scale: Any = None,
) -> Problem:
    K = thetas[-1].shape[0]
    output_code = checks.check_output(output, K)
    Xc = checks.check_X(X, thetas)
    scale = checks.check_x_scale(x_scale, Xc)
    labels, Y = checks.check_targets(y, Xc.shape[0], K, thetas[0].dtype, output)
    w = checks.check_sample_weight(sample_weight, Xc.shape[0], thetas[0].dtype)
    csr = checks.csr_parts(Xc, thetas[0].dtype, scale) if checks.is_sparse(Xc) else None
    return Problem(
        X,
        Xc,
        labels,
        Y,
        checks.check_lambda(lambda_),
        resolve_num_threads(num_threads),
        w,
        checks.check_activations(activation, len(thetas) - 1),
        output_code,
        scale,
        csr=csr,
    )


def prepare_inputs(
    thetas: list[np.ndarray],
    X: Any,
    num_threads: int | None,
    activation: Any = "sigmoid",
    output: Any = "logistic",
    x_scale: Any = None,
) -> Problem:
    """X alone prepared for the core, for forward passes (no targets, no penalty)."""
    output_code = checks.check_output(output, thetas[-1].shape[0])
    Xc = checks.check_X(X, thetas)
    scale = checks.check_x_scale(x_scale, Xc)
    csr = checks.csr_parts(Xc, thetas[0].dtype, scale) if checks.is_sparse(Xc) else None
    return Problem(
        X,
        Xc,
        None,
        None,
        0.0,
        activations=checks.check_activations(activation, len(thetas) - 1),
        output=output_code,
        x_scale=scale,
        csr=csr,
        num_threads=resolve_num_threads(num_threads),
    )


def forward_prepared(thetas: list[np.ndarray], p: Problem) -> np.ndarray:
    """The outputs (m, K) for a prepared problem; NaN/inf in X or the outputs raise."""
    out, bad_row = _core.forward(thetas, p.samples(), p.kind(), p.num_threads)
    if bad_row >= 0:
        p.raise_non_finite_X(thetas[0].dtype, bad_row)
    if not np.isfinite(out).all():
        raise FloatingPointError("forward propagation produced NaN: the weights are too large")
    return out


def evaluate(
    thetas: list[np.ndarray], p: Problem, with_gradient: bool
) -> tuple[float, list[np.ndarray] | None]:
    J, status, bad_row, grads = _core.cost_gradient(
        thetas, p.samples(), p.kind(), p.lambda_, with_gradient, p.num_threads
    )
    if status == _core.STATUS_NON_FINITE_INPUT:
        p.raise_non_finite_X(thetas[0].dtype, bad_row)
    if status == _core.STATUS_NON_FINITE_RESULT:
        raise overflow_error(thetas, p)
    return J, grads


class InputsTooLarge(FloatingPointError):
    """The cost overflowed because of the scale of X, not of the weights."""


def overflow_error(thetas: list[np.ndarray], p: Problem) -> FloatingPointError:
    """Why the cost or gradient overflowed from finite inputs: X's scale when
    its entries are larger than the weights and can overflow a first-layer sum,
    else the weights (the usual cause: too large a learning rate)."""
    largest_w = max(float(np.abs(t).max()) for t in thetas)
    largest_x = p.largest_input()
    limit = float(np.finfo(thetas[0].dtype).max)
    with np.errstate(over="ignore"):
        reach = largest_x * max(largest_w, 1.0) * p.X.shape[1]
    if largest_x >= largest_w and reach >= limit / 8:
        return InputsTooLarge(
            f"the cost or gradient overflowed to inf/NaN: the inputs are too large (largest "
            f"|x| = {largest_x:g}, weights up to {largest_w:g}); scale X, for example "
            f"standardise it"
        )
    return FloatingPointError(
        "the cost or gradient overflowed to inf/NaN although all inputs are finite; "
        f"the weights are too large (largest |weight| = {largest_w:g})"
    )


def data_sums(
    thetas: list[np.ndarray], p: Problem, with_gradient: bool
) -> tuple[float, float, np.ndarray | None]:
    """The unfinished sums of :func:`evaluate` (data cost, weight sum, unscaled
    gradient as float64), for objectives that add the sums of several processes."""
    cost, W, status, bad_row, total = _core.cost_gradient_sums(
        thetas, p.samples(), p.kind(), with_gradient, p.num_threads
    )
    if status == _core.STATUS_NON_FINITE_INPUT:
        p.raise_non_finite_X(thetas[0].dtype, bad_row)
    return cost, W, total


def labels_from_outputs(h: np.ndarray, output: int = 0) -> np.ndarray:
    if output == checks.OUTPUTS["identity"]:
        return h
    if h.shape[1] == 1:
        return (h[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(h, axis=1).astype(np.int64)


def predict_prepared(thetas: list[np.ndarray], p: Problem) -> np.ndarray:
    """Labels for an already validated problem (used once per epoch in training)."""
    out, _ = _core.forward(thetas, p.samples(), p.kind(), p.num_threads)
    return labels_from_outputs(out, p.output)
