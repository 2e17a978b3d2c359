"""The tutorial's worked example and formulas, through the reference functions."""

import numpy as np
import pytest

import bprop
from bprop import reference


def test_worked_example_deltas():
    # x = [1, 0.5] (bias included), a2 = [1, 0.6, 0.7], a3 = 0.8, y = 1, Theta2 = [0.5, 0.8, 0.9]
    a2 = np.array([1.0, 0.6, 0.7])
    theta2 = np.array([[0.5, 0.8, 0.9]])
    delta3 = reference.output_delta(np.array([0.8]), np.array([1.0]))
    np.testing.assert_allclose(delta3, [-0.2])
    delta2 = reference.hidden_delta(theta2, delta3, a2)
    np.testing.assert_allclose(delta2, [-0.0384, -0.0378], rtol=1e-12)
    # The gradient contribution of this sample to Theta2: delta3 a2^T.
    np.testing.assert_allclose(np.outer(delta3, a2), [[-0.2, -0.12, -0.14]], rtol=1e-12)


def test_sigmoid_gradient_values():
    z = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    expected = [0.196611933241482, 0.235003712201594, 0.25, 0.235003712201594, 0.196611933241482]
    np.testing.assert_allclose(reference.sigmoid_gradient(z), expected, rtol=1e-14)
    assert reference.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(reference.sigmoid([-800.0, 800.0]), [0.0, 1.0])


def test_debug_initialisation_layout():
    # sin(1..n)/10 filled column by column, as the course's debugInitializeWeights.
    t = bprop.initialize([2, 3], method="debug")[0]
    assert t.shape == (3, 3)
    np.testing.assert_allclose(t[:, 0], np.sin([1, 2, 3]) / 10)
    np.testing.assert_allclose(t[0, :], np.sin([1, 4, 7]) / 10)


def test_core_reproduces_hand_computed_gradient():
    # One sample through a 1-2-1 network computed by hand from the formulas.
    t1 = np.array([[0.1, 0.3], [-0.2, 0.4]])
    t2 = np.array([[0.5, 0.8, 0.9]])
    x, y = 0.5, 1.0

    def g(z):
        return 1 / (1 + np.exp(-z))

    a2 = g(t1 @ [1.0, x])
    a3 = g(t2 @ np.concatenate([[1.0], a2]))[0]
    d3 = a3 - y
    d2 = t2[0, 1:] * d3 * a2 * (1 - a2)
    J, grads = bprop.cost_and_gradient([t1, t2], [[x]], [y])
    assert J == pytest.approx(-np.log(a3), rel=1e-14)
    np.testing.assert_allclose(grads[1], [[d3, d3 * a2[0], d3 * a2[1]]], rtol=1e-14)
    np.testing.assert_allclose(grads[0], np.outer(d2, [1.0, x]), rtol=1e-14)
