// The activations, each defined once: its code and name (exported to Python),
// and for the hidden ones the forward g(z) and the derivative g'(z) written
// with a = g(z), side by side. Adding a hidden activation means a line in the
// enum and in kHiddenActivations, and its case in each of the two functions
// below (plus its reference in python/bprop/reference/_math.py).
//
// The output layer's activation also picks its cost, the one whose output error
// is delta_L = a_L - y (the canonical pairs):
//   sigmoid  -> logistic cost summed over the K outputs (the tutorial's),
//   softmax  -> cross-entropy -sum_k y_k log a_k (rows of y sum to 1),
//   identity -> squared error (1/2) sum_k (a_k - y_k)^2 (regression).
#pragma once

#include <cmath>
#include <cstdint>

namespace bprop {

using index_t = std::int64_t;

enum class Activation : int {
  sigmoid = 0,
  tanh = 1,
  relu = 2,
  softmax = 3,
  identity = 4,
  leaky_relu = 5,
};

// Leaky ReLU's slope below 0 (the common default).
constexpr double kLeakySlope = 0.01;

struct NamedActivation {
  const char* name;
  Activation code;
};

// Hidden layers, by the names Python uses.
constexpr NamedActivation kHiddenActivations[] = {
    {"sigmoid", Activation::sigmoid},
    {"tanh", Activation::tanh},
    {"relu", Activation::relu},
    {"leaky_relu", Activation::leaky_relu},
};

// Output layers (and their costs), by the names Python uses.
constexpr NamedActivation kOutputActivations[] = {
    {"logistic", Activation::sigmoid},
    {"softmax", Activation::softmax},
    {"identity", Activation::identity},
};

inline bool is_hidden_activation(Activation g) {
  for (const auto& h : kHiddenActivations)
    if (h.code == g) return true;
  return false;
}

inline bool is_output_activation(Activation g) {
  for (const auto& o : kOutputActivations)
    if (o.code == g) return true;
  return false;
}

// a = g(z) elementwise for a hidden layer; `sigmoid` is the vectorised kernel
// of the path in use. NaN stays NaN (it is reported, never hidden).
template <class T, class Sigmoid>
inline void activate_hidden(Activation g, const T* z, T* a, index_t n, Sigmoid sigmoid) {
  switch (g) {
    case Activation::sigmoid:  // g = 1 / (1 + e^-z)
      sigmoid(z, a, n);
      break;
    case Activation::tanh:
      for (index_t i = 0; i < n; ++i) a[i] = std::tanh(z[i]);
      break;
    case Activation::relu:
      for (index_t i = 0; i < n; ++i) a[i] = z[i] > T(0) || z[i] != z[i] ? z[i] : T(0);
      break;
    case Activation::leaky_relu:
      for (index_t i = 0; i < n; ++i) a[i] = z[i] > T(0) ? z[i] : T(kLeakySlope) * z[i];
      break;
    case Activation::softmax:
    case Activation::identity:
      break;  // output layers only (check_network refuses them here)
  }
}

// d *= g'(z), written with a = g(z): a (1 - a), 1 - a^2, [a > 0], or 1 / slope.
template <class T>
inline void times_derivative(Activation g, const T* a, T* d, index_t n) {
  switch (g) {
    case Activation::sigmoid:
      for (index_t i = 0; i < n; ++i) d[i] *= a[i] * (T(1) - a[i]);
      break;
    case Activation::tanh:
      for (index_t i = 0; i < n; ++i) d[i] *= T(1) - a[i] * a[i];
      break;
    case Activation::relu:
      for (index_t i = 0; i < n; ++i) d[i] = a[i] > T(0) ? d[i] : T(0);
      break;
    case Activation::leaky_relu:  // a > 0 exactly where z > 0 (the slope is positive)
      for (index_t i = 0; i < n; ++i) d[i] = a[i] > T(0) ? d[i] : T(kLeakySlope) * d[i];
      break;
    case Activation::softmax:
    case Activation::identity:
      break;  // output layers only: their delta is a - y, never multiplied by g'
  }
}

}  // namespace bprop
