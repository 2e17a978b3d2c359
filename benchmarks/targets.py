"""End-to-end training targets (issue 15): accuracy, wall time and peak memory,
bprop vs PyTorch (when installed) vs scikit-learn's MLPClassifier, same data,
network, cost, initial weights and thread count.

Usage: python benchmarks/targets.py [--threads 2] [--skip-sklearn] [--skip-torch] [--repeat 1]
                                    [--jobs lbfgs,adam] [--isa avx2|baseline]
Needs Fashion-MNIST (apt-get install dataset-fashion-mnist). Each run is a fresh
process (its peak resident memory is the job's own, and no other thread pool
spins beside it), started after an idle gap. Unsets OPENBLAS_CORETYPE /
OPENBLAS_L2_SIZE (they slow a current OpenBLAS); --isa holds every contender to one
instruction set (isa_env.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from isa_env import ISA_ENV, reexec_in_benchmark_environment  # noqa: E402

if __name__ == "__main__":
    reexec_in_benchmark_environment()

import numpy as np  # noqa: E402

JOBS = {
    "lbfgs": "Fashion-MNIST 784-25-10 sigmoid/logistic, lambda 1, L-BFGS 200 it., Xavier, f64",
    "adam": (
        "Fashion-MNIST 784-100-10 sigmoid/logistic, Adam lr 0.003, batch 128, 10 epochs, "
        "Xavier, f32"
    ),
    "relu": "Fashion-MNIST 784-100-10 ReLU + softmax, Adam lr 0.001, batch 128, 10 epochs, He, f32",
}
SETTINGS = {
    "lbfgs": dict(
        sizes=[784, 25, 10],
        init="xavier",
        dtype=np.float64,
        lambda_=1.0,
        optimizer="lbfgs",
        iterations=200,
    ),
    "adam": dict(
        sizes=[784, 100, 10],
        init="xavier",
        dtype=np.float32,
        lambda_=0.0,
        optimizer="adam",
        learning_rate=0.003,
        batch_size=128,
        epochs=10,
    ),
    "relu": dict(
        sizes=[784, 100, 10],
        init="he",
        dtype=np.float32,
        lambda_=0.0,
        optimizer="adam",
        learning_rate=0.001,
        batch_size=128,
        epochs=10,
        activation="relu",
        output="softmax",
    ),
}


def run_job(job: str, contender: str, threads: int) -> dict:
    """One run in this process: test accuracy, seconds of training, peak RSS."""
    import bprop

    s = dict(SETTINGS[job])
    sizes, init, dtype = s.pop("sizes"), s.pop("init"), s.pop("dtype")
    X8, y = bprop.data.load_fashion_mnist("train", dtype=np.uint8)
    Xt8, yt = bprop.data.load_fashion_mnist("test", dtype=np.uint8)
    thetas = bprop.initialize(sizes, method=init, seed=0, dtype=dtype)
    if contender == "bprop":  # raw pixels: read by the core as float(x) / 255
        t = time.perf_counter()
        trained, _ = bprop.train(thetas, X8, y, verbose=False, num_threads=threads, seed=0, **s)
        seconds = time.perf_counter() - t
        acc = float(np.mean(bprop.predict(trained, Xt8) == yt))
    else:
        X, Xt = bprop.data.scale_pixels(X8, dtype), bprop.data.scale_pixels(Xt8, dtype)
        if contender == "torch":
            import torch_contender

            acc, seconds = torch_contender.train(thetas, X, y, Xt, yt, threads=threads, **s)
        else:
            acc, seconds = sklearn_run(sizes, X, y, Xt, yt, threads, **s)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"acc": acc, "seconds": seconds, "peak_mib": peak}


def sklearn_run(
    sizes,
    X,
    y,
    Xt,
    yt,
    threads,
    *,
    optimizer,
    lambda_,
    activation="sigmoid",
    output="logistic",
    **s,
):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    kw = (
        dict(solver="lbfgs", max_iter=s["iterations"])
        if optimizer == "lbfgs"
        else dict(
            solver="adam",
            batch_size=s["batch_size"],
            max_iter=s["epochs"],
            learning_rate_init=s["learning_rate"],
            n_iter_no_change=1000,
        )
    )
    clf = MLPClassifier(
        tuple(sizes[1:-1]),
        activation="relu" if activation == "relu" else "logistic",
        alpha=lambda_,
        random_state=0,
        **kw,
    )
    with warnings.catch_warnings(), threadpool_limits(threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        t = time.perf_counter()
        clf.fit(X, y)
        seconds = time.perf_counter() - t
    return float(clf.score(Xt, yt)), seconds


def uint8_evaluation(threads: int) -> list[str]:
    """Full-batch cost and gradient of 784-25-10 with uint8 X vs float X of the weights' dtype."""
    import bprop

    X8, y = bprop.data.load_fashion_mnist("train", dtype=np.uint8)
    lines = []
    for dtype in (np.float32, np.float64):
        thetas = bprop.initialize([784, 25, 10], seed=0, dtype=dtype)
        Xf = bprop.data.scale_pixels(X8, dtype)
        times = {}
        for name, X in (("uint8", X8), (np.dtype(dtype).name, Xf)):
            samples = []
            for _ in range(7):
                time.sleep(0.25)
                t = time.perf_counter()
                bprop.cost_and_gradient(thetas, X, y, 1.0, num_threads=threads)
                samples.append(time.perf_counter() - t)
            times[name] = float(np.median(samples))
        name = np.dtype(dtype).name
        lines.append(
            f"| 784-25-10 {name}, J and gradient, m = 60000 | {times['uint8'] * 1e3:.1f} | "
            f"{times[name] * 1e3:.1f} | {times[name] / times['uint8']:.2f}x | "
            f"{X8.nbytes / 2**20:.0f} MiB vs {Xf.nbytes / 2**20:.0f} MiB |"
        )
    return lines


