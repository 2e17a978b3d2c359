"""Cost, gradient and forward propagation through the C++/OpenMP core.

A network is a list ``thetas`` of weight matrices: ``thetas[l]`` is
``Theta(l+1)`` of shape ``(s_{l+1}, s_l + 1)`` with the bias weights in
column 0. ``X`` is ``(m, n)`` without a bias column. Targets ``y`` are class
labels ``(m,)`` in ``[0, K)`` or a target matrix ``(m, K)`` in ``[0, 1]``
(real values for an identity output).

The output layer and its cost (``output=``), each paired so that the output
error is ``delta_L = a_L - y``:

- ``"logistic"`` (default, the tutorial's): sigmoid outputs, logistic cost
  summed over the K outputs;
- ``"softmax"``: outputs that sum to 1, cross-entropy ``-sum_k y_k log a_k``
  computed with a stable log-sum-exp;
- ``"identity"``: linear outputs, squared error ``(1/2) sum_k (a_k - y_k)^2``
  (regression).

Precision: the thetas' dtype (float32 or float64) decides the dtype of the
computation and of the gradients. Within blocks of 64 samples the sums run in
that dtype; the sums over blocks, the cost and the regularisation term are
accumulated in float64. Results are bit-identical for every thread count.
"""

from __future__ import annotations

from typing import Any, SupportsIndex, overload

import numpy as np

from ._internal import checks
from ._internal.kind import resolve_kind
from ._internal.problem import (
    evaluate,
    forward_prepared,
    labels_from_outputs,
    prepare,
    prepare_inputs,
)


