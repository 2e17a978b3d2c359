// The two entry points of the core. Both are explicitly instantiated for
// float and double in their .cpp files.
//
// Precision: within a block of kBlock samples, activations, errors and the
// Delta sums run in T; the sums over blocks, the cost and the regularisation
// term run in double, and the final gradient is rounded to T once.
#pragma once

#include "network.hpp"
#include "workspace.hpp"

namespace bprop {

struct CostResult {
  double cost;
  Status status;
  index_t bad_row;  // first row of X with NaN/inf when status is non_finite_input
};

// J = (1/m) sum_i sum_k [softplus(z_ik) - y_ik z_ik] + lambda/(2m) sum ||Theta_l[:, 1:]||^2
// and, when D is non-null, D_l = Delta_l / m + (lambda/m) Theta_l (bias column
// not regularised). With sample weights w the data terms become weighted means
// (sum_i w_i ... / sum_i w_i); the lambda terms are unchanged. D[l] is caller-allocated (rows, cols) row-major.
// ws must come from Workspace(layers, s.m, threads, D != nullptr).
template <class T>
CostResult cost_gradient(const Network<T>& layers, const Samples<T>& s, double lambda,
                         T* const* D, Workspace<T>& ws);

// out (m, K) = a_L for every row of X (m, n); returns the first row of X
// holding NaN/inf, or -1. ws must come from Workspace(layers, m, threads, false).
// Both kernels stop early when stop_requested() (interrupt.hpp) becomes true.
template <class T>
index_t forward(const Network<T>& layers, const T* X, index_t m, index_t n, T* out,
                Workspace<T>& ws);

}  // namespace bprop
