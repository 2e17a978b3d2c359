"""A trained network as an ONNX model, for runtimes without bprop (the ``[onnx]`` extra).

The graph computes what :func:`bprop.forward` and :func:`bprop.predict` compute,
with standard ONNX operators (opset :data:`OPSET`, IR version :data:`IR_VERSION`):
one ``Gemm`` per layer (``Theta[:, 1:]`` as B with ``transB=1``, the bias column
``Theta[:, 0]`` as C) followed by the layer's activation. Weights are initializers
in the network's dtype (FLOAT or DOUBLE tensors), and every operation runs in that
dtype, except the standardisation, which runs in float64 as the command line's.
Only ``onnx`` is needed to export; ``onnxruntime`` (or any ONNX runtime) runs it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from . import _core
from ._internal import checks
from ._internal.atomic import atomic_write
from ._internal.install_hint import install_hint
from ._internal.kind import Kind, resolve_kind
from .network import Network

OPSET = 17  # Softmax over one axis (13), GreaterOrEqual (12), Relu in double (14)
IR_VERSION = 8  # the IR that onnx 1.12 wrote with opset 17: any runtime since reads it
INPUT_DTYPES = ("float32", "float64", "uint8")
# An ONNX file is one protobuf message, which holds at most 2 GiB (the graph itself takes
# a few kB; weights beyond would need ONNX's external data, which bprop does not write).
MAX_WEIGHT_BYTES = 2**31 - 2**20

# Each activation's ONNX operator (build_model applies them). Leaky ReLU's slope is an
# attribute of type float, so in float64 it would be 0.01 rounded to float32: there it
# is Max(z, slope z) with the slope a float64 constant (the same values as the core's
# z > 0 ? z : slope z, for a slope in (0, 1)).
_HIDDEN_OPS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "leaky_relu": "LeakyRelu"}
_OUTPUT_OPS = {"logistic": "Sigmoid", "softmax": "Softmax", "identity": None}


@dataclass(frozen=True)
class OnnxGraph:
    """What the exported graph computes, checked once: the weights and their kind,
    the input's dtype and scale, the standardisation and the classes recorded."""

    thetas: list[np.ndarray]
    kind: Kind
    input_dtype: np.dtype
    x_scale: float
    mean: np.ndarray | None
    std: np.ndarray | None
    classes: list[Any] | None

    @property
    def dtype(self) -> np.dtype:
        return self.kind.dtype


