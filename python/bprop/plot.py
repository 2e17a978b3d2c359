"""Pictures of training and of what a network learned (needs matplotlib:
``pip install "bprop[plot]"``).

Every function returns a ``matplotlib.figure.Figure`` built without pyplot (no
window, no global state, any backend) and, given ``save=PATH``, writes it in
the format the file name asks for (``.png``, ``.pdf``, ``.svg`` ...; PNG when
it has no extension) atomically (a temporary file renamed over the target).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._internal import checks
from ._internal.atomic import atomic_write
from ._internal.install_hint import install_hint
from ._internal.metrics import confusion_counts

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from .diagnose import GradientNorms, LearningCurve, ValidationCurve
    from .training import History


def require_matplotlib() -> None:
    """Raise ImportError with the install hint when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(f"bprop.plot needs matplotlib: {install_hint('plot')}") from None


def _figure(**kwargs: Any) -> Figure:
    require_matplotlib()
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _finish(fig: Figure, save: str | os.PathLike | None, layout: bool = True) -> Figure:
    if layout:
        fig.tight_layout()
    if save is not None:
        fmt = _image_format(save)
        atomic_write(save, lambda f: fig.savefig(f, format=fmt, dpi=100))
    return fig


def _image_format(path: str | os.PathLike) -> str:
    """The format the file name asks for (``.png``, ``.pdf``, ``.svg`` ...); PNG
    when it names none."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        return "png"
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    if suffix not in formats:
        raise ValueError(
            f"save={str(path)!r}: matplotlib cannot write .{suffix} files; use one "
            f"of {', '.join('.' + k for k in sorted(formats))}"
        )
    return suffix


def _image_shape(n: int, image_shape: Sequence[int] | None) -> tuple[int, int]:
    if image_shape is not None:
        h, w = (int(v) for v in image_shape)
        if h * w != n:
            raise ValueError(
                f"image_shape {tuple(image_shape)} has {h * w} pixels but the "
                f"inputs have {n} features"
            )
        return h, w
    side = math.isqrt(n)
    if side * side != n:
        raise ValueError(f"{n} features are not a square image: give image_shape=(height, width)")
    return side, side


def _grid(count: int) -> tuple[int, int]:
    cols = math.ceil(math.sqrt(count))
    return math.ceil(count / cols), cols


def learning_curves(history: History, *, save: str | os.PathLike | None = None) -> Figure:
    """Training cost against iterations (and validation cost per epoch).

    A second panel shows the validation accuracy when it was recorded. When the
    learning rate changed during the run (a schedule), a second axis on the right
    shows each epoch's rate (log scale when it spans more than a factor of 10).

    Parameters
    ----------
    history : History
        What :func:`bprop.train` returned.
    save : str or path-like, optional
        Also write the figure there, atomically, in the format of the file
        name's extension (PNG when it has none).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        When matplotlib is not installed (with the install command).

    Examples
    --------
    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> _, history = bprop.train(bprop.initialize([64, 25, 10], seed=0), X, y,
    ...                          optimizer="lbfgs", iterations=20, verbose=False)
    >>> fig = bprop.plot.learning_curves(history)
    >>> len(fig.axes)
    1

    With a schedule, the rate of each epoch on a second axis:

    >>> _, history = bprop.train(bprop.initialize([64, 25, 10], seed=0), X, y,
    ...                          optimizer="adam", learning_rate=0.01, batch_size=256,
    ...                          epochs=4, seed=0, schedule="step:step_size=2,gamma=0.5",
    ...                          verbose=False)
    >>> fig = bprop.plot.learning_curves(history)
    >>> len(fig.axes), fig.axes[1].get_ylabel()
    (2, 'learning rate')
    """
    panels = 2 if history.val_accuracy else 1
    fig = _figure(figsize=(6 * panels, 4))
    ax = fig.add_subplot(1, panels, 1)
    # The two curves measure different things; the labels say which.
    ax.plot(
        np.arange(len(history.cost)),
        history.cost,
        label="training cost J (data term + lambda term, per step)",
    )
    if history.val_cost:
        steps = max(1, history.iterations // max(1, history.epochs))
        ax.plot(
            steps * np.arange(1, len(history.val_cost) + 1),
            history.val_cost,
            "o-",
            label="validation cost (data term only, per epoch)",
        )
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost")
    ax.set_title("learning curve")
    handles, labels = ax.get_legend_handles_labels()
    rates = history.learning_rate
    if len(set(rates)) > 1:  # the rate changed: each epoch's, on an axis of its own
        steps = max(1, history.iterations // max(1, history.epochs))
        rate_ax = ax.twinx()
        (line,) = rate_ax.step(
            steps * np.arange(len(rates) + 1),
            [*rates, rates[-1]],
            where="post",
            color="tab:gray",
            linestyle="--",
            label="learning rate (per epoch)",
        )
        if max(rates) > 10 * min(rates):
            rate_ax.set_yscale("log")
        rate_ax.set_ylabel("learning rate")
        handles.append(line)
        labels.append(line.get_label())
        rate_ax.legend(handles, labels)  # on the top axes, over both curves
    else:
        ax.legend(handles, labels)
    if panels == 2:
        acc = fig.add_subplot(1, 2, 2)
        acc.plot(np.arange(1, len(history.val_accuracy) + 1), history.val_accuracy, "o-")
        acc.set_xlabel("epoch")
        acc.set_ylabel("validation accuracy")
        acc.set_title("validation accuracy")
    return _finish(fig, save)


def hidden_weights(
    thetas: Any,
    *,
    image_shape: Sequence[int] | None = None,
    max_units: int = 100,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Each first-hidden-layer unit's incoming weights as an image: the features it looks for.

    Unit j's weights ``Theta1[j, 1:]`` (bias left out) drawn in the input's
    shape, all units on one colour scale.

    Parameters
    ----------
    thetas : list of ndarray
        The network; only ``thetas[0]`` is drawn.
    image_shape : (int, int), optional
        The input's image shape; default: a square (``n`` must be a square
        number then).
    max_units : int, default 100
        Draw at most this many units.
    save : str or path-like, optional
        Also write the figure there, atomically, in the format of the file
        name's extension (PNG when it has none).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When the inputs do not form an image of ``image_shape`` (or a square).
    ImportError
        When matplotlib is not installed (with the install command).

    Examples
    --------
    >>> import bprop
    >>> fig = bprop.plot.hidden_weights(bprop.initialize([64, 25, 10], seed=0))
    >>> len(fig.axes)                                    # 25 tiles and the colour bar
    26
    """
    t = checks.check_thetas(thetas)
    W = np.asarray(t[0][:max_units, 1:], dtype=np.float64)
    h, w = _image_shape(W.shape[1], image_shape)
    rows, cols = _grid(W.shape[0])
    fig = _figure(figsize=(1.2 * cols + 1.8, 1.2 * rows + 0.6))
    lim = float(np.abs(W).max()) or 1.0  # one colour scale: units compare at a glance
    image = None
    for j in range(W.shape[0]):
        ax = fig.add_subplot(rows, cols, j + 1)
        image = ax.imshow(W[j].reshape(h, w), cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"incoming weights of the {W.shape[0]} hidden units (red +, blue -)")
    fig.tight_layout()
    assert image is not None  # check_thetas: at least one unit
    fig.colorbar(image, ax=fig.axes, shrink=0.8, label="weight")
    return _finish(fig, save, layout=False)


