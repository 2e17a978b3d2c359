#include "optimizers.hpp"

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

double adam_rate(double lr, double b1, double b2, long long t) {
  // Python's float ** int is C's pow; the order of operations is optim.Adam's.
  return lr * std::sqrt(1.0 - std::pow(b2, double(t))) / (1.0 - std::pow(b1, double(t)));
}

double begin_step(OptimizerState& opt) {
  if (opt.kind != OptimizerKind::adam) return 0.0;
  ++opt.t;
  return adam_rate(opt.learning_rate, opt.beta1, opt.beta2, opt.t);
}

template <class T>
bool optimizer_update(const OptimizerState& opt, double adam_lr, const T* theta, const T* g, T* s1,
                      T* s2, T* out, index_t n) {
  switch (opt.kind) {
    case OptimizerKind::gd:
      return gd_step(theta, g, out, n, opt.learning_rate);
    case OptimizerKind::momentum:
      return momentum_step(theta, g, s1, out, n, opt.learning_rate, opt.momentum);
    case OptimizerKind::nesterov:
      return nesterov_step(theta, g, s1, out, n, opt.learning_rate, opt.momentum);
    case OptimizerKind::adam:
      return adam_step(theta, g, s1, s2, out, n, adam_lr, opt.beta1, opt.beta2, opt.eps);
  }
  return false;
}

#define BPROP_OPTIMIZERS(T)                                                                        \
  template bool gd_step<T>(const T*, const T*, T*, index_t, double);                               \
  template bool momentum_step<T>(const T*, const T*, T*, T*, index_t, double, double);             \
  template bool nesterov_step<T>(const T*, const T*, T*, T*, index_t, double, double);             \
  template bool adam_step<T>(const T*, const T*, T*, T*, T*, index_t, double, double, double,      \
                             double);                                                              \
  template bool optimizer_update<T>(const OptimizerState&, double, const T*, const T*, T*, T*, T*, \
                                    index_t);
BPROP_OPTIMIZERS(float)
BPROP_OPTIMIZERS(double)
#undef BPROP_OPTIMIZERS

}  // namespace bprop
