// Forward and backward propagation for one block of nb <= kBlock samples.
// Inner loops are plain, fixed-order loops: no reassociation beyond what
// `omp simd reduction` does identically on every call.
#pragma once

#include <algorithm>
#include <cmath>

#include "network.hpp"
#include "simd/simd_kernels.hpp"
#include "workspace.hpp"

namespace bprop {

// True when every x[i] is finite: x * 0 is 0 for finite x and NaN otherwise.
// Four running sums in a fixed pattern, so that the compiler vectorises it.
template <class T>
inline bool all_finite(const T* x, index_t n) {
  T part[4] = {};
  index_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int q = 0; q < 4; ++q) part[q] += x[i + q] * T(0);
  for (; i < n; ++i) part[0] += x[i] * T(0);
  return (part[0] + part[1]) + (part[2] + part[3]) == T(0);
}

// First row of the block whose inputs hold NaN or inf, or -1. A NaN or inf
// input makes every z of its row in the first layer NaN or inf (inf * 0 is
// NaN), so only rows whose z is not finite need their inputs checked; rows
// that overflowed from finite inputs are left to the final result check.
template <class T>
inline index_t first_non_finite_row(const T* X_block, index_t n, const T* z, index_t nb,
                                    index_t h) {
  for (index_t b = 0; b < nb; ++b)
    if (!all_finite(z + b * h, h) && !all_finite(X_block + b * n, n)) return b;
  return -1;
}

// a = g(z) elementwise for a hidden layer (activations.hpp).
template <class T>
inline void activate(const SimdKernels<T>& simd, Activation g, const T* z, T* a, index_t n) {
  activate_hidden(g, z, a, n, simd.sigmoid);
}

// Output activations of nb rows of K outputs. Softmax subtracts each row's
// maximum before exp, so that exp cannot overflow.
template <class T>
inline void activate_output(const SimdKernels<T>& simd, Activation g, const T* z, T* a, index_t nb,
                            index_t K) {
  if (g == Activation::sigmoid) {
    simd.sigmoid(z, a, nb * K);
  } else if (g == Activation::identity) {
    for (index_t i = 0; i < nb * K; ++i) a[i] = z[i];
  } else {  // softmax
    for (index_t b = 0; b < nb; ++b) {
      const T* zb = z + b * K;
      T* ab = a + b * K;
      T top = zb[0];
      for (index_t k = 1; k < K; ++k) top = zb[k] > top ? zb[k] : top;
      T sum = T(0);
      for (index_t k = 0; k < K; ++k) sum += ab[k] = std::exp(zb[k] - top);
      for (index_t k = 0; k < K; ++k) ab[k] /= sum;
    }
  }
}

// log sum_k exp(z_k) for one row, in double, from the row's maximum.
template <class T>
inline double log_sum_exp(const T* z, index_t K) {
  double top = double(z[0]);
  for (index_t k = 1; k < K; ++k) top = double(z[k]) > top ? double(z[k]) : top;
  double sum = 0.0;
  for (index_t k = 0; k < K; ++k) sum += std::exp(double(z[k]) - top);
  return top + std::log(sum);
}

// out[b, j] = Theta[j, 0] + sum_k in[b, k] Theta[j, 1 + k], with in (nb, cols - 1),
// Theta (rows, cols) and out (nb, rows): the sum by nn over
// the packed panel into `wide` (nb, panel columns), or by nt straight into
// out, then the bias added. `ahead`: the next nb input rows to prefetch, or null.
template <class T>
inline void affine(const SimdKernels<T>& simd, const LayerView<T>& layer, const T* in, index_t nb,
                   T* out, T* wide, const T* ahead) {
  const index_t width = layer.cols - 1;
  if (layer.panel == nullptr) {
    simd.nt(nb, layer.rows, width, in, width, layer.theta + 1, layer.cols, out, layer.rows, ahead);
    for (index_t b = 0; b < nb; ++b)
      for (index_t j = 0; j < layer.rows; ++j)
        out[b * layer.rows + j] += layer.theta[j * layer.cols];
    return;
  }
  // nn prefetches the next rows during its first strip; measured on an Intel
  // Xeon (AVX2 and AVX-512 paths), that paid for a 200 KB block (784 float32
  // inputs: 784-25-10 7% faster) and cost for a 401 KB one (float64: 8% slower),
  // so only blocks up to kPrefetchBytes are prefetched.
  constexpr std::size_t kPrefetchBytes = 256 * 1024;
  if (std::size_t(nb) * std::size_t(width) * sizeof(T) > kPrefetchBytes) ahead = nullptr;
  const index_t cols = panel_columns(layer.rows, simd.lanes);
  simd.nn(nb, cols, width, in, width, layer.panel, wide, cols, ahead);
  for (index_t b = 0; b < nb; ++b)
    for (index_t j = 0; j < layer.rows; ++j)
      out[b * layer.rows + j] = wide[b * cols + j] + layer.theta[j * layer.cols];
}

