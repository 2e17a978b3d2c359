"""Loading and preparing data: IDX (MNIST, Fashion-MNIST), digits, .npz, .csv.

Every loader returns ``(X, y)``: ``X`` of shape ``(m, n)`` in the requested
float dtype, ``y`` of shape ``(m,)`` int64 labels, any whole numbers (a CSV's
labels may also be strings; ``targets="real"`` reads real-valued targets).
The parts: ``idx`` (the IDX format), ``files`` (.npz and .csv), ``datasets``
(digits, MNIST, Fashion-MNIST by name), ``prepare`` (scaling, standardising,
splitting, one-hot).
"""

from .datasets import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_DIR,
    fashion_mnist_directory,
    load_digits,
    load_fashion_mnist,
    load_mnist,
    mnist_files,
)
from .files import CSVHeaderWarning, load_csv, load_csv_features, load_npz, npz_length
from .idx import idx_shape, load_idx
from .prepare import one_hot, scale_pixels, standardize, train_validation_split

__all__ = [
    "CSVHeaderWarning",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_DIR",
    "fashion_mnist_directory",
    "idx_shape",
    "load_csv",
    "load_csv_features",
    "load_digits",
    "load_fashion_mnist",
    "load_idx",
    "load_mnist",
    "load_npz",
    "mnist_files",
    "npz_length",
    "one_hot",
    "scale_pixels",
    "standardize",
    "train_validation_split",
]
