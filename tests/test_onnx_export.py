"""bprop.export_onnx and ``python -m bprop export``: the graph run by onnxruntime against
bprop.forward and bprop.predict, and against a plain numpy forward pass; its contents;
the command line's model record (standardisation, classes); bad arguments and paths.
Tests that run a graph need the [test] extra's onnx and onnxruntime and skip without."""

import json
import os
import sys

import numpy as np
import pytest

import bprop
from bprop._internal.checks import ACTIVATIONS, OUTPUTS
from bprop.cli import main
from bprop.export import IR_VERSION, OPSET, looks_like_onnx

# How far apart the graph run by onnxruntime, bprop.forward and numpy may be, derived from
# the method: each computes every layer's z = Theta [1; a] as a sum of n = s_l + 1 terms in
# the network's dtype, in its own order, so each z is within gamma_n * sum|terms| of the
# exact value (gamma_n = n u / (1 - n u), u = 2^-24 in float32, 2^-53 in float64: the
# bound for any summation order); the error of the layer below reaches z through |Theta|;
# the activations are at most 1-Lipschitz and add their own rounding, a few u (onnxruntime's
# float32 Sigmoid, Tanh and exp are vectorised approximations good to a few ulp). Each
# result is within `error_bound` of the exact outputs, so any two within twice that.
UNIT_ROUNDOFF = {np.dtype(np.float32): 2.0**-24, np.dtype(np.float64): 2.0**-53}
ACTIVATION_ULPS = 4  # an activation's own rounding, in units u of (|a| + 1)
DTYPES = [np.float32, np.float64]
HIDDEN_OPS = {"sigmoid": ["Sigmoid"], "tanh": ["Tanh"], "relu": ["Relu"]}
OUTPUT_OPS = {"logistic": ["Sigmoid"], "softmax": ["Softmax"], "identity": []}


@pytest.fixture(scope="module")
def ort():
    pytest.importorskip("onnx")
    return pytest.importorskip("onnxruntime")


