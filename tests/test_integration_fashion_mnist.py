"""Real training on real images: a Fashion-MNIST subset must reach an accuracy floor."""

import numpy as np
import pytest

import bprop
from bprop import data

try:
    FASHION = data.fashion_mnist_directory()
except FileNotFoundError as e:
    FASHION = None
    REASON = f"Fashion-MNIST is not installed here ({e})"

pytestmark = pytest.mark.skipif(FASHION is None, reason=REASON if FASHION is None else "")


def test_loads_the_full_data_set():
    X, y = data.load_fashion_mnist("train")
    Xt, yt = data.load_fashion_mnist("test")
    assert X.shape == (60000, 784) and Xt.shape == (10000, 784)
    assert X.dtype == np.float32 and 0 <= X.min() and X.max() == 1.0
    assert np.bincount(y).tolist() == [6000] * 10
    assert np.bincount(yt).tolist() == [1000] * 10


def test_lbfgs_on_a_subset_reaches_the_floor():
    X, y = data.load_fashion_mnist("train", dtype=np.float64)
    Xt, yt = data.load_fashion_mnist("test", dtype=np.float64)
    X, y = X[:10000], y[:10000]
    thetas = bprop.initialize([784, 25, 10], seed=0)
    trained, h = bprop.train(
        thetas, X, y, lambda_=1.0, optimizer="lbfgs", iterations=60, verbose=False
    )
    acc = np.mean(bprop.predict(trained, Xt[:3000]) == yt[:3000])
    assert acc >= 0.80, acc
    assert h.cost[-1] < 0.5 * h.cost[0]


def test_adam_minibatches_in_float32():
    X, y = data.load_fashion_mnist("train")
    Xt, yt = data.load_fashion_mnist("test")
    X, y = X[:12000], y[:12000]
    thetas = bprop.initialize([784, 50, 10], method="xavier", seed=1, dtype=np.float32)
    trained, h = bprop.train(
        thetas,
        X,
        y,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=128,
        epochs=3,
        seed=0,
        validation_data=(Xt[:2000], yt[:2000]),
        verbose=False,
    )
    assert trained[0].dtype == np.float32
    assert h.val_accuracy[-1] >= 0.77, h.val_accuracy