class Network(list):
    """Weight matrices that know what network they belong to.

    A plain ``list`` of ``thetas`` (so everything that takes thetas takes it)
    with two attributes: ``activation`` (the hidden layers', one name or one
    per hidden layer) and ``output`` (the output layer and its cost).
    :func:`bprop.train` and :func:`bprop.load` return one; :func:`cost`,
    :func:`forward`, :func:`predict` and :func:`bprop.save` use its kind
    unless told otherwise, so a ReLU + softmax network is never run as a
    sigmoid one by mistake.

    Copies keep the kind: ``net.copy()``, ``net[:]``, :func:`copy.copy`,
    :func:`copy.deepcopy` and pickling all give a Network with the same
    ``activation`` and ``output`` (``copy()``, ``copy.copy`` and slices share
    the weight arrays, as a list's do, but never a per-layer activation list:
    changing ``c.activation[0]`` leaves ``net`` alone). A slice keeps the kind
    only while it still ends at the output layer, with step 1 (``net[1:]``:
    the layers after the first); any other slice (``net[:-1]``, ``net[::2]``,
    ``net[::-1]``) would be a network of some other kind, so it raises
    ``ValueError`` instead: take ``list(net)`` first for the bare weight
    matrices. ``net + other`` and
    ``net * n`` join or repeat layers as lists do, and give plain lists: no
    longer this network, so they carry no kind (:func:`bprop.save` asks for
    one). In-place list methods (``append``, ``extend``, ``+=``, ``reverse``)
    change the Network itself, which keeps its kind; iterating (also
    ``reversed(net)``) gives the weight matrices themselves.

    Parameters
    ----------
    thetas : iterable of ndarray, or Network
        The weight matrices, ``thetas[l]`` of shape ``(s_{l+1}, s_l + 1)``.
    activation : str or list of str, optional
        The hidden layers' activation. None (the default): the kind of
        ``thetas`` when it is a Network (``Network(relu_softmax_net)`` is a
        ReLU + softmax network too), else "sigmoid".
    output : {"logistic", "softmax", "identity"}, optional
        None (the default): ``thetas``'s own when it is a Network, else
        "logistic".

    Raises
    ------
    ValueError
        For an unknown activation or output; for a slice that leaves out the
        output layer, skips or reorders layers.

    Examples
    --------
    >>> import bprop
    >>> net = bprop.Network(bprop.initialize([2, 3, 2], seed=0), activation="relu",
    ...                     output="softmax")
    >>> len(net), net.activation, net.output
    (2, 'relu', 'softmax')
    >>> net.copy().output, net[1:].activation
    ('softmax', 'relu')
    >>> bprop.Network(net).output
    'softmax'
    """

    def __init__(self, thetas: Any = (), activation: Any = None, output: str | None = None) -> None:
        activation, output = network_kind(
            thetas if isinstance(thetas, Network) else None, activation, output
        )
        super().__init__(thetas)
        self.activation = list(activation) if isinstance(activation, (list, tuple)) else activation
        self.output = output
        names = self.activation if isinstance(self.activation, list) else [self.activation]
        for name in names:
            if not isinstance(name, str) or name not in checks.ACTIVATIONS:
                raise ValueError(
                    f"activation {checks.shown(name)} is not one of {', '.join(checks.ACTIVATIONS)}"
                )
        if not isinstance(output, str) or output not in checks.OUTPUTS:
            raise ValueError(
                f"output {checks.shown(output)} is not one of {', '.join(checks.OUTPUTS)}"
            )

    def __repr__(self) -> str:
        shapes = ", ".join(str(getattr(t, "shape", "?")) for t in self)
        return f"Network([{shapes}], activation={self.activation!r}, output={self.output!r})"

    def copy(self) -> Network:
        """A shallow copy (the same weight arrays) with the same kind (its own
        per-layer activation list).

        Returns
        -------
        Network
            A new list holding the same arrays, with the same ``activation`` and
            ``output``; ``copy.copy`` returns the same.

        Examples
        --------
        >>> import bprop
        >>> net = bprop.Network(bprop.initialize([4, 3, 2], seed=0), "tanh", "softmax")
        >>> twin = net.copy()
        >>> twin is net, twin[0] is net[0], twin.activation, twin.output
        (False, True, 'tanh', 'softmax')
        """
        return self[:]

    def __copy__(self) -> Network:
        # copy.copy would otherwise share the attributes themselves, a per-layer
        # activation list included: changing the copy's would change this one's
        return self.copy()

    @overload
    def __getitem__(self, index: SupportsIndex) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> Network: ...

    def __getitem__(self, index: SupportsIndex | slice) -> Any:
        """``net[l]`` is ``Theta(l+1)``; a slice that ends at the output layer with
        step 1 is a Network of the same kind; other slices raise ``ValueError``."""
        if not isinstance(index, slice):
            return super().__getitem__(index)
        start, stop, step = index.indices(len(self))
        shown = (
            f"net[{'' if index.start is None else index.start}:"
            f"{'' if index.stop is None else index.stop}"
            f"{'' if index.step is None else f':{index.step}'}]"
        )
        if step != 1:
            raise ValueError(
                f"{shown} skips or reorders layers: the result would not be one "
                f"network of this kind; take list(net){shown[3:]} for the weight "
                f"matrices themselves"
            )
        if stop != len(self):
            raise ValueError(
                f"{shown} leaves out the output layer, so it would no longer be a "
                f"network with output {self.output!r}; take list(net){shown[3:]} "
                f"for the weight matrices themselves"
            )
        if start >= stop and len(self):
            raise ValueError(f"{shown} holds no layers: an empty network has no kind")
        activation = (
            self.activation[start:] if isinstance(self.activation, list) else self.activation
        )
        return Network(super().__getitem__(index), activation, self.output)


def network_kind(thetas: Any, activation: Any = None, output: Any = None) -> tuple[Any, str]:
    """(activation, output): the ones given, else the Network's own, else the
    tutorial's sigmoid hidden layers and logistic output."""
    if activation is None:
        activation = getattr(thetas, "activation", "sigmoid")
    if output is None:
        output = getattr(thetas, "output", "logistic")
    return activation, output