# The README's Fashion-MNIST commands, run as a user runs them.
COMMANDS = {
    "L-BFGS, f64": [
        "train",
        "--data",
        "fashion-mnist",
        "--hidden",
        "25",
        "--lambda",
        "1",
        "--optimizer",
        "lbfgs",
        "--iterations",
        "200",
    ],
    "Adam, f32": [
        "train",
        "--data",
        "fashion-mnist",
        "--hidden",
        "100",
        "--lambda",
        "0",
        "--optimizer",
        "adam",
        "--learning-rate",
        "0.003",
        "--init",
        "xavier",
        "--batch-size",
        "128",
        "--epochs",
        "10",
        "--dtype",
        "float32",
    ],
}
MEASURE_COMMAND = (
    "import resource, runpy, sys, time\n"
    "sys.argv = ['bprop', *sys.argv[1:]]\n"
    "t = time.perf_counter()\n"
    "try:\n"
    "    runpy.run_module('bprop', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "print('MEASURED', time.perf_counter() - t,"
    " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
)


def command_rows(threads: int, env: dict) -> list[str]:
    rows = []
    for argv in COMMANDS.values():
        time.sleep(1.0)
        out = subprocess.run(
            [sys.executable, "-c", MEASURE_COMMAND, *argv, "--threads", str(threads)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        lines = out.stdout.splitlines()
        seconds, peak = map(float, lines[-1].split()[1:])
        summary = next((line for line in lines if "test" in line and "accuracy" in line), "")
        rows.append(
            f"| `python -m bprop {' '.join(argv)}` | {seconds:.1f} | {peak:.0f} | "
            f"{summary.strip()} |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-sklearn", action="store_true")
    ap.add_argument("--skip-torch", action="store_true")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per job and contender; the median time is reported",
    )
    ap.add_argument(
        "--jobs",
        default=",".join(JOBS),
        help=f"comma-separated jobs to run (default: {','.join(JOBS)})",
    )
    ap.add_argument(
        "--isa",
        choices=sorted(ISA_ENV),
        help="hold every contender to this instruction set (default: the CPU's)",
    )
    ap.add_argument("--job", help=argparse.SUPPRESS)
    ap.add_argument("--contender", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.job:  # a child: one run, its result as JSON
        print(json.dumps(run_job(args.job, args.contender, args.threads)))
        return
    env = dict(os.environ)  # as isa_env set it up, for every child
    env["PYTHONPATH"] = os.path.dirname(os.path.abspath(__file__))
    contenders = ["bprop"]
    try:
        import torch  # noqa: F401

        if not args.skip_torch:
            contenders.append("torch")
    except ImportError:
        print("PyTorch is not installed: pip install torch==2.13.0 (CPU) to compare with it")
    if not args.skip_sklearn:
        contenders.append("sklearn")

    import bprop

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from problems import cpu_description

    held = f" held to {args.isa} (every contender)" if args.isa else ""
    print(
        f"Machine: {cpu_description()}{held}; bprop {bprop.__version__} kernels: "
        f"{bprop.build_info()['simd']}; {args.threads} threads for every contender; "
        f"each run in its own process after an idle gap of 1 s; median of {args.repeat} runs.\n"
    )
    print("| job | contender | test acc. | time (s) | peak RSS (MiB) | bprop faster by |")
    print("|---|---|---|---|---|---|")
    for job, title in JOBS.items():
        if job not in args.jobs.split(","):
            continue
        results = {}
        for who in contenders:
            runs = []
            for _ in range(args.repeat):
                time.sleep(1.0)
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--job",
                        job,
                        "--contender",
                        who,
                        "--threads",
                        str(args.threads),
                    ],
                    capture_output=True,
                    text=True,
                    env=env,
                    check=True,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            r = dict(
                runs[0],
                seconds=float(np.median([x["seconds"] for x in runs])),
                peak_mib=max(x["peak_mib"] for x in runs),
            )
            results[who] = r
            ratio = results[who]["seconds"] / results["bprop"]["seconds"]
            print(
                f"| {title} | {who} | {r['acc']:.4f} | {r['seconds']:.2f} | {r['peak_mib']:.0f} | "
                f"{'' if who == 'bprop' else f'{ratio:.2f}x'} |",
                flush=True,
            )
    print("\n| README command | wall time incl. loading (s) | peak RSS (MiB) | its report |")
    print("|---|---|---|---|")
    for line in command_rows(args.threads, env):
        print(line, flush=True)
    print("\n| evaluation | uint8 X (ms) | float X (ms) | uint8 faster by | X in memory |")
    print("|---|---|---|---|---|")
    for line in uint8_evaluation(args.threads):
        print(line, flush=True)


if __name__ == "__main__":
    main()
