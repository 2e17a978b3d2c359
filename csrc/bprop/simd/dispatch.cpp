// Runtime choice of kernels: the widest instruction set the CPU supports,
// unless BPROP_SIMD names another ("baseline" forces the portable path).
#include <cstdlib>
#include <cstring>

#include "simd_kernels.hpp"

namespace bprop {

namespace baseline {
template <class T>
SimdKernels<T> kernels();
}
#ifdef BPROP_HAVE_AVX2
namespace avx2 {
template <class T>
SimdKernels<T> kernels();
}
#endif

namespace {

bool use_avx2() {
#ifdef BPROP_HAVE_AVX2
  const char* forced = std::getenv("BPROP_SIMD");
  if (forced != nullptr && std::strcmp(forced, "baseline") == 0) return false;
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

template <class T>
SimdKernels<T> choose() {
#ifdef BPROP_HAVE_AVX2
  if (use_avx2()) return avx2::kernels<T>();
#endif
  return baseline::kernels<T>();
}

}  // namespace

template <class T>
const SimdKernels<T>& simd_kernels() {
  static const SimdKernels<T> chosen = choose<T>();  // thread-safe, decided once
  return chosen;
}

const char* simd_isa() { return simd_kernels<double>().isa; }

template const SimdKernels<float>& simd_kernels<float>();
template const SimdKernels<double>& simd_kernels<double>();

}  // namespace bprop
