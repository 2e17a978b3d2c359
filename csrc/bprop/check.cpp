#include <cmath>
#include <stdexcept>
#include <string>

#include "network.hpp"

namespace bprop {

namespace {
std::string layer_name(std::size_t l) { return "Theta" + std::to_string(l + 1); }
}  // namespace

template <class T>
void check_network(const Network<T>& layers) {
  if (layers.empty()) throw std::invalid_argument("network has no layers");
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& layer = layers[l];
    if (layer.theta == nullptr || layer.rows < 1 || layer.cols < 1)
      throw std::invalid_argument(layer_name(l) + " is empty");
    const bool last = l + 1 == layers.size();
    if (last ? !is_output_activation(layer.activation) : !is_hidden_activation(layer.activation))
      throw std::invalid_argument(layer_name(l) + " has an activation not allowed in " +
                                  (last ? "the output layer" : "a hidden layer"));
    if (last && layer.activation == Activation::softmax && layer.rows < 2)
      throw std::invalid_argument("a softmax output needs at least 2 units");
    if (l > 0 && layer.cols != layers[l - 1].rows + 1)
      throw std::invalid_argument(layer_name(l) + " has " + std::to_string(layer.cols) +
                                  " columns; expected " + std::to_string(layers[l - 1].rows + 1));
  }
}

template <class T>
void check_samples(const Network<T>& layers, const Samples<T>& s) {
  check_samples_input(layers, s);
  if (s.w != nullptr) {
    double total = 0.0;
    for (index_t i = 0; i < s.m; ++i) {
      if (!(s.w[i] >= T(0)) || !std::isfinite(double(s.w[i])))
        throw std::invalid_argument("sample weight " + std::to_string(i) +
                                    " is negative or not finite");
      total += double(s.w[i]);
    }
    if (!(total > 0.0)) throw std::invalid_argument("sample weights sum to 0");
  }
  if ((s.labels == nullptr) == (s.Y == nullptr))
    throw std::invalid_argument("give exactly one of labels and Y");
  if (s.labels != nullptr) {
    const index_t K = layers.back().rows;
    for (index_t i = 0; i < s.m; ++i)
      if (s.labels[i] < 0 || s.labels[i] >= K)
        throw std::invalid_argument("label " + std::to_string(s.labels[i]) + " of sample " +
                                    std::to_string(i) + " is outside [0, " + std::to_string(K) +
                                    ")");
  }
}

template <class T>
void check_samples_input(const Network<T>& layers, const Samples<T>& s) {
  check_network(layers);
  const bool sparse = s.x_type == InputType::csr;
  const bool raw = s.x_type != InputType::native && !sparse;
  if ((sparse ? s.indptr == nullptr : raw ? s.X_raw == nullptr : s.X == nullptr) || s.m < 1)
    throw std::invalid_argument("X is empty");
  if (sparse) {
    if (s.indptr[0] != 0) throw std::invalid_argument("CSR indptr must start at 0");
    for (index_t i = 0; i < s.m; ++i)
      if (s.indptr[i + 1] < s.indptr[i])
        throw std::invalid_argument("CSR indptr must not decrease");
    for (std::int64_t p = 0; p < s.indptr[s.m]; ++p)
      if (s.indices[p] < 0 || s.indices[p] >= s.n)
        throw std::invalid_argument("CSR column index " + std::to_string(s.indices[p]) +
                                    " is outside [0, " + std::to_string(s.n) + ")");
  }
  if (raw && (!(s.x_scale > T(0)) || !std::isfinite(double(s.x_scale))))
    throw std::invalid_argument("x_scale must be finite and > 0");
  if (s.x_type == InputType::float64 && sizeof(T) != sizeof(double))
    throw std::invalid_argument("float64 X needs float64 weights");
  if (s.n != layers.front().cols - 1)
    throw std::invalid_argument("X has " + std::to_string(s.n) + " columns; expected " +
                                std::to_string(layers.front().cols - 1));
}

template void check_network<float>(const Network<float>&);
template void check_network<double>(const Network<double>&);
template void check_samples<float>(const Network<float>&, const Samples<float>&);
template void check_samples_input<float>(const Network<float>&, const Samples<float>&);
template void check_samples_input<double>(const Network<double>&, const Samples<double>&);
template void check_samples<double>(const Network<double>&, const Samples<double>&);

}  // namespace bprop
