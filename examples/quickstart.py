"""Prove the gradient right, then train a small network by gradient descent.

Run: python examples/quickstart.py
"""

import numpy as np

import bprop

# 1. Gradient check on a small network with the course's debug weights.
thetas = bprop.initialize([3, 5, 3], method="debug")
X = bprop.init.debug_matrix(2, 5)
y = np.arange(1, 6) % 3
print(bprop.gradient_check(thetas, X, y, lambda_=3.0))

# 2. Train 2-8-3 on three Gaussian blobs with plain full-batch gradient descent.
rng = np.random.default_rng(0)
centres = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
y = rng.integers(0, 3, size=600)
X = centres[y] + rng.normal(size=(600, 2))
thetas = bprop.initialize([2, 8, 3], seed=0)
J_history = []
for _ in range(500):
    J, grads = bprop.cost_and_gradient(thetas, X, y, lambda_=0.1)
    J_history.append(J)
    thetas = [t - 2.0 * g for t, g in zip(thetas, grads)]
accuracy = np.mean(bprop.predict(thetas, X) == y)
print(
    f"cost {J_history[0]:.4f} -> {J_history[-1]:.4f} after {len(J_history)} steps; "
    f"training accuracy {accuracy:.3f}"
)
