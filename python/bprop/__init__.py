"""bprop: fully-connected neural networks trained by backpropagation.

The cost and gradient run in a C++/OpenMP core; this package validates
inputs, initialises weights, checks gradients and orchestrates training.
See the README for the map from each formula to the function computing it.
"""

from __future__ import annotations

import os as _os
import warnings as _warnings


def _libgomp_loaded() -> bool:
    try:
        with open("/proc/self/maps") as f:
            return "libgomp" in f.read()
    except OSError:  # not Linux: assume it may be
        return True


# libgomp's threads spin up to ~300k iterations after each parallel region by
# default, slowing whatever runs next on those cores (numpy 2x right after a
# mini-batch step, measured). Unless the user chose, spin briefly and then
# sleep. libgomp reads this once, when it loads (with _core below): set only
# when that is still to come. Child processes inherit it.
if not (
    _os.environ.get("OMP_WAIT_POLICY") or _os.environ.get("GOMP_SPINCOUNT") or _libgomp_loaded()
):
    _os.environ["GOMP_SPINCOUNT"] = "10000"

from . import _core, data, diagnose, optim, plot, reference, schedules  # noqa: E402

# The kernel path is chosen now, once for both dtypes; say so when BPROP_SIMD
# asked for one this build or CPU cannot run.
if _os.environ.get("BPROP_SIMD", _core.simd_isa()) != _core.simd_isa():
    _warnings.warn(
        f"BPROP_SIMD={_os.environ['BPROP_SIMD']!r} is not a kernel path this "
        f"build and CPU can run ({', '.join(_core.supported_isas())}); using "
        f"{_core.simd_isa()!r}",
        RuntimeWarning,
        stacklevel=2,
    )
from ._internal.threads import get_num_threads, set_num_threads
from .data import one_hot
from .export import export_onnx
from .gradcheck import GradientCheckResult, WorstEntry, gradient_check, numerical_gradient
from .init import initialize, random_initialize
from .model_file import load, save
from .network import Network, cost, cost_and_gradient, forward, predict
from .params import layer_sizes, num_parameters, roll, unroll
from .tracing import Trace, TraceLayer, trace
from .training import History, InputScaleWarning, ScheduleError, TrainingDiverged, train


def _installed_version() -> str:
    """The version pyproject.toml gives (its one source), as the install recorded it;
    "unknown" for a copy of the sources that was never installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("bprop")
    except PackageNotFoundError:
        return "unknown"


__version__ = _installed_version()


def build_info() -> dict[str, object]:
    """How the core was built and runs: OpenMP, the SIMD kernels in use (and those this CPU
    can run: BPROP_SIMD values), block sizes, cores.

    Returns
    -------
    dict
        ``version`` (str, the installed version), ``openmp`` (bool, whether the core
        was built with OpenMP), ``simd`` (str, the kernel path in use: "baseline",
        "avx2", "wide-avx2" or "avx512"), ``simd_supported`` (list of str, the paths
        this build and CPU can run, the values ``BPROP_SIMD`` accepts),
        ``num_procs`` (int, cores available), ``default_num_threads`` (int, OpenMP's
        default), ``block_size`` (int, samples per block: the sums run block by
        block, in an order that depends on m alone) and ``wave_blocks`` (int, the
        most chunks of blocks summed in one wave).

    Examples
    --------
    >>> import bprop
    >>> info = bprop.build_info()
    >>> {"version", "openmp", "simd", "simd_supported", "num_procs"} <= set(info)
    True
    >>> info["simd"] in info["simd_supported"], "baseline" in info["simd_supported"]
    (True, True)
    """
    return {
        "version": __version__,
        "openmp": _core.openmp_enabled(),
        "simd": _core.simd_isa(),
        "simd_supported": _core.supported_isas(),
        "num_procs": _core.num_procs(),
        "default_num_threads": _core.default_num_threads(),
        "block_size": _core.BLOCK_SIZE,
        "wave_blocks": _core.WAVE_BLOCKS,
    }


__all__ = [
    "History",
    "InputScaleWarning",
    "Network",
    "ScheduleError",
    "TrainingDiverged",
    "data",
    "diagnose",
    "export_onnx",
    "load",
    "optim",
    "plot",
    "save",
    "schedules",
    "train",
    "GradientCheckResult",
    "WorstEntry",
    "build_info",
    "cost",
    "cost_and_gradient",
    "forward",
    "get_num_threads",
    "gradient_check",
    "initialize",
    "layer_sizes",
    "num_parameters",
    "numerical_gradient",
    "one_hot",
    "predict",
    "random_initialize",
    "reference",
    "roll",
    "set_num_threads",
    "unroll",
    "trace",
    "Trace",
    "TraceLayer",
]