def sample_grid(
    X: Any,
    y_true: Any,
    y_pred: Any = None,
    *,
    image_shape: Sequence[int] | None = None,
    class_names: Sequence[str] | None = None,
    count: int = 25,
    save: str | os.PathLike | None = None,
) -> Figure:
    """The first ``count`` samples as images, titled with true (and predicted) labels.

    Wrong predictions are titled in red, with the true label in brackets.

    Parameters
    ----------
    X : array_like, shape (m, n)
        Samples whose ``n`` values form an image.
    y_true : array_like, shape (m,)
    y_pred : array_like, shape (m,), optional
    image_shape : (int, int), optional
        Default: a square.
    class_names : sequence of str, optional
        Names of the labels 0..K-1.
    count : int, default 25
    save : str or path-like, optional
        Also write the figure there, atomically, in the format of the file
        name's extension (PNG when it has none).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When ``X`` is not (m, n) with ``y_true`` (m,), or its rows do not form
        an image of ``image_shape``.
    ImportError
        When matplotlib is not installed (with the install command).

    Examples
    --------
    >>> import bprop
    >>> X, y = bprop.data.load_digits()
    >>> fig = bprop.plot.sample_grid(X, y, count=10)
    >>> len(fig.axes)
    10
    """
    X = np.asarray(X)
    y_true = np.asarray(y_true)
    if X.ndim != 2 or y_true.shape != (X.shape[0],):
        raise ValueError(f"X must be (m, n) and y_true (m,), got {X.shape} and {y_true.shape}")
    n = min(int(count), X.shape[0])
    h, w = _image_shape(X.shape[1], image_shape)
    rows, cols = _grid(n)
    name = (lambda k: str(class_names[int(k)])) if class_names is not None else str
    fig = _figure(figsize=(1.6 * cols, 1.7 * rows))
    for i in range(n):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.imshow(X[i].reshape(h, w), cmap="gray_r")
        ax.set_xticks([])
        ax.set_yticks([])
        if y_pred is None:
            ax.set_title(name(y_true[i]), fontsize=8)
        else:
            ok = y_pred[i] == y_true[i]
            ax.set_title(
                f"{name(y_pred[i])}" + ("" if ok else f" ({name(y_true[i])})"),
                fontsize=8,
                color="black" if ok else "red",
            )
    if y_pred is not None:
        fig.suptitle("predicted (true when wrong)")
    return _finish(fig, save)


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    class_names: Sequence[str] | None = None,
    save: str | os.PathLike | None = None,
) -> Figure:
    """Counts of (true class, predicted class), with the counts written in.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (m,)
        Labels in ``[0, K)``.
    class_names : sequence of str, optional
        Names of the classes 0..K-1.
    save : str or path-like, optional
        Also write the figure there, atomically, in the format of the file
        name's extension (PNG when it has none).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        For labels that are not whole numbers in ``[0, K)``.
    ImportError
        When matplotlib is not installed (with the install command).

    Examples
    --------
    >>> import bprop
    >>> fig = bprop.plot.confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    >>> fig.axes[0].get_xlabel()
    'predicted'
    """
    K_names = None if class_names is None else len(class_names)
    y_true = checks.check_labels(checks.as_array(y_true, "y_true"), K_names, "y_true")
    y_pred = checks.check_labels(checks.as_array(y_pred, "y_pred"), K_names, "y_pred")
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be labels of one shape (m,), got "
            f"{y_true.shape} and {y_pred.shape}"
        )
    K = int(max(y_true.max(), y_pred.max())) + 1 if y_true.size else 0
    if class_names is not None:
        K = max(K, len(class_names))
    cm = confusion_counts(y_true, y_pred, K)
    fig = _figure(figsize=(0.6 * K + 3, 0.6 * K + 2.5))
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(cm, cmap="Blues")
    labels = (
        [str(c) for c in class_names] if class_names is not None else [str(k) for k in range(K)]
    )
    ax.set_xticks(range(K), labels, rotation=45, ha="right")
    ax.set_yticks(range(K), labels)
    top = cm.max() if cm.size else 0
    for i in range(K):
        for j in range(K):
            ax.text(
                j,
                i,
                str(cm[i, j]),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if cm[i, j] > top / 2 else "black",
            )
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"confusion matrix (accuracy {np.trace(cm) / max(1, cm.sum()):.3f})")
    return _finish(fig, save)