def export_onnx(
    network: Network,
    path: str | os.PathLike,
    *,
    input_dtype: Any = None,
    x_scale: float | None = None,
    standardize: Any = None,
    classes: Any = None,
) -> Path:
    """Write ``network`` as an ONNX model to ``path``, atomically.

    The graph takes ``X`` and returns the network's outputs ``h`` (the output
    layer's activations ``a_L``, as :func:`bprop.forward` returns them) and, for a
    classifier, ``label`` (as :func:`bprop.predict` returns it). In order:

    1. ``x = Cast(X, T) * x_scale``, T the network's dtype: as bprop reads any X
       (uint8 pixels with ``x_scale`` 1/255); each step only when it changes X;
    2. with ``standardize=(mean, std)``: ``x = (x - mean) / std`` computed in
       float64 and cast back to T, as ``python -m bprop predict`` does for a
       model trained with ``--standardize``;
    3. per layer l: ``z = Gemm(a, Theta_l[:, 1:], Theta_l[:, 0], transB=1)``,
       ``a = g(z)`` with ``Sigmoid``, ``Tanh``, ``Relu`` or ``LeakyRelu``
       (alpha 0.01; in float64 ``Max(z, 0.01 z)``, since the attribute is a
       float32); the output layer's g is ``Sigmoid`` (logistic), ``Softmax``
       (axis -1) or none (identity);
    4. ``label``: ``ArgMax(h, axis=1)``, or ``h[:, 0] >= 0.5`` for one logistic
       unit; none for an identity output (regression).

    Parameters
    ----------
    network : Network
        What :func:`bprop.train` or :func:`bprop.load` returns (its kind says
        which activations the graph applies); ``thetas[l]`` of shape
        ``(s_{l+1}, s_l + 1)``, float32 or float64.
    path : str or path-like
        The file to write (conventionally ``.onnx``), replaced only once the new
        file is complete. A file already there is replaced only if it is empty or
        an ONNX model: a bprop model file, data or any other file is refused, as
        the command line refuses it (and so is a directory, FIFO, device or socket).
    input_dtype : {"float32", "float64", "uint8"}, optional
        The type of the input ``X``; default: the network's dtype.
    x_scale : float, optional
        Factor applied to X after the cast (finite, > 0), as in
        :func:`bprop.forward`: default 1/255 for uint8 input, else 1.
    standardize : (array_like, array_like), optional
        ``(mean, std)``, each of shape ``(s_1,)`` (std > 0): what a model saved by
        ``train --standardize`` records as ``meta["standardize"]``.
    classes : sequence, optional
        What each output unit stands for (two values for one logistic unit),
        e.g. ``meta["classes"]``; stored as JSON in the model's metadata
        (``classes``), so that ``classes[label]`` is the predicted class.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        When ``network`` is not a :class:`bprop.Network` (bare weight matrices
        do not say which activations they need), ``input_dtype`` is not one
        of the three, or ``path`` is not a str or path-like.
    ValueError
        Naming the argument: weights that do not chain or are not finite, a
        kind that does not fit the layers, a ``standardize`` of the wrong
        length or with std <= 0, ``classes`` of the wrong count, a bad
        ``x_scale``, weights beyond the 2 GiB one ONNX file holds, an empty
        ``path``.
    ImportError
        When the ``onnx`` package is missing (with the pip command that adds it).
    IsADirectoryError, FileExistsError, FileNotFoundError, PermissionError
        When ``path`` is a directory, a FIFO, device or socket, or a file that is
        not an ONNX model (FileExistsError), its directory does not exist or may
        not be written.

    Notes
    -----
    The input is ``X`` of shape ``(m, s_1)`` with a dynamic ``m``; outputs ``h``
    ``(m, K)`` in T and ``label`` ``(m,)`` int64. The model's metadata holds
    bprop's version, the activation(s), the output and the layer sizes. An ONNX
    runtime sums each layer's products in its own order, so its outputs agree
    with :func:`bprop.forward` to the dtype's rounding of those sums, not bit for
    bit: each of a layer's sums of n = s_l + 1 terms is within n u / (1 - n u)
    times the sum of its terms' magnitudes of the exact value, whatever the order
    (u = 2^-24 in float32, 2^-53 in float64), and that error travels through the
    layers above (docs/onnx.md gives the whole bound). For a 784-input float32
    network the worst case is 785 u = 4.7e-5 of each first-layer sum's magnitude;
    differences of 1e-6 to 1e-5 in outputs below 1 are usual there.

    Examples
    --------
    >>> import os, tempfile, numpy as np, bprop
    >>> net = bprop.Network(bprop.initialize([4, 3, 2], seed=0), "relu", "softmax")
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = bprop.export_onnx(net, os.path.join(folder.name, "net.onnx"))
    >>> import onnxruntime
    >>> session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    >>> X = np.random.default_rng(0).normal(size=(5, 4))
    >>> h, label = session.run(None, {"X": X})
    >>> h.shape, label.shape, float(abs(h - bprop.forward(net, X)).max()) < 1e-12
    ((5, 2), (5,), True)
    >>> label.tolist() == bprop.predict(net, X).tolist()
    True
    >>> folder.cleanup()
    """
    graph = check_export(network, input_dtype, x_scale, standardize, classes)
    target = check_path(path)
    onnx = require_onnx()
    problem = replace_problem(target)
    if problem:
        raise FileExistsError(f"path {target}: {problem}")
    model = build_model(graph)
    onnx.checker.check_model(model, full_check=True)
    data = model.SerializeToString()

    def write(f: IO[bytes]) -> None:
        f.write(data)

    return atomic_write(path, write)


