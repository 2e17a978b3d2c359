#include "train_steps.hpp"

#include <algorithm>
#include <cstring>

#include "input.hpp"
#include "interrupt.hpp"
#include "simd/simd_kernels.hpp"
#include "threads.hpp"
#include "workspace.hpp"

namespace bprop {

namespace {

// One mini-batch gathered into contiguous storage, X converted to T and scaled
// as the core reads it (so the batch is read as plain T).
template <class T>
struct Batch {
  std::vector<std::int64_t> rows;
  std::vector<T> X, Y, w;
  std::vector<std::int64_t> labels;

  Samples<T> gather(const Samples<T>& d, const SimdKernels<T>& simd, index_t K) {
    const index_t nb = index_t(rows.size()), n = d.n;
    X.resize(nb * n);
    for (index_t i = 0; i < nb; ++i) read_values(simd, d, rows[i] * n, n, X.data() + i * n);
    Samples<T> s{X.data(), nb, n, nullptr, nullptr};
    if (d.labels) {
      labels.resize(nb);
      for (index_t i = 0; i < nb; ++i) labels[i] = d.labels[rows[i]];
      s.labels = labels.data();
    } else {
      Y.resize(nb * K);
      for (index_t i = 0; i < nb; ++i) std::memcpy(&Y[i * K], d.Y + rows[i] * K, sizeof(T) * K);
      s.Y = Y.data();
    }
    if (d.w) {
      w.resize(nb);
      for (index_t i = 0; i < nb; ++i) w[i] = d.w[rows[i]];
      s.w = w.data();
    }
    return s;
  }
};

template <class T>
bool has_weight(const Samples<T>& s) {
  if (s.w == nullptr) return true;
  for (index_t i = 0; i < s.m; ++i)
    if (s.w[i] > T(0)) return true;
  return false;
}

}  // namespace

template <class T>
StepsResult train_steps(const Network<T>& layers, T* const* thetas, const Samples<T>& data,
                        const StepPlan& plan, OptimizerState& opt, T* const* state1,
                        T* const* state2, int num_threads, double* costs, std::uint8_t* taken) {
  const SimdKernels<T>& simd = simd_kernels<T>();
  const index_t K = layers.back().rows;
  const std::size_t L = layers.size();
  std::vector<std::vector<T>> grads(L), next(L);
  std::vector<T*> D(L);
  std::vector<index_t> sizes(L);
  for (std::size_t l = 0; l < L; ++l) {
    sizes[l] = layers[l].rows * layers[l].cols;
    grads[l].resize(sizes[l]);
    next[l].resize(grads[l].size());
    D[l] = grads[l].data();
  }
  const index_t m = data.m;
  const index_t full = plan.order ? std::min(plan.batch_size, m) : m;
  Batch<T> batch;
  StepsResult result;
  index_t taken_count = 0;
  for (index_t b = 0; b < plan.steps && taken_count < plan.max_taken; ++b) {
    if (stop_requested()) return {b, StepStatus::interrupted, -1};
    taken[b] = 0;
    Samples<T> s = data;
    if (plan.order) {
      const index_t first = b * plan.batch_size, last = std::min(m, first + plan.batch_size);
      batch.rows.assign(plan.order + first, plan.order + last);
      std::sort(batch.rows.begin(), batch.rows.end());
      s = batch.gather(data, simd, K);
    }
    if (!has_weight(s)) {  // every sample of this batch has weight 0: nothing to learn
      result.done = b + 1;
      continue;
    }
    const double share = double(s.m) / double(m);
    Workspace<T>& ws = thread_workspace(layers, s.m, num_threads, true);
    const CostResult r = cost_gradient(layers, s, plan.lambda * share, D.data(), ws);
    if (r.status == Status::interrupted) return {b, StepStatus::interrupted, -1};
    if (r.status == Status::non_finite_input)
      return {b, StepStatus::non_finite_input, plan.order ? batch.rows[r.bad_row] : r.bad_row};
    if (r.status != Status::ok) return {b, StepStatus::non_finite_result, -1};
    if (plan.clip_norm > 0.0) clip_by_global_norm(D.data(), sizes.data(), L, plan.clip_norm);
    if (s.m < full) {  // a smaller last batch: a smaller step
      const T ratio = T(double(s.m) / double(full));
      for (auto& g : grads)
        for (T& x : g) x *= ratio;
    }
    const double adam_lr = begin_step(opt);
    bool finite = true;
    for (std::size_t l = 0; l < L; ++l) {
      const index_t n = index_t(next[l].size());
      bool ok = true;
      // Elementwise, so each thread takes a range: the same bits for any split.
#pragma omp parallel num_threads(elementwise_threads(num_threads, n)) reduction(&& : ok)
      {
        const Range mine = thread_range(n);
        const index_t i0 = mine.begin, len = mine.end - mine.begin;
        const UpdateSlice<T> slice{layers[l].theta + i0,
                                   D[l] + i0,
                                   state1 ? state1[l] + i0 : nullptr,
                                   state2 ? state2[l] + i0 : nullptr,
                                   next[l].data() + i0,
                                   len,
                                   i0,
                                   layers[l].cols};
        ok = optimizer_update(opt, adam_lr, slice);
      }
      finite = ok && finite;
    }
    if (!finite) return {b, StepStatus::non_finite_weights, -1};
    for (std::size_t l = 0; l < L; ++l)
      std::memcpy(thetas[l], next[l].data(), sizeof(T) * next[l].size());
    costs[b] = r.cost;
    taken[b] = 1;
    ++taken_count;
    result.done = b + 1;
  }
  return result;
}

template StepsResult train_steps<float>(const Network<float>&, float* const*, const Samples<float>&,
                                        const StepPlan&, OptimizerState&, float* const*,
                                        float* const*, int, double*, std::uint8_t*);
template StepsResult train_steps<double>(const Network<double>&, double* const*,
                                         const Samples<double>&, const StepPlan&, OptimizerState&,
                                         double* const*, double* const*, int, double*,
                                         std::uint8_t*);

}  // namespace bprop