def learning_curve(curve: LearningCurve, *, save: str | os.PathLike | None = None) -> Figure:
    """Training and validation cost against the training-set size (bias vs variance).

    Parameters
    ----------
    curve : LearningCurve
        From :func:`bprop.diagnose.learning_curve`.
    save : str or path-like, optional
        Also write the figure there, atomically, in the format of the file
        name's extension (PNG when it has none).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        When matplotlib is not installed (with the install command).

    Examples
    --------
    >>> import bprop
    >>> from bprop.diagnose import LearningCurve
    >>> fig = bprop.plot.learning_curve(LearningCurve([10, 100, 1000], [0.01, 0.2, 0.3],
    ...                                               [2.5, 0.9, 0.5]))
    >>> len(fig.axes[0].lines)
    2
    """
    fig = _figure(figsize=(6, 4))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(curve.sizes, curve.train_cost, "o-", label="training cost")
    ax.plot(curve.sizes, curve.val_cost, "o-", label="validation cost")
    ax.set_xlabel("training samples m")
    ax.set_ylabel("cost J (no regularisation term)")
    ax.set_title("learning curve")
    ax.legend()
    return _finish(fig, save)


def validation_curve(curve: ValidationCurve, *, save: str | os.PathLike | None = None) -> Figure:
    """Training and validation cost against lambda (log axis) or hidden-layer size.

    Parameters
    ----------
    curve : ValidationCurve
        From :func:`bprop.diagnose.validation_curve`.
    save : str or path-like, optional
        Also write the figure there, atomically, in the format of the file
        name's extension (PNG when it has none).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        When matplotlib is not installed (with the install command).

    Examples
    --------
    >>> import bprop
    >>> from bprop.diagnose import ValidationCurve
    >>> curve = ValidationCurve("lambda_", [0.0, 1.0, 10.0], [0.1, 0.3, 0.8], [0.9, 0.5, 0.9],
    ...                         [0.9, 0.95, 0.9])
    >>> fig = bprop.plot.validation_curve(curve)
    >>> len(fig.axes) >= 1
    True
    """
    fig = _figure(figsize=(6, 4))
    ax = fig.add_subplot(1, 1, 1)
    x = np.asarray(curve.values, dtype=np.float64)
    ax.plot(x, curve.train_cost, "o-", label="training cost")
    ax.plot(x, curve.val_cost, "o-", label="validation cost")
    if curve.parameter == "lambda_" and np.any(x > 0):
        if np.all(x > 0):
            ax.set_xscale("log")
        else:  # lambda = 0 too: linear near 0, logarithmic beyond the smallest lambda > 0
            ax.set_xscale("symlog", linthresh=float(x[x > 0].min()))
    ax.set_xlabel("lambda" if curve.parameter == "lambda_" else "hidden units")
    ax.set_ylabel("cost J (no regularisation term)")
    ax.set_title(f"validation curve (best {curve.parameter} = {curve.best})")
    ax.legend()
    return _finish(fig, save)