// The first layer's affine map for sparse inputs: out[b, j] = Theta[j, 0] +
// sum over row b's nonzeros (k, v) of v Theta[j, 1 + k], each nonzero adding v
// times row k of the packed panel (Theta[:, 1:]^T, whole vectors wide) into
// `wide` (nb, panel columns): the work grows with the nonzeros, not with n.
template <class T>
inline void sparse_affine(const SimdKernels<T>& simd, const LayerView<T>& layer,
                          const SparseRows<T>& x, index_t nb, T* out, T* wide) {
  const index_t cols = panel_columns(layer.rows, kPanelWidth<T>);
  for (index_t b = 0; b < nb; ++b) {
    T* w = wide + b * cols;
    const std::int64_t p = x.indptr[b];
    simd.gather_rows(cols, index_t(x.indptr[b + 1] - p), x.indices + p, x.values + p, layer.panel,
                     w);
    for (index_t j = 0; j < layer.rows; ++j)
      out[b * layer.rows + j] = w[j] + layer.theta[j * layer.cols];
  }
}

// First row of the block whose sparse inputs hold NaN or inf, or -1 (checked
// only where z is not finite, as first_non_finite_row).
template <class T>
inline index_t first_non_finite_sparse_row(const SparseRows<T>& x, const T* z, index_t nb,
                                           index_t h) {
  for (index_t b = 0; b < nb; ++b)
    if (!all_finite(z + b * h, h) &&
        !all_finite(x.values + x.indptr[b], index_t(x.indptr[b + 1] - x.indptr[b])))
      return b;
  return -1;
}

// Forward pass: s.a[l] = g(Theta_l [1 a_l]) for every layer; z_L is kept in
// s.z_out for the stable cost. X_block is (nb, n); X_next is the block after
// it (prefetched during this one) or null. Returns the first row of the block
// whose inputs hold NaN or inf, or -1.
// With `sparse`, X_block is null and the block's rows are read as CSR (the
// first layer's panel must be packed).
template <class T>
inline index_t forward_block(const SimdKernels<T>& simd, const Network<T>& layers, const T* X_block,
                             index_t nb, BlockScratch<T>& s, const T* X_next = nullptr,
                             const SparseRows<T>* sparse = nullptr) {
  const T* in = X_block;
  const std::size_t last = layers.size() - 1;
  index_t bad_row = -1;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const index_t count = nb * layers[l].rows;
    T* z = l == last ? s.z_out.data() : s.a[l].data();
    if (l == 0 && sparse) {
      sparse_affine(simd, layers[0], *sparse, nb, z, s.z_wide.data());
      bad_row = first_non_finite_sparse_row(*sparse, z, nb, layers[0].rows);
    } else {
      affine(simd, layers[l], in, nb, z, s.z_wide.data(), l == 0 ? X_next : nullptr);
    }
    if (l == 0 && !sparse)
      bad_row = first_non_finite_row(X_block, layers[0].cols - 1, z, nb, layers[0].rows);
    T* a = s.a[l].data();
    if (l == last)
      activate_output(simd, layers[l].activation, z, a, nb, layers[l].rows);
    else
      activate(simd, layers[l].activation, z, a, count);
    in = a;
  }
  return bad_row;
}

// y_k of sample r of the block, from labels or Y.
template <class T>
inline double target(const Samples<T>& smp, index_t r, index_t k, index_t K) {
  return smp.labels ? double(smp.labels[r] == k) : double(smp.Y[r * K + k]);
}

