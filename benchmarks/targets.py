"""End-to-end training targets: accuracy and wall time, bprop vs scikit-learn's MLPClassifier.

Usage: python benchmarks/targets.py [--threads 2] [--skip-sklearn]
Needs Fashion-MNIST (apt-get install dataset-fashion-mnist) and scikit-learn.
Unsets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE for its own run (they slow numpy here).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

if any(v in os.environ for v in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    os.execve(sys.executable, [sys.executable, *sys.argv], env)

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

import bprop  # noqa: E402
from bprop import data  # noqa: E402


def bprop_run(sizes, X, y, Xt, yt, threads, dtype, **train_kwargs):
    thetas = bprop.initialize(sizes, method=train_kwargs.pop("init", "uniform"), seed=0, dtype=dtype)
    t = time.perf_counter()
    trained, h = bprop.train(thetas, X.astype(dtype), y, verbose=False, num_threads=threads,
                             **train_kwargs)
    seconds = time.perf_counter() - t
    kind = {k: train_kwargs[k] for k in ("activation", "output") if k in train_kwargs}
    return float(np.mean(bprop.predict(trained, Xt.astype(dtype), **kind) == yt)), seconds


def sklearn_run(hidden, X, y, Xt, yt, threads, dtype, activation="logistic", **kwargs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden, activation=activation, random_state=0, **kwargs)
    with warnings.catch_warnings(), threadpool_limits(threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        t = time.perf_counter()
        clf.fit(X.astype(dtype), y)
        seconds = time.perf_counter() - t
    return float(clf.score(Xt.astype(dtype), yt)), seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-sklearn", action="store_true")
    args = ap.parse_args()
    nt = args.threads
    X, y = data.load_fashion_mnist("train", dtype=np.float64)
    Xt, yt = data.load_fashion_mnist("test", dtype=np.float64)
    D, dy = data.load_digits()
    Dtr, Dte, dytr, dyte = data.train_validation_split(D, dy, 0.2, seed=0)

    rows = []
    cases = [
        ("Fashion-MNIST 784-25-10, lambda 1, L-BFGS 200 it., Xavier init, f64",
         lambda: bprop_run([784, 25, 10], X, y, Xt, yt, nt, np.float64, lambda_=1.0,
                           optimizer="lbfgs", iterations=200, init="xavier"),
         lambda: sklearn_run((25,), X, y, Xt, yt, nt, np.float64, solver="lbfgs", alpha=1.0,
                             max_iter=200)),
        ("Fashion-MNIST 784-100-10, Adam lr 0.003, batch 128, 10 epochs, Xavier init, f32",
         lambda: bprop_run([784, 100, 10], X, y, Xt, yt, nt, np.float32, optimizer="adam",
                           learning_rate=0.003, batch_size=128, epochs=10, seed=0, init="xavier"),
         lambda: sklearn_run((100,), X, y, Xt, yt, nt, np.float32, solver="adam", alpha=0.0,
                             batch_size=128, max_iter=10, learning_rate_init=0.003,
                             n_iter_no_change=1000)),
        ("Fashion-MNIST 784-100-10 ReLU + softmax, Adam lr 0.001, batch 128, 10 epochs, He init, f32",
         lambda: bprop_run([784, 100, 10], X, y, Xt, yt, nt, np.float32, optimizer="adam",
                           learning_rate=0.001, batch_size=128, epochs=10, seed=0, init="he",
                           activation="relu", output="softmax"),
         lambda: sklearn_run((100,), X, y, Xt, yt, nt, np.float32, activation="relu",
                             solver="adam", alpha=0.0, batch_size=128, max_iter=10,
                             learning_rate_init=0.001, n_iter_no_change=1000)),
        ("digits 64-25-10, lambda 1, L-BFGS 200 it., f64 (the CLI default)",
         lambda: bprop_run([64, 25, 10], Dtr, dytr, Dte, dyte, nt, np.float64, lambda_=1.0,
                           optimizer="lbfgs", iterations=200),
         lambda: sklearn_run((25,), Dtr, dytr, Dte, dyte, nt, np.float64, solver="lbfgs",
                             alpha=1.0, max_iter=200)),
    ]
    print(f"{nt} threads for both; scikit-learn's BLAS pinned to {nt} with threadpoolctl; bprop "
          "limits SciPy's BLAS to 1 thread inside L-BFGS.\n")
    print("| configuration | bprop test acc. | bprop time (s) | MLPClassifier test acc. | "
          "MLPClassifier time (s) | speed-up |")
    print("|---|---|---|---|---|---|")
    for name, ours, theirs in cases:
        acc, sec = ours()
        if args.skip_sklearn:
            print(f"| {name} | {acc:.4f} | {sec:.1f} | - | - | - |", flush=True)
            continue
        sacc, ssec = theirs()
        print(f"| {name} | {acc:.4f} | {sec:.1f} | {sacc:.4f} | {ssec:.1f} | {ssec / sec:.2f}x |",
              flush=True)
        rows.append((name, acc, sec, sacc, ssec))


if __name__ == "__main__":
    main()
