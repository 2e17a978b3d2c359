// Scratch memory for kernel calls, allocated before a call (and before
// the binding releases the GIL) so that nothing allocates inside OpenMP.
// Its size depends on the network, the thread count and the block size, never
// on m beyond the first wave: memory does not grow with the data set.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "network.hpp"
#include "simd/simd_kernels.hpp"
#include "threads.hpp"

namespace bprop {

// Samples are processed in blocks of kBlock rows. One thread sums a chunk of
// up to kChunk consecutive blocks into one slot; a wave is up to kWave chunks
// whose slots are added to the total in chunk order. Block, chunk and wave
// boundaries depend on m alone, so the order of every floating-point sum does
// too: results are bit-identical for any thread count.
constexpr index_t kBlock = 64;
constexpr index_t kWave = 16;
constexpr index_t kChunk = 4;
// The first layer's Delta is summed once per chunk instead of once per block
// when it takes more than this (first_layer_delta_sums; measured: 784-25 f64,
// 157 KB, was 7-10% slower per chunk, 784-100 and wider faster).
constexpr index_t kChunkDeltaBytes = index_t(256) << 10;

inline index_t num_blocks(index_t m) { return (m + kBlock - 1) / kBlock; }

// Blocks per chunk: fewer for small m, so that a mini-batch still has a chunk
// for every thread; up to kChunk for large m, so that slots are written and
// reduced less often.
inline index_t chunk_blocks(index_t m) {
  return std::max<index_t>(1, std::min(kChunk, num_blocks(m) / kWave));
}

// Sparse X: a chunk's work grows with its nonzeros, while setting and reducing
// its dense-sized slot costs the same for any chunk (~0.9 ms for 4000-100-10
// float32 on an Intel Xeon: 16 chunks were 40% of a 0.5%-dense call). So there
// is one wave of one chunk per kSparseChunkDepth nonzeros per input column, at
// least kMinSparseChunks (to share out among threads) and at most kWave, however
// large m is. nnz and n, like m, are the data's: the sums' order still does not
// depend on the thread count.
constexpr index_t kSparseChunkDepth = 64;
constexpr index_t kMinSparseChunks = 4;
inline index_t sparse_chunk_blocks(index_t m, std::int64_t nnz, index_t n) {
  const index_t by_work = index_t(nnz / (kSparseChunkDepth * std::max<index_t>(n, 1)));
  const index_t chunks = std::clamp<index_t>(by_work, kMinSparseChunks, kWave);
  return std::max<index_t>(1, (num_blocks(m) + chunks - 1) / chunks);
}

inline index_t num_chunks(index_t m) {
  return (num_blocks(m) + chunk_blocks(m) - 1) / chunk_blocks(m);
}

// Below this many multiply-adds per call (m times the weights), starting and
// joining a second thread costs more than it saves (measured: a 100-sample
// 64-25-10 L-BFGS fit ran 1.25x slower on two threads than on one).
constexpr index_t kMinParallelWork = index_t(1) << 19;

// Threads worth using for m samples: no more than there are chunks to share
// out (`units`), and one for small work. Results do not depend on it.
inline int useful_threads(int requested, index_t m, index_t units, index_t num_params) {
  if (m * num_params < kMinParallelWork) return 1;
  return int(std::max<index_t>(1, std::min<index_t>(requested, units)));
}

// Per-thread buffers for one block: activations a_l and errors delta_l of
// every non-input layer, each (kBlock, s_l) row-major, plus z_L (kBlock, K).
template <class T>
struct BlockScratch {
  std::vector<std::vector<T>> a;
  std::vector<std::vector<T>> delta;
  std::vector<T> z_out;
  std::vector<T> z_wide;  // (kBlock, panel columns) product before the bias, all layers
  // The inputs converted to T, when X is not stored in T: one block's rows, or a
  // chunk's when the first layer's Delta is summed per chunk (first_layer_delta_sums).
  std::vector<T> x_block;

