"""Data loading: IDX (raw and gz) and every kind of bad file, npz, csv, helpers."""

import csv
import gzip
import struct

import numpy as np
import pytest

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
@pytest.mark.parametrize("code, values", [
    (0x08, np.arange(24).reshape(2, 3, 4) * 10),
    (0x09, np.arange(-6, 6).reshape(3, 4)),
    (0x0B, np.arange(-600, 600, 100)),
    (0x0C, np.arange(6).reshape(2, 3) * 100000),
    (0x0D, np.linspace(-1, 1, 8).reshape(2, 4)),
    (0x0E, np.linspace(-1, 1, 8)),
])
def test_idx_round_trip(tmp_path, compress, code, values):
    path = write_idx(tmp_path / "f.idx", values, code, compress)
    out = data.load_idx(path)
    assert out.shape == values.shape
    assert out.dtype.isnative
    np.testing.assert_array_equal(out, values.astype(out.dtype))


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("mutate, match", [
    (lambda b: b"\x01" + b[1:], "magic number"),
    (lambda b: b[:2] + b"\x07" + b[3:], "unknown IDX type code 0x07"),
    (lambda b: b[:3] + b"\x00" + b[4:], "0 dimensions"),
    (lambda b: b[:-5], "truncated: dimensions \\(2, 3, 4\\) need 24 bytes of data, found 19"),
    (lambda b: b + b"xx", "trailing bytes"),
    (lambda b: b[:6], "truncated IDX header"),
    (lambda b: b[:2], "not an IDX file \\(only 2 bytes\\)"),
])
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
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte{'.gz' if compress else ''}",
                  rng.integers(0, 256, size=(n, 28, 28)), compress=compress)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte{'.gz' if compress else ''}",
                  rng.integers(0, 10, size=n), compress=compress)
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
    for text, match in (("", "the file is empty"), ("label,a,b\n", "no data rows after the header"),
                        ("1,2\n1,2,3\n", "line 2 has 3 columns, the first row has 2"),
                        ("1;2;3\n", r"1 column\(s\) split by ','"),
                        ("h,a\n1,2\n0,inf\n", "line 3, column 2: inf")):
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
    rows = ['label,a', '"two\nlines",1', '1, "2"""', '0,"3',
            *(f"{i % 2},{i}" for i in range(30000))]
    (tmp_path / "unbal.csv").write_text("\n".join(rows) + "\n")
    message = (f"{tmp_path / 'unbal.csv'}: line 5: unbalanced quote: the quoted field that "
               f"begins on this line is never closed (CSV quoting: a quoted field ends with a "
               f"quote followed by the delimiter or the line's end)")
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
    with pytest.raises(ValueError, match=r"t.csv: line 2: unbalanced quote: the quoted "
                                         r"field that begins on this line is never closed"):
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