def cost(
    thetas: Any,
    X: Any,
    y: Any,
    lambda_: float = 0.0,
    *,
    num_threads: int | None = None,
    sample_weight: Any = None,
    activation: Any = None,
    output: str | None = None,
    x_scale: float | None = None,
) -> float:
    """Regularised cost J(Theta); by default the tutorial's logistic cost.

    ``J = (1/m) sum_i sum_k [-y_ik log h_ik - (1 - y_ik) log(1 - h_ik)]
    + lambda_/(2m) sum_l sum ||Theta_l[:, 1:]||^2``, computed from z with a
    stable log-sigmoid, so saturated outputs never give log(0). With
    ``output="softmax"`` or ``"identity"`` the data term is the cross-entropy or
    the squared error (see the module docstring); the lambda term is the same.

    Parameters
    ----------
    thetas : list of ndarray
        ``thetas[l]`` has shape ``(s_{l+1}, s_l + 1)``, bias in column 0;
        float32 or float64, all the same dtype.
    X : array_like, shape (m, n)
        Inputs, one sample per row, without a bias column; ``n = s_1``.
        ``uint8`` (raw pixels), and ``float32`` under float64 weights, are
        read as they are and converted one block at a time (the same bits as
        ``X.astype(dtype) * x_scale``, without a converted copy of X).
    y : array_like, shape (m,) or (m, K)
        Class labels in ``[0, K)``, or one-hot targets in ``[0, 1]``.
    lambda_ : float, default 0.0
        Regularisation strength (>= 0); the bias column is not regularised.
    num_threads : int, optional
        Threads for this call; ``None`` uses :func:`bprop.get_num_threads`,
        ``-1`` all cores.
    sample_weight : array_like, shape (m,), optional
        Non-negative weights: the data term becomes the weighted mean
        ``sum_i w_i cost_i / sum_i w_i`` (and the gradient likewise); the
        ``lambda_/(2m)`` term keeps its meaning. Integer weights act like
        repeated samples, up to that term's m.
    activation : {"sigmoid", "tanh", "relu", "leaky_relu"} or list of them, optional
        The hidden layers' activation (one name, or one per hidden layer).
        Default: a :class:`Network`'s own, else "sigmoid".
    output : {"logistic", "softmax", "identity"}, optional
        The output layer and its cost: sigmoid + logistic cost, softmax +
        cross-entropy, or identity + squared error (regression; y real,
        shape (m, K) or (m,) when K = 1). Default: a :class:`Network`'s own,
        else "logistic".
    x_scale : float, optional
        Factor applied to X as the core reads it (finite, > 0). Default:
        ``1/255`` for ``uint8`` X (pixels to [0, 1], as the loaders scale
        them), 1 for anything else; pass ``x_scale=1`` to use uint8 values as
        they are.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        Naming the argument, the layer and the expected versus actual size: NaN
        or inf in ``X``, ``y`` or the weights (with row and column), matrices
        that do not chain, ``X`` with the wrong number of columns, ``y`` of the
        wrong length, labels outside ``[0, K)``, targets outside ``[0, 1]``,
        negative ``lambda_``, an unknown ``activation`` or ``output``.
    TypeError
        For non-numeric ``X`` or ``y``.
    FloatingPointError
        When the weights are so large that the cost overflows.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> thetas = bprop.initialize([2, 3, 2], method="debug")
    >>> X = np.array([[0.5, -1.0], [1.0, 2.0]])
    >>> round(bprop.cost(thetas, X, [0, 1]), 6)
    1.387559
    """
    t = checks.check_thetas(thetas)
    kind = resolve_kind(t, *network_kind(thetas, activation, output))
    problem = prepare(t, X, y, lambda_, num_threads, sample_weight, kind, x_scale)
    return evaluate(t, problem, False)[0]