// One sample's cost from its output z (K,), for softmax and identity outputs:
// cross-entropy sum_k y_k (lse(z) - z_k) or squared error (1/2) sum_k (z_k - y_k)^2.
template <class T>
inline double sample_cost(Activation out, const Samples<T>& smp, index_t r, const T* z, index_t K) {
  double cost = 0.0;
  if (out == Activation::softmax) {
    const double lse = log_sum_exp(z, K);
    if (smp.labels) return lse - double(z[smp.labels[r]]);
    for (index_t k = 0; k < K; ++k) cost += double(smp.Y[r * K + k]) * (lse - double(z[k]));
  } else {
    for (index_t k = 0; k < K; ++k) {
      const double e = double(z[k]) - target(smp, r, k, K);
      cost += 0.5 * e * e;
    }
  }
  return cost;
}

// Sum over the block of the samples' costs (each times its weight when there
// are weights). The sigmoid output's logistic cost is softplus(z) - y z.
template <class T>
inline double block_cost(const SimdKernels<T>& simd, Activation out, const Samples<T>& smp,
                         index_t r0, index_t nb, index_t K, const BlockScratch<T>& s) {
  const T* z = s.z_out.data();
  if (out != Activation::sigmoid) {
    double cost = 0.0;
    for (index_t b = 0; b < nb; ++b) {
      const double c = sample_cost(out, smp, r0 + b, z + b * K, K);
      cost += smp.w != nullptr ? double(smp.w[r0 + b]) * c : c;
    }
    return cost;
  }
  if (smp.w != nullptr) {  // weighted: each sample's cost times its weight
    double cost = 0.0;
    for (index_t b = 0; b < nb; ++b) {
      const T* zb = z + b * K;
      double yz = 0.0;
      if (smp.labels) {
        yz = double(zb[smp.labels[r0 + b]]);
      } else {
        for (index_t k = 0; k < K; ++k) yz += double(smp.Y[(r0 + b) * K + k]) * double(zb[k]);
      }
      cost += double(smp.w[r0 + b]) * (simd.softplus_sum(zb, K) - yz);
    }
    return cost;
  }
  double yz = 0.0;
  if (smp.labels) {
    for (index_t b = 0; b < nb; ++b) yz += double(z[b * K + smp.labels[r0 + b]]);
  } else {
    const T* Y = smp.Y + r0 * K;
    for (index_t i = 0; i < nb * K; ++i) yz += double(Y[i]) * double(z[i]);
  }
  return simd.softplus_sum(z, nb * K) - yz;
}

// g[j * stride] (+)= sum_b delta[b, j] over nb rows of delta (nb, rows): the bias
// column's Delta (stride: Theta's row length, or 1 where it is kept apart), summed
// over b in order; with `first`, set rather than added to.
template <class T>
inline void add_bias_sums(const LayerView<T>& layer, const T* delta, index_t nb, T* g, bool first,
                          index_t stride) {
  for (index_t j = 0; j < layer.rows; ++j) {
    T bias = T(0);
    for (index_t b = 0; b < nb; ++b) bias += delta[b * layer.rows + j];
    g[j * stride] = first ? bias : g[j * stride] + bias;
  }
}

// The first layer's Delta for sparse X, kept transposed in the chunk's slot:
// g[j] (+)= the sum of delta's column j (the bias column) and
// g[rows + k * rows + j] (+)= sum over row b's nonzeros (k, v) of delta[b, j] v,
// so that each nonzero adds v times delta's row b to one contiguous row of
// `rows` (simd.scatter_rows; in Theta's layout every nonzero and row was one scattered
// scalar update: 40% of a 0.5%-dense call, now 1.3-2x faster in all). Per
// element the sums run in the same order as in Theta's layout (b, then the
// row's nonzeros). data_sums reads it back in place (add_slots). With `first`,
// set rather than added to.
template <class T>
inline void sparse_first_layer_sums(const SimdKernels<T>& simd, const LayerView<T>& layer,
                                    const SparseRows<T>& x, const T* delta, index_t nb, T* g,
                                    bool first) {
  const index_t rows = layer.rows;
  add_bias_sums(layer, delta, nb, g, first, 1);
  T* columns = g + rows;
  if (first) std::fill(columns, columns + (layer.cols - 1) * rows, T(0));
  for (index_t b = 0; b < nb; ++b) {
    const std::int64_t p = x.indptr[b];
    simd.scatter_rows(rows, index_t(x.indptr[b + 1] - p), x.indices + p, x.values + p,
                      delta + b * rows, columns);
  }
}

