// Reading X one block at a time, converting it when it is not stored in T.
#pragma once

#include <cstdint>
#include <vector>

#include "network.hpp"
#include "simd/simd_kernels.hpp"
#include "workspace.hpp"

namespace bprop {

// Rows r0 .. r0 + nb of X as T: a pointer into X itself when it is stored in
// T, else the rows converted into `buffer` as T(x) * x_scale (numpy's
// X.astype(T) * T(scale), bit for bit: one rounding to T, one product).
template <class T>
inline const T* input_rows(const SimdKernels<T>& simd, const Samples<T>& s, index_t r0,
                           index_t nb, std::vector<T>& buffer) {
  if (s.x_type == InputType::native) return s.X + r0 * s.n;
  if (s.x_type == InputType::csr) return nullptr;  // read as sparse rows (sparse_rows)
  const index_t count = nb * s.n;
  if (buffer.size() < std::size_t(count)) buffer.resize(count);
  const index_t first = r0 * s.n;
  if (s.x_type == InputType::uint8)
    simd.widen_u8(static_cast<const std::uint8_t*>(s.X_raw) + first, buffer.data(), count, s.x_scale);
  else if (s.x_type == InputType::float32)
    simd.widen_f32(static_cast<const float*>(s.X_raw) + first, buffer.data(), count, s.x_scale);
  else
    simd.widen_f64(static_cast<const double*>(s.X_raw) + first, buffer.data(), count, s.x_scale);
  return buffer.data();
}

// The block's rows as CSR, or null when X is dense.
template <class T>
inline const SparseRows<T>* sparse_rows(const Samples<T>& s, index_t r0, SparseRows<T>& out) {
  if (s.x_type != InputType::csr) return nullptr;
  out = {s.indptr + r0, s.indices, s.values};
  return &out;
}

// Where the next block's rows are, to prefetch them: only for X stored in T,
// whose rows the products read directly.
template <class T>
inline const T* next_rows(const Samples<T>& s, index_t r0, index_t nb) {
  if (s.x_type != InputType::native || r0 + kBlock + nb > s.m) return nullptr;
  return s.X + (r0 + kBlock) * s.n;
}

}  // namespace bprop