def cost_and_gradient(
    thetas: Any,
    X: Any,
    y: Any,
    lambda_: float = 0.0,
    *,
    num_threads: int | None = None,
    sample_weight: Any = None,
    activation: Any = None,
    output: str | None = None,
    x_scale: float | None = None,
) -> tuple[float, list[np.ndarray]]:
    """Cost J and its gradient by backpropagation (the C++/OpenMP path).

    For each sample: forward ``a_{l+1} = g(Theta_l [1; a_l])``; backward
    ``delta_L = a_L - y`` (for every ``output``), ``delta_l = (Theta_l^T delta_{l+1})
    .* g'(z_l)`` (``a_l (1 - a_l)`` for the sigmoid);
    accumulate ``Delta_l += delta_{l+1} [1; a_l]^T``. Then
    ``D_l = Delta_l / m + (lambda_/m) Theta_l`` with the bias column unregularised.

    Parameters
    ----------
    thetas, X, y, lambda_, num_threads, sample_weight, activation, output, x_scale
        As in :func:`cost`.

    Returns
    -------
    J : float
    grads : list of ndarray
        ``grads[l]`` has the shape and dtype of ``thetas[l]``.

    Raises
    ------
    ValueError, TypeError, FloatingPointError
        As in :func:`cost`.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> thetas = bprop.initialize([2, 3, 2], method="debug")
    >>> J, grads = bprop.cost_and_gradient(thetas, np.array([[0.5, -1.0]]), [1])
    >>> [g.shape for g in grads]
    [(3, 3), (2, 4)]
    """
    t = checks.check_thetas(thetas)
    kind = resolve_kind(t, *network_kind(thetas, activation, output))
    problem = prepare(t, X, y, lambda_, num_threads, sample_weight, kind, x_scale)
    J, grads = evaluate(t, problem, True)
    assert grads is not None
    return J, grads


def forward(
    thetas: Any,
    X: Any,
    *,
    num_threads: int | None = None,
    activation: Any = None,
    output: str | None = None,
    x_scale: float | None = None,
) -> np.ndarray:
    """Forward propagation: the network's outputs ``h_Theta(x)`` for every row.

    Parameters
    ----------
    thetas : list of ndarray
        As in :func:`cost`.
    X : array_like, shape (m, n)
    num_threads : int, optional
    activation : str or list of str, optional
    output : {"logistic", "softmax", "identity"}, optional
        As in :func:`cost` (default: a :class:`Network`'s own kind).
    x_scale : float, optional
        As in :func:`cost` (default 1/255 for uint8 X, else 1).

    Returns
    -------
    ndarray, shape (m, K)
        Output activations in the thetas' dtype: in ``(0, 1)`` for "logistic",
        rows summing to 1 for "softmax", real values for "identity".

    Raises
    ------
    ValueError
        For NaN or inf in ``X`` or the weights, ``X`` with the wrong number of
        columns, matrices that do not chain, an unknown ``activation`` or
        ``output``.
    FloatingPointError
        When the weights are so large that the outputs are NaN.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> thetas = bprop.initialize([2, 3, 2], method="debug")
    >>> bprop.forward(thetas, np.array([[0.5, -1.0], [1.0, 2.0]])).round(4)
    array([[0.5192, 0.5221],
           [0.5183, 0.5216]])
    """
    t = checks.check_thetas(thetas)
    kind = resolve_kind(t, *network_kind(thetas, activation, output))
    return forward_prepared(t, prepare_inputs(t, X, num_threads, kind, x_scale))


def predict(
    thetas: Any,
    X: Any,
    *,
    num_threads: int | None = None,
    activation: Any = None,
    output: str | None = None,
    x_scale: float | None = None,
) -> np.ndarray:
    """Predicted class labels, shape (m,), int64.

    The index of the largest output; with a single output unit, 1 where the
    output is >= 0.5 and 0 elsewhere. For ``output="identity"`` (regression)
    the predictions are the outputs themselves, shape (m, K).

    Parameters
    ----------
    thetas, X, num_threads, activation, output, x_scale
        As in :func:`forward`.

    Returns
    -------
    ndarray, shape (m,) (int64), or (m, K) for ``output="identity"``

    Raises
    ------
    ValueError, FloatingPointError
        As in :func:`forward`.

    Examples
    --------
    >>> import numpy as np, bprop
    >>> thetas = bprop.initialize([2, 3, 2], method="debug")
    >>> bprop.predict(thetas, np.array([[0.5, -1.0], [1.0, 2.0]]))
    array([1, 1])
    """
    activation, output = network_kind(thetas, activation, output)
    h = forward(
        thetas, X, num_threads=num_threads, activation=activation, output=output, x_scale=x_scale
    )
    return labels_from_outputs(h, checks.OUTPUTS[output])
