// The four entry points of the core: cost_gradient, data_sums (its data part, for
// sums over several processes), finish_objective and forward, each explicitly
// instantiated for float and double in a .cpp file (cost_gradient.cpp holds the first
// two). train_steps.hpp runs many cost_gradient steps in one call.
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
// (sum_i w_i ... / sum_i w_i); the lambda terms are unchanged. D[l] is caller-allocated (rows,
// cols) row-major. ws must come from Workspace(layers, s.m, threads, D != nullptr).
template <class T>
CostResult cost_gradient(const Network<T>& layers, const Samples<T>& s, double lambda, T* const* D,
                         Workspace<T>& ws);

// The data part of cost_gradient: cost = sum_i w_i sum_k cost_ik (w_i = 1
// without weights), W = sum_i w_i, and (with_gradient) the unscaled Delta sums
// left in ws.total_grad (num_params, layer after layer). For callers that add
// the sums of several processes before finishing them.
struct DataSums {
  double cost;
  double W;
  Status status;
  index_t bad_row;
};
template <class T>
DataSums data_sums(const Network<T>& layers, const Samples<T>& s, bool with_gradient,
                   Workspace<T>& ws);

// J and D from data sums over m samples (weight sum W): the penalty and the
// gradient finish of cost_gradient, defined once. total_grad may be null when D is.
// The result does not depend on num_threads.
template <class T>
CostResult finish_objective(const Network<T>& layers, double data_sum, const double* total_grad,
                            double W, double m, double lambda, T* const* D, int num_threads = 1);

// out (m, K) = a_L for every row of s's X (m, n) (its targets are not read); returns the first row
// of X holding NaN/inf, or -1. ws must come from Workspace(layers, m, threads, false). data_sums
// (so cost_gradient too) and forward stop early when stop_requested() (interrupt.hpp) becomes true.
template <class T>
index_t forward(const Network<T>& layers, const Samples<T>& s, T* out, Workspace<T>& ws);

}  // namespace bprop
