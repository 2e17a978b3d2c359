// The small matrix-product kernels, the vectorised sigmoid and the logistic cost that the block
// passes are built from, in one version per instruction set, chosen at run
// time (see dispatch.cpp).
//
// Each version is compiled from simd_kernels.inc in its own translation unit
// with its own -m flags, inside its own namespace, so that no inline function
// compiled for AVX2 can be picked by the linker for the baseline path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../network.hpp"

namespace bprop {

// Panel columns come in multiples of one 64-byte vector of T (the widest path's)
// for pack_panel; buffers sized with it hold any path's strips (pack_strips).
template <class T>
constexpr index_t kPanelWidth = 64 / sizeof(T);

inline index_t panel_columns(index_t n, index_t width) { return (n + width - 1) / width * width; }

// panel (cols - 1, panel_columns(rows)) = Theta[:, 1:]^T, zero beyond column
// rows, row k at panel + k * panel_columns(rows) (sparse inputs add whole rows);
// panel rows k0 .. k1 only when given (to share the packing out).
template <class T>
void pack_panel(const T* theta, index_t rows, index_t cols, T* panel, index_t k0 = 0,
                index_t k1 = -1) {
  const index_t width = panel_columns(rows, kPanelWidth<T>);
  if (k1 < 0) k1 = cols - 1;
  for (index_t k = k0; k < k1; ++k) {
    T* out = panel + k * width;
    for (index_t j = 0; j < rows; ++j) out[j] = theta[j * cols + 1 + k];
    for (index_t j = rows; j < width; ++j) out[j] = T(0);
  }
}

// Theta[:, 1:]^T (cols - 1, panel_columns(rows, lanes)), zero beyond column
// rows, in column strips of `strip` columns (the last one narrower), each
// strip's K = cols - 1 rows contiguous: element (k, j) of the strip starting at
// column s0 (width w) is at panel[s0 * K + k * w + j - s0]. The forward product
// reads one strip from front to back per tile row, as one stream (nn). Padded
// to whole vectors of the path (`lanes`), not to 64 bytes: 784-25 in float64
// on AVX2 computes 28 columns, not 32.
template <class T>
void pack_strips(const T* theta, index_t rows, index_t cols, T* panel, index_t strip, index_t lanes,
                 index_t k0 = 0, index_t k1 = -1) {
  const index_t width = panel_columns(rows, lanes);
  const index_t K = cols - 1;
  if (k1 < 0) k1 = K;
  for (index_t s0 = 0; s0 < width; s0 += strip) {
    const index_t w = width - s0 < strip ? width - s0 : strip;
    for (index_t k = k0; k < k1; ++k) {
      T* out = panel + s0 * K + k * w;
      for (index_t j = 0; j < w; ++j)
        out[j] = s0 + j < rows ? theta[(s0 + j) * cols + 1 + k] : T(0);
    }
  }
}

template <class T>
struct SimdKernels {
  const char* isa;
  // Whether the forward product runs as nn over packed panels (else nt).
  bool packed_forward;
  // Columns per strip of nn's panel and per vector (pack_strips).
  index_t panel_strip;
  index_t lanes;
  // C[i][j] = sum_k A[i*lda + k] * B[j*ldb + k]; C is (M, N) with row stride ldc.
  // `ahead` (or null): M rows to prefetch while computing, e.g. the next block of X.
  void (*nt)(index_t M, index_t N, index_t K, const T* A, index_t lda, const T* B, index_t ldb,
             T* C, index_t ldc, const T* ahead);
  // C[i][j] = sum_k A[i*lda + k] * B(k, j), each a running sum over k in order
  // from 0; C is (M, N) with row stride ldc, B a panel (K, N) in strips of
  // panel_strip columns (pack_strips) whose N is a multiple of `lanes`.
  // `ahead` (or null): M rows to prefetch while computing, e.g. the next block of X.
  void (*nn)(index_t M, index_t N, index_t K, const T* A, index_t lda, const T* B, T* C,
             index_t ldc, const T* ahead);
  // C[i][k] (+)= sum_r A[i*a_i + r*a_r] * B[r*ldb + k]; C is (M, N) with row stride
  // ldc. With `overwrite` C is set, not added to (no need to zero it first). With
  // depth > 0 the sum over r runs in parts of `depth`, each part's sum added to C
  // in order: the same bits as one call per part, with C read once per call.
  void (*acc)(index_t M, index_t N, index_t R, const T* A, index_t a_i, index_t a_r, const T* B,
              index_t ldb, T* C, index_t ldc, bool overwrite, index_t depth);
  // a[i] = 1 / (1 + e^-z[i]) for i < n, without overflow; NaN stays NaN. a may be z.
  void (*sigmoid)(const T* z, T* a, index_t n);
  // sum_i log(1 + e^z[i]) for i < n, in double, stable for any z.
  double (*softplus_sum)(const T* z, index_t n);
  // out[i] = T(x[i]) * scale for i < n: inputs stored as uint8, float or T,
  // read as T (one rounding to T, one product: numpy's X.astype(T) * scale).
  void (*widen_u8)(const std::uint8_t* x, T* out, index_t n, T scale);
  void (*widen_f32)(const float* x, T* out, index_t n, T scale);
  void (*widen_f64)(const double* x, T* out, index_t n, T scale);
  // Sparse inputs, a row's `count` nonzeros (indices[p], values[p]) at a time:
  // out[j] = sum_p values[p] * rows[indices[p] * n + j] for j < n (a multiple of
  // `lanes`; the first layer's forward over a packed panel), and
  // out[indices[p] * n + j] += values[p] * d[j] for j < n (its transposed Delta).
  void (*gather_rows)(index_t n, index_t count, const std::int64_t* indices, const T* values,
                      const T* rows, T* out);
  void (*scatter_rows)(index_t n, index_t count, const std::int64_t* indices, const T* values,
                       const T* d, T* out);
};

// The kernels for this CPU, or those named by BPROP_SIMD ("baseline", "avx2",
// "avx512", "wide-avx2").
template <class T>
const SimdKernels<T>& simd_kernels();

// Name of the path in use ("avx512", "avx2", "wide-avx2" or "baseline").
const char* simd_isa();

// The paths this build can run on this CPU (BPROP_SIMD values).
std::vector<std::string> supported_isas();

// The kernels of one named path, or nothing when this build or CPU cannot run
// it: for tests that exercise every path in one process.
template <class T>
std::optional<SimdKernels<T>> simd_kernels_for(const std::string& isa);

}  // namespace bprop
