"""The data sets bprop knows by name: the 8x8 digits it ships, and MNIST and
Fashion-MNIST in their IDX file layout (Fashion-MNIST from Debian's package,
``$BPROP_DATA`` or a directory given)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from .._internal import checks
from .idx import load_idx
from .prepare import scale_pixels

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


def _find(directory: Path, *names: str) -> Path:
    for name in names:
        for candidate in (directory / name, directory / (name + ".gz")):
            if candidate.exists():
                return candidate
    raise FileNotFoundError(f"{directory}: none of {', '.join(names)} (or .gz) found")


def load_mnist(
    directory: str | os.PathLike,
    split: str = "train",
    *,
    dtype: Any = np.float32,
    rows: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels from a directory in the MNIST file layout.

    ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
    ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]`` (or the
    names with ``.idx3-ubyte``); see :func:`mnist_files`.

    Parameters
    ----------
    directory : str or path-like
        The directory holding the four files.
    split : {"train", "test"}, default "train"
        Which pair to read (``test``: the ``t10k`` files).
    dtype : {numpy.float32, numpy.float64, numpy.uint8}, default numpy.float32
        The dtype of ``X`` (see :func:`scale_pixels`).
    rows : (start, stop), optional
        Read only samples ``start:stop`` (see :func:`load_idx`).

    Returns
    -------
    X : ndarray, shape (m, 784)
        Pixels scaled to [0, 1] in ``dtype``; with ``dtype=np.uint8`` the raw
        pixels 0..255, which bprop reads scaled by 1/255.
    y : ndarray, shape (m,), int64

    Raises
    ------
    FileNotFoundError
        When ``directory`` is not a directory or lacks the split's files.
    ValueError
        When ``split`` is neither "train" nor "test", a file is not valid IDX,
        or images and labels differ in number or shape.

    Examples
    --------
    >>> import pathlib, struct, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())            # a 3-image stand-in for MNIST
    >>> for kind, dims in (("images-idx3", (3, 2, 2)), ("labels-idx1", (3,))):
    ...     header = struct.pack(f">4B{len(dims)}I", 0, 0, 8, len(dims), *dims)
    ...     data = bytes([0, 51, 102, 255] * 3) if len(dims) == 3 else bytes([7, 2, 1])
    ...     _ = (d / f"train-{kind}-ubyte").write_bytes(header + data)
    >>> from bprop.data import load_mnist
    >>> X, y = load_mnist(d, dtype="float64")
    >>> X.shape, X[0].tolist(), y.tolist()
    ((3, 4), [0.0, 0.2, 0.4, 1.0], [7, 2, 1])
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {checks.shown(split)}")
    d = Path(directory)
    if not d.is_dir():
        raise FileNotFoundError(f"{d} is not a directory")
    images_path, labels_path = mnist_files(d, split)
    images = load_idx(images_path, rows)
    labels = load_idx(labels_path, rows)
    if images.ndim < 2 or labels.ndim != 1:
        raise ValueError(
            f"{d}: expected images (m, rows, cols) and labels (m,), got shapes "
            f"{images.shape} and {labels.shape}"
        )
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{d}: {images.shape[0]} images but {labels.shape[0]} labels")
    return scale_pixels(images, dtype), labels.astype(np.int64)


def mnist_files(directory: str | os.PathLike, split: str) -> tuple[Path, Path]:
    """The (images, labels) files of a split in the MNIST layout.

    Each is looked for raw and with ``.gz``, under the names
    ``{prefix}-images-idx3-ubyte`` and ``{prefix}-images.idx3-ubyte`` (labels
    likewise), where the prefix is ``train`` or ``t10k``.

    Parameters
    ----------
    directory : str or path-like
        The directory to look in.
    split : {"train", "test"}
        ``"train"``: the ``train-*`` files; anything else: the ``t10k-*`` files.

    Returns
    -------
    images, labels : pathlib.Path
        The paths of the two files found.

    Raises
    ------
    FileNotFoundError
        When either file is missing.

    Examples
    --------
    >>> import pathlib, struct, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())            # a 3-image stand-in for MNIST
    >>> for kind, dims in (("images-idx3", (3, 2, 2)), ("labels-idx1", (3,))):
    ...     header = struct.pack(f">4B{len(dims)}I", 0, 0, 8, len(dims), *dims)
    ...     data = bytes([0, 51, 102, 255] * 3) if len(dims) == 3 else bytes([7, 2, 1])
    ...     _ = (d / f"train-{kind}-ubyte").write_bytes(header + data)
    >>> from bprop.data import mnist_files
    >>> [p.name for p in mnist_files(d, "train")]
    ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte']
    """
    d = Path(directory)
    prefix = "train" if split == "train" else "t10k"
    return (
        _find(d, f"{prefix}-images-idx3-ubyte", f"{prefix}-images.idx3-ubyte"),
        _find(d, f"{prefix}-labels-idx1-ubyte", f"{prefix}-labels.idx1-ubyte"),
    )


def fashion_mnist_directory(directory: str | os.PathLike | None = None) -> Path:
    """Where Fashion-MNIST is: the argument, else ``$BPROP_DATA``, else Debian's package.

    Parameters
    ----------
    directory : str or path-like, optional
        A directory holding the four IDX files; None: ``$BPROP_DATA`` if set,
        else ``FASHION_MNIST_DIR`` (``/usr/share/datasets/fashion-mnist``,
        where ``apt-get install dataset-fashion-mnist`` puts it).

    Returns
    -------
    pathlib.Path
        The directory, once ``train-images-idx3-ubyte[.gz]`` is found in it.

    Raises
    ------
    FileNotFoundError
        When the directory chosen holds no ``train-images-idx3-ubyte[.gz]``; the
        message says how to install the data set.

    Examples
    --------
    >>> import pathlib, struct, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())            # a 3-image stand-in for MNIST
    >>> for kind, dims in (("images-idx3", (3, 2, 2)), ("labels-idx1", (3,))):
    ...     header = struct.pack(f">4B{len(dims)}I", 0, 0, 8, len(dims), *dims)
    ...     data = bytes([0, 51, 102, 255] * 3) if len(dims) == 3 else bytes([7, 2, 1])
    ...     _ = (d / f"train-{kind}-ubyte").write_bytes(header + data)
    >>> from bprop.data import fashion_mnist_directory
    >>> fashion_mnist_directory(d) == d
    True
    """
    d = Path(directory or os.environ.get("BPROP_DATA") or FASHION_MNIST_DIR)
    if (
        not (d / "train-images-idx3-ubyte.gz").exists()
        and not (d / "train-images-idx3-ubyte").exists()
    ):
        raise FileNotFoundError(
            f"Fashion-MNIST not found in {d}. Install it with `apt-get install "
            "dataset-fashion-mnist` (Debian/Ubuntu), or point BPROP_DATA (or directory=) at "
            "a directory holding train-images-idx3-ubyte.gz and the other three files"
        )
    return d


def load_fashion_mnist(
    split: str = "train",
    directory: str | os.PathLike | None = None,
    *,
    dtype: Any = np.float32,
    rows: tuple[int, int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST (60000 train / 10000 test 28x28 images, 10 classes), pixels in [0, 1].

    Read with :func:`load_mnist` from :func:`fashion_mnist_directory`; the class
    names are ``FASHION_MNIST_CLASSES``. Nothing is downloaded.

    Parameters
    ----------
    split : {"train", "test"}, default "train"
        The 60000 training or the 10000 test images.
    directory : str or path-like, optional
        Where the four IDX files are; None: ``$BPROP_DATA``, else Debian's package
        directory (``FASHION_MNIST_DIR``).
    dtype : {numpy.float32, numpy.float64, numpy.uint8}, default numpy.float32
        The dtype of ``X``. ``numpy.uint8`` returns the raw pixels (0..255, 47 MB
        for the training set instead of 376 MB as float64); bprop reads them
        scaled by 1/255.
    rows : (start, stop), optional
        Read only samples ``start:stop``.

    Returns
    -------
    X : ndarray, shape (m, 784)
        The images, one per row.
    y : ndarray of int64, shape (m,)
        Labels 0..9.

    Raises
    ------
    FileNotFoundError
        When the data set is not installed where it is looked for.
    ValueError
        When ``split`` is neither "train" nor "test" or a file is not valid IDX.

    Examples
    --------
    Needs the data set (``apt-get install dataset-fashion-mnist``):

    >>> import bprop
    >>> X, y = bprop.data.load_fashion_mnist("test", rows=(0, 100))   # doctest: +SKIP
    >>> X.shape, X.dtype, bprop.data.FASHION_MNIST_CLASSES[y[0]]      # doctest: +SKIP
    ((100, 784), dtype('float32'), 'Ankle boot')
    """
    return load_mnist(fashion_mnist_directory(directory), split, dtype=dtype, rows=rows)


FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def load_digits(*, dtype: Any = np.float64) -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits (1797 images, labels 0..9), pixels scaled to [0, 1].

    The same data as scikit-learn's ``load_digits``, shipped with bprop (UCI's
    "Optical Recognition of Handwritten Digits", CC BY 4.0), so it needs no
    other package.

    Parameters
    ----------
    dtype : {numpy.float64, numpy.float32}, default numpy.float64
        The dtype of ``X`` (the pixels, 0..16, divided by 16).

    Returns
    -------
    X : ndarray, shape (1797, 64)
        One 8x8 image per row, row by row, in [0, 1].
    y : ndarray of int64, shape (1797,)
        The digit shown, 0..9.

    Examples
    --------
    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> X.shape, y.shape, X.dtype, y[:5].tolist()
    ((1797, 64), (1797,), dtype('float64'), [0, 1, 2, 3, 4])
    >>> float(X.min()), float(X.max())
    (0.0, 1.0)
    """
    with (
        resources.files("bprop").joinpath("_data/digits.npz").open("rb") as fh,
        np.load(fh, allow_pickle=False) as f,
    ):
        X, y = f["X"], f["y"]
    return scale_pixels(X, dtype, max_value=16.0), y.astype(np.int64)
