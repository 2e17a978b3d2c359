// Reading X one block at a time, converting it when it is not stored in T.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "network.hpp"
#include "simd/simd_kernels.hpp"
#include "workspace.hpp"

namespace bprop {

// `count` values of a dense X from value `first` on, as T, into `out`: copied
// when X is stored in T, else T(x) * x_scale (numpy's X.astype(T) * T(scale), bit
// for bit: one rounding to T, one product).
template <class T>
inline void read_values(const SimdKernels<T>& simd, const Samples<T>& s, index_t first,
                        index_t count, T* out) {
  switch (s.x_type) {
    case InputType::native:
      std::memcpy(out, s.X + first, sizeof(T) * count);
      break;
    case InputType::uint8:
      simd.widen_u8(static_cast<const std::uint8_t*>(s.X_raw) + first, out, count, s.x_scale);
      break;
    case InputType::float32:
      simd.widen_f32(static_cast<const float*>(s.X_raw) + first, out, count, s.x_scale);
      break;
    case InputType::float64:
      simd.widen_f64(static_cast<const double*>(s.X_raw) + first, out, count, s.x_scale);
      break;
    case InputType::csr:
      break;  // never dense: read as sparse rows
  }
}

// Rows r0 .. r0 + nb of X as T: a pointer into X itself when it is stored in
// T, else the rows converted into `buffer` from its row `at` on (read_values);
// null for CSR X.
template <class T>
inline const T* input_rows(const SimdKernels<T>& simd, const Samples<T>& s, index_t r0, index_t nb,
                           std::vector<T>& buffer, index_t at = 0) {
  if (s.x_type == InputType::native) return s.X + r0 * s.n;
  if (s.x_type == InputType::csr) return nullptr;  // read as sparse rows (sparse_rows)
  const index_t count = nb * s.n;
  if (buffer.size() < std::size_t((at + nb) * s.n)) buffer.resize((at + nb) * s.n);
  read_values(simd, s, r0 * s.n, count, buffer.data() + at * s.n);
  return buffer.data() + at * s.n;
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