def gradient_norms(norms: GradientNorms, *, save: str | os.PathLike | None = None) -> Figure:
    """Per-layer gradient norms during training, log scale.

    In a deep sigmoid network the early layers' norms are orders of magnitude
    smaller than the last layer's: the vanishing gradient.

    Parameters
    ----------
    norms : GradientNorms
        From :func:`bprop.diagnose.gradient_norms`.
    save : str or path-like, optional
        Also write the figure there, atomically, in the format of the file
        name's extension (PNG when it has none).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        When matplotlib is not installed (with the install command).

    Examples
    --------
    >>> import numpy as np, bprop
    >>> from bprop.diagnose import GradientNorms
    >>> gn = GradientNorms([0, 1, 2], np.array([[1e-4, 0.1], [2e-4, 0.05], [3e-4, 0.02]]), [], None)
    >>> len(bprop.plot.gradient_norms(gn).axes[0].lines)
    2
    """
    fig = _figure(figsize=(6, 4))
    ax = fig.add_subplot(1, 1, 1)
    for l in range(norms.norms.shape[1]):
        ax.plot(norms.epochs, norms.norms[:, l], "o-", label=f"Theta{l + 1}")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("||D(l)|| (Frobenius)")
    ax.set_title("gradient norm per layer")
    ax.legend()
    return _finish(fig, save)


__all__ = [
    "learning_curves",
    "hidden_weights",
    "sample_grid",
    "confusion_matrix",
    "learning_curve",
    "validation_curve",
    "gradient_norms",
]
