// Views of a network and a sample set, as the kernels see them.
// Kernels never own these buffers: the caller keeps them alive for the call.
#pragma once

#include <cstdint>
#include <vector>

#include "activations.hpp"

namespace bprop {

// 64-bit indices everywhere (index_t, in activations.hpp): m * n passes 2^31 on
// real data sets.

// Theta_l is (rows, cols) = (s_{l+1}, s_l + 1), row-major, bias in column 0;
// `activation` is applied to the units it computes.
template <class T>
struct LayerView {
  const T* theta;
  index_t rows;
  index_t cols;
  Activation activation = Activation::sigmoid;
  // Theta[:, 1:]^T packed for the forward product (with_panels: in strips, or
  // by rows for a sparse first layer), set by the entry points from their
  // workspace; null in what callers pass in.
  const T* panel = nullptr;
};

template <class T>
using Network = std::vector<LayerView<T>>;

// How X is stored: in T itself, or (read a block at a time as T(x) * x_scale,
// the same bits as converting the whole X first) as float under double
// weights, as uint8 pixels, or in T but scaled by x_scale != 1; or sparse, as
// CSR (csr: row i's nonzeros are values[p] at column indices[p] for p in
// indptr[i] .. indptr[i + 1]), read without densifying. Loading 1 byte per pixel instead of 8 is
// what makes the conversion pay.
enum class InputType : int { native = 0, float32 = 1, uint8 = 2, float64 = 3, csr = 4 };

// X is (m, n) row-major: X points at it when it is stored in T, X_raw otherwise. Targets are either
// labels (m,) in [0, K) or Y (m, K) row-major (values in [0, 1] for a sigmoid or softmax output,
// any finite value for identity): exactly one of the two is non-null. w (m,) holds optional sample
// weights (finite, >= 0, positive sum) or is null.
template <class T>
struct Samples {
  const T* X;
  index_t m;
  index_t n;
  const std::int64_t* labels;
  const T* Y;
  const T* w = nullptr;
  const void* X_raw = nullptr;
  InputType x_type = InputType::native;
  T x_scale = T(1);
  const std::int64_t* indptr = nullptr;  // csr only
  const std::int64_t* indices = nullptr;
  const T* values = nullptr;
};

// The CSR rows of one block: row b's nonzeros are at p in indptr[b] .. indptr[b + 1]
// (indptr points at the block's first row; p indexes indices and values).
template <class T>
struct SparseRows {
  const std::int64_t* indptr;
  const std::int64_t* indices;
  const T* values;
};

// Numeric trouble is reported, never thrown, because it is found inside
// OpenMP regions where an exception would abort the process.
enum class Status : int {
  ok = 0,
  non_finite_input = 1,   // X holds NaN or inf (first bad row reported)
  non_finite_result = 2,  // finite inputs, but cost or gradient overflowed
  interrupted = 3,        // stop_requested() was seen: the results are incomplete
};

// Throw std::invalid_argument when shapes do not chain or targets are out of
// range. Called before any kernel: a bad shape must never reach one.
template <class T>
void check_network(const Network<T>& layers);
template <class T>
void check_samples(const Network<T>& layers, const Samples<T>& samples);
// The X part of check_samples alone (for forward, which reads no targets).
template <class T>
void check_samples_input(const Network<T>& layers, const Samples<T>& samples);

}  // namespace bprop