def run_onnx(ort, path, X):
    """{output name: array} of the model at ``path`` on X, one thread."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": X})))


ACTIVATION_FNS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, z.dtype.type(0.01) * z),
}


def numpy_forward(thetas, X, hidden, output):
    """The method in plain numpy, in the weights' dtype: a1 = x, z(l+1) = Theta(l) [1; a(l)],
    a(l+1) = g(z(l+1))."""
    g = ACTIVATION_FNS
    a = np.asarray(X, dtype=thetas[0].dtype)
    with np.errstate(over="ignore"):  # exp(-z) = inf for z < -89 in float32: g(z) = 0
        for l, theta in enumerate(thetas):
            z = a @ theta[:, 1:].T + theta[:, 0]
            a = g[hidden[l]](z) if l < len(thetas) - 1 else z
        if output == "logistic":
            return 1 / (1 + np.exp(-z))
    if output == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    return z


def error_bound(net, X):
    """(m, K): how far one forward pass of ``net`` in its dtype may be from the exact
    outputs, per output, on inputs X as the first layer sees them (after x_scale and the
    standardisation); computed in float64 along the exact pass (see UNIT_ROUNDOFF)."""
    thetas = list(net)
    u = UNIT_ROUNDOFF[thetas[0].dtype]
    hidden = (
        [net.activation] * (len(thetas) - 1)
        if isinstance(net.activation, str)
        else (list(net.activation))
    )
    a = np.asarray(X, dtype=np.float64)
    e = u * np.abs(a)  # the input, rounded once to the dtype
    ones = ACTIVATION_ULPS * u
    for l, theta in enumerate(thetas):
        W, b = theta[:, 1:].astype(np.float64), theta[:, 0].astype(np.float64)
        n = W.shape[1] + 1
        gamma = n * u / (1 - n * u)
        z = a @ W.T + b
        e_z = e @ np.abs(W).T + gamma * (np.abs(a) @ np.abs(W).T + np.abs(b))
        if l < len(thetas) - 1:
            a = ACTIVATION_FNS[hidden[l]](z)
            e = e_z + ones * (np.abs(a) + 1)
    if net.output == "identity":
        return e_z
    if net.output == "logistic":
        h = 1 / (1 + np.exp(-z))
        return e_z / 4 + ones * (h + 1)
    h = np.exp(z - z.max(axis=1, keepdims=True))
    h /= h.sum(axis=1, keepdims=True)
    return h * (e_z + (h * e_z).sum(axis=1, keepdims=True)) + (ones + z.shape[1] * u) * (h + u)


def assert_close(h, expected, bound):
    """h and expected, two forward passes, within twice ``error_bound`` of each other."""
    diff = np.abs(h.astype(np.float64) - np.asarray(expected, dtype=np.float64))
    assert (diff <= 2 * bound).all(), float((diff / (2 * bound)).max())


def assert_same_labels(label, h, labels, bound):
    """ONNX's labels equal bprop.predict's wherever the decision is clear of rounding
    (the two largest outputs, or the one output and 0.5, further apart than the
    results' possible difference)."""
    assert label.dtype == np.int64 and label.shape == (h.shape[0],)
    if h.shape[1] == 1:
        clear = np.abs(h[:, 0] - 0.5) > 2 * bound[:, 0]
    else:
        top = np.sort(h, axis=1)
        clear = top[:, -1] - top[:, -2] > 4 * bound.max(axis=1)
    assert clear.mean() > 0.9
    np.testing.assert_array_equal(label[clear], labels[clear])


def op_types(path):
    import onnx

    return [n.op_type for n in onnx.load(str(path)).graph.node]


def random_network(sizes, activation, output, dtype, seed=0):
    """Xavier weights doubled, so that the units are not all near their linear part."""
    thetas = bprop.initialize(sizes, method="xavier", seed=seed, dtype=dtype)
    return bprop.Network([2 * t for t in thetas], activation, output)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("output", list(OUTPUTS))
@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_every_activation_and_output_matches_forward(ort, tmp_path, activation, output, dtype):
    net = random_network([12, 9, 7, 4], activation, output, dtype)
    X = np.random.default_rng(1).normal(size=(61, 12)).astype(dtype)
    path = bprop.export_onnx(net, tmp_path / "net.onnx")
    got = run_onnx(ort, path, X)
    h = got["h"]
    assert h.dtype == dtype and h.shape == (61, 4)
    bound = error_bound(net, X)
    assert_close(h, bprop.forward(net, X), bound)
    assert_close(h, numpy_forward(net, X, [activation] * 2, output), bound)
    if output == "identity":
        assert set(got) == {"h"}
    else:
        assert_same_labels(got["label"], bprop.forward(net, X), bprop.predict(net, X), bound)
    hidden = HIDDEN_OPS.get(activation) or (
        ["LeakyRelu"] if dtype == np.float32 else ["Mul", "Max"]  # alpha is a float32
    )
    label = [] if output == "identity" else ["ArgMax"]
    assert op_types(path) == ["Gemm", *hidden] * 2 + ["Gemm", *OUTPUT_OPS[output], *label]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "sizes, activation, output",
    [
        ([5, 3], "sigmoid", "logistic"),  # no hidden layer: logistic regression, K = 3
        ([5, 1], "sigmoid", "logistic"),  # one logistic unit: label is h >= 0.5
        ([6, 4, 1], "tanh", "logistic"),
        ([6, 4, 1], "relu", "identity"),  # one real output
        ([8, 6, 5, 4, 3], ["relu", "tanh", "leaky_relu"], "softmax"),  # one per layer
    ],
)
def test_other_shapes_and_per_layer_activations(ort, tmp_path, sizes, activation, output, dtype):
    net = random_network(sizes, activation, output, dtype, seed=3)
    X = np.random.default_rng(2).normal(size=(200, sizes[0])).astype(dtype)
    got = run_onnx(ort, bprop.export_onnx(net, tmp_path / "net.onnx"), X)
    hidden = [activation] * (len(sizes) - 2) if isinstance(activation, str) else activation
    bound = error_bound(net, X)
    assert_close(got["h"], bprop.forward(net, X), bound)
    assert_close(got["h"], numpy_forward(net, X, hidden, output), bound)
    if output != "identity":
        assert_same_labels(got["label"], got["h"], bprop.predict(net, X), bound)


