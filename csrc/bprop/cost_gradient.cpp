#include <cmath>

#include "block.hpp"
#include "interrupt.hpp"
#include "kernels.hpp"
#include "simd/simd_kernels.hpp"
#include "threads.hpp"

namespace bprop {

namespace {

// sum of squared non-bias weights. Eight interleaved partial sums, added in a
// fixed order: deterministic, and not limited by the latency of one long chain.
template <class T>
double regularisation(const Network<T>& layers) {
  double part[8] = {};
  for (const auto& layer : layers)
    for (index_t j = 0; j < layer.rows; ++j) {
      const T* w = layer.theta + j * layer.cols + 1;
      const index_t n = layer.cols - 1;
      index_t k = 0;
      for (; k + 8 <= n; k += 8)
        for (int q = 0; q < 8; ++q) part[q] += double(w[k + q]) * double(w[k + q]);
      for (; k < n; ++k) part[k % 8] += double(w[k]) * double(w[k]);
    }
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

// D = total / W + reg Theta off the bias column (W: m or the weight sum; reg:
// lambda / m); returns false when any entry is not finite.
template <class T>
bool finish_gradient(const LayerView<T>& layer, const double* total, double W, double reg,
                     T* D) {
  for (index_t j = 0; j < layer.rows; ++j) {
    const index_t row = j * layer.cols;
    D[row] = T(total[row] / W);
    for (index_t k = 1; k < layer.cols; ++k)
      D[row + k] = T(total[row + k] / W + reg * double(layer.theta[row + k]));
  }
  return all_finite(D, layer.rows * layer.cols);
}

}  // namespace

template <class T>
CostResult cost_gradient(const Network<T>& given, const Samples<T>& s, double lambda,
                         T* const* D, Workspace<T>& ws) {
  const Network<T> layers = with_panels(given, ws);
  const bool with_gradient = D != nullptr;
  const index_t blocks = num_blocks(s.m);
  const index_t per_chunk = chunk_blocks(s.m);
  const index_t chunks = (blocks + per_chunk - 1) / per_chunk;
  const index_t K = layers.back().rows;
  const index_t P = ws.num_params;
  double total_cost = 0.0;
  index_t bad_row = -1;

  const SimdKernels<T>& simd = simd_kernels<T>();
  const int threads = useful_threads(ws.num_threads, s.m, chunks, P);
#pragma omp parallel num_threads(threads)
  {
    BlockScratch<T>& scratch = ws.scratch[thread_id()];
    for (index_t first = 0; first < chunks; first += ws.num_slots) {
      const index_t wave = std::min(ws.num_slots, chunks - first);

      // Slot w sums chunk first + w, block by block (the block after this one
      // is prefetched during this one). Chunks are handed out as threads come
      // free: a thread that shares its core with another program's (say
      // OpenBLAS's spinning workers) takes fewer, instead of holding up the
      // wave. Each chunk keeps its slot, so the order of the sums is the same.
#pragma omp for schedule(dynamic, 1)
      for (index_t w = 0; w < wave; ++w) {
        T* G = with_gradient ? ws.slot_grad.data() + w * P : nullptr;
        ws.slot_cost[w] = 0.0;
        ws.slot_bad_row[w] = -1;
        const index_t b_end = std::min(blocks, (first + w + 1) * per_chunk);
        const index_t b_begin = (first + w) * per_chunk;
        for (index_t blk = b_begin; blk < b_end && !stop_requested(); ++blk) {
          const index_t r0 = blk * kBlock;
          const index_t nb = std::min(kBlock, s.m - r0);
          const T* X_block = s.X + r0 * s.n;
          const T* X_next = r0 + kBlock + nb <= s.m ? X_block + kBlock * s.n : nullptr;
          const index_t bad = forward_block(simd, layers, X_block, nb, scratch, X_next);
          if (bad >= 0 && ws.slot_bad_row[w] < 0) ws.slot_bad_row[w] = r0 + bad;
          ws.slot_cost[w] += block_cost(simd, layers.back().activation, s, r0, nb, K, scratch);
          if (G) backward_block(simd, layers, s, r0, nb, ws.offsets.data(), scratch, G, blk == b_begin);
        }
      }

      // Add the wave's chunk sums to the total in chunk order.
      if (with_gradient) {
        // Each thread takes a range of parameters and adds the slots to it one
        // after another: per parameter the same order as slot by slot.
        const int nt = omp_num_threads();
        const index_t span = (P + nt - 1) / nt;
        const index_t p0 = std::min(P, span * thread_id()), p1 = std::min(P, p0 + span);
        for (index_t w = 0; w < wave; ++w) {
          const T* slot = ws.slot_grad.data() + w * P;
          double* total = ws.total_grad.data();
          for (index_t p = p0; p < p1; ++p) total[p] += double(slot[p]);
        }
#pragma omp barrier
      }
#pragma omp single
      for (index_t w = 0; w < wave; ++w) {
        total_cost += ws.slot_cost[w];
        if (bad_row < 0) bad_row = ws.slot_bad_row[w];
      }
    }
  }

  if (stop_requested()) return {NAN, Status::interrupted, -1};
  if (bad_row >= 0) return {NAN, Status::non_finite_input, bad_row};

  // The data term is a (weighted) mean; the regularisation keeps its meaning,
  // lambda / (2m) with m samples, whatever the weights.
  const double m = double(s.m);
  double W = m;
  if (s.w != nullptr) {
    W = 0.0;
    for (index_t i = 0; i < s.m; ++i) W += double(s.w[i]);
  }
  const double J = total_cost / W + lambda / (2.0 * m) * regularisation(layers);
  bool finite = std::isfinite(J);
  if (with_gradient)
    for (std::size_t l = 0; l < layers.size(); ++l)
      finite = finish_gradient(layers[l], ws.total_grad.data() + ws.offsets[l], W, lambda / m,
                               D[l]) && finite;
  return {J, finite ? Status::ok : Status::non_finite_result, -1};
}

template CostResult cost_gradient<float>(const Network<float>&, const Samples<float>&,
                                         double, float* const*, Workspace<float>&);
template CostResult cost_gradient<double>(const Network<double>&, const Samples<double>&,
                                          double, double* const*, Workspace<double>&);

}  // namespace bprop
