# Stub of the private C++ module (csrc/bindings/module.cpp); checked by tests/test_stub_and_docs.py.

import numpy as np
import numpy.typing as npt

BLOCK_SIZE: int
WAVE_BLOCKS: int
STATUS_OK: int
STATUS_NON_FINITE_INPUT: int
STATUS_NON_FINITE_RESULT: int
STATUS_INTERRUPTED: int

class Samples:
    def __init__(
        self,
        X: npt.NDArray[np.generic] | None = None,
        labels: npt.NDArray[np.int64] | None = None,
        Y: npt.NDArray[np.floating] | None = None,
        w: npt.NDArray[np.floating] | None = None,
        x_scale: float = 1.0,
        csr: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.floating], int] | None = None,
    ) -> None: ...
    @property
    def X(self) -> npt.NDArray[np.generic] | None: ...
    @property
    def x_scale(self) -> float: ...

class NetworkKind:
    def __init__(self, activations: list[int] = ..., output: int = 0) -> None: ...
    @property
    def activations(self) -> list[int]: ...
    @property
    def output(self) -> int: ...

class StepPlan:
    def __init__(
        self,
        order: npt.NDArray[np.int64] | None,
        batch_size: int,
        steps: int,
        max_taken: int,
        lambda_: float,
        clip_norm: float = 0.0,
    ) -> None: ...
    @property
    def batch_size(self) -> int: ...
    @property
    def steps(self) -> int: ...
    @property
    def max_taken(self) -> int: ...
    @property
    def clip_norm(self) -> float: ...

def cost_gradient(
    thetas: list[npt.NDArray[np.floating]],
    samples: Samples,
    kind: NetworkKind,
    lambda_: float,
    with_gradient: bool,
    num_threads: int,
) -> tuple[float, int, int, list[npt.NDArray[np.floating]] | None]: ...
def cost_gradient_sums(
    thetas: list[npt.NDArray[np.floating]],
    samples: Samples,
    kind: NetworkKind,
    with_gradient: bool,
    num_threads: int,
) -> tuple[float, float, int, int, npt.NDArray[np.float64] | None]: ...
def train_steps(
    thetas: list[npt.NDArray[np.floating]],
    samples: Samples,
    kind: NetworkKind,
    num_threads: int,
    plan: StepPlan,
    config: OptimizerConfig,
    state1: list[npt.NDArray[np.floating]],
    state2: list[npt.NDArray[np.floating]],
) -> tuple[int, int, int, npt.NDArray[np.float64], npt.NDArray[np.uint8]]: ...
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
    samples: Samples,
    kind: NetworkKind,
    num_threads: int,
) -> tuple[npt.NDArray[np.floating], int]: ...
def openmp_enabled() -> bool: ...
def default_num_threads() -> int: ...
def num_procs() -> int: ...
HIDDEN_ACTIVATIONS: dict[str, int]
OUTPUT_ACTIVATIONS: dict[str, int]
LEAKY_SLOPE: float
def simd_isa() -> str: ...
def supported_isas() -> list[str]: ...
OPTIMIZER_KINDS: dict[str, int]
STEP_STATUSES: dict[str, int]

class OptimizerConfig:
    def __init__(
        self,
        kind: int,
        learning_rate: float,
        momentum: float = 0.0,
        beta1: float = 0.0,
        beta2: float = 0.0,
        eps: float = 0.0,
        t: int = 0,
        weight_decay: float = 0.0,
    ) -> None: ...
    @property
    def kind(self) -> int: ...
    learning_rate: float
    momentum: float
    beta1: float
    beta2: float
    eps: float
    t: int
    weight_decay: float

def optimizer_step(
    config: OptimizerConfig,
    thetas: list[npt.NDArray[np.floating]],
    grads: list[npt.NDArray[np.floating]],
    state1: list[npt.NDArray[np.floating]],
    state2: list[npt.NDArray[np.floating]],
) -> tuple[list[npt.NDArray[np.floating]], bool]: ...
def clip_gradients(grads: list[npt.NDArray[np.floating]], clip_norm: float) -> float: ...