  BlockScratch(const Network<T>& layers, bool with_delta) {
    index_t widest = 0;
    for (const auto& layer : layers) {
      a.emplace_back(kBlock * layer.rows);
      // The first layer's delta holds a whole chunk's rows (first_layer_delta_sums).
      if (with_delta) delta.emplace_back((delta.empty() ? kChunk : 1) * kBlock * layer.rows);
      widest = std::max(widest, panel_columns(layer.rows, kPanelWidth<T>));
    }
    z_out.resize(kBlock * layers.back().rows);
    z_wide.resize(kBlock * widest);
  }
};

template <class T>
struct Workspace {
  int num_threads;
  index_t num_params = 0;
  std::vector<index_t> offsets;  // where each Theta_l starts in unroll order
  index_t num_slots;
  std::vector<BlockScratch<T>> scratch;  // one per thread
  std::vector<T> slot_grad;              // (num_slots, num_params) chunk sums of Delta
  std::vector<double> slot_cost;         // (num_slots,) chunk sums of the cost
  std::vector<index_t> slot_bad_row;     // (num_slots,) first row with NaN/inf, or -1
  std::vector<double> total_grad;        // (num_params,) sum of Delta over all blocks
  std::vector<std::vector<T>> panels;    // per layer, Theta[:, 1:]^T packed (with_panels)

  // Whether this workspace serves a call with these arguments.
  bool fits(const Network<T>& layers, index_t m, int threads, bool with_gradient) const {
    if (threads != num_threads || std::min(kWave, num_chunks(m)) != num_slots ||
        with_gradient != !total_grad.empty() || layers.size() != shapes.size())
      return false;
    for (std::size_t l = 0; l < layers.size(); ++l)
      if (layers[l].rows != shapes[l].first || layers[l].cols != shapes[l].second) return false;
    return true;
  }

  std::vector<std::pair<index_t, index_t>> shapes;  // (rows, cols) of each Theta_l

  Workspace(const Network<T>& layers, index_t m, int threads, bool with_gradient)
      : num_threads(std::max(threads, 1)),
        num_slots(std::min(kWave, num_chunks(m))),
        slot_cost(num_slots),
        slot_bad_row(num_slots) {
    for (const auto& layer : layers) {
      shapes.emplace_back(layer.rows, layer.cols);
      offsets.push_back(num_params);
      num_params += layer.rows * layer.cols;
    }
    for (const auto& layer : layers)
      panels.emplace_back((layer.cols - 1) * panel_columns(layer.rows, kPanelWidth<T>));
    scratch.reserve(num_threads);
    for (int t = 0; t < num_threads; ++t) scratch.emplace_back(layers, with_gradient);
    if (with_gradient) {
      slot_grad.resize(num_slots * num_params);
      total_grad.resize(num_params);
    }
  }
};

// A workspace for this call, reused from the calling thread's previous call
// when it fits: fresh megabyte-sized buffers cost page faults on every call,
// which dominates small mini-batches. One cached workspace per thread and
// dtype; the totals are zeroed here, everything else is written before read.
template <class T>
Workspace<T>& thread_workspace(const Network<T>& layers, index_t m, int threads,
                               bool with_gradient) {
  thread_local std::unique_ptr<Workspace<T>> cached;
  if (!cached || !cached->fits(layers, m, threads, with_gradient)) {
    cached.reset();  // free the old one first: peak memory holds one workspace
    cached = std::make_unique<Workspace<T>>(layers, m, threads, with_gradient);
  }
  std::fill(cached->total_grad.begin(), cached->total_grad.end(), 0.0);
  return *cached;
}

// The network with each layer's weights packed for the forward product into
// the workspace (once per call: the weights are the same for every block),
// when the kernels in use take packed panels: in strips for nn (pack_strips),
// and row by row for sparse inputs' first layer (pack_panel), which adds whole
// rows, one per nonzero.
template <class T>
Network<T> with_panels(const Network<T>& layers, Workspace<T>& ws, bool sparse_input = false) {
  Network<T> out = layers;
  const SimdKernels<T>& simd = simd_kernels<T>();
  const bool packed = simd.packed_forward;
  if (!packed && !sparse_input) return out;
  for (std::size_t l = 0; l < (packed ? layers.size() : 1); ++l) {
    const LayerView<T>& layer = layers[l];
    const bool by_rows = l == 0 && sparse_input;
    [[maybe_unused]] const int threads =
        elementwise_threads(ws.num_threads, layer.rows * layer.cols);
    // Each thread packs a range of panel rows (the result does not depend on the split).
#pragma omp parallel num_threads(threads)
    {
      const Range mine = thread_range(layer.cols - 1);
      if (by_rows)
        pack_panel(layer.theta, layer.rows, layer.cols, ws.panels[l].data(), mine.begin, mine.end);
      else
        pack_strips(layer.theta, layer.rows, layer.cols, ws.panels[l].data(), simd.panel_strip,
                    simd.lanes, mine.begin, mine.end);
    }
    out[l].panel = ws.panels[l].data();
  }
  return out;
}

}  // namespace bprop