// Backward pass. delta_L = a_L - y for every output (each output activation is
// paired with the cost that makes it so); delta_l = (Theta_l^T delta_{l+1}) .* g'(z_l)
// without the bias row; G_l += delta_{l+1}^T [1 a_l], summed over b in order.
// G points at (num_params,) storage laid out like unroll(thetas); offsets[l]
// is where Theta_l starts in it. With `first`, G is set rather than added to.
// X_block: the block's inputs as forward_block read them. With `first_delta`
// (dense X), the first layer's delta (nb, s_1) is written there instead and its
// Delta left to first_layer_delta_sums over a whole chunk of blocks.
template <class T>
inline void backward_block(const SimdKernels<T>& simd, const Network<T>& layers,
                           const Samples<T>& smp, const T* X_block, index_t r0, index_t nb,
                           const index_t* offsets, BlockScratch<T>& s, T* G, bool first,
                           const SparseRows<T>* sparse = nullptr, T* first_delta = nullptr) {
  const std::size_t L = layers.size();
  const index_t K = layers.back().rows;
  T* dL = L == 1 && first_delta ? first_delta : s.delta[L - 1].data();
  const T* aL = s.a[L - 1].data();
  for (index_t b = 0; b < nb; ++b)
    for (index_t k = 0; k < K; ++k) {
      const T y = smp.labels ? T(smp.labels[r0 + b] == k) : smp.Y[(r0 + b) * K + k];
      dL[b * K + k] = aL[b * K + k] - y;
    }
  // Weighted samples: every delta of a sample scales with its weight (backprop is linear).
  if (smp.w != nullptr)
    for (index_t b = 0; b < nb; ++b)
      for (index_t k = 0; k < K; ++k) dL[b * K + k] *= smp.w[r0 + b];

  for (std::size_t l = L; l-- > 0;) {
    const LayerView<T>& layer = layers[l];
    const index_t width = layer.cols - 1;
    const T* in = l == 0 ? X_block : s.a[l - 1].data();
    if (l == 0 && first_delta) break;  // summed per chunk (first_layer_delta_sums)
    const T* d = s.delta[l].data();
    T* g = G + offsets[l];
    if (l == 0 && sparse) {
      sparse_first_layer_sums(simd, layer, *sparse, d, nb, g, first);
      break;
    }
    add_bias_sums(layer, d, nb, g, first, layer.cols);
    // G[j, 1 + k] += sum_b delta[b, j] in[b, k]
    simd.acc(layer.rows, width, nb, d, 1, layer.rows, in, width, g + 1, layer.cols, first, 0);
    if (l == 0) break;
    // delta_prev[b, k] = sum_j delta[b, j] Theta[j, 1 + k], then times g'(z_prev)
    T* d_prev = l == 1 && first_delta ? first_delta : s.delta[l - 1].data();
    const T* a_prev = s.a[l - 1].data();
    simd.acc(nb, width, layer.rows, d, layer.rows, 1, layer.theta + 1, layer.cols, d_prev, width,
             true, 0);
    times_derivative(layers[l - 1].activation, a_prev, d_prev, nb * width);
  }
}

// The first layer's Delta over R rows of a chunk (dense X): G_0[:, 0] += the
// sums of delta's columns and G_0[:, 1:] += delta^T X_rows, with delta (R, s_1)
// and X_rows (R, s_0). Both are summed kBlock rows at a time and added in order,
// the same bits as block by block, but each strip of G_0 is read and written
// once per chunk instead of once per block (G_0 is larger than L2 on many CPUs).
// With `first`, G_0 is set rather than added to.
template <class T>
inline void first_layer_delta_sums(const SimdKernels<T>& simd, const LayerView<T>& layer,
                                   const T* delta, const T* X_rows, index_t R, T* g, bool first) {
  const index_t width = layer.cols - 1;
  for (index_t r0 = 0; r0 < R; r0 += kBlock)
    add_bias_sums(layer, delta + r0 * layer.rows, std::min(kBlock, R - r0), g, first && r0 == 0,
                  layer.cols);
  simd.acc(layer.rows, width, R, delta, 1, layer.rows, X_rows, width, g + 1, layer.cols, first,
           kBlock);
}

}  // namespace bprop
