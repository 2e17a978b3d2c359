#include <algorithm>
#include <cmath>

#include "block.hpp"
#include "input.hpp"
#include "interrupt.hpp"
#include "kernels.hpp"
#include "simd/simd_kernels.hpp"
#include "threads.hpp"

namespace bprop {
namespace {

// total_grad += the wave's slots, slot after slot. Each thread takes a range of
// parameters and adds the slots to it one after another: per parameter the
// same order as slot by slot. `transposed`, when it has rows, is the first
// layer whose slot part is held transposed (sparse X: sparse_first_layer_sums),
// read back here in place: Theta's element (j, c) from the bias sums (c = 0)
// or the transposed columns. Called by every thread of the team.
template <class T>
void add_slots(Workspace<T>& ws, index_t wave, const LayerView<T>& transposed) {
  const index_t P = ws.num_params;
  const index_t rows = transposed.rows, cols = transposed.cols;
  const index_t region = rows * cols;  // the first layer's part: parameters 0 .. region
  double* total = ws.total_grad.data();
  const Range mine = thread_range(P - region);
  for (index_t w = 0; w < wave; ++w) {
    const T* slot = ws.slot_grad.data() + w * P;
    for (index_t p = region + mine.begin; p < region + mine.end; ++p) total[p] += double(slot[p]);
  }
  if (region == 0) return;
  // Each thread takes a range of Theta's columns c (c = 0: the bias sums, held
  // first in the slot; c >= 1: the slot's row k = c - 1 of `rows` values), a tile
  // of kTile columns at a time, so that the tile of the total (rows x kTile
  // doubles) stays in cache while every slot is added to it: the total is
  // written row-major, the slot read transposed, and element by element (a
  // scattered write per value) it was most of a 0.5%-dense call's reduction.
  constexpr index_t kTile = 16;
  const Range part = thread_range(cols);
  for (index_t c0 = part.begin; c0 < part.end; c0 += kTile) {
    const index_t c1 = std::min<index_t>(c0 + kTile, part.end);
    for (index_t w = 0; w < wave; ++w) {
      const T* slot = ws.slot_grad.data() + w * P;
      for (index_t j = 0; j < rows; ++j) {
        double* row = total + j * cols;
        for (index_t c = c0; c < c1; ++c) row[c] += double(slot[c == 0 ? j : c * rows + j]);
      }
    }
  }
}

}  // namespace

template <class T>
DataSums data_sums(const Network<T>& given, const Samples<T>& s, bool with_gradient,
                   Workspace<T>& ws) {
  const Network<T> layers = with_panels(given, ws, s.x_type == InputType::csr);
  const index_t blocks = num_blocks(s.m);
  const index_t per_chunk = s.x_type == InputType::csr
                                ? sparse_chunk_blocks(s.m, s.indptr[s.m] - s.indptr[0], s.n)
                                : chunk_blocks(s.m);
  const index_t chunks = (blocks + per_chunk - 1) / per_chunk;
  const index_t K = layers.back().rows;
  const index_t P = ws.num_params;
  double total_cost = 0.0;
  index_t bad_row = -1;

  // Dense X: the first layer's Delta is summed once per chunk, over the chunk's
  // rows (first_layer_delta_sums), from its delta rows kept per block, when it is
  // too large to stay in L2 beside a block of X (the same bits either way; a
  // small one is faster summed block by block, while the block's rows are in cache).
  const bool chunk_delta = with_gradient && s.x_type != InputType::csr &&
                           layers[0].rows * layers[0].cols * index_t(sizeof(T)) > kChunkDeltaBytes;

  const SimdKernels<T>& simd = simd_kernels<T>();
  [[maybe_unused]] const int threads = useful_threads(ws.num_threads, s.m, chunks, P);
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
        index_t done = 0;  // rows of the chunk processed
        for (index_t blk = b_begin; blk < b_end && !stop_requested(); ++blk) {
          const index_t r0 = blk * kBlock;
          const index_t nb = std::min(kBlock, s.m - r0);
          const T* X_block = input_rows(simd, s, r0, nb, scratch.x_block, chunk_delta ? done : 0);
          const T* X_next = next_rows(s, r0, nb);
          SparseRows<T> rows;
          const SparseRows<T>* sparse = sparse_rows(s, r0, rows);
          const index_t bad = forward_block(simd, layers, X_block, nb, scratch, X_next, sparse);
          if (bad >= 0 && ws.slot_bad_row[w] < 0) ws.slot_bad_row[w] = r0 + bad;
          ws.slot_cost[w] += block_cost(simd, layers.back().activation, s, r0, nb, K, scratch);
          if (G)
            backward_block(simd, layers, s, X_block, r0, nb, ws.offsets.data(), scratch, G,
                           blk == b_begin, sparse,
                           chunk_delta ? scratch.delta[0].data() + done * layers[0].rows : nullptr);
          done += nb;
        }
        if (chunk_delta && done > 0) {
          const index_t r0 = b_begin * kBlock;
          const T* X_rows = s.x_type == InputType::native ? s.X + r0 * s.n : scratch.x_block.data();
          first_layer_delta_sums(simd, layers[0], scratch.delta[0].data(), X_rows, done,
                                 G + ws.offsets[0], true);
        }
      }

      // Add the wave's chunk sums to the total in chunk order.
      if (with_gradient) {
        add_slots(ws, wave, s.x_type == InputType::csr ? layers[0] : LayerView<T>{});
#pragma omp barrier
      }
#pragma omp single
      for (index_t w = 0; w < wave; ++w) {
        total_cost += ws.slot_cost[w];
        if (bad_row < 0) bad_row = ws.slot_bad_row[w];
      }
    }
  }

  if (stop_requested()) return {NAN, 0.0, Status::interrupted, -1};
  if (bad_row >= 0) return {NAN, 0.0, Status::non_finite_input, bad_row};
  double W = double(s.m);
  if (s.w != nullptr) {
    W = 0.0;
    for (index_t i = 0; i < s.m; ++i) W += double(s.w[i]);
  }
  return {total_cost, W, Status::ok, -1};
}

template <class T>
CostResult cost_gradient(const Network<T>& layers, const Samples<T>& s, double lambda, T* const* D,
                         Workspace<T>& ws) {
  const DataSums sums = data_sums(layers, s, D != nullptr, ws);
  if (sums.status != Status::ok) return {NAN, sums.status, sums.bad_row};
  return finish_objective(layers, sums.cost, D ? ws.total_grad.data() : nullptr, sums.W,
                          double(s.m), lambda, D, ws.num_threads);
}

template DataSums data_sums<float>(const Network<float>&, const Samples<float>&, bool,
                                   Workspace<float>&);
template DataSums data_sums<double>(const Network<double>&, const Samples<double>&, bool,
                                    Workspace<double>&);
template CostResult cost_gradient<float>(const Network<float>&, const Samples<float>&, double,
                                         float* const*, Workspace<float>&);
template CostResult cost_gradient<double>(const Network<double>&, const Samples<double>&, double,
                                          double* const*, Workspace<double>&);

}  // namespace bprop
