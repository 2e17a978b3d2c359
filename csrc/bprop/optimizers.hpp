// The optimisers' updates, each one pass over a weight matrix and written only here:
// bprop.optim's classes step through optimizer_update, and so do whole epochs
// (train_steps). Element by element, in T, each constant rounded to T once (as numpy
// does with a Python float, which the formulas followed when they were also written in
// Python). Built without FMA contraction (see CMakeLists.txt), so that the roundings
// are the same on every compiler and instruction set.
// Each writes the new weights to `out` (theta is not modified), updates its
// own state in place, and returns false when out holds NaN/inf.
#pragma once

#include "network.hpp"

namespace bprop {

// The built-in optimisers, by the codes Python sees (_core.OPTIMIZER_KINDS).
enum class OptimizerKind : int { gd = 0, momentum = 1, nesterov = 2, adam = 3 };
inline constexpr const char* optimizer_names[] = {"gd", "momentum", "nesterov", "adam"};

// An optimiser's rule and hyperparameters: what crosses from Python (_core.OptimizerConfig).
struct OptimizerState {
  OptimizerKind kind = OptimizerKind::gd;
  double learning_rate = 0.0;
  double momentum = 0.0;                       // momentum, nesterov
  double beta1 = 0.0, beta2 = 0.0, eps = 0.0;  // adam
  long long t = 0;                             // adam: steps taken so far (updated)
};

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

// Starts a step of every layer: counts Adam's step (opt.t) and returns its rate for this
// step; 0 for the others.
double begin_step(OptimizerState& opt);

// One layer's step by opt's rule into out (n entries; s1: the velocity or Adam's m, s2:
// Adam's v, updated in place); adam_lr from begin_step. False when out is not all finite.
template <class T>
bool optimizer_update(const OptimizerState& opt, double adam_lr, const T* theta, const T* g, T* s1,
                      T* s2, T* out, index_t n);

}  // namespace bprop
