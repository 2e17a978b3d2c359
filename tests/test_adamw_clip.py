"""AdamW's decoupled weight decay and gradient-norm clipping, both in the core: against
plain numpy implementations over several steps, in training, and their refusals."""

import math

import numpy as np
import pytest

import bprop
from bprop import _core, optim


def _numpy_adamw(thetas, grads_per_step, rates, wd, b1=0.9, b2=0.999, eps=1e-8):
    """AdamW written out in float64: decay d = lr wd of the non-bias weights, then
    Adam's step (PyTorch's order); ``rates``: the learning rate of each step."""
    thetas = [t.astype(np.float64) for t in thetas]
    m = [np.zeros_like(t) for t in thetas]
    v = [np.zeros_like(t) for t in thetas]
    for step, (grads, lr) in enumerate(zip(grads_per_step, rates), start=1):
        lr_t = lr * math.sqrt(1 - b2**step) / (1 - b1**step)
        for l, g in enumerate(grads):
            g = g.astype(np.float64)
            m[l] = b1 * m[l] + (1 - b1) * g
            v[l] = b2 * v[l] + (1 - b2) * g**2
            decay = np.full_like(thetas[l], lr * wd)
            decay[:, 0] = 0.0  # the bias column is not decayed
            thetas[l] = thetas[l] - decay * thetas[l] - lr_t * m[l] / (np.sqrt(v[l]) + eps)
    return thetas, m, v


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 2e-6)])
def test_adamw_steps_follow_the_formulas(dtype, rtol):
    rng = np.random.default_rng(0)
    start = [rng.normal(size=(7, 5)).astype(dtype), rng.normal(size=(3, 8)).astype(dtype)]
    grads = [[rng.normal(size=t.shape).astype(dtype) for t in start] for _ in range(5)]
    rates = [0.01, 0.01, 0.005, 0.02, 0.01]  # a schedule may change it between steps
    opt = optim.AdamW(0.01, weight_decay=0.3)
    thetas = start
    for g, lr in zip(grads, rates):
        opt.learning_rate = lr
        thetas = opt.step(thetas, g)
    expected, m, v = _numpy_adamw(start, grads, rates, 0.3)
    assert opt.t == 5
    for l, (t, e) in enumerate(zip(thetas, expected)):
        assert t.dtype == dtype
        np.testing.assert_allclose(t, e, rtol=rtol, atol=rtol)
        np.testing.assert_allclose(opt.m[l], m[l], rtol=rtol, atol=rtol)
        np.testing.assert_allclose(opt.v[l], v[l], rtol=rtol, atol=rtol * 1e-3)


def test_adamw_decays_the_weights_not_the_biases_and_zero_decay_is_adam():
    t = [np.full((2, 3), 2.0)]
    new = optim.AdamW(0.1, weight_decay=0.5).step(t, [np.zeros((2, 3))])[0]
    assert new[:, 0].tolist() == [2.0, 2.0] and new[:, 1:].tolist() == [[1.9, 1.9]] * 2
    rng = np.random.default_rng(1)
    t = [rng.normal(size=(4, 6)), rng.normal(size=(2, 5))]
    a, b = optim.Adam(0.01), optim.AdamW(0.01, weight_decay=0.0)
    for _ in range(3):
        g = [rng.normal(size=x.shape) for x in t]
        t, other = a.step(t, g), b.step(t, g)
        for p, q in zip(t, other):
            np.testing.assert_array_equal(p, q)
    assert isinstance(optim.get_optimizer("adamw"), optim.AdamW)
    assert optim.get_optimizer("adamw").weight_decay == 0.01
    assert _core.OPTIMIZER_KINDS["adamw"] == 4


def test_adamw_differs_from_an_l2_term_as_documented():
    # One weight with a large gradient, one with a small one, both at 1.0. lambda's L2
    # gradient goes through Adam's division by sqrt(v): the first weight barely feels it.
    # AdamW shrinks both by the same lr * wd.
    theta = [np.array([[0.0, 1.0, 1.0]])]
    g = np.array([[0.0, 100.0, 0.001]])
    wd, lr = 0.1, 0.01
    plain = optim.Adam(lr).step(theta, [g])[0]
    l2 = optim.Adam(lr).step(theta, [g + wd * theta[0]])[0]  # L2: lambda Theta in D
    decoupled = optim.AdamW(lr, weight_decay=wd).step(theta, [g])[0]
    pull_l2, pull_decoupled = plain - l2, plain - decoupled
    assert pull_decoupled[0, 1] == pytest.approx(lr * wd, rel=1e-12)
    assert pull_decoupled[0, 2] == pytest.approx(lr * wd, rel=1e-12)
    assert abs(pull_l2[0, 1]) < 1e-5 * lr * wd  # swamped by the large gradient


def test_adamw_refuses_bad_weight_decay():
    for wd, error, match in [
        (-0.1, ValueError, "weight_decay must be finite and >= 0, got -0.1"),
        (math.inf, ValueError, "weight_decay must be finite and >= 0"),
        ("0.1", TypeError, "weight_decay must be a number"),
    ]:
        with pytest.raises(error, match=match):
            optim.AdamW(0.01, weight_decay=wd)
    with pytest.raises(ValueError, match="weight_decay must be finite and >= 0"):
        _core.OptimizerConfig(_core.OPTIMIZER_KINDS["adamw"], 0.1, weight_decay=-1.0)