def test_the_batch_dimension_is_dynamic(ort, tmp_path):
    net = random_network([7, 5, 3], "tanh", "softmax", np.float64)
    path = bprop.export_onnx(net, tmp_path / "net.onnx")
    for m in (1, 2, 1000):
        X = np.random.default_rng(m).normal(size=(m, 7))
        assert_close(run_onnx(ort, path, X)["h"], bprop.forward(net, X), error_bound(net, X))


@pytest.mark.parametrize("dtype", DTYPES)
def test_a_network_trained_on_the_digits(ort, tmp_path, dtype):
    X, y = bprop.data.load_digits()
    X = X.astype(dtype)
    start = bprop.Network(
        bprop.initialize([64, 20, 10], method="he", seed=0, dtype=dtype), "relu", "softmax"
    )
    net, _ = bprop.train(start, X, y, lambda_=1.0, optimizer="lbfgs", iterations=40, verbose=False)
    got = run_onnx(ort, bprop.export_onnx(net, tmp_path / "digits.onnx"), X)
    bound = error_bound(net, X)
    assert_close(got["h"], bprop.forward(net, X), bound)
    assert_close(got["h"], numpy_forward(net, X, ["relu"], "softmax"), bound)
    assert_same_labels(got["label"], got["h"], bprop.predict(net, X), bound)
    assert np.mean(got["label"] == y) > 0.9


try:
    FASHION = bprop.data.fashion_mnist_directory()
except FileNotFoundError:
    FASHION = None


@pytest.mark.skipif(FASHION is None, reason="Fashion-MNIST is not installed here")
def test_a_wide_float32_network_on_fashion_mnist(ort, tmp_path, capsys):
    # 785 terms per first-layer sum: the case where float32's rounding shows most
    X, y = bprop.data.load_fashion_mnist("train", rows=(0, 2000))
    start = bprop.Network(
        bprop.initialize([784, 16, 10], method="he", seed=0, dtype=np.float32), "relu", "softmax"
    )
    net, _ = bprop.train(start, X, y, lambda_=1.0, optimizer="lbfgs", iterations=30, verbose=False)
    Xt, yt = bprop.data.load_fashion_mnist("test")
    got = run_onnx(ort, bprop.export_onnx(net, tmp_path / "fm.onnx"), Xt)
    bound = error_bound(net, Xt)
    assert_close(got["h"], bprop.forward(net, Xt), bound)
    assert_close(got["h"], numpy_forward(net, Xt, ["relu"], "softmax"), bound)
    assert_same_labels(got["label"], got["h"], bprop.predict(net, Xt), bound)
    assert np.mean(got["label"] == yt) > 0.7
    # raw pixels through the command line: the graph reads them as predict reads the data
    model, out = tmp_path / "fm.npz", tmp_path / "fm_uint8.onnx"
    bprop.save(model, net, data="fashion-mnist", classes=list(range(10)))
    assert main(["export", str(model), "--onnx", str(out), "--input-dtype", "uint8"]) == 0
    assert "input X (784 uint8 features read as x/255)" in capsys.readouterr().out
    assert main(["predict", str(model), "--data", "fashion-mnist"]) == 0
    printed = np.array(capsys.readouterr().out.split(), dtype=np.int64)
    pixels, _ = bprop.data.load_fashion_mnist("test", dtype=np.uint8)
    got8 = run_onnx(ort, out, pixels)
    assert_close(got8["h"], got["h"], bound)
    assert_same_labels(got8["label"], got8["h"], printed, bound)


