// The one definition of J's penalty and of the gradient's finish, used by
// cost_gradient and, through the binding, by the MPI objective after it has
// added every rank's data sums.
#include <cmath>

#include "block.hpp"
#include "kernels.hpp"
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

// Whether every non-bias weight is below 2^480 in magnitude (so finite), which
// keeps any sum of their squares finite (each square < 2^960). No early exit
// and no floating-point sum: the loop vectorises.
template <class T>
bool squares_stay_finite(const Network<T>& layers) {
  const double limit = std::ldexp(1.0, 480);
  int ok = 1;
  for (const auto& layer : layers)
    for (index_t j = 0; j < layer.rows; ++j) {
      const T* w = layer.theta + j * layer.cols + 1;
      for (index_t k = 0; k + 1 < layer.cols; ++k) ok &= std::fabs(double(w[k])) < limit;
    }
  return ok != 0;
}

// Row j of D = total / W + reg Theta off the bias column (W: m or the weight
// sum; reg: lambda / m); false when any entry is not finite. With `by_inverse`
// (W a power of two: 1/W is exact, so x * (1/W) and x / W round the same real
// number, the same bits) a multiplication: divisions were a quarter of a
// 128-sample step's time.
template <class T, bool by_inverse>
bool finish_row(const LayerView<T>& layer, index_t j, const double* total, double W, double reg,
                T* D) {
  const index_t row = j * layer.cols;
  const double inverse = 1.0 / W;
  const auto mean = [&](double x) { return by_inverse ? x * inverse : x / W; };
  D[row] = T(mean(total[row]));
  for (index_t k = 1; k < layer.cols; ++k)
    D[row + k] = T(mean(total[row + k]) + reg * double(layer.theta[row + k]));
  return all_finite(D + row, layer.cols);
}

// Whether 1/W is exact: W a power of two whose inverse is a normal number.
inline bool exact_inverse(double W) {
  int e = 0;
  return std::isfinite(W) && std::frexp(W, &e) == 0.5 && e < 1022;
}

}  // namespace

template <class T>
CostResult finish_objective(const Network<T>& layers, double data_sum, const double* total_grad,
                            double W, double m, double lambda, T* const* D, int num_threads) {
  // The data term is a (weighted) mean; the regularisation keeps its meaning,
  // lambda / (2m) with m samples, whatever the weights.
  // With lambda = 0 the penalty is 0 * (sum of squares): exactly 0 when that sum is
  // finite, which a quick scan proves without adding the squares in order.
  const double penalty = lambda == 0.0 && squares_stay_finite(layers)
                             ? 0.0
                             : lambda / (2.0 * m) * regularisation(layers);
  const double J = data_sum / W + penalty;
  bool finite = std::isfinite(J);
  if (D != nullptr) {
    index_t offset = 0;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const LayerView<T>& layer = layers[l];
      const double* total = total_grad + offset;
      T* Dl = D[l];
      bool ok = true;
      [[maybe_unused]] const int threads =
          elementwise_threads(num_threads, layer.rows * layer.cols);
      const auto finish = exact_inverse(W) ? finish_row<T, true> : finish_row<T, false>;
      // Row by row, each on its own: the same bits for any number of threads.
#pragma omp parallel for num_threads(threads) schedule(static) reduction(&& : ok)
      for (index_t j = 0; j < layer.rows; ++j)
        ok = finish(layer, j, total, W, lambda / m, Dl) && ok;
      finite = ok && finite;
      offset += layer.rows * layer.cols;
    }
  }
  return {J, finite ? Status::ok : Status::non_finite_result, -1};
}

template CostResult finish_objective<float>(const Network<float>&, double, const double*, double,
                                            double, double, float* const*, int);
template CostResult finish_objective<double>(const Network<double>&, double, const double*, double,
                                             double, double, double* const*, int);

}  // namespace bprop
