#include "adam.hpp"

#include <cmath>

#include "block.hpp"

namespace bprop {

template <class T>
bool adam_step(const T* theta, const T* g, T* m, T* v, T* out, index_t n, double lr_t,
               double b1, double b2, double eps) {
  const T B1 = T(b1), B2 = T(b2), c1 = T(1.0 - b1), c2 = T(1.0 - b2), rate = T(lr_t), e = T(eps);
  // No reduction in this loop, and sqrt without errno (this file is built with
  // -fno-math-errno): the compiler vectorises it. The results are IEEE either way.
  for (index_t i = 0; i < n; ++i) {
    m[i] = B1 * m[i] + c1 * g[i];
    v[i] = B2 * v[i] + c2 * (g[i] * g[i]);
    out[i] = theta[i] - rate * (m[i] / (std::sqrt(v[i]) + e));
  }
  return all_finite(out, n);
}

template bool adam_step<float>(const float*, const float*, float*, float*, float*, index_t,
                               double, double, double, double);
template bool adam_step<double>(const double*, const double*, double*, double*, double*, index_t,
                                double, double, double, double);

}  // namespace bprop