@pytest.mark.parametrize("dtype", DTYPES)
def test_uint8_and_float32_inputs_are_read_as_bprop_reads_them(ort, tmp_path, dtype):
    net = random_network([64, 10, 10], "sigmoid", "logistic", dtype)
    pixels = np.random.default_rng(0).integers(0, 256, size=(50, 64)).astype(np.uint8)
    for x_scale in (None, 1 / 16):  # default 1/255, as bprop.forward reads uint8
        path = bprop.export_onnx(net, tmp_path / "u8.onnx", input_dtype="uint8", x_scale=x_scale)
        got = run_onnx(ort, path, pixels)
        seen = pixels * (1 / 255 if x_scale is None else x_scale)
        assert_close(got["h"], bprop.forward(net, pixels, x_scale=x_scale), error_bound(net, seen))
        assert op_types(path)[:2] == ["Cast", "Mul"]
    X32 = np.random.default_rng(1).normal(size=(50, 64)).astype(np.float32)
    path = bprop.export_onnx(net, tmp_path / "f32.onnx", input_dtype=np.float32)
    assert_close(run_onnx(ort, path, X32)["h"], bprop.forward(net, X32), error_bound(net, X32))
    assert op_types(path)[0] == ("Cast" if dtype == np.float64 else "Gemm")


@pytest.mark.parametrize("dtype", DTYPES)
def test_standardisation_is_part_of_the_graph(ort, tmp_path, dtype):
    rng = np.random.default_rng(4)
    X = (rng.normal(size=(80, 6)) * [1, 10, 100, 1000, 0.1, 5] + 50).astype(dtype)
    _, mean, std = bprop.data.standardize(X)
    net = random_network([6, 5, 3], "tanh", "softmax", dtype)
    path = bprop.export_onnx(net, tmp_path / "s.onnx", standardize=(mean, std))
    got = run_onnx(ort, path, X)  # raw inputs in, as `python -m bprop predict` takes them
    Xs = ((X - mean) / std).astype(dtype)  # the command line's standardisation
    bound = error_bound(net, (X - mean) / std)
    assert_close(got["h"], bprop.forward(net, Xs), bound)
    assert_same_labels(got["label"], got["h"], bprop.predict(net, Xs), bound)
    cast = ["Cast"] if dtype == np.float32 else []
    assert op_types(path)[: 2 + 2 * len(cast)] == [*cast, "Sub", "Div", *cast]


def test_graph_contents(ort, tmp_path):
    import onnx
    from onnx import TensorProto, numpy_helper

    net = random_network([4, 3, 2], ["relu"], "softmax", np.float64)
    path = bprop.export_onnx(net, tmp_path / "n.onnx", classes=["cat", "dog"])
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert model.ir_version == IR_VERSION == 8
    assert [(o.domain, o.version) for o in model.opset_import] == [("", OPSET)] == [("", 17)]
    assert model.producer_name == "bprop" and model.producer_version == bprop.__version__
    (x,) = model.graph.input
    dims = x.type.tensor_type.shape.dim
    assert x.name == "X" and x.type.tensor_type.elem_type == TensorProto.DOUBLE
    assert (dims[0].dim_param, dims[1].dim_value) == ("m", 4)
    assert [o.name for o in model.graph.output] == ["h", "label"]
    assert model.graph.output[1].type.tensor_type.elem_type == TensorProto.INT64
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for l, theta in enumerate(net):
        np.testing.assert_array_equal(weights[f"Theta{l + 1}_weights"], theta[:, 1:])
        np.testing.assert_array_equal(weights[f"Theta{l + 1}_bias"], theta[:, 0])
        assert weights[f"Theta{l + 1}_weights"].dtype == np.float64
    gemm = model.graph.node[0]
    assert gemm.op_type == "Gemm" and [(a.name, a.i) for a in gemm.attribute] == [("transB", 1)]
    props = {p.key: p.value for p in model.metadata_props}
    assert props == {
        "activation": '["relu"]',
        "output": "softmax",
        "layer_sizes": "[4, 3, 2]",
        "dtype": "float64",
        "classes": '["cat", "dog"]',
    }
    assert "4-3-2" in model.graph.doc_string
    assert looks_like_onnx(path)


