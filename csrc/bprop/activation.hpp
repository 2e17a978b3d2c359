// softplus, written so that no input overflows exp or takes log(0). The
// vectorised sigmoid lives with the SIMD kernels (simd/gemm_kernels.inc).
#pragma once

#include <algorithm>
#include <cmath>

namespace bprop {

// softplus(z) = log(1 + e^z). The logistic cost of one output is
// -y log g(z) - (1 - y) log(1 - g(z)) = softplus(z) - y z, finite for any z.
inline double softplus(double z) {
  return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

}  // namespace bprop
