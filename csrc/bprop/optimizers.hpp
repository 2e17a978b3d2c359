// The optimisers' updates, each one pass over a weight matrix and written only here:
// bprop.optim's classes step through optimizer_update, and so do whole epochs
// (train_steps). Element by element, in T, each constant rounded to T once (as numpy
// does with a Python float, which the formulas followed when they were also written in
// Python). Built without FMA contraction (see CMakeLists.txt), so that the roundings
// are the same on every compiler and instruction set.
// Each writes the new weights to `out` (theta is not modified), updates its
// own state in place, and returns false when out holds NaN/inf.
#pragma once

#include <cstddef>

#include "network.hpp"

namespace bprop {

// The built-in optimisers, by the codes Python sees (_core.OPTIMIZER_KINDS).
enum class OptimizerKind : int { gd = 0, momentum = 1, nesterov = 2, adam = 3, adamw = 4 };
inline constexpr const char* optimizer_names[] = {"gd", "momentum", "nesterov", "adam", "adamw"};

// An optimiser's rule and hyperparameters: what crosses from Python (_core.OptimizerConfig).
struct OptimizerState {
  OptimizerKind kind = OptimizerKind::gd;
  double learning_rate = 0.0;
  double momentum = 0.0;                       // momentum, nesterov
  double beta1 = 0.0, beta2 = 0.0, eps = 0.0;  // adam, adamw
  long long t = 0;                             // adam, adamw: steps taken so far (updated)
  double weight_decay = 0.0;                   // adamw: the decoupled decay's strength wd
};

// Entries [first, first + n) of one layer's (rows, cols) matrix, row-major with the bias
// in column 0 (entry k is a bias when k % cols == 0): the weights, their gradient, the
// rule's state (s1: the velocity or Adam's m; s2: Adam's v; null when unused) and the
// new weights, each pointing at entry `first`.
template <class T>
struct UpdateSlice {
  const T* theta;
  const T* g;
  T* s1;
  T* s2;
  T* out;
  index_t n;
  index_t first = 0;
  index_t cols = 1;
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

// AdamW (Loshchilov & Hutter, as PyTorch's AdamW): Adam's step on the weights decayed
// by d = lr wd, decoupled from the gradient, on the non-bias entries only (as lambda):
//   out = (theta - d theta) - lr_t m / (sqrt(v) + eps);  a bias: out = theta - lr_t m / (...)
// m and v as Adam's; lr is the (scheduled) learning rate, lr_t Adam's corrected rate.
template <class T>
bool adamw_step(const UpdateSlice<T>& s, double lr_t, double b1, double b2, double eps,
                double decay);

// Adam's bias-corrected rate at step t (counting from 1), as bprop.optim computes it.
double adam_rate(double lr, double b1, double b2, long long t);

// Starts a step of every layer: counts Adam's (and AdamW's) step (opt.t) and returns its
// rate for this step; 0 for the others.
double begin_step(OptimizerState& opt);

// A slice of one layer stepped by opt's rule into s.out (the state updated in place);
// adam_lr from begin_step. False when out is not all finite.
template <class T>
bool optimizer_update(const OptimizerState& opt, double adam_lr, const UpdateSlice<T>& s);

// Gradient clipping by the global norm (as torch.nn.utils.clip_grad_norm_): the L2 norm
// of every layer's gradient together, ||D|| = sqrt(sum_l sum_ij D_l[i, j]^2), bias columns
// included (all of J's gradient), summed in double in a fixed order (layer by layer, four
// running sums over the entries), so the same bits on any thread count. When ||D|| >
// clip_norm (> 0), every entry is multiplied by T(clip_norm / ||D||). D[l] holds n[l]
// entries (finite: the gradient was checked). Returns ||D|| before clipping.
template <class T>
double clip_by_global_norm(T* const* D, const index_t* n, std::size_t L, double clip_norm);

}  // namespace bprop
