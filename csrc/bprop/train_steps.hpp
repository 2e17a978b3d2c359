// Many optimiser steps in one call: for each mini-batch of an epoch, gather its
// rows, compute J and the gradient (cost_gradient), and update the weights in
// place. The same arithmetic as bprop.training's step-by-step loop, so the
// weights after an epoch are the same bits; only Python's per-step overhead goes.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels.hpp"
#include "optimizers.hpp"

namespace bprop {

// One epoch's plan. Batch b holds the rows order[b * batch_size ...] (at most
// batch_size of them, sorted) or, without order, all rows. Its penalty is
// lambda times its share of the m rows (the full-data lambda/(2m) term of J), and
// a batch smaller than the first steps with its gradient times its share of a
// full batch. Batches whose sample weights are all 0 are skipped, untaken. With
// clip_norm > 0 a batch's gradient is first clipped to that global L2 norm
// (clip_by_global_norm), then scaled by its share.
struct StepPlan {
  const std::int64_t* order = nullptr;
  index_t batch_size = 0;
  index_t steps = 0;      // batches in the epoch
  index_t max_taken = 0;  // stop after this many taken steps
  double lambda = 0.0;
  double clip_norm = 0.0;  // 0: no clipping
};

enum class StepStatus : int {
  ok = 0,
  non_finite_input = 1,    // a row of X holds NaN/inf (bad_row: its index in X)
  non_finite_result = 2,   // the cost or gradient overflowed
  interrupted = 3,         // stop_requested(): the step in progress was dropped
  non_finite_weights = 4,  // the update made a weight NaN/inf (not applied)
};

struct StepsResult {
  index_t done = 0;  // batches finished (taken or skipped); the weights are those after them
  StepStatus status = StepStatus::ok;
  index_t bad_row = -1;
};

// thetas: the weights, updated in place after each step whose new weights are
// all finite. state1/state2: per layer, momentum's velocity or Adam's m and v
// (updated in place). costs/taken: (steps,) J of each batch and whether it was taken.
template <class T>
StepsResult train_steps(const Network<T>& layers, T* const* thetas, const Samples<T>& data,
                        const StepPlan& plan, OptimizerState& opt, T* const* state1,
                        T* const* state2, int num_threads, double* costs, std::uint8_t* taken);

}  // namespace bprop
