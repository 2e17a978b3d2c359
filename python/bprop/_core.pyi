# Stub of the private C++ module (csrc/bindings/module.cpp); checked by tests/test_stub_and_docs.py.
from typing import overload

import numpy as np
import numpy.typing as npt

BLOCK_SIZE: int
WAVE_BLOCKS: int
STATUS_OK: int
STATUS_NON_FINITE_INPUT: int
STATUS_NON_FINITE_RESULT: int
STATUS_INTERRUPTED: int

def cost_gradient(
    thetas: list[npt.NDArray[np.floating]],
    X: npt.NDArray[np.generic] | None,
    labels: npt.NDArray[np.int64] | None,
    Y: npt.NDArray[np.floating] | None,
    lambda_: float,
    with_gradient: bool,
    num_threads: int,
    w: npt.NDArray[np.floating] | None = None,
    activations: list[int] = ...,
    output: int = ...,
    x_scale: float = 1.0,
    csr: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.floating], int] | None = None,
) -> tuple[float, int, int, list[npt.NDArray[np.floating]] | None]: ...
def cost_gradient_sums(
    thetas: list[npt.NDArray[np.floating]],
    X: npt.NDArray[np.generic] | None,
    labels: npt.NDArray[np.int64] | None,
    Y: npt.NDArray[np.floating] | None,
    with_gradient: bool,
    num_threads: int,
    w: npt.NDArray[np.floating] | None = None,
    activations: list[int] = ...,
    output: int = ...,
    x_scale: float = 1.0,
    csr: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.floating], int] | None = None,
) -> tuple[float, float, int, int, npt.NDArray[np.float64] | None]: ...
def train_steps(
    thetas: list[npt.NDArray[np.floating]],
    X: npt.NDArray[np.generic] | None,
    labels: npt.NDArray[np.int64] | None,
    Y: npt.NDArray[np.floating] | None,
    w: npt.NDArray[np.floating] | None,
    x_scale: float,
    activations: list[int],
    output: int,
    num_threads: int,
    order: npt.NDArray[np.int64] | None,
    batch_size: int,
    steps: int,
    max_taken: int,
    lambda_: float,
    kind: int,
    learning_rate: float,
    momentum: float,
    beta1: float,
    beta2: float,
    eps: float,
    adam_t: int,
    state1: list[npt.NDArray[np.floating]],
    state2: list[npt.NDArray[np.floating]],
) -> tuple[int, int, int, npt.NDArray[np.float64], npt.NDArray[np.uint8], int]: ...
def finish_objective(
    thetas: list[npt.NDArray[np.floating]],
    data_sum: float,
    total: npt.NDArray[np.float64] | None,
    W: float,
    m: float,
    lambda_: float,
) -> tuple[float, int, list[npt.NDArray[np.floating]] | None]: ...
def forward(
    thetas: list[npt.NDArray[np.floating]],
    X: npt.NDArray[np.generic] | None,
    num_threads: int,
    activations: list[int] = ...,
    output: int = ...,
    x_scale: float = 1.0,
    csr: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.floating], int] | None = None,
) -> tuple[npt.NDArray[np.floating], int]: ...
def openmp_enabled() -> bool: ...
def default_num_threads() -> int: ...
def num_procs() -> int: ...
HIDDEN_ACTIVATIONS: dict[str, int]
OUTPUT_ACTIVATIONS: dict[str, int]
LEAKY_SLOPE: float
def simd_isa() -> str: ...
def supported_isas() -> list[str]: ...
@overload
def adam_step(  # type: ignore[overload-overlap]
    theta: npt.NDArray[np.float64],
    g: npt.NDArray[np.float64],
    m: npt.NDArray[np.float64],
    v: npt.NDArray[np.float64],
    lr_t: float,
    b1: float,
    b2: float,
    eps: float,
) -> tuple[npt.NDArray[np.float64], bool]: ...
@overload
def adam_step(
    theta: npt.NDArray[np.float32],
    g: npt.NDArray[np.float32],
    m: npt.NDArray[np.float32],
    v: npt.NDArray[np.float32],
    lr_t: float,
    b1: float,
    b2: float,
    eps: float,
) -> tuple[npt.NDArray[np.float32], bool]: ...
