#include <algorithm>
#include <cstring>

#include "block.hpp"
#include "input.hpp"
#include "interrupt.hpp"
#include "kernels.hpp"
#include "simd/simd_kernels.hpp"
#include "threads.hpp"

namespace bprop {

template <class T>
index_t forward(const Network<T>& given, const Samples<T>& s, T* out, Workspace<T>& ws) {
  const index_t m = s.m;
  const Network<T> layers = with_panels(given, ws, s.x_type == InputType::csr);
  const index_t K = layers.back().rows;
  const index_t blocks = num_blocks(m);
  index_t bad_row = -1;

  const SimdKernels<T>& simd = simd_kernels<T>();
  index_t params = 0;
  for (const auto& layer : layers) params += layer.rows * layer.cols;
  [[maybe_unused]] const int threads = useful_threads(ws.num_threads, m, blocks, params);
#pragma omp parallel num_threads(threads)
  {
    BlockScratch<T>& scratch = ws.scratch[thread_id()];
#pragma omp for schedule(dynamic, 1)  // blocks as threads come free; each writes its own rows
    for (index_t blk = 0; blk < blocks; ++blk) {
      if (stop_requested()) continue;  // interrupted: the caller discards the output
      const index_t r0 = blk * kBlock;
      const index_t nb = std::min(kBlock, m - r0);
      const T* X_block = input_rows(simd, s, r0, nb, scratch.x_block);
      SparseRows<T> rows;
      const index_t bad = forward_block(simd, layers, X_block, nb, scratch, next_rows(s, r0, nb),
                                        sparse_rows(s, r0, rows));
      if (bad >= 0) {
#pragma omp critical(bprop_bad_row)
        if (bad_row < 0 || r0 + bad < bad_row) bad_row = r0 + bad;
      }
      std::memcpy(out + r0 * K, scratch.a.back().data(), sizeof(T) * nb * K);
    }
  }
  return bad_row;
}

template index_t forward<float>(const Network<float>&, const Samples<float>&, float*,
                                Workspace<float>&);
template index_t forward<double>(const Network<double>&, const Samples<double>&, double*,
                                 Workspace<double>&);

}  // namespace bprop
