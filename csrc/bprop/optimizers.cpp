#include "optimizers.hpp"

#include <algorithm>
#include <cmath>

#include "block.hpp"

namespace bprop {

// No reduction in these loops, and sqrt without errno (this file is built with
// -fno-math-errno): the compiler vectorises them. The results are IEEE either way.

template <class T>
bool gd_step(const T* theta, const T* g, T* out, index_t n, double lr) {
  const T rate = T(lr);
  for (index_t i = 0; i < n; ++i) out[i] = theta[i] - rate * g[i];
  return all_finite(out, n);
}

template <class T>
bool momentum_step(const T* theta, const T* g, T* v, T* out, index_t n, double lr, double mu) {
  const T rate = T(lr), M = T(mu);
  for (index_t i = 0; i < n; ++i) {
    v[i] = M * v[i] - rate * g[i];
    out[i] = theta[i] + v[i];
  }
  return all_finite(out, n);
}

template <class T>
bool nesterov_step(const T* theta, const T* g, T* v, T* out, index_t n, double lr, double mu) {
  const T rate = T(lr), M = T(mu), M1 = T(1.0 + mu);
  for (index_t i = 0; i < n; ++i) {
    const T old = v[i];
    v[i] = M * old - rate * g[i];
    out[i] = (theta[i] - M * old) + M1 * v[i];
  }
  return all_finite(out, n);
}

template <class T>
bool adam_step(const T* theta, const T* g, T* m, T* v, T* out, index_t n, double lr_t, double b1,
               double b2, double eps) {
  const T B1 = T(b1), B2 = T(b2), c1 = T(1.0 - b1), c2 = T(1.0 - b2), rate = T(lr_t), e = T(eps);
  for (index_t i = 0; i < n; ++i) {
    m[i] = B1 * m[i] + c1 * g[i];
    v[i] = B2 * v[i] + c2 * (g[i] * g[i]);
    out[i] = theta[i] - rate * (m[i] / (std::sqrt(v[i]) + e));
  }
  return all_finite(out, n);
}

template <class T>
bool adamw_step(const UpdateSlice<T>& s, double lr_t, double b1, double b2, double eps,
                double decay) {
  const T B1 = T(b1), B2 = T(b2), c1 = T(1.0 - b1), c2 = T(1.0 - b2), rate = T(lr_t), e = T(eps);
  const T d = T(decay);
  const T* theta = s.theta;
  const T* g = s.g;
  T *m = s.s1, *v = s.s2, *out = s.out;
  // Adam's move of entry i (its moments updated), as adam_step writes it.
  auto move = [&](index_t i) {
    m[i] = B1 * m[i] + c1 * g[i];
    v[i] = B2 * v[i] + c2 * (g[i] * g[i]);
    return rate * (m[i] / (std::sqrt(v[i]) + e));
  };
  // Row by row: a row's bias (column 0) is not decayed, its other entries are.
  for (index_t i = 0; i < s.n;) {
    const index_t col = (s.first + i) % s.cols;
    const index_t row_end = std::min(s.n, i + (s.cols - col));
    if (col == 0) {
      out[i] = theta[i] - move(i);
      ++i;
    }
    for (; i < row_end; ++i) out[i] = (theta[i] - d * theta[i]) - move(i);
  }
  return all_finite(out, s.n);
}

double adam_rate(double lr, double b1, double b2, long long t) {
  // Python's float ** int is C's pow; the order of operations is optim.Adam's.
  return lr * std::sqrt(1.0 - std::pow(b2, double(t))) / (1.0 - std::pow(b1, double(t)));
}

double begin_step(OptimizerState& opt) {
  if (opt.kind != OptimizerKind::adam && opt.kind != OptimizerKind::adamw) return 0.0;
  ++opt.t;
  return adam_rate(opt.learning_rate, opt.beta1, opt.beta2, opt.t);
}

template <class T>
bool optimizer_update(const OptimizerState& opt, double adam_lr, const UpdateSlice<T>& s) {
  switch (opt.kind) {
    case OptimizerKind::gd:
      return gd_step(s.theta, s.g, s.out, s.n, opt.learning_rate);
    case OptimizerKind::momentum:
      return momentum_step(s.theta, s.g, s.s1, s.out, s.n, opt.learning_rate, opt.momentum);
    case OptimizerKind::nesterov:
      return nesterov_step(s.theta, s.g, s.s1, s.out, s.n, opt.learning_rate, opt.momentum);
    case OptimizerKind::adam:
      return adam_step(s.theta, s.g, s.s1, s.s2, s.out, s.n, adam_lr, opt.beta1, opt.beta2,
                       opt.eps);
    case OptimizerKind::adamw:
      return adamw_step(s, adam_lr, opt.beta1, opt.beta2, opt.eps,
                        opt.learning_rate * opt.weight_decay);
  }
  return false;
}

template <class T>
double clip_by_global_norm(T* const* D, const index_t* n, std::size_t L, double clip_norm) {
  double part[4] = {0.0, 0.0, 0.0, 0.0};
  for (std::size_t l = 0; l < L; ++l) {
    const T* g = D[l];
    index_t i = 0;
    for (; i + 4 <= n[l]; i += 4)
      for (int q = 0; q < 4; ++q) part[q] += double(g[i + q]) * double(g[i + q]);
    for (; i < n[l]; ++i) part[0] += double(g[i]) * double(g[i]);
  }
  double norm = std::sqrt((part[0] + part[1]) + (part[2] + part[3]));
  if (std::isinf(norm)) {  // squares past double's range (huge float64 entries): scale first
    double largest = 0.0, sum = 0.0;
    for (std::size_t l = 0; l < L; ++l)
      for (index_t i = 0; i < n[l]; ++i) largest = std::max(largest, std::abs(double(D[l][i])));
    for (std::size_t l = 0; l < L; ++l)
      for (index_t i = 0; i < n[l]; ++i) {
        const double x = double(D[l][i]) / largest;
        sum += x * x;
      }
    norm = largest * std::sqrt(sum);
  }
  if (clip_norm > 0.0 && norm > clip_norm) {
    const T factor = T(clip_norm / norm);
    for (std::size_t l = 0; l < L; ++l)
      for (index_t i = 0; i < n[l]; ++i) D[l][i] *= factor;
  }
  return norm;
}

#define BPROP_OPTIMIZERS(T)                                                                   \
  template bool gd_step<T>(const T*, const T*, T*, index_t, double);                          \
  template bool momentum_step<T>(const T*, const T*, T*, T*, index_t, double, double);        \
  template bool nesterov_step<T>(const T*, const T*, T*, T*, index_t, double, double);        \
  template bool adam_step<T>(const T*, const T*, T*, T*, T*, index_t, double, double, double, \
                             double);                                                         \
  template bool adamw_step<T>(const UpdateSlice<T>&, double, double, double, double, double); \
  template bool optimizer_update<T>(const OptimizerState&, double, const UpdateSlice<T>&);    \
  template double clip_by_global_norm<T>(T* const*, const index_t*, std::size_t, double);
BPROP_OPTIMIZERS(float)
BPROP_OPTIMIZERS(double)
#undef BPROP_OPTIMIZERS

}  // namespace bprop
