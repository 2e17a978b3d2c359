// The one definition of J's penalty and of the gradient's finish, used by
// cost_gradient and, through the binding, by the MPI objective after it has
// added every rank's data sums.
#include <cmath>

#include "block.hpp"
#include "kernels.hpp"

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
CostResult finish_objective(const Network<T>& layers, double data_sum, const double* total_grad,
                            double W, double m, double lambda, T* const* D) {
  // The data term is a (weighted) mean; the regularisation keeps its meaning,
  // lambda / (2m) with m samples, whatever the weights.
  const double J = data_sum / W + lambda / (2.0 * m) * regularisation(layers);
  bool finite = std::isfinite(J);
  if (D != nullptr) {
    index_t offset = 0;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      finite = finish_gradient(layers[l], total_grad + offset, W, lambda / m, D[l]) && finite;
      offset += layers[l].rows * layers[l].cols;
    }
  }
  return {J, finite ? Status::ok : Status::non_finite_result, -1};
}

template CostResult finish_objective<float>(const Network<float>&, double, const double*,
                                            double, double, double, float* const*);
template CostResult finish_objective<double>(const Network<double>&, double, const double*,
                                             double, double, double, double* const*);

}  // namespace bprop
