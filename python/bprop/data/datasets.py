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
    ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]``.
    ``rows=(start, stop)`` reads only those samples (see :func:`load_idx`).

    Returns
    -------
    X : ndarray, shape (m, 784)
        Pixels scaled to [0, 1] in ``dtype``; with ``dtype=np.uint8`` the raw
        pixels 0..255, which bprop reads scaled by 1/255.
    y : ndarray, shape (m,), int64
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
    """The (images, labels) files of a split in the MNIST layout."""
    d = Path(directory)
    prefix = "train" if split == "train" else "t10k"
    return (
        _find(d, f"{prefix}-images-idx3-ubyte", f"{prefix}-images.idx3-ubyte"),
        _find(d, f"{prefix}-labels-idx1-ubyte", f"{prefix}-labels.idx1-ubyte"),
    )


def fashion_mnist_directory(directory: str | os.PathLike | None = None) -> Path:
    """Where Fashion-MNIST is: the argument, else ``$BPROP_DATA``, else Debian's package."""
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

    ``dtype=np.uint8`` returns the raw pixels (0..255, 47 MB for the training
    set instead of 376 MB as float64); bprop reads them scaled by 1/255."""
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
    """
    with (
        resources.files("bprop").joinpath("_data/digits.npz").open("rb") as fh,
        np.load(fh, allow_pickle=False) as f,
    ):
        X, y = f["X"], f["y"]
    return scale_pixels(X, dtype, max_value=16.0), y.astype(np.int64)
