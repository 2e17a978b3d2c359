"""Plots render to PNG files with the right panels; diagnostics return real curves."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import bprop  # noqa: E402
from bprop import diagnose, plot  # noqa: E402


def _png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
    return data


@pytest.fixture(scope="module")
def digits():
    X, y = bprop.data.load_digits()
    return bprop.data.train_validation_split(X, y, 0.25, seed=0)


@pytest.fixture(scope="module")
def trained(digits):
    Xtr, Xva, ytr, yva = digits
    thetas, history = bprop.train(
        bprop.initialize([64, 16, 10], seed=0),
        Xtr,
        ytr,
        lambda_=1.0,
        optimizer="adam",
        learning_rate=0.01,
        batch_size=64,
        epochs=5,
        seed=0,
        validation_data=(Xva, yva),
        verbose=False,
    )
    return thetas, history


def test_learning_curves_figure(trained, tmp_path):
    _, history = trained
    fig = plot.learning_curves(history, save=tmp_path / "curves.png")
    assert len(fig.axes) == 2  # cost, validation accuracy
    lines = fig.axes[0].get_lines()
    np.testing.assert_array_equal(lines[0].get_ydata(), history.cost)
    np.testing.assert_array_equal(lines[1].get_ydata(), history.val_cost)
    np.testing.assert_array_equal(fig.axes[1].get_lines()[0].get_ydata(), history.val_accuracy)
    _png(tmp_path / "curves.png")
    _, h = bprop.train(
        bprop.initialize([3, 2], seed=0), np.eye(3), [0, 1, 0], iterations=3, verbose=False
    )
    assert len(plot.learning_curves(h).axes) == 1  # no validation: one panel


def test_hidden_weights_grid(trained, tmp_path):
    thetas, _ = trained
    fig = plot.hidden_weights(thetas, save=tmp_path / "w.png")
    images = [ax for ax in fig.axes if ax.get_images()]
    assert len(images) == 16
    np.testing.assert_array_equal(
        images[3].get_images()[0].get_array(), thetas[0][3, 1:].reshape(8, 8)
    )
    _png(tmp_path / "w.png")
    assert len([a for a in plot.hidden_weights(thetas, max_units=5).axes if a.get_images()]) == 5
    with pytest.raises(
        ValueError,
        match=r"image_shape \(4, 4\) has 16 pixels but the inputs "
        "have 64 features",
    ):
        plot.hidden_weights(thetas, image_shape=(4, 4))
    with pytest.raises(ValueError, match="10 features are not a square image"):
        plot.hidden_weights([np.zeros((3, 11))])


def test_sample_grid_and_confusion_matrix(trained, digits, tmp_path):
    thetas, _ = trained
    _, Xva, _, yva = digits
    pred = bprop.predict(thetas, Xva)
    fig = plot.sample_grid(Xva, yva, pred, count=12, save=tmp_path / "s.png")
    assert len(fig.axes) == 12
    wrong = [i for i in range(12) if pred[i] != yva[i]]
    for i, ax in enumerate(fig.axes):
        assert ax.get_title() == (f"{pred[i]}" if i not in wrong else f"{pred[i]} ({yva[i]})")
    _png(tmp_path / "s.png")
    fig = plot.confusion_matrix(yva, pred, save=tmp_path / "cm.png")
    texts = [int(t.get_text()) for t in fig.axes[0].texts]
    assert len(texts) == 100 and sum(texts) == len(yva)
    assert sum(texts[k * 11] for k in range(10)) == int(np.sum(pred == yva))  # the diagonal
    _png(tmp_path / "cm.png")


def test_saving_never_leaves_a_half_written_file(trained, tmp_path):
    _, history = trained
    target = tmp_path / "keep.png"
    target.write_bytes(b"old")
    with pytest.raises(OSError):
        plot.learning_curves(history, save=tmp_path / "missing_dir" / "x.png")
    plot.learning_curves(history, save=target)
    _png(target)
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]  # no temporary files left


def test_learning_curve_shows_the_gap_closing(digits, tmp_path):
    Xtr, Xva, ytr, yva = digits
    # lambda 0: a network that fits its training samples almost exactly (high variance)
    curve = diagnose.learning_curve(
        [64, 25, 10], Xtr, ytr, Xva, yva, sizes=[20, 100, 500, 1347], iterations=60
    )
    assert curve.sizes == [20, 100, 500, 1347]
    assert max(curve.train_cost) < 0.01
    assert np.all(np.diff(curve.val_cost) < 0) and curve.val_cost[0] > 5 * curve.val_cost[-1]
    thetas = bprop.train(
        bprop.initialize([64, 25, 10], seed=0),
        Xtr[:100],
        ytr[:100],
        optimizer="lbfgs",
        iterations=60,
        verbose=False,
    )[0]
    assert curve.train_cost[1] == pytest.approx(bprop.cost(thetas, Xtr[:100], ytr[:100]), rel=1e-12)
    assert len(plot.learning_curve(curve, save=tmp_path / "lc.png").axes[0].get_lines()) == 2
    _png(tmp_path / "lc.png")


def test_validation_curve_over_lambda_and_hidden_size(digits, tmp_path):
    Xtr, Xva, ytr, yva = digits
    curve = diagnose.validation_curve(
        [64, 25, 10], Xtr[:300], ytr[:300], Xva, yva, lambdas=[0.0, 1.0, 100.0], iterations=80
    )
    assert curve.parameter == "lambda_" and curve.values == [0.0, 1.0, 100.0]
    assert curve.train_cost[0] < curve.train_cost[1] < curve.train_cost[2]  # lambda fits less
    assert curve.val_accuracy[2] < curve.val_accuracy[1]  # too much lambda: underfit
    assert curve.best in (0.0, 1.0)
    plot.validation_curve(curve, save=tmp_path / "vc.png")
    _png(tmp_path / "vc.png")
    hidden = diagnose.validation_curve(
        [64, 25, 10],
        Xtr[:300],
        ytr[:300],
        Xva,
        yva,
        hidden_sizes=[1, 20],
        lambda_=1.0,
        iterations=80,
    )
    assert hidden.parameter == "hidden" and hidden.val_accuracy[0] < hidden.val_accuracy[1]


def test_gradient_norms_vanish_in_a_deep_sigmoid_network(digits, tmp_path):
    Xtr, _, ytr, _ = digits
    thetas = bprop.initialize([64, 30, 30, 30, 30, 10], seed=0)
    norms = diagnose.gradient_norms(thetas, Xtr, ytr, optimizer="gd", learning_rate=0.5, epochs=3)
    assert norms.norms.shape == (4, 5) and norms.epochs == [0, 1, 2, 3]
    first = norms.norms[0]
    assert first[0] < first[-1] / 100  # each sigmoid layer shrinks delta by <= 1/4
    _, grads = bprop.cost_and_gradient(thetas, Xtr, ytr)
    np.testing.assert_allclose(first, [np.linalg.norm(g) for g in grads], rtol=1e-12)
    fig = plot.gradient_norms(norms, save=tmp_path / "gn.png")
    assert len(fig.axes[0].get_lines()) == 5
    _png(tmp_path / "gn.png")


def test_confusion_matrix_refuses_labels_that_are_not_classes(tmp_path):
    with pytest.raises(ValueError, match=r"y_pred\[2\] = -1; class labels must be >= 0"):
        bprop.plot.confusion_matrix([0, 1, 1], [0, 1, -1])
    with pytest.raises(ValueError, match=r"y_true\[1\] = 1.5 is not a whole number"):
        bprop.plot.confusion_matrix([0, 1.5], [0, 1])
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\)"):
        bprop.plot.confusion_matrix([0, 2], [0, 1], class_names=["a", "b"])
    fig = bprop.plot.confusion_matrix(np.array([0, 1, 1.0]), [0, 1, 0])
    assert "accuracy 0.667" in fig.axes[0].get_title()


def test_saved_plots_take_the_format_their_name_asks_for(tmp_path):
    fig_args = ([0, 1, 1], [0, 1, 0])
    bprop.plot.confusion_matrix(*fig_args, save=tmp_path / "cm.pdf")
    bprop.plot.confusion_matrix(*fig_args, save=tmp_path / "cm.svg")
    bprop.plot.confusion_matrix(*fig_args, save=tmp_path / "cm.png")
    assert (tmp_path / "cm.pdf").read_bytes()[:5] == b"%PDF-"
    assert b"<svg" in (tmp_path / "cm.svg").read_bytes()[:500]
    assert (tmp_path / "cm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match=r"cannot write \.docx files"):
        bprop.plot.confusion_matrix(*fig_args, save=tmp_path / "cm.docx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cm.pdf", "cm.png", "cm.svg"]


def test_plots_say_what_they_compare():
    h = bprop.History(
        cost=[3.0, 2.0, 1.5], val_cost=[1.2], val_accuracy=[0.5], iterations=3, epochs=1
    )
    labels = [t.get_text() for t in plot.learning_curves(h).axes[0].get_legend().get_texts()]
    assert "lambda term" in labels[0] and "data term only" in labels[1]
    curve = diagnose.ValidationCurve(
        "lambda_", [0.0, 0.1, 1.0, 10.0], [1, 2, 3, 4], [2, 1, 2, 3], [0.5] * 4
    )
    assert plot.validation_curve(curve).axes[0].get_xscale() == "symlog"  # lambda 0 shown
    curve.values = [0.1, 1.0, 10.0, 100.0]
    assert plot.validation_curve(curve).axes[0].get_xscale() == "log"
    thetas = bprop.initialize([16, 4, 2], seed=0)
    thetas[0][2, 1:] *= 10  # one unit with far larger weights
    fig = plot.hidden_weights(thetas)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 4 and len({im.get_clim() for im in images}) == 1  # one colour scale
    assert len(fig.axes) == 5  # and a colour bar
