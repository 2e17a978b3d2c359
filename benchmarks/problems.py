"""Shared benchmark problems: Fashion-MNIST-shaped synthetic data and the contenders.

Every contender computes the same full-batch cost and gradient (lambda = 1) at a given
thread count; numpy and PyTorch are pinned to that count as well.
"""

from __future__ import annotations

import os
import time
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_limits

import bprop
from bprop import reference

NETWORKS = {
    "784-25-10": [784, 25, 10],
    "784-100-10": [784, 100, 10],
    "784-256-128-10": [784, 256, 128, 10],
}
DTYPES = {"f64": np.float64, "f32": np.float32}
LAMBDA = 1.0
LOOP_M = 500  # the textbook loop runs on this many samples; its time is scaled to m


def cpu_description() -> str:
    """The CPU model with its family and model numbers (which name its generation)."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        import platform

        return platform.processor() or "unknown CPU"
    return (
        f"{fields.get('model name', 'unknown CPU')} (family {fields.get('cpu family', '?')} "
        f"model {fields.get('model', '?')})"
    )


def bench_m() -> int:
    return int(os.environ.get("BPROP_BENCH_M", "60000"))


def make_data(sizes: list[int], m: int, dtype) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(m, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], size=m)
    return bprop.initialize(sizes, seed=0, dtype=dtype), X, y


def flops(sizes: list[int], m: int) -> float:
    """Multiply-adds of the matrix products, x2: forward, Delta and (hidden) back-propagation."""
    per_sample = 0
    for l, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        per_sample += 2 * i * o * (3 if l > 0 else 2)
    return float(per_sample) * m


def contenders(sizes, dtype, m, threads: int) -> dict[str, Callable[[], object]]:
    """name -> zero-argument callable doing one evaluation (on its own data)."""
    thetas, X, y = make_data(sizes, m, dtype)
    out: dict[str, Callable[[], object]] = {
        "bprop": lambda: bprop.cost_and_gradient(thetas, X, y, LAMBDA, num_threads=threads),
        "numpy": lambda: reference.cost_and_gradient(thetas, X, y, LAMBDA),
        "numpy tuned": tuned_numpy_contender(thetas, X, y),
    }
    try:
        import torch  # noqa: F401 (is PyTorch there?)
    except ImportError:
        pass
    else:
        out["torch"] = torch_contender(thetas, X, y)
    return out


def tuned_numpy_contender(thetas, X, y):
    """The same cost and gradient as a user who tunes numpy writes it: no [1, X]
    copy (z = a W^T + b), the sigmoid and its derivative in place, products into
    preallocated arrays, the cost as -sum(log(where(Y, h, 1 - h))). The oracle in
    bprop.reference stays the correctness reference; this is the speed one."""
    m = X.shape[0]
    Y = np.zeros((m, thetas[-1].shape[0]), dtype=X.dtype)
    Y[np.arange(m), y] = 1
    Ymask = Y.astype(bool)
    W = [np.ascontiguousarray(t[:, 1:]) for t in thetas]
    b = [t[:, 0].copy() for t in thetas]
    acts = [X] + [np.empty((m, t.shape[0]), dtype=X.dtype) for t in thetas]
    deltas = [np.empty((m, t.shape[0]), dtype=X.dtype) for t in thetas]

    def run():
        for l, a in enumerate(acts[1:]):
            np.matmul(acts[l], W[l].T, out=a)
            a += b[l]
            np.negative(a, out=a)
            np.exp(a, out=a)
            a += 1
            np.reciprocal(a, out=a)
        h = acts[-1]
        J = -float(np.sum(np.log(np.where(Ymask, h, 1 - h)))) / m
        J += LAMBDA / (2 * m) * sum(float(np.sum(w * w)) for w in W)
        np.subtract(h, Y, out=deltas[-1])
        grads = []
        for l in range(len(W) - 1, -1, -1):
            d = deltas[l]
            g = np.empty((W[l].shape[0], W[l].shape[1] + 1), dtype=X.dtype)
            g[:, 0] = d.sum(axis=0) / m
            g[:, 1:] = d.T @ acts[l]
            g[:, 1:] /= m
            g[:, 1:] += LAMBDA / m * W[l]
            grads.append(g)
            if l > 0:
                prev = deltas[l - 1]
                np.matmul(d, W[l], out=prev)
                a = acts[l]
                prev *= a
                prev *= 1 - a
        return J, grads[::-1]

    return run


def torch_contender(thetas, X, y):
    import torch

    tt = [torch.tensor(t, requires_grad=True) for t in thetas]
    Xt = torch.from_numpy(X)
    Yt = torch.nn.functional.one_hot(torch.from_numpy(y), thetas[-1].shape[0]).to(Xt.dtype)
    m = X.shape[0]

    def run():
        for t in tt:
            t.grad = None
        a = Xt
        for t in tt:
            z = torch.addmm(t[:, 0], a, t[:, 1:].T)
            a = torch.sigmoid(z)
        J = torch.nn.functional.binary_cross_entropy_with_logits(z, Yt, reduction="sum") / m
        J = J + LAMBDA / (2 * m) * sum((t[:, 1:] ** 2).sum() for t in tt)
        J.backward()
        return J.item(), [t.grad for t in tt]

    return run


def loop_contender(sizes, dtype) -> Callable[[], object]:
    thetas, X, y = make_data(sizes, LOOP_M, dtype)
    return lambda: reference.per_sample.cost_and_gradient(thetas, X, y, LAMBDA)


IDLE_GAP = 0.25  # s before each timed call: other thread pools stop spinning (OpenBLAS ~0.1 s)


def median_time(
    fn: Callable[[], object],
    rounds: int,
    gap: float = IDLE_GAP,
    inner: bool = False,
    burst: bool = False,
) -> float:
    """Median seconds of fn() over rounds, each after an idle gap (with `burst`,
    one gap and then the rounds back to back, as a training loop calls); with
    `inner`, fn times itself and returns its seconds (to leave its set-up out)."""
    fn()  # warm-up
    times = []
    if burst:
        time.sleep(gap)
    for _ in range(rounds):
        if not burst:
            time.sleep(gap)
        t = time.perf_counter()
        result = fn()
        times.append(float(result) if inner else time.perf_counter() - t)  # type: ignore[arg-type]
    return float(np.median(times))


def matmul_rate(threads: int, dtype=np.float64) -> float:
    """numpy's 2048^3 matmul rate (GFLOP/s) in a dtype: the machine's practical peak."""
    a = np.random.default_rng(0).random((2048, 2048)).astype(dtype)
    with threadpool_limits(threads):
        return 2 * 2048**3 / median_time(lambda: a @ a, 3) / 1e9
