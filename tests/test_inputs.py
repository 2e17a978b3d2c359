"""X as it comes: uint8 pixels and float32 under float64 weights are read by the
core a block at a time, with the same bits as converting (and scaling) X first."""

import numpy as np
import pytest

import bprop


def _pixels(m=300, n=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 256, size=(m, n), dtype=np.uint8)
    X[:, :3] = 0  # blank borders, as in images
    return X, rng.integers(0, 4, m)


def _same(a, b):
    if isinstance(a, tuple):
        assert a[0] == b[0]
        for x, y in zip(a[1], b[1]):
            np.testing.assert_array_equal(x, y)
    else:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_scale", [None, 1.0, 0.5, 1 / 255])
@pytest.mark.parametrize("kind", [dict(), dict(activation="relu", output="softmax")])
def test_uint8_equals_converting_first(dtype, x_scale, kind):
    X, y = _pixels()
    thetas = bprop.initialize([20, 7, 4], seed=1, dtype=dtype)
    scale = 1 / 255 if x_scale is None else x_scale
    Xf = X.astype(dtype) * dtype(scale)
    w = np.linspace(0.5, 2.0, len(y)).astype(dtype)
    for threads in (1, 2):
        args = dict(num_threads=threads, **kind)
        _same(
            bprop.cost_and_gradient(thetas, X, y, 1.5, x_scale=x_scale, **args),
            bprop.cost_and_gradient(thetas, Xf, y, 1.5, **args),
        )
        assert bprop.cost(
            thetas, X, y, 1.5, x_scale=x_scale, sample_weight=w, **args
        ) == bprop.cost(thetas, Xf, y, 1.5, sample_weight=w, **args)
        _same(bprop.forward(thetas, X, x_scale=x_scale, **args), bprop.forward(thetas, Xf, **args))
        _same(bprop.predict(thetas, X, x_scale=x_scale, **args), bprop.predict(thetas, Xf, **args))


def test_float32_under_float64_weights_equals_converting_first():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(500, 9)).astype(np.float32)
    y = rng.integers(0, 3, 500)
    thetas = bprop.initialize([9, 6, 3], seed=0)
    _same(
        bprop.cost_and_gradient(thetas, X, y, 0.3),
        bprop.cost_and_gradient(thetas, X.astype(np.float64), y, 0.3),
    )
    _same(
        bprop.cost_and_gradient(thetas, X, y, 0.3, x_scale=3.0),
        bprop.cost_and_gradient(thetas, X.astype(np.float64) * 3.0, y, 0.3),
    )
    # X in the weights' dtype, scaled as it is read
    X64 = X.astype(np.float64)
    _same(bprop.forward(thetas, X64, x_scale=0.1), bprop.forward(thetas, X64 * 0.1))


@pytest.mark.parametrize(
    "settings",
    [
        dict(optimizer="lbfgs", iterations=15),
        dict(optimizer="adam", learning_rate=0.01, batch_size=32, epochs=3, seed=4),
        dict(optimizer="momentum", batch_size=50, epochs=2, seed=1),
    ],
)
def test_training_on_pixels_equals_training_on_converted_pixels(settings):
    X, y = _pixels(m=400)
    Xv, yv = _pixels(m=60, seed=9)
    thetas = bprop.initialize([20, 8, 4], seed=3)
    a, ha = bprop.train(
        thetas, X, y, lambda_=0.5, verbose=False, validation_data=(Xv, yv), **settings
    )
    b, hb = bprop.train(
        thetas,
        X * (1 / 255),
        y,
        lambda_=0.5,
        verbose=False,
        validation_data=(Xv * (1 / 255), yv),
        **settings,
    )
    assert ha.cost == hb.cost and ha.val_cost == hb.val_cost
    for s, t in zip(a, b):
        np.testing.assert_array_equal(s, t)


def test_pixels_are_not_copied():
    X, y = _pixels(m=2000, n=50)
    thetas = bprop.initialize([50, 5, 4], seed=0)
    from bprop._internal.problem import prepare

    p = prepare(thetas, X, y, 0.0, 1)
    assert p.X is X and p.x_scale == 1 / 255  # the caller's array itself, scaled as read


def test_loaders_keep_raw_pixels(tmp_path):
    images = np.arange(3 * 4 * 4, dtype=np.uint8).reshape(3, 4, 4) * 5
    raw = bprop.data.scale_pixels(images, np.uint8)
    assert raw.dtype == np.uint8 and raw.shape == (3, 16)
    for dt in (np.float32, np.float64):
        thetas = bprop.initialize([16, 3, 2], seed=0, dtype=dt)
        _same(
            bprop.forward(thetas, raw), bprop.forward(thetas, bprop.data.scale_pixels(images, dt))
        )
    with pytest.raises(TypeError, match="uint8"):
        bprop.data.scale_pixels(images.astype(np.int64), np.uint8)  # digits-like: not 8-bit


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (0, ValueError, "x_scale"),
        (-1.0, ValueError, "x_scale"),
        (np.nan, ValueError, "x_scale"),
        (np.inf, ValueError, "x_scale"),
        ("1/255", TypeError, "x_scale"),
        (True, TypeError, "x_scale"),
    ],
)
def test_bad_x_scale_is_named(bad, error, match):
    X, y = _pixels(m=20)
    thetas = bprop.initialize([20, 3, 4], seed=0)
    with pytest.raises(error, match=match):
        bprop.cost(thetas, X, y, x_scale=bad)
    with pytest.raises(error, match=match):
        bprop.forward(thetas, X, x_scale=bad)
    with pytest.raises(error, match=match):
        bprop.train(thetas, X, y, x_scale=bad, iterations=1, verbose=False)


def test_non_finite_inputs_are_found_in_what_the_core_reads():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 4)).astype(np.float32)
    X[37, 2] = np.inf
    thetas = bprop.initialize([4, 3, 2], seed=0)
    with pytest.raises(ValueError, match=r"row 37, column 2"):
        bprop.cost(thetas, X, np.zeros(100, int))
    # finite float64 values that overflow float32 once scaled
    X64 = np.ones((10, 4))
    X64[6, 1] = 1e30
    t32 = bprop.initialize([4, 3, 2], seed=0, dtype=np.float32)
    with pytest.raises(
        ValueError, match=r"X\[6, 1\] = 1e\+30 times x_scale 1e\+10 overflows float32"
    ):
        bprop.forward(t32, X64, x_scale=1e10)


def test_estimators_take_pixels_as_values_as_scikit_learn_does():
    pytest.importorskip("sklearn")
    from bprop.estimators import BackpropClassifier

    X, y = _pixels(m=200, n=16)
    with pytest.warns(bprop.InputScaleWarning, match=r"X's largest \|x\| is 25\d"):  # as values
        a = BackpropClassifier(
            (5,), solver="adam", batch_size=32, max_iter=3, random_state=0, learning_rate=0.01
        ).fit(X, y)
        b = BackpropClassifier(
            (5,), solver="adam", batch_size=32, max_iter=3, random_state=0, learning_rate=0.01
        ).fit(X.astype(np.float64), y)
    for s, t in zip(a.thetas_, b.thetas_):  # scikit-learn's meaning: values as they are
        np.testing.assert_array_equal(s, t)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X.astype(np.float64)))
