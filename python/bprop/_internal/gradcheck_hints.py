"""Reading a failed gradient check: which common mistake does the error pattern suggest?

Each test looks at the numerical gradient N and the analytical gradient A of
every layer, split into the bias column and the weights, and names the mistake
the tutorial warns about when the pattern fits it.
"""

from __future__ import annotations

import numpy as np

GOOD = 1e-7  # the tutorial's pass threshold (relative difference)
BAD = 1e-4  # above this, a bug is likely


def relative(n: np.ndarray, a: np.ndarray) -> float:
    """||n - a|| / ||n + a||, 0 when both are 0."""
    den = float(np.linalg.norm(n + a))
    num = float(np.linalg.norm(n - a))
    return num / den if den > 0 else num


def hints(
    N: list[np.ndarray], A: list[np.ndarray], thetas: list[np.ndarray], lambda_: float, m: float
) -> list[str]:
    """Likely causes of a disagreement, most specific first (empty when none fits)."""
    n_all = np.concatenate([x.ravel() for x in N])
    a_all = np.concatenate([x.ravel() for x in A])
    if relative(n_all, a_all) < GOOD:
        return []
    found = []
    # The bias columns carry the data term alone (no lambda term): a wrong
    # constant factor of the data term shows there as A = c N.
    n_bias = np.concatenate([x[:, 0] for x in N])
    a_bias = np.concatenate([x[:, 0] for x in A])
    nn = float(n_bias @ n_bias)
    if nn > 0:
        c = float(a_bias @ n_bias) / nn  # least-squares A ~ c N
        if abs(c - 1) > 1e-3 and relative(c * n_bias, a_bias) < 1e-6:
            if abs(c + 1) < 1e-6:
                found.append(
                    "the analytical gradient is the numerical one with the sign flipped: "
                    "delta(L) = a(L) - y (not y - a(L)), and the update is "
                    "Theta - alpha D"
                )
            elif abs(c - m) < 1e-6 * m:
                found.append(
                    f"analytical = {m:g} x numerical: Delta is not divided by m "
                    "(D = Delta / m + (lambda / m) Theta)"
                )
            else:
                found.append(
                    f"analytical = {c:.4g} x numerical: a constant factor of the data "
                    "term is wrong (1/m, or a learning-rate-like factor in the gradient)"
                )
    bias_bad = [l for l in range(len(N)) if relative(N[l][:, 0], A[l][:, 0]) > BAD]
    weights_bad = [l for l in range(len(N)) if relative(N[l][:, 1:], A[l][:, 1:]) > BAD]
    if bias_bad and not weights_bad and lambda_ > 0:
        diff = [A[l][:, 0] - N[l][:, 0] for l in bias_bad]
        reg = [lambda_ / m * thetas[l][:, 0] for l in bias_bad]
        if all(relative(d, r) < 1e-3 for d, r in zip(diff, reg)):
            found.append(
                "only the bias column (column 0) is off, by (lambda/m) Theta: the bias "
                "weights are regularised; leave column 0 out of the lambda term"
            )
    if weights_bad and not bias_bad and lambda_ > 0:
        diff = [A[l][:, 1:] - N[l][:, 1:] for l in weights_bad]
        reg = [lambda_ / m * thetas[l][:, 1:] for l in weights_bad]
        if all(relative(d, -r) < 1e-3 for d, r in zip(diff, reg)):
            found.append(
                "the weights are off by exactly -(lambda/m) Theta: the regularisation "
                "term of the gradient is missing"
            )
    last = len(N) - 1
    wrong = [l for l in range(len(N)) if relative(N[l], A[l]) > BAD]
    if wrong and last not in wrong:
        found.append(
            f"the output layer's gradient is right but "
            f"Theta{', Theta'.join(str(l + 1) for l in wrong)} is not: "
            "check delta(l) = (Theta(l)^T delta(l+1)) .* g'(z(l)), with the "
            "activation's derivative (a(1 - a) for the sigmoid) and the bias entry dropped"
        )
    for l in wrong:
        if N[l].size > 1 and np.allclose(
            np.sort(N[l].ravel()), np.sort(A[l].ravel()), rtol=1e-6, atol=1e-12
        ):
            found.append(
                f"Theta{l + 1} holds the right numbers in the wrong places: an index or "
                "transpose error (Delta(l) += delta(l+1) a(l)^T, or the unrolling order)"
            )
    if not found and last in wrong:
        found.append(
            "the output layer's gradient is wrong: check delta(L) = a(L) - y with y as a "
            "one-hot K-vector, a(l) with its bias unit 1 in front, and "
            "Delta(l) += delta(l+1) a(l)^T"
        )
    return found


def verdict(rel: float, threshold: float) -> str:
    """The tutorial's reading of the relative difference."""
    if rel < threshold:
        return "passed"
    if rel > BAD:
        return "FAILED: likely a bug in the gradient"
    return "FAILED: suspicious (a bug, or an epsilon too large or too small for this network)"
