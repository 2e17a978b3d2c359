"""Data loading: IDX (raw and gz) and every kind of bad file, npz, csv, helpers."""

import csv
import gzip
import re
import struct

import numpy as np
import pytest

import bprop
from bprop import data


def write_idx(path, array, code=0x08, compress=False, extra=b"", cut=0):
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    dt = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    payload = header + array.astype(dt).tobytes() + extra
    if cut:
        payload = payload[:-cut]
    opener = gzip.open if compress else open
    with opener(path, "wb") as f:
        f.write(payload)
    return path


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    "code, values",
    [
        (0x08, np.arange(24).reshape(2, 3, 4) * 10),
        (0x09, np.arange(-6, 6).reshape(3, 4)),
        (0x0B, np.arange(-600, 600, 100)),
        (0x0C, np.arange(6).reshape(2, 3) * 100000),
        (0x0D, np.linspace(-1, 1, 8).reshape(2, 4)),
        (0x0E, np.linspace(-1, 1, 8)),
    ],
)
def test_idx_round_trip(tmp_path, compress, code, values):
    path = write_idx(tmp_path / "f.idx", values, code, compress)
    out = data.load_idx(path)
    assert out.shape == values.shape
    assert out.dtype.isnative
    np.testing.assert_array_equal(out, values.astype(out.dtype))


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda b: b"\x01" + b[1:], "magic number"),
        (lambda b: b[:2] + b"\x07" + b[3:], "unknown IDX type code 0x07"),
        (lambda b: b[:3] + b"\x00" + b[4:], "0 dimensions"),
        (lambda b: b[:-5], "truncated: dimensions \\(2, 3, 4\\) need 24 bytes of data, found 19"),
        (lambda b: b + b"xx", "trailing bytes"),
        (lambda b: b[:6], "truncated IDX header"),
        (lambda b: b[:2], "not an IDX file \\(only 2 bytes\\)"),
    ],
)
def test_idx_bad_files(tmp_path, compress, mutate, match):
    good = write_idx(tmp_path / "good", np.zeros((2, 3, 4)))
    raw = mutate(good.read_bytes())
    path = tmp_path / "bad"
    with (gzip.open if compress else open)(path, "wb") as f:
        f.write(raw)
    with pytest.raises(ValueError, match=match):
        data.load_idx(path)


def test_huge_claimed_dimensions_in_a_small_gzip_file(tmp_path):
    # Found by tests/test_fuzz_files.py: a mutated dimension used to make gzip allocate the
    # claimed size (MemoryError) before noticing the stream is short.
    header = bytes([0, 0, 8, 2]) + struct.pack(">II", 60000, 0xFC0000F0)
    path = tmp_path / "bomb.gz"
    path.write_bytes(gzip.compress(header + bytes(1000)))
    with pytest.raises(ValueError, match="truncated: dimensions \\(60000, 4227858672\\) need"):
        data.load_idx(path)


def test_truncated_gzip_stream(tmp_path):
    good = write_idx(tmp_path / "g.gz", np.zeros((50, 50)), compress=True)
    bad = tmp_path / "bad.gz"
    bad.write_bytes(good.read_bytes()[:-20])
    with pytest.raises(ValueError, match="corrupt or truncated gzip"):
        data.load_idx(bad)


