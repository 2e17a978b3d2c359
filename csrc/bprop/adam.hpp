// One Adam step as a single pass over a weight matrix, so that a mini-batch
// step does not spend more time in numpy's temporaries than in the core.
#pragma once

#include "network.hpp"

namespace bprop {

// For i < n, in T:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  out = theta - lr_t m / (sqrt(v) + eps)
// with lr_t the bias-corrected rate lr sqrt(1 - b2^t) / (1 - b1^t). m and v are
// updated in place; theta is not modified. Returns false when out holds NaN/inf.
// The constants arrive in double: 1 - b2 is formed there, since in float
// 1 - 0.999f keeps only 4 correct digits.
template <class T>
bool adam_step(const T* theta, const T* g, T* m, T* v, T* out, index_t n, double lr_t,
               double b1, double b2, double eps);

}  // namespace bprop
