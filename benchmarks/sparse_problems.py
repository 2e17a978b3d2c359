"""Sparse inputs (bag-of-words-like): bprop reading CSR, bprop on the same values
dense, and numpy + scipy.sparse computing the same cost and gradient."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

import bprop

SIZES = [4000, 100, 10]  # n features -> 100 hidden -> 10 classes
M = 10000
DENSITIES = (0.005, 0.02, 0.1)
LAMBDA = 1.0


def make(density: float, dtype=np.float32):
    rng = np.random.default_rng(0)
    A = sp.random(M, SIZES[0], density=density, random_state=0, format="csr", dtype=dtype)
    y = rng.integers(0, SIZES[-1], M)
    return bprop.initialize(SIZES, seed=0, dtype=dtype), A, y


def scipy_contender(thetas, A, y):
    """z = A W^T + b with scipy's sparse product, the backward first layer as
    delta^T A; logistic cost, the same lambda/(2m)."""
    m = A.shape[0]
    Y = np.zeros((m, thetas[-1].shape[0]), dtype=A.dtype)
    Y[np.arange(m), y] = 1
    W = [np.ascontiguousarray(t[:, 1:]) for t in thetas]
    b = [t[:, 0] for t in thetas]
    At = A.T.tocsr()

    def run():
        acts = [A]
        for l in range(len(W)):
            z = acts[l] @ W[l].T + b[l]
            acts.append(1 / (1 + np.exp(-z)))
        h = acts[-1]
        J = -float(np.sum(np.log(np.where(Y > 0, h, 1 - h)))) / m
        J += LAMBDA / (2 * m) * sum(float(np.sum(w * w)) for w in W)
        d = h - Y
        grads = []
        for l in range(len(W) - 1, -1, -1):
            g = np.empty((W[l].shape[0], W[l].shape[1] + 1), dtype=A.dtype)
            g[:, 0] = d.sum(axis=0) / m
            g[:, 1:] = ((At @ d).T if l == 0 else d.T @ acts[l]) / m + LAMBDA / m * W[l]
            grads.append(g)
            if l > 0:
                a = acts[l]
                d = (d @ W[l]) * a * (1 - a)
        return J, grads[::-1]

    return run


def contenders(density: float, threads: int):
    thetas, A, y = make(density)
    dense = A.toarray()
    return {
        "bprop sparse": lambda: bprop.cost_and_gradient(thetas, A, y, LAMBDA, num_threads=threads),
        "bprop dense": lambda: bprop.cost_and_gradient(
            thetas, dense, y, LAMBDA, num_threads=threads
        ),
        "numpy + scipy.sparse": scipy_contender(thetas, A, y),
    }
