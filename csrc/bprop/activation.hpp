// Sigmoid and softplus written so that no input overflows exp or takes log(0).
#pragma once

#include <algorithm>
#include <cmath>

namespace bprop {

// g(z) = 1 / (1 + e^-z), evaluated on the side where exp cannot overflow.
template <class T>
inline T sigmoid(T z) {
  if (z >= T(0)) return T(1) / (T(1) + std::exp(-z));
  const T e = std::exp(z);
  return e / (T(1) + e);
}

// softplus(z) = log(1 + e^z). The logistic cost of one output is
// -y log g(z) - (1 - y) log(1 - g(z)) = softplus(z) - y z, finite for any z.
inline double softplus(double z) {
  return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

}  // namespace bprop