def test_looks_like_onnx(ort, tmp_path):
    empty, text, npz = tmp_path / "e.onnx", tmp_path / "t.onnx", tmp_path / "m.npz"
    empty.write_bytes(b"")
    text.write_text("\x08 looks like a varint, is not a model\n")
    bprop.save(npz, bprop.Network(bprop.initialize([2, 2], seed=0)))
    assert not any(looks_like_onnx(p) for p in (empty, text, npz, tmp_path / "none.onnx"))


# --- the command line -----------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cli_export_of_a_standardised_model_matches_predict(ort, tmp_path, capsys, dtype):
    rng = np.random.default_rng(5)
    names = np.array(["cat", "dog", "eel"])
    y = rng.integers(0, 3, 300)
    X = rng.normal(size=(300, 3)) + 3 * np.eye(3)[y]
    X = X * [1000, 0.01, 50] + [5000, 0, -20]  # far from unit scale: --standardize matters
    data = tmp_path / "pets.csv"
    with open(data, "w") as f:
        f.writelines(f"{names[k]},{a:.9g},{b:.9g},{c:.9g}\n" for k, (a, b, c) in zip(y, X))
    model, out = tmp_path / "pets.npz", tmp_path / "pets.onnx"
    train = ["train", "--data", str(data), "--hidden", "6", "--iterations", "30"]
    assert main([*train, "--standardize", "--dtype", dtype, "--save", str(model), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["export", str(model), "--onnx", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"wrote {out}: ONNX opset 17, input X (3 {dtype} features, stand")
    assert main(["predict", str(model), "--data", str(data)]) == 0
    printed = capsys.readouterr().out.split()

    import onnx

    props = {p.key: p.value for p in onnx.load(str(out)).metadata_props}
    classes = json.loads(props["classes"])
    got = run_onnx(ort, out, X.astype(dtype))  # the raw features, as predict reads them
    assert [classes[k] for k in got["label"]] == printed
    net, meta = bprop.load(model)
    Xs = ((X.astype(dtype) - meta["standardize"][0]) / meta["standardize"][1]).astype(dtype)
    assert_close(got["h"], bprop.forward(net, Xs), error_bound(net, Xs))
    assert np.mean(np.array(printed) == names[y]) > 0.9


def test_cli_export_uint8_input_of_the_digits_is_read_as_predict_reads_it(ort, tmp_path, capsys):
    model, out = tmp_path / "digits.npz", tmp_path / "digits.onnx"
    assert main(["train", "--hidden", "8", "--iterations", "10", "--save", str(model)]) == 0
    assert main(["export", str(model), "--onnx", str(out), "--input-dtype", "uint8"]) == 0
    assert "input X (64 uint8 features read as x/16)" in capsys.readouterr().out
    assert main(["predict", str(model), "--data", "digits"]) == 0
    printed = capsys.readouterr().out.split()
    net, _ = bprop.load(model)
    X = bprop.data.load_digits()[0]  # the pixels 0..16, divided by 16: what predict reads
    pixels = (X * 16).round().astype(np.uint8)
    got = run_onnx(ort, out, pixels)
    assert_close(got["h"], bprop.forward(net, X), error_bound(net, X))
    assert [str(k) for k in got["label"]] == printed


def test_cli_export_of_a_regression_network(ort, tmp_path, capsys):
    out = tmp_path / "reg.onnx"
    out.write_bytes(b"")  # an empty file may be replaced
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2))
    np.savez(tmp_path / "curve.npz", X=X, y=np.sin(X[:, 0]) + X[:, 1])
    reg = tmp_path / "reg.npz"
    train = ["train", "--data", str(tmp_path / "curve.npz"), "--output", "identity"]
    assert main([*train, "--hidden", "5", "--iterations", "10", "--save", str(reg)]) == 0
    assert main(["export", str(reg), "--onnx", str(out)]) == 0  # replaces an empty file
    assert main(["export", str(reg), "--onnx", str(out)]) == 0  # and an ONNX model
    assert "h (1 outputs)\n" in capsys.readouterr().out
    net, _ = bprop.load(reg)
    got = run_onnx(ort, out, X)
    assert set(got) == {"h"}
    assert_close(got["h"], bprop.forward(net, X), error_bound(net, X))


