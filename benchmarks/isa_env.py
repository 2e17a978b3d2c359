"""The environment a benchmark runs in, set before numpy loads (OpenBLAS reads it once).

By default OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are unset: these machines set them for
old OpenBLAS builds, and they slow a current one. With ``--isa avx2`` (or ``baseline``)
every contender is held to one instruction set: bprop's kernel path (BPROP_SIMD), OpenBLAS's
core type, PyTorch's kernels (ATEN_CPU_CAPABILITY) and oneDNN/MKL's, so that a CPU with
AVX-512 stands in for one without it (a proxy: caches and clocks stay this CPU's).
"""

from __future__ import annotations

import os
import sys

ISA_ENV = {
    "avx2": {
        "BPROP_SIMD": "avx2",
        "OPENBLAS_CORETYPE": "Haswell",
        "ATEN_CPU_CAPABILITY": "avx2",
        "MKL_ENABLE_INSTRUCTIONS": "AVX2",
        "DNNL_MAX_CPU_ISA": "AVX2",
    },
    "baseline": {
        "BPROP_SIMD": "baseline",
        "OPENBLAS_CORETYPE": "Nehalem",
        "ATEN_CPU_CAPABILITY": "default",
        "MKL_ENABLE_INSTRUCTIONS": "SSE4_2",
        "DNNL_MAX_CPU_ISA": "SSE41",
    },
}
_MARK = "BPROP_BENCH_ENV_SET"


def isa_argument(argv: list[str]) -> str | None:
    """The value of --isa in argv (--isa X or --isa=X), or None."""
    for i, a in enumerate(argv):
        if a == "--isa" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--isa="):
            return a.split("=", 1)[1]
    return None


def reexec_in_benchmark_environment() -> None:
    """Re-execute this script once in the environment its --isa asks for."""
    if os.environ.get(_MARK):
        return
    isa = isa_argument(sys.argv)
    if isa is not None and isa not in ISA_ENV:
        sys.exit(f"--isa: one of {', '.join(ISA_ENV)}, got {isa!r}")
    env = {
        k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    }
    env.update(ISA_ENV.get(isa or "", {}))
    env[_MARK] = "1"
    os.execve(sys.executable, [sys.executable, *sys.argv], env)