def _mnist_dir(tmp_path, m=30, compress=True):
    rng = np.random.default_rng(0)
    for prefix, n in (("train", m), ("t10k", m // 3)):
        write_idx(
            tmp_path / f"{prefix}-images-idx3-ubyte{'.gz' if compress else ''}",
            rng.integers(0, 256, size=(n, 28, 28)),
            compress=compress,
        )
        write_idx(
            tmp_path / f"{prefix}-labels-idx1-ubyte{'.gz' if compress else ''}",
            rng.integers(0, 10, size=n),
            compress=compress,
        )
    return tmp_path


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_layout(tmp_path, compress):
    d = _mnist_dir(tmp_path, compress=compress)
    X, y = data.load_mnist(d, "train")
    assert X.shape == (30, 784) and X.dtype == np.float32 and y.shape == (30,)
    assert 0.0 <= X.min() and X.max() <= 1.0
    raw = data.load_idx(next(d.glob("train-images*")))
    np.testing.assert_allclose(X[3], raw[3].ravel() / 255.0, rtol=1e-6)
    X64, _ = data.load_mnist(d, "test", dtype=np.float64)
    assert X64.shape == (10, 784) and X64.dtype == np.float64


def test_load_mnist_mismatched_counts(tmp_path):
    d = _mnist_dir(tmp_path)
    write_idx(d / "train-labels-idx1-ubyte.gz", np.zeros(29), compress=True)
    with pytest.raises(ValueError, match="30 images but 29 labels"):
        data.load_mnist(d, "train")


def test_fashion_mnist_missing_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.delenv("BPROP_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        data.load_fashion_mnist(directory=tmp_path)


def test_fashion_mnist_from_bprop_data(tmp_path, monkeypatch):
    monkeypatch.setenv("BPROP_DATA", str(_mnist_dir(tmp_path)))
    X, y = data.load_fashion_mnist("test")
    assert X.shape == (10, 784)


def test_npz_and_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    y = rng.integers(0, 3, 12)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    X2, y2 = data.load_npz(tmp_path / "d.npz")
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    table = np.column_stack([y, X])
    np.savetxt(tmp_path / "d.csv", table, delimiter=",", header="label,a,b,c", comments="")
    X3, y3 = data.load_csv(tmp_path / "d.csv", dtype=np.float32)
    np.testing.assert_allclose(X3, X, rtol=1e-6)
    np.testing.assert_array_equal(y3, y)


def test_npz_refuses_pickles_and_missing_arrays(tmp_path):
    np.savez(tmp_path / "obj.npz", X=np.array([{"a": 1}], dtype=object), y=np.zeros(1))
    with pytest.raises(ValueError, match="not a readable .npz"):
        data.load_npz(tmp_path / "obj.npz")
    np.savez(tmp_path / "none.npz", features=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="needs arrays 'X' and 'y'"):
        data.load_npz(tmp_path / "none.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="not a readable .npz"):
        data.load_npz(tmp_path / "junk.npz")


def test_csv_errors(tmp_path):
    (tmp_path / "t.csv").write_text("1,2,3\n\n0,x,2\n")
    with pytest.raises(ValueError, match=r"t.csv: line 3, column 2: 'x' is not a number"):
        data.load_csv(tmp_path / "t.csv")
    for text, match in (
        ("", "the file is empty"),
        ("label,a,b\n", "no data rows after the header"),
        ("1,2\n1,2,3\n", "line 2 has 3 columns, the first row has 2"),
        ("1;2;3\n", r"1 column\(s\) split by ','"),
        ("h,a\n1,2\n0,inf\n", "line 3, column 2: inf"),
    ):
        (tmp_path / "e.csv").write_text(text)
        with pytest.raises(ValueError, match=match):  # and no numpy warning (warnings are errors)
            data.load_csv(tmp_path / "e.csv")
    np.savez(tmp_path / "empty.npz", X=np.zeros((0, 3)), y=np.zeros(0))
    with pytest.raises(ValueError, match=r"empty.npz: no samples"):
        data.load_npz(tmp_path / "empty.npz")
    (tmp_path / "n.csv").write_text("1.5,2\n0,1\n")
    with pytest.raises(ValueError, match="labels must be whole numbers"):
        data.load_csv(tmp_path / "n.csv")


def test_helpers():
    X = np.array([[0.0, 2.0], [2.0, 2.0], [4.0, 2.0]])
    Xs, mu, sd = data.standardize(X)
    np.testing.assert_allclose(Xs[:, 0], [-1.2247448714, 0, 1.2247448714])
    np.testing.assert_array_equal(Xs[:, 1], 0)
    np.testing.assert_allclose(data.standardize(X, mu, sd)[0], Xs)
    np.testing.assert_allclose(data.scale_pixels(np.array([[0, 255]], np.uint8)), [[0, 1]])


def test_stratified_split_is_seeded_and_keeps_class_shares():
    y = np.repeat(np.arange(3), [50, 30, 20])
    X = np.arange(100)[:, None]
    Xtr, Xva, ytr, yva = data.train_validation_split(X, y, 0.2, seed=1)
    assert np.bincount(yva).tolist() == [10, 6, 4]
    assert sorted(np.concatenate([Xtr, Xva]).ravel().tolist()) == list(range(100))
    again = data.train_validation_split(X, y, 0.2, seed=1)
    np.testing.assert_array_equal(again[1], Xva)


def test_load_digits():
    pytest.importorskip("sklearn")
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.max() == 1.0 and set(y) == set(range(10))


def test_60000_images_load_fast_and_without_copies(tmp_path):
    # Uncompressed 60000 x 784 images: one uint8 buffer plus the float32 result.
    import tracemalloc

    d = tmp_path
    imgs = np.random.default_rng(0).integers(0, 256, size=(60000, 28, 28), dtype=np.uint8)
    write_idx(d / "train-images-idx3-ubyte", imgs)
    write_idx(d / "train-labels-idx1-ubyte", np.zeros(60000, np.uint8))
    tracemalloc.start()
    X, y = data.load_mnist(d, "train")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert X.shape == (60000, 784)
    # uint8 file buffer (47 MB) + float32 result (188 MB); a float64 detour would add 376 MB.
    assert peak < 260e6, peak


def test_csv_bom_string_labels_and_delimiter(tmp_path):
    (tmp_path / "bom.csv").write_text("1,0.5,0.25\n0,1,2\n", encoding="utf-8-sig")
    X, y = data.load_csv(tmp_path / "bom.csv")  # the BOM does not turn row 1 into a header
    np.testing.assert_array_equal(X, [[0.5, 0.25], [1, 2]])
    np.testing.assert_array_equal(y, [1, 0])
    (tmp_path / "s.tsv.csv").write_text("kind\ta\tb\ncat\t1\t2\ndog \t3\t4\n")
    X, y = data.load_csv(tmp_path / "s.tsv.csv", delimiter="\t")
    assert y.tolist() == ["cat", "dog"] and X.tolist() == [[1, 2], [3, 4]]
    (tmp_path / "f.csv").write_text("0.5,1\n2,3\n")
    np.testing.assert_array_equal(data.load_csv_features(tmp_path / "f.csv"), [[0.5, 1], [2, 3]])


# ---- the trial's CSV files: header rules, and labels read exactly ----------------------


def _digits_text(header=None, label_last=False):
    """The digits as pandas writes them (``df.to_csv(index=False)``): integer pixels 0..16,
    under a header of pandas' default column names when given."""
    X, y = data.load_digits()
    pixels = np.rint(X * 16).astype(int)
    rows = [[*p, label] if label_last else [label, *p] for label, p in zip(y, pixels)]
    lines = ([header] if header else []) + [",".join(map(str, r)) for r in rows]
    return "\n".join(lines) + "\n", pixels, y


@pytest.mark.parametrize("label_last", [False, True])
def test_a_numbered_header_over_numeric_labels_is_a_header(tmp_path, label_last):
    """Trial: `label,0,1,...,63` was read as a sample, so y became strings with a class
    'label' (the label column's name over numbers is a header)."""
    names = [str(i) for i in range(64)]
    header = ",".join(names + ["label"] if label_last else ["label"] + names)
    text, pixels, y = _digits_text(header, label_last)
    (tmp_path / "d.csv").write_text(text)
    X2, y2 = data.load_csv(tmp_path / "d.csv", label_column=-1 if label_last else 0)
    assert y2.dtype == np.int64 and np.unique(y2).tolist() == list(range(10))
    np.testing.assert_array_equal(y2, y)
    np.testing.assert_array_equal(X2, pixels)


def test_a_features_file_under_column_numbers_says_it_skipped_them(tmp_path):
    """Trial: predict read pandas' header `0,1,...,63` as a sample. Column numbers over
    numbers could be a first sample too, so the guess is said, and header= decides."""
    text, pixels, _ = _digits_text()
    features = "\n".join(line.split(",", 1)[1] for line in text.splitlines()) + "\n"
    (tmp_path / "f.csv").write_text(",".join(map(str, range(64))) + "\n" + features)
    with pytest.warns(
        data.CSVHeaderWarning,
        match=r"f.csv: line 1 \(0,1,2,.*,62,63\) is taken "
        r"for a header of column numbers",
    ) as w:
        X = data.load_csv_features(tmp_path / "f.csv")
    assert w[0].filename == __file__  # at the caller's line
    np.testing.assert_array_equal(X, pixels)
    np.testing.assert_array_equal(data.load_csv_features(tmp_path / "f.csv", header=True), pixels)
    as_sample = data.load_csv_features(tmp_path / "f.csv", header=False)
    assert as_sample.shape == (1798, 64) and as_sample[0].tolist() == list(range(64))
    (tmp_path / "g.csv").write_text(",".join(map(str, range(1, 65))) + "\n" + features)
    with pytest.warns(data.CSVHeaderWarning, match=r"line 1 \(1,2,3,"):
        assert data.load_csv_features(tmp_path / "g.csv").shape == (1797, 64)
    # one line of numbers is a sample, whatever they are; so are numbers that merely start so
    (tmp_path / "one.csv").write_text("0,1,2\n")
    assert data.load_csv_features(tmp_path / "one.csv").tolist() == [[0, 1, 2]]
    (tmp_path / "h.csv").write_text("0,1,3\n4,5,6\n")
    assert data.load_csv_features(tmp_path / "h.csv").tolist() == [[0, 1, 3], [4, 5, 6]]
    (tmp_path / "toy.csv").write_text("1,2,3\n4,5,6\n")  # runs of integers all along: data
    assert data.load_csv_features(tmp_path / "toy.csv").tolist() == [[1, 2, 3], [4, 5, 6]]
    (tmp_path / "xor.csv").write_text("0,1\n1,1\n0,0\n")  # the guess is said, and undone
    with pytest.warns(data.CSVHeaderWarning, match=r"line 1 \(0,1\) is taken for a header"):
        assert data.load_csv_features(tmp_path / "xor.csv").tolist() == [[1, 1], [0, 0]]
    assert data.load_csv_features(tmp_path / "xor.csv", header=False).shape == (3, 2)


@pytest.mark.parametrize("missing", ["NA", "", "?", "nan"])
def test_a_missing_value_in_the_first_row_is_an_error_as_in_any_row(tmp_path, missing):
    """Trial: one missing value in the first data row made it a 'header', silently dropped
    (1796 of 1797 rows); in row 2 it was an error naming the line."""
    text, _, _ = _digits_text()
    lines = text.splitlines()
    for row in (0, 1):
        fields = lines[row].split(",")
        fields[5] = missing
        changed = lines[:row] + [",".join(fields)] + lines[row + 1 :]
        (tmp_path / "d.csv").write_text("\n".join(changed) + "\n")
        shown = "nan" if missing == "nan" else repr(missing)
        what = "(features must be finite" if missing == "nan" else "is not a number"
        with pytest.raises(
            ValueError,
            match=rf"d.csv: line {row + 1}, column 6: "
            rf"{re.escape(shown)} {re.escape(what)}",
        ):
            data.load_csv(tmp_path / "d.csv")
    # one feature, or the label, missing in line 1: no header either
    (tmp_path / "one.csv").write_text(f"0,{missing}\n1,5\n")
    with pytest.raises(ValueError, match=r"line 1, column 2: "):
        data.load_csv(tmp_path / "one.csv")
    if missing != "nan":  # ('nan' is a number: a label that is not whole, below)
        (tmp_path / "label.csv").write_text(f"{missing},1,2\n0,3,4\n1,5,6\n")
        said = (
            "the label is missing"
            if not missing.strip()
            else rf"label {re.escape(repr(missing))} is not a number, while "
            rf"most labels are \(line 2: '0'\).*a missing label"
        )
        with pytest.raises(ValueError, match=rf"label.csv: line 1, column 1: {said}"):
            data.load_csv(tmp_path / "label.csv")


def test_string_labels_with_and_without_a_header(tmp_path):
    rows = "cat,1,2\ndog,3,0.5\ncat,5,6\n"
    expected_X, expected_y = [[1, 2], [3, 0.5], [5, 6]], ["cat", "dog", "cat"]
    for header in ("", "kind,a,b\n", "kind,x1,x2\n"):
        (tmp_path / "s.csv").write_text(header + rows)
        X, y = data.load_csv(tmp_path / "s.csv")
        assert y.tolist() == expected_y and X.tolist() == expected_X, header
    # names over numbered columns: a guess, said; a label that names a class is a sample's
    (tmp_path / "s.csv").write_text("kind,0,1\n" + rows)
    with pytest.warns(data.CSVHeaderWarning, match=r"line 1 \(kind,0,1\) is taken for a header"):
        X, y = data.load_csv(tmp_path / "s.csv")
    assert y.tolist() == expected_y and X.tolist() == expected_X
    X, y = data.load_csv(tmp_path / "s.csv", header=False)
    assert y.tolist() == ["kind"] + expected_y and X.tolist() == [[0, 1]] + expected_X
    (tmp_path / "s.csv").write_text("dog,0,1\n" + rows)
    X, y = data.load_csv(tmp_path / "s.csv")
    assert y.tolist() == ["dog"] + expected_y and X.tolist() == [[0, 1]] + expected_X
    # numbers among names (or names among numbers) are refused, naming the odd one
    (tmp_path / "m.csv").write_text("cat,1,2\ndog,3,4\n7,5,6\ncat,1,1\n")
    with pytest.raises(
        ValueError,
        match=r"line 3, column 1: label '7' is a number, while most "
        r"labels are names \(line 1: 'cat'\)",
    ):
        data.load_csv(tmp_path / "m.csv")


def test_the_header_argument_says_what_line_1_is(tmp_path):
    # every column numbered, the label's too: not detected (a label of 0), so say it
    text, pixels, y = _digits_text(",".join(map(str, range(65))))
    (tmp_path / "d.csv").write_text(text)
    X2, y2 = data.load_csv(tmp_path / "d.csv", header=True)
    np.testing.assert_array_equal(X2, pixels)
    np.testing.assert_array_equal(y2, y)
    (tmp_path / "h.csv").write_text("label,a,b\n0,1,2\n")
    with pytest.raises(ValueError, match=r"line 1, column 2: 'a' is not a number"):
        data.load_csv(tmp_path / "h.csv", header=False)
    with pytest.raises(TypeError, match="header must be True, False or None"):
        data.load_csv(tmp_path / "h.csv", header="yes")
    (tmp_path / "e.csv").write_text("id,x,2020\n0,1,2\n")  # a header with a number in it
    with pytest.raises(
        ValueError,
        match=r"e.csv: line 1, column 1: 'id' is not a number \(if "
        r"line 1 is a header, pass header=True\)",
    ):
        data.load_csv_features(tmp_path / "e.csv")
    assert data.load_csv_features(tmp_path / "e.csv", header=True).tolist() == [[0, 1, 2]]


def test_whole_number_labels_are_read_exactly(tmp_path):
    """Trial: labels went through float64, so 2**53 and 2**53 + 1 became one class, and
    1e20 became int64's minimum with only a numpy RuntimeWarning."""
    big = [2**53, 2**53 + 1, 2**63 - 1, -(2**63), 7]
    (tmp_path / "b.csv").write_text("".join(f"{label},{i},1\n" for i, label in enumerate(big)))
    X, y = data.load_csv(tmp_path / "b.csv")
    assert y.dtype == np.int64 and y.tolist() == big and len(np.unique(y)) == 5
    (tmp_path / "w.csv").write_text("2.0,1,1\n1e3,2,2\n-4.000000000000000000e+00,3,3\n")
    assert data.load_csv(tmp_path / "w.csv")[1].tolist() == [2, 1000, -4]  # whole, as floats
    for labels, line, message in (
        (["0", "1e20", "1"], 2, "label '1e20' is outside the range of int64 labels"),
        (["0", "1", str(2**63)], 3, f"label '{2**63}' is outside the range of int64"),
        (["0", "1", "1.5"], 3, "label '1.5' is not a whole number: labels must be whole numbers"),
        (["inf", "1", "2"], 1, "label 'inf' is not a whole number"),
    ):
        text = "".join(f"{i},{i},{label}\n" for i, label in enumerate(labels))
        (tmp_path / "e.csv").write_text(text)
        with pytest.raises(
            ValueError,
            match=rf"e.csv: line {line}, column 3: "
            rf"{re.escape(message)}",
        ):
            data.load_csv(tmp_path / "e.csv", label_column=2)
    (tmp_path / "r.csv").write_text("0,1,1.5\n1,2,1e20\n")  # real-valued targets stay real
    assert data.load_csv(tmp_path / "r.csv", label_column=2, targets="real")[1].tolist() == [
        1.5,
        1e20,
    ]


@pytest.mark.parametrize(
    "y, message",
    [
        (
            np.array([0.0, 1e20, 2.0]),
            r"label 1e\+20 at sample 1 \(from 0\) is stored as a float, "
            r"and from 2\*\*53 on",
        ),
        (np.array([0.0, 2.0**53 + 2]), r"label 9007199254740994.0 at sample 1"),
        (np.array([0.0, 1.5]), r"label 1.5 at sample 1 \(from 0\) is not a whole number"),
        (np.array([0.0, np.nan]), r"label nan at sample 1 \(from 0\) is not a whole number"),
        (
            np.array([1, 2**63 + 5], dtype=np.uint64),
            r"label 9223372036854775813 at sample 1 \(from 0\) is above int64's largest value",
        ),
    ],
)
def test_npz_labels_that_int64_cannot_hold_exactly_are_refused(tmp_path, y, message):
    np.savez(tmp_path / "d.npz", X=np.zeros((len(y), 2)), y=y)
    with pytest.raises(ValueError, match=message):
        data.load_npz(tmp_path / "d.npz")
    np.savez(tmp_path / "ok.npz", X=np.zeros((3, 2)), y=np.array([2**62 + 1, 2**62, 0]))
    assert data.load_npz(tmp_path / "ok.npz")[1].tolist() == [2**62 + 1, 2**62, 0]
    np.savez(tmp_path / "ok.npz", X=np.zeros((2, 2)), y=np.array([2.0**52, -3.0]))
    assert data.load_npz(tmp_path / "ok.npz")[1].tolist() == [2**52, -3]


def test_the_command_line_keeps_labels_beyond_2_53_apart(tmp_path, capsys):
    """The CLI's classes come from load_csv's exact labels: the model records them, and
    predict prints them, as the file wrote them."""
    from bprop.cli import commands

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    X = rng.normal(size=(200, 2)) + 10 * y[:, None]
    labels = np.array([2**53, 2**53 + 1])[y]
    (tmp_path / "d.csv").write_text(
        "label,0,1\n" + "".join(f"{label},{a},{b}\n" for label, (a, b) in zip(labels, X))
    )
    (tmp_path / "f.csv").write_text("a,b\n" + "".join(f"{a},{b}\n" for a, b in X[:20]))
    model = str(tmp_path / "m.npz")
    assert (
        commands.main(
            [
                "train",
                "--data",
                str(tmp_path / "d.csv"),
                "--iterations",
                "30",
                "--quiet",
                "--save",
                model,
            ]
        )
        == 0
    )
    assert bprop.load(model)[1]["classes"] == [2**53, 2**53 + 1]
    capsys.readouterr()
    assert commands.main(["predict", model, "--data", str(tmp_path / "f.csv")]) == 0
    assert capsys.readouterr().out.split() == [str(label) for label in labels[:20]]


def test_digits_ship_with_bprop_and_match_scikit_learns():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 1 and np.bincount(y).min() >= 170
    sk = pytest.importorskip("sklearn.datasets")
    d = sk.load_digits()
    np.testing.assert_array_equal(X, d.data / 16.0)
    np.testing.assert_array_equal(y, d.target)


@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_NONNUMERIC, csv.QUOTE_ALL])
def test_csv_is_read_by_the_standard_rules(tmp_path, quoting):
    """Issue 21: quoted labels kept their quotes, quoted numbers were 'not a number' and a
    quoted comma split a field."""
    rows = [["cat", 0.18, 1.5], ["dog, big", 2.0, -1.0], ['say "hi"', 0.5, 0.25]]
    with open(tmp_path / "q.csv", "w", newline="") as f:
        w = csv.writer(f, quoting=quoting)
        w.writerow(["label", "a", "b"])
        w.writerows(rows)
    X, y = data.load_csv(tmp_path / "q.csv")
    assert y.tolist() == ["cat", "dog, big", 'say "hi"']
    np.testing.assert_array_equal(X, [[0.18, 1.5], [2.0, -1.0], [0.5, 0.25]])
    with open(tmp_path / "f.csv", "w", newline="") as f:
        csv.writer(f, quoting=quoting).writerows([r[1:] for r in rows])
    np.testing.assert_array_equal(data.load_csv_features(tmp_path / "f.csv"), X)
    assert data.files.csv_width(tmp_path / "q.csv") == 3


def test_an_unbalanced_quote_is_named_where_its_field_begins(tmp_path):
    """Trial: the csv module's "field larger than field limit (131072)" at a line far
    below the quote that opened the field (here line 5) and never closed it."""
    rows = [
        "label,a",
        '"two\nlines",1',
        '1, "2"""',
        '0,"3',
        *(f"{i % 2},{i}" for i in range(30000)),
    ]
    (tmp_path / "unbal.csv").write_text("\n".join(rows) + "\n")
    message = (
        f"{tmp_path / 'unbal.csv'}: line 5: unbalanced quote: the quoted field that "
        f"begins on this line is never closed (CSV quoting: a quoted field ends with a "
        f"quote followed by the delimiter or the line's end)"
    )
    for read in (data.load_csv, data.load_csv_features):
        with pytest.raises(ValueError) as e:
            read(tmp_path / "unbal.csv")
        assert str(e.value) == message, read
    (tmp_path / "after.csv").write_text('1,"a"b,"c\n2,3,4\n')  # text after a closing quote
    with pytest.raises(ValueError, match=r"after.csv: line 1: ',' expected after '\"'"):
        data.load_csv(tmp_path / "after.csv")


def test_csv_errors_name_the_files_own_lines_across_quoted_line_breaks(tmp_path, monkeypatch):
    text = 'label,a,b\n"two\nlines",1,2\n\ncat,"x",3\n'
    (tmp_path / "t.csv").write_text(text)
    with pytest.raises(ValueError, match=r"t.csv: line 5, column 2: 'x' is not a number"):
        data.load_csv(tmp_path / "t.csv")
    (tmp_path / "t.csv").write_text('label,a,b\n"a, b",1,2\n"c,d",1\n')
    with pytest.raises(ValueError, match="line 3 has 2 columns, the first row has 3"):
        data.load_csv(tmp_path / "t.csv")
    (tmp_path / "t.csv").write_text('1,2,3\n0,"4,5\n1,2,3\n')
    with pytest.raises(
        ValueError,
        match=r"t.csv: line 2: unbalanced quote: the quoted "
        r"field that begins on this line is never closed",
    ):
        data.load_csv(tmp_path / "t.csv")
    # converted a few rows at a time: the line numbers stay the file's
    monkeypatch.setattr(data.files, "_CHUNK_CHARS", 12)
    lines = [f'{i % 2},"{i}",{i / 2}' for i in range(20)]
    (tmp_path / "c.csv").write_text("\n".join(lines) + "\n")
    X, y = data.load_csv(tmp_path / "c.csv")
    np.testing.assert_array_equal(X, [[i, i / 2] for i in range(20)])
    assert y.tolist() == [i % 2 for i in range(20)]
    lines[13] = '1,"13",nan'
    (tmp_path / "c.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"line 14, column 3: nan \(features must be finite"):
        data.load_csv(tmp_path / "c.csv")
    lines[16] = '0,"sixteen",8'
    (tmp_path / "c.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"line 17, column 2: 'sixteen' is not a number"):
        data.load_csv(tmp_path / "c.csv")
