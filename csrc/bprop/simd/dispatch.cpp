// Runtime choice of kernels: the widest instruction set the CPU supports,
// unless BPROP_SIMD names another: "baseline" (the portable path), "avx2",
// "avx512", or "wide-avx2" (the AVX-512 source and tiling built for AVX2, for
// tests on machines without AVX-512). One choice for both dtypes, made once at
// first use (the Python package asks at import); a name the CPU cannot run
// falls back to the widest it can (Python warns), and simd_isa() says which.
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
namespace wide_avx2 {
template <class T>
SimdKernels<T> kernels();
}
#endif
#ifdef BPROP_HAVE_AVX512
namespace avx512 {
template <class T>
SimdKernels<T> kernels();
}
#endif

namespace {

bool cpu_has_avx2() {
#ifdef BPROP_HAVE_AVX2
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

bool cpu_has_avx512() {
#ifdef BPROP_HAVE_AVX512
  __builtin_cpu_init();
  return cpu_has_avx2() && __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

bool forced(const char* name) {
  const char* wanted = std::getenv("BPROP_SIMD");
  return wanted != nullptr && std::strcmp(wanted, name) == 0;
}

// The one path for both dtypes, decided once (BPROP_SIMD is read then).
const char* choose() {
  if (forced("baseline")) return "baseline";
  if (cpu_has_avx2()) {
    if (forced("wide-avx2")) return "wide-avx2";
    if (forced("avx2")) return "avx2";
    return cpu_has_avx512() ? "avx512" : "avx2";
  }
  return "baseline";
}

const char* chosen_isa() {
  static const char* const isa = choose();  // thread-safe, decided once
  return isa;
}

}  // namespace

template <class T>
std::optional<SimdKernels<T>> simd_kernels_for(const std::string& isa) {
  if (isa == "baseline") return baseline::kernels<T>();
#ifdef BPROP_HAVE_AVX2
  if (isa == "avx2" && cpu_has_avx2()) return avx2::kernels<T>();
  if (isa == "wide-avx2" && cpu_has_avx2()) return wide_avx2::kernels<T>();
#endif
#ifdef BPROP_HAVE_AVX512
  if (isa == "avx512" && cpu_has_avx512()) return avx512::kernels<T>();
#endif
  return std::nullopt;
}

template <class T>
const SimdKernels<T>& simd_kernels() {
  static const SimdKernels<T> chosen = *simd_kernels_for<T>(chosen_isa());
  return chosen;
}

const char* simd_isa() { return chosen_isa(); }

std::vector<std::string> supported_isas() {
  std::vector<std::string> out{"baseline"};
  if (cpu_has_avx2()) out.insert(out.end(), {"avx2", "wide-avx2"});
  if (cpu_has_avx512()) out.emplace_back("avx512");
  return out;
}

template const SimdKernels<float>& simd_kernels<float>();
template const SimdKernels<double>& simd_kernels<double>();
template std::optional<SimdKernels<float>> simd_kernels_for<float>(const std::string&);
template std::optional<SimdKernels<double>> simd_kernels_for<double>(const std::string&);

}  // namespace bprop