# ---- clipping ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clipping_by_the_global_norm(dtype):
    rng = np.random.default_rng(2)
    grads = [rng.normal(size=(5, 7)).astype(dtype), rng.normal(size=(3, 6)).astype(dtype)]
    norm = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in grads))
    # summed in double: only the order of the additions differs from numpy's
    rtol = 1e-13
    kept = [g.copy() for g in grads]
    assert _core.clip_gradients(kept, norm * 1.01) == pytest.approx(norm, rel=rtol)
    for a, b in zip(kept, grads):
        np.testing.assert_array_equal(a, b)  # below the bound: untouched
    clipped = [g.copy() for g in grads]
    assert _core.clip_gradients(clipped, 0.5) == pytest.approx(norm, rel=rtol)
    for a, b in zip(clipped, grads):
        # each entry times T(0.5 / norm): one rounding in T past the norm's
        eps = np.finfo(dtype).eps
        np.testing.assert_allclose(a, b * (0.5 / norm), rtol=2 * eps, atol=0)
    after = math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in clipped))
    assert after == pytest.approx(0.5, rel=10 * float(np.finfo(dtype).eps))


def test_clipping_huge_gradients_does_not_overflow():
    g = [np.array([[3e200, -4e200]]), np.array([[0.0]])]
    assert _core.clip_gradients(g, 1.0) == pytest.approx(5e200, rel=1e-15)
    np.testing.assert_allclose(g[0], [[0.6, -0.8]], rtol=1e-15)
    with pytest.raises(ValueError, match="clip_norm must be > 0"):
        _core.clip_gradients(g, 0.0)
    assert _core.StepPlan(None, 1, 1, 1, 0.0, clip_norm=2.5).clip_norm == 2.5


def _blobs(m=150, seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    y = rng.integers(0, 3, size=m)
    return centres[y] + rng.normal(size=(m, 2)), y


@pytest.mark.parametrize("clip_norm", [0.05, 1e6])  # clipping every step, and never
def test_training_with_clipped_gradients_against_numpy(clip_norm):
    X, y = _blobs()
    t0 = bprop.initialize([2, 5, 3], seed=1)
    lr, bs, lam = 0.7, 40, 0.2  # remainder batch of 30: clipped, then its share 30/40
    trained, h = bprop.train(
        t0,
        X,
        y,
        lambda_=lam,
        optimizer="momentum",
        learning_rate=lr,
        batch_size=bs,
        epochs=3,
        shuffle=False,
        clip_norm=clip_norm,
        verbose=False,
    )
    m = X.shape[0]
    ref, vel, norms = [t.copy() for t in t0], [np.zeros_like(t) for t in t0], []
    for _ in range(3):
        for start in range(0, m, bs):
            rows = np.arange(start, min(m, start + bs))
            _, grads = bprop.reference.cost_and_gradient(ref, X[rows], y[rows], 0.0)
            for g, t in zip(grads, ref):
                g[:, 1:] += lam / m * t[:, 1:]
            norm = math.sqrt(sum(float(np.sum(g**2)) for g in grads))
            norms.append(norm)
            scale = min(1.0, clip_norm / norm) * len(rows) / bs
            vel = [0.9 * v - lr * scale * g for v, g in zip(vel, grads)]
            ref = [t + v for t, v in zip(ref, vel)]
    assert (min(norms) > clip_norm) if clip_norm < 1 else (max(norms) < clip_norm)
    for a, b in zip(trained, ref):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_clip_norm_is_checked_before_training():
    X, y = _blobs(40)
    t0 = bprop.initialize([2, 3, 3], seed=0)
    for value, error, match in [
        (0.0, ValueError, "clip_norm must be finite and > 0, got 0.0"),
        (-1, ValueError, "clip_norm must be finite and > 0, got -1"),
        (math.nan, ValueError, "clip_norm must be finite and > 0"),
        ("1", TypeError, "clip_norm must be a number"),
    ]:
        with pytest.raises(error, match=match):
            bprop.train(t0, X, y, optimizer="gd", clip_norm=value, verbose=False)
    with pytest.raises(ValueError, match="lbfgs takes no clipped steps.*leave clip_norm=None"):
        bprop.train(t0, X, y, optimizer="lbfgs", clip_norm=1.0, verbose=False)


@pytest.mark.parametrize("name", ["gd", "momentum", "nesterov", "adam", "adamw"])
def test_clipping_works_with_every_step_optimiser(name):
    # a custom optimiser (stepping from Python) sees the clipped gradient too
    seen = []

    class Recording(optim.GradientDescent):
        def step(self, thetas, grads):
            seen.append(math.sqrt(sum(float(np.sum(g**2)) for g in grads)))
            return super().step(thetas, grads)

    X, y = _blobs(60)
    t0 = bprop.initialize([2, 3, 3], seed=0)
    kw = dict(batch_size=20, epochs=2, seed=0, verbose=False, clip_norm=0.01)
    a, _ = bprop.train(t0, X, y, optimizer=name, **kw)
    b, _ = bprop.train(t0, X, y, optimizer=name, **{**kw, "clip_norm": None})
    assert not np.array_equal(a[0], b[0])
    bprop.train(t0, X, y, optimizer=Recording(0.5), **kw)
    assert len(seen) == 6 and max(seen) == pytest.approx(0.01, rel=1e-12)