def check_path(path: Any) -> Path:
    """``path`` as a Path: a str or path-like that is not empty, else TypeError or
    ValueError naming ``path``."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"path must be a file name (str or path-like) such as 'model.onnx', "
            f"got {type(path).__name__}"
        )
    text = os.fsdecode(os.fspath(path))
    if not text:
        raise ValueError("path is empty: name the file to write, such as 'model.onnx'")
    if "\0" in text:
        raise ValueError(f"path {text!r} holds a NUL character, which no file name may hold")
    return Path(text)


def replace_problem(path: Path) -> str | None:
    """Why the export may not replace the file at ``path``: it is there, is not empty and
    is not an ONNX model (a bprop model file, data); None when it may. The one rule of
    :func:`export_onnx` and ``python -m bprop export`` (a directory, FIFO or device is
    refused by the write itself)."""
    if not path.is_file() or path.stat().st_size == 0 or looks_like_onnx(path):
        return None
    from .model_file import looks_like_model

    what = "a bprop model file" if looks_like_model(path) else "not an ONNX model"
    return (
        f"the file is there and is {what}; the export replaces only an ONNX model: "
        f"name another file, or remove it first"
    )


def require_onnx() -> Any:
    """The ``onnx`` module, or ImportError with the pip command that adds it."""
    try:
        import onnx
    except ImportError:
        raise ImportError(
            f"exporting to ONNX needs the onnx package: {install_hint('onnx')}"
        ) from None
    return onnx


def check_export(
    network: Any, input_dtype: Any, x_scale: Any, standardize: Any, classes: Any
) -> OnnxGraph:
    """:func:`export_onnx`'s arguments checked once, each error naming its argument."""
    if not isinstance(network, Network):
        raise TypeError(
            f"network must be a bprop.Network (what bprop.train and bprop.load return), "
            f"got {type(network).__name__}: bare weight matrices do not say which "
            f"activations they need; wrap them as bprop.Network(thetas, activation=..., "
            f"output=...)"
        )
    try:
        thetas = checks.check_thetas(network)
        kind = resolve_kind(thetas, network.activation, network.output)
    except (TypeError, ValueError) as e:
        raise type(e)(f"network: {e}") from None
    size = sum(t.nbytes for t in thetas)
    if size > MAX_WEIGHT_BYTES:
        raise ValueError(
            f"network: its weights take {size / 2**30:.1f} GiB; an ONNX file holds at most "
            f"{MAX_WEIGHT_BYTES / 2**30:.1f} GiB of them (one protobuf message)"
        )
    in_dtype = kind.dtype if input_dtype is None else check_input_dtype(input_dtype)
    scale = checks.check_x_scale(x_scale, np.empty((0, 0), dtype=in_dtype))
    n, K = thetas[0].shape[1] - 1, thetas[-1].shape[0]
    mean, std = check_standardize(standardize, n)
    return OnnxGraph(thetas, kind, in_dtype, scale, mean, std, check_classes(classes, kind, K))


def check_input_dtype(input_dtype: Any) -> np.dtype:
    """float32, float64 or uint8, else TypeError naming ``input_dtype``."""
    try:
        dtype = np.dtype(input_dtype)
    except TypeError:
        dtype = np.dtype(object)
    if dtype.name not in INPUT_DTYPES:
        raise TypeError(
            f"input_dtype must be one of {', '.join(INPUT_DTYPES)}, got {input_dtype!r}"
        )
    return dtype


