"""A Network's kind (activation, output) through copies and the constructor: never
shared between copies, never reset by wrapping one Network in another."""

import copy

import numpy as np
import pytest

import bprop


def _net():
    return bprop.Network(bprop.initialize([4, 3, 3, 2], seed=0), ["relu", "tanh"], "softmax")


@pytest.mark.parametrize("how", ["copy.copy", "copy()", "[:]", "deepcopy"])
def test_a_copys_per_layer_activations_are_its_own(how):
    """Trial: c = copy.copy(net); c.activation[0] = "sigmoid" changed net.activation too."""
    net = _net()
    c = {
        "copy.copy": copy.copy,
        "copy()": lambda n: n.copy(),
        "[:]": lambda n: n[:],
        "deepcopy": copy.deepcopy,
    }[how](net)
    c.activation[0] = "sigmoid"
    assert net.activation == ["relu", "tanh"] and c.activation == ["sigmoid", "tanh"]
    assert (c.output, isinstance(c, bprop.Network)) == ("softmax", True)
    if how != "deepcopy":  # shallow copies share the weight arrays, as a list's copy does
        assert all(a is b for a, b in zip(c, net))


def test_wrapping_a_network_keeps_its_kind():
    """Trial: bprop.Network(relu_softmax_net) silently became a sigmoid/logistic network."""
    net = _net()
    X = np.random.default_rng(0).normal(size=(5, 4))
    same = bprop.Network(net)
    assert (same.activation, same.output) == (["relu", "tanh"], "softmax")
    assert same.activation is not net.activation  # its own list
    np.testing.assert_array_equal(bprop.forward(same, X), bprop.forward(net, X))
    # what is given wins, the rest is the Network's own
    assert (bprop.Network(net, "sigmoid").activation, bprop.Network(net, "sigmoid").output) == (
        "sigmoid",
        "softmax",
    )
    assert bprop.Network(net, output="logistic").activation == ["relu", "tanh"]
    # anything else than a Network: the tutorial's kind, as before
    plain = bprop.Network(list(net))
    assert (plain.activation, plain.output) == ("sigmoid", "logistic")
    assert bprop.Network(t for t in net).output == "logistic"
