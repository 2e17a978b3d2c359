// The optimisers' updates, each one pass over a weight matrix, in the same
// arithmetic as bprop.optim's numpy formulas (element by element, in T, each
// constant rounded to T once as numpy does with a Python float): a step taken
// here equals that step taken in Python bit for bit. Built without FMA
// contraction (see CMakeLists.txt), which would change the roundings.
// Each writes the new weights to `out` (theta is not modified), updates its
// own state in place, and returns false when out holds NaN/inf.
#pragma once

#include "network.hpp"

namespace bprop {

enum class OptimizerKind : int { gd = 0, momentum = 1, nesterov = 2, adam = 3 };

// out = theta - lr g
template <class T>
bool gd_step(const T* theta, const T* g, T* out, index_t n, double lr);

// v = mu v - lr g;  out = theta + v
template <class T>
bool momentum_step(const T* theta, const T* g, T* v, T* out, index_t n, double lr, double mu);

// v_old = v;  v = mu v - lr g;  out = theta - mu v_old + (1 + mu) v
template <class T>
bool nesterov_step(const T* theta, const T* g, T* v, T* out, index_t n, double lr, double mu);

// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  out = theta - lr_t m / (sqrt(v) + eps)
// with lr_t the bias-corrected rate lr sqrt(1 - b2^t) / (1 - b1^t). The
// constants arrive in double: 1 - b2 is formed there, since in float
// 1 - 0.999f keeps only 4 correct digits.
template <class T>
bool adam_step(const T* theta, const T* g, T* m, T* v, T* out, index_t n, double lr_t, double b1,
               double b2, double eps);

// Adam's bias-corrected rate at step t (counting from 1), as bprop.optim computes it.
double adam_rate(double lr, double b1, double b2, long long t);

}  // namespace bprop