@pytest.fixture
def saved_model(tmp_path):
    path = tmp_path / "m.npz"
    bprop.save(path, bprop.Network(bprop.initialize([3, 2, 2], seed=0)), classes=[0, 1])
    return path


def cli_error(capsys, *args):
    """Run ``export``: its exit status must be 2; its one line of stderr."""
    assert main(["export", *map(str, args)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("bprop: error: ")
    return err


def test_cli_refuses_bad_targets_before_writing(ort, tmp_path, capsys, saved_model):
    m = saved_model
    assert "--onnx out.txt: an ONNX model's file name ends in .onnx; name it out.onnx" in (
        cli_error(capsys, m, "--onnx", "out.txt")
    )
    data = tmp_path / "data.onnx"
    data.write_text("1,2,3\n")
    assert "is there and is not an ONNX model" in cli_error(capsys, m, "--onnx", data)
    assert data.read_text() == "1,2,3\n"
    link = tmp_path / "link.onnx"
    link.symlink_to(m)
    assert f"--onnx {link} is the file of MODEL" in cli_error(capsys, m, "--onnx", link)
    (tmp_path / "dir.onnx").mkdir()
    assert "is a directory" in cli_error(capsys, m, "--onnx", tmp_path / "dir.onnx")
    fifo = tmp_path / "fifo.onnx"
    os.mkfifo(fifo)
    assert "is a FIFO (named pipe)" in cli_error(capsys, m, "--onnx", fifo)
    gone = tmp_path / "no" / "m.onnx"
    assert f"the directory {gone.parent} does not exist" in cli_error(capsys, m, "--onnx", gone)
    assert "MODEL nothing.npz: no such file" in cli_error(
        capsys, "nothing.npz", "--onnx", tmp_path / "x.onnx"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "data.onnx",
        "dir.onnx",
        "fifo.onnx",
        "link.onnx",
        "m.npz",
    ]
    with pytest.raises(SystemExit) as e:
        main(["export", str(m)])
    assert e.value.code == 2 and "required: --onnx" in capsys.readouterr().err


def test_cli_refuses_uint8_input_unless_the_model_was_trained_on_pixels(
    ort, tmp_path, capsys, saved_model
):
    # a --standardize model of features up to ~2000: x/255 would not be what predict reads
    rng = np.random.default_rng(6)
    y = rng.integers(0, 3, 120)
    X = rng.uniform(0, 2000, size=(120, 2)) + 500 * y[:, None]
    data = tmp_path / "pets.csv"
    names = np.array(["cat", "dog", "eel"])
    with open(data, "w") as f:
        f.writelines(f"{names[k]},{a:.9g},{b:.9g}\n" for k, (a, b) in zip(y, X))
    model, out = tmp_path / "pets.npz", tmp_path / "pets.onnx"
    train = ["train", "--data", data, "--hidden", "4", "--iterations", "5", "--standardize"]
    assert main([*map(str, train), "--save", str(model), "--quiet"]) == 0
    capsys.readouterr()
    err = cli_error(capsys, model, "--onnx", out, "--input-dtype", "uint8")
    assert f"--input-dtype uint8: MODEL {model} was trained on {data}, not on 8-bit pixels" in err
    err = cli_error(capsys, saved_model, "--onnx", out, "--input-dtype", "uint8")
    assert "--input-dtype uint8: MODEL" in err and "records no training data" in err
    assert not out.exists()
    assert main(["export", str(model), "--onnx", str(out), "--input-dtype", "float64"]) == 0


def test_cli_export_of_a_model_trained_with_adamw_and_a_schedule(ort, tmp_path, capsys):
    model, out = tmp_path / "adamw.npz", tmp_path / "adamw.onnx"
    train = ["train", "--optimizer", "adamw", "--schedule", "cosine", "--epochs", "5"]
    train += ["--learning-rate", "0.01", "--batch-size", "32", "--activation", "relu"]
    assert main([*train, "--hidden", "8", "--save", str(model), "--quiet"]) == 0
    _, meta = bprop.load(model)
    assert meta["optimizer"] == "adamw" and meta["schedule"] and "weight_decay" in meta
    assert main(["export", str(model), "--onnx", str(out)]) == 0
    capsys.readouterr()
    assert main(["predict", str(model), "--data", "digits"]) == 0
    printed = capsys.readouterr().out.split()
    net, _ = bprop.load(model)
    X = bprop.data.load_digits()[0]
    got = run_onnx(ort, out, X)
    assert_close(got["h"], bprop.forward(net, X), error_bound(net, X))
    assert [str(k) for k in got["label"]] == printed
    assert np.mean(got["label"] == bprop.data.load_digits()[1]) > 0.5  # it learnt


def test_cli_without_onnx_says_how_to_install_it(tmp_path, capsys, saved_model, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx raises ImportError
    err = cli_error(capsys, saved_model, "--onnx", tmp_path / "m.onnx")
    assert "--onnx: exporting to ONNX needs the onnx package: pip install" in err
    assert "[onnx]" in err and not (tmp_path / "m.onnx").exists()


# --- bad arguments of export_onnx (checked before onnx is imported) ------------------


def test_export_onnx_without_onnx_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    net = bprop.Network(bprop.initialize([2, 2], seed=0))
    with pytest.raises(ImportError, match=r"needs the onnx package: pip install \".*\[onnx\]\""):
        bprop.export_onnx(net, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def bad(**changes):
    """export_onnx's arguments for a 3-2-2 network, with ``changes``."""
    args = dict(network=bprop.Network(bprop.initialize([3, 2, 2], seed=0)))
    return {**args, **changes}


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (bad(network=bprop.initialize([3, 2], seed=0)), TypeError, "network must be a bprop"),
        (
            bad(network=bprop.Network([np.zeros((2, 4)), np.zeros((2, 4))])),
            ValueError,
            r"network: thetas\[1\] \(Theta2\) has shape \(2, 4\) but thetas\[0\]",
        ),
        (
            bad(network=bprop.Network([np.full((2, 4), np.nan)])),
            ValueError,
            r"network: thetas\[0\] \(Theta1\) holds nan .* weights must be finite",
        ),
        (
            bad(network=bprop.Network([np.zeros((2, 4)), np.array([[0, 1, -np.inf]])])),
            ValueError,
            r"network: thetas\[1\] \(Theta2\) holds -inf .* weights must be finite",
        ),
        (bad(path=""), ValueError, "path is empty: name the file to write"),
        (bad(path=None), TypeError, "path must be a file name .*, got NoneType"),
        (bad(path=3), TypeError, "path must be a file name .*, got int"),
        (bad(path="a\0b.onnx"), ValueError, r"path 'a\\x00b.onnx' holds a NUL character"),
        (
            bad(network=bprop.Network(bprop.initialize([3, 2, 2, 2]), ["relu"])),
            ValueError,
            "network: activation lists 1 names but the network has 2 hidden layers",
        ),
        (bad(input_dtype="int32"), TypeError, "input_dtype must be one of float32, float64, u"),
        (bad(input_dtype="no such"), TypeError, "input_dtype must be one of"),
        (bad(x_scale=0), ValueError, "x_scale must be finite and > 0, got 0"),
        (bad(x_scale="1"), TypeError, "x_scale must be a number"),
        (bad(standardize=[1, 2, 3]), TypeError, r"standardize must be a pair \(mean, std\)"),
        (
            bad(standardize=([0, 0], [1, 1])),
            ValueError,
            r"standardize's mean has shape \(2,\); the network takes 3 inputs",
        ),
        (
            bad(standardize=([0, 0, 0], [1, 0, 1])),
            ValueError,
            "standardize's std holds 0.0 for input 1; it must be finite and > 0",
        ),
        (
            bad(standardize=([0, np.inf, 0], [1, 1, 1])),
            ValueError,
            "standardize's mean holds inf for input 1; it must be finite",
        ),
        (bad(standardize=(["a"] * 3, [1] * 3)), TypeError, "standardize's mean must hold n"),
        (bad(classes=[0, 1, 2]), ValueError, "classes lists 3 values; the network's 2 output"),
        (bad(classes=[object(), 1]), TypeError, "classes must be numbers or strings"),
        (bad(classes="ab"), TypeError, "classes must be a list of labels, got str"),
        (
            bad(network=bprop.Network(bprop.initialize([3, 2]), output="identity"), classes=[1]),
            ValueError,
            "classes: a network with output 'identity'",
        ),
    ],
)
def test_bad_arguments_are_named_before_anything_is_written(
    tmp_path, monkeypatch, kwargs, error, message
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=message):
        bprop.export_onnx(**{"path": tmp_path / "m.onnx", **kwargs})
    assert list(tmp_path.iterdir()) == []


def test_weights_beyond_what_one_onnx_file_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(bprop.export, "MAX_WEIGHT_BYTES", 1000)
    net = bprop.Network(bprop.initialize([20, 10, 2], seed=0))  # 232 float64 weights
    with pytest.raises(ValueError, match="network: its weights take 0.0 GiB; an ONNX file hol"):
        bprop.export_onnx(net, tmp_path / "big.onnx")
    assert list(tmp_path.iterdir()) == []


def test_bad_paths(ort, tmp_path):
    net = bprop.Network(bprop.initialize([2, 2], seed=0))
    with pytest.raises(IsADirectoryError, match="is a directory"):
        bprop.export_onnx(net, tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        bprop.export_onnx(net, tmp_path / "no" / "m.onnx")
    fifo = tmp_path / "fifo.onnx"
    os.mkfifo(fifo)
    with pytest.raises(FileExistsError, match="is a FIFO"):
        bprop.export_onnx(net, fifo)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo.onnx"]


def test_only_an_empty_file_or_an_onnx_model_is_replaced(ort, tmp_path):
    # as the command line: never a bprop model file, data or any other file
    net = bprop.Network(bprop.initialize([2, 2], seed=0))
    model, text = tmp_path / "model.npz", tmp_path / "data.onnx"
    bprop.save(model, net)
    saved = model.read_bytes()
    text.write_text("1,2,3\n")
    with pytest.raises(FileExistsError, match=r"model.npz: the file is there and is a bprop m"):
        bprop.export_onnx(net, model)
    with pytest.raises(FileExistsError, match=r"data.onnx: the file is there and is not an ONNX"):
        bprop.export_onnx(net, text)
    assert model.read_bytes() == saved and text.read_text() == "1,2,3\n"
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    assert bprop.export_onnx(net, empty) == empty and looks_like_onnx(empty)
    assert bprop.export_onnx(net, str(empty)) == empty  # and then an ONNX model
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.onnx", "empty.onnx", "model.npz"]


def test_the_onnx_page_runs(ort, tmp_path, monkeypatch, capsys):
    # docs/onnx.md: its Python block runs and prints what it says
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parent.parent / "docs" / "onnx.md"
    if not page.exists():
        pytest.skip("docs/ is not next to the tests (installed test run)")
    (block,) = re.findall(r"```python\n(.*?)```", page.read_text(), re.S)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "onnx.md", "exec"), {})
    assert capsys.readouterr().out == "True True\n"
    assert looks_like_onnx(tmp_path / "digits.onnx")