def check_standardize(standardize: Any, n: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(mean, std) as float64 arrays of shape (n,), finite, std > 0; (None, None) for None."""
    if standardize is None:
        return None, None
    try:
        mean, std = standardize
    except (TypeError, ValueError):
        raise TypeError(
            "standardize must be a pair (mean, std), as a model's meta['standardize'] holds"
        ) from None
    parts = []
    for name, value in (("mean", mean), ("std", std)):
        a = checks.as_array(value, f"standardize's {name}")
        if a.shape != (n,):
            raise ValueError(
                f"standardize's {name} has shape {a.shape}; the network takes {n} inputs, "
                f"so it needs shape ({n},)"
            )
        a = a.astype(np.float64)
        bad = np.flatnonzero(~np.isfinite(a) | ((a <= 0) if name == "std" else False))
        if bad.size:
            need = "finite and > 0" if name == "std" else "finite"
            raise ValueError(
                f"standardize's {name} holds {checks.shown(a[bad[0]])} for input {bad[0]}; "
                f"it must be {need}"
            )
        parts.append(a)
    return parts[0], parts[1]


def check_classes(classes: Any, kind: Kind, K: int) -> list[Any] | None:
    """The classes as a JSON-serialisable list: one per output unit (two for one
    logistic unit); refused for a regression network."""
    if classes is None:
        return None
    if kind.output == "identity":
        raise ValueError("classes: a network with output 'identity' (regression) has no classes")
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__len__"):
        raise TypeError(f"classes must be a list of labels, got {type(classes).__name__}")
    values = np.asarray(classes).tolist() if isinstance(classes, np.ndarray) else list(classes)
    expected = 2 if K == 1 and kind.output == "logistic" else K
    if len(values) != expected:
        raise ValueError(
            f"classes lists {len(values)} values; the network's {K} output unit(s) "
            f"stand for {expected} classes"
        )
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    try:
        json.dumps(values)
    except (TypeError, ValueError):
        raise TypeError("classes must be numbers or strings (stored as JSON)") from None
    return values


def build_model(g: OnnxGraph) -> Any:
    """The ModelProto of ``g``: nodes, initializers, typed inputs and outputs, metadata."""
    from onnx import TensorProto, helper, numpy_helper

    from . import __version__

    T = TensorProto.FLOAT if g.dtype == np.float32 else TensorProto.DOUBLE
    nodes: list[Any] = []
    initializers: list[Any] = []

    def constant(name: str, value: Any, dtype: Any) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attributes: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [output], name=f"{output}_{op}", **attributes))
        return output

    a = "X"
    if g.input_dtype != g.dtype:
        a = node("Cast", [a], "X_cast", to=T)
    if g.x_scale != 1.0:
        a = node("Mul", [a, constant("x_scale", g.x_scale, g.dtype)], "X_scaled")
    if g.mean is not None and g.std is not None:
        if g.dtype != np.float64:  # the command line standardises in float64 too
            a = node("Cast", [a], "X_float64", to=TensorProto.DOUBLE)
        a = node("Sub", [a, constant("mean", g.mean, np.float64)], "X_centred")
        a = node("Div", [a, constant("std", g.std, np.float64)], "X_standardized")
        if g.dtype != np.float64:
            a = node("Cast", [a], "X_standardized_cast", to=T)
    hidden = hidden_activations(g)
    for l, theta in enumerate(g.thetas):
        last = l == len(g.thetas) - 1
        W = constant(f"Theta{l + 1}_weights", theta[:, 1:], g.dtype)
        b = constant(f"Theta{l + 1}_bias", theta[:, 0], g.dtype)
        op = _OUTPUT_OPS[g.kind.output] if last else _HIDDEN_OPS[hidden[l]]
        z = node("Gemm", [a, W, b], "h" if last and op is None else f"z{l + 2}", transB=1)
        a_next = "h" if last else f"a{l + 2}"
        if op == "LeakyRelu" and g.dtype == np.float64:
            slope = constant(f"leaky_slope{l + 2}", _core.LEAKY_SLOPE, np.float64)
            a = node("Max", [z, node("Mul", [z, slope], f"z{l + 2}_sloped")], a_next)
        elif op == "LeakyRelu":
            a = node(op, [z], a_next, alpha=_core.LEAKY_SLOPE)
        elif op == "Softmax":
            a = node(op, [z], a_next, axis=-1)
        elif op is not None:
            a = node(op, [z], a_next)
        else:
            a = z
    n, K = g.thetas[0].shape[1] - 1, g.thetas[-1].shape[0]
    outputs = [helper.make_tensor_value_info("h", T, ["m", K])]
    if g.kind.output != "identity":
        if K == 1:  # bprop.predict: 1 where the one output is >= 0.5
            half = constant("half", 0.5, g.dtype)
            positive = node("GreaterOrEqual", ["h", half], "h_at_least_half")
            as_int = node("Cast", [positive], "label_column", to=TensorProto.INT64)
            node("Squeeze", [as_int, constant("column_axis", [1], np.int64)], "label")
        else:
            node("ArgMax", ["h"], "label", axis=1, keepdims=0)
        outputs.append(helper.make_tensor_value_info("label", TensorProto.INT64, ["m"]))
    graph = helper.make_graph(
        nodes,
        "bprop_network",
        [helper.make_tensor_value_info("X", _tensor_type(g.input_dtype), ["m", n])],
        outputs,
        initializer=initializers,
        doc_string=_describe(g),
    )
    model = helper.make_model(
        graph,
        producer_name="bprop",
        producer_version=__version__,
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
        doc_string="A fully-connected network trained by bprop (backpropagation).",
    )
    props = {
        "activation": json.dumps(hidden),
        "output": g.kind.output,
        "layer_sizes": json.dumps([n] + [t.shape[0] for t in g.thetas]),
        "dtype": g.dtype.name,
    }
    if g.classes is not None:
        props["classes"] = json.dumps(g.classes)
    helper.set_model_props(model, props)
    return model


def hidden_activations(g: OnnxGraph) -> list[str]:
    """The hidden layers' activations, one name per layer."""
    names = g.kind.activation
    return [names] * (len(g.thetas) - 1) if isinstance(names, str) else list(names)


def _tensor_type(dtype: np.dtype) -> int:
    from onnx import TensorProto

    types = {"float32": TensorProto.FLOAT, "float64": TensorProto.DOUBLE}
    return types.get(dtype.name, TensorProto.UINT8)


def _describe(g: OnnxGraph) -> str:
    """The graph in one paragraph, kept in the model (Netron and others show it)."""
    sizes = [g.thetas[0].shape[1] - 1] + [t.shape[0] for t in g.thetas]
    steps = []
    if g.input_dtype != g.dtype or g.x_scale != 1.0:
        steps.append(f"x = {g.dtype.name}(X) * {g.x_scale!r}")
    if g.mean is not None:
        steps.append("x = (x - mean) / std in float64")
    steps.append(f"hidden layers {', '.join(hidden_activations(g)) or '(none)'}")
    steps.append(f"output {g.kind.output}")
    return (
        f"bprop network {'-'.join(map(str, sizes))}, {g.dtype.name}: "
        + "; ".join(steps)
        + ". Outputs: h = the output layer's activations"
        + ("" if g.kind.output == "identity" else ", label = bprop.predict's class index")
        + "."
    )


def looks_like_onnx(path: str | os.PathLike) -> bool:
    """Whether ``path`` holds an ONNX model: a ModelProto with an IR version, an
    opset and a graph (a quick test of what the file is, not a full check)."""
    try:
        with open(path, "rb") as f:
            if f.read(1) != b"\x08":  # field 1 (ir_version), as every writer puts it first
                return False
            f.seek(0)
            data = f.read()
    except OSError:
        return False
    model = require_onnx().ModelProto()
    try:
        model.ParseFromString(data)
    except Exception:  # google.protobuf's DecodeError: not a ModelProto
        return False
    return model.ir_version > 0 and len(model.opset_import) > 0 and model.HasField("graph")


__all__ = ["export_onnx", "OPSET", "IR_VERSION", "INPUT_DTYPES"]
