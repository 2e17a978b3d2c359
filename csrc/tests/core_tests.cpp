// The whole cost and gradient of the core (blocks, chunks, threads, every
// layer's pass) against a naive per-sample backpropagation written here, and
// against golden values computed on x86-64: run natively and, cross-compiled,
// under qemu on aarch64 (tools/arm_tests.sh), where no Python runs.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "../bprop/kernels.hpp"
#include "../bprop/threads.hpp"

namespace {

using bprop::Activation;
using bprop::index_t;
int failures = 0;

// Uniform in [-1, 1) from a fixed 64-bit LCG: the same numbers on every platform
// (std's distributions are not specified bit for bit).
struct Lcg {
  std::uint64_t s = 0x9E3779B97F4A7C15ull;
  double next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return double(s >> 11) * (2.0 / 9007199254740992.0) - 1.0;
  }
};

struct Problem {
  std::vector<index_t> sizes;
  Activation hidden, output;
  index_t m;
  std::vector<std::vector<double>> thetas;
  std::vector<double> X;
  std::vector<std::int64_t> labels;
};

Problem make(std::vector<index_t> sizes, Activation hidden, Activation output, index_t m) {
  Problem p{sizes, hidden, output, m, {}, {}, {}};
  Lcg rng;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    std::vector<double> t(sizes[l + 1] * (sizes[l] + 1));
    for (auto& w : t) w = 0.8 * rng.next();
    p.thetas.push_back(t);
  }
  p.X.resize(m * sizes[0]);
  for (auto& x : p.X) x = rng.next();
  for (index_t i = 0; i < m; ++i) p.labels.push_back(std::int64_t(i * 7 % sizes.back()));
  return p;
}

double g(Activation a, double z) {
  if (a == Activation::relu) return z > 0 ? z : 0.0;
  if (a == Activation::tanh) return std::tanh(z);
  return 1.0 / (1.0 + std::exp(-z));
}

double g_prime_from_a(Activation a, double act) {
  if (a == Activation::relu) return act > 0 ? 1.0 : 0.0;
  if (a == Activation::tanh) return 1.0 - act * act;
  return act * (1.0 - act);
}

// J and D by the method, one sample at a time, in double.
double naive(const Problem& p, double lambda, std::vector<std::vector<double>>& D) {
  const std::size_t L = p.thetas.size();
  D.assign(L, {});
  for (std::size_t l = 0; l < L; ++l) D[l].assign(p.thetas[l].size(), 0.0);
  double J = 0.0;
  for (index_t i = 0; i < p.m; ++i) {
    std::vector<std::vector<double>> a{
        std::vector<double>(p.X.begin() + i * p.sizes[0], p.X.begin() + (i + 1) * p.sizes[0])};
    for (std::size_t l = 0; l < L; ++l) {
      const index_t rows = p.sizes[l + 1], cols = p.sizes[l] + 1;
      std::vector<double> z(rows);
      for (index_t j = 0; j < rows; ++j) {
        z[j] = p.thetas[l][j * cols];
        for (index_t k = 1; k < cols; ++k) z[j] += p.thetas[l][j * cols + k] * a[l][k - 1];
      }
      if (l + 1 < L || p.output == Activation::sigmoid) {
        for (auto& v : z) v = g(l + 1 < L ? p.hidden : Activation::sigmoid, v);
      } else {  // softmax
        double top = z[0], sum = 0.0;
        for (double v : z) top = std::max(top, v);
        for (auto& v : z) sum += v = std::exp(v - top);
        for (auto& v : z) v /= sum;
      }
      a.push_back(z);
    }
    const std::vector<double>& h = a.back();
    const index_t K = p.sizes.back();
    std::vector<double> delta(K);
    for (index_t k = 0; k < K; ++k) {
      const double y = p.labels[i] == k ? 1.0 : 0.0;
      if (p.output == Activation::sigmoid)
        J -= y * std::log(h[k]) + (1 - y) * std::log(1 - h[k]);
      else if (y > 0)
        J -= std::log(h[k]);
      delta[k] = h[k] - y;
    }
    for (std::size_t l = L; l-- > 0;) {
      const index_t rows = p.sizes[l + 1], cols = p.sizes[l] + 1;
      for (index_t j = 0; j < rows; ++j) {
        D[l][j * cols] += delta[j];
        for (index_t k = 1; k < cols; ++k) D[l][j * cols + k] += delta[j] * a[l][k - 1];
      }
      if (l == 0) break;
      std::vector<double> prev(cols - 1, 0.0);
      for (index_t k = 1; k < cols; ++k) {
        for (index_t j = 0; j < rows; ++j) prev[k - 1] += p.thetas[l][j * cols + k] * delta[j];
        prev[k - 1] *= g_prime_from_a(p.hidden, a[l][k - 1]);
      }
      delta = prev;
    }
  }
  double reg = 0.0;
  for (std::size_t l = 0; l < L; ++l) {
    const index_t cols = p.sizes[l] + 1;
    for (std::size_t q = 0; q < D[l].size(); ++q) {
      const bool bias = q % cols == 0;
      D[l][q] = D[l][q] / double(p.m) + (bias ? 0.0 : lambda / double(p.m) * p.thetas[l][q]);
      if (!bias) reg += p.thetas[l][q] * p.thetas[l][q];
    }
  }
  return J / double(p.m) + lambda / (2.0 * double(p.m)) * reg;
}

template <class T>
double core(const Problem& p, double lambda, int threads, std::vector<std::vector<T>>& D) {
  std::vector<std::vector<T>> thetas;
  bprop::Network<T> layers;
  for (std::size_t l = 0; l < p.thetas.size(); ++l) {
    thetas.emplace_back(p.thetas[l].begin(), p.thetas[l].end());
    const Activation a = l + 1 < p.thetas.size() ? p.hidden : p.output;
    layers.push_back({thetas[l].data(), p.sizes[l + 1], p.sizes[l] + 1, a});
  }
  const std::vector<T> X(p.X.begin(), p.X.end());
  bprop::Samples<T> s{X.data(), p.m, p.sizes[0], p.labels.data(), nullptr};
  bprop::check_samples(layers, s);
  D.assign(layers.size(), {});
  std::vector<T*> ptrs;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    D[l].resize(thetas[l].size());
    ptrs.push_back(D[l].data());
  }
  bprop::Workspace<T>& ws = bprop::thread_workspace(layers, p.m, threads, true);
  const bprop::CostResult r = bprop::cost_gradient(layers, s, lambda, ptrs.data(), ws);
  if (r.status != bprop::Status::ok) {
    std::printf("FAIL core status %d\n", int(r.status));
    ++failures;
  }
  return r.cost;
}

template <class T>
void check(const char* name, const Problem& p, double lambda, double rtol, double golden_J) {
  std::vector<std::vector<double>> want;
  const double J_want = naive(p, lambda, want);
  const int before = failures;
  for (int threads : {1, 2}) {
    std::vector<std::vector<T>> got;
    const double J = core<T>(p, lambda, threads, got);
    double worst = std::fabs(J - J_want) / std::fabs(J_want);
    for (std::size_t l = 0; l < got.size(); ++l) {
      double scale = 1e-30;
      for (double w : want[l]) scale = std::max(scale, std::fabs(w));
      for (std::size_t q = 0; q < got[l].size(); ++q)
        worst = std::max(worst, std::fabs(double(got[l][q]) - want[l][q]) / scale);
    }
    const double golden = std::fabs(J - golden_J) / std::fabs(golden_J);
    if (!(worst <= rtol) || !(golden <= rtol)) {
      std::printf(
          "FAIL %s (%s, %d threads): J %.17g, naive %.17g, golden %.17g; worst relative "
          "difference %.3g\n",
          name, sizeof(T) == 4 ? "float" : "double", threads, J, J_want, golden_J, worst);
      ++failures;
    }
  }
  if (failures == before)
    std::printf("ok   %s (%s): J = %.17g\n", name, sizeof(T) == 4 ? "float" : "double", J_want);
}

}  // namespace

int main() {
  // m = 150: blocks of 64, 64 and 22. Golden J: this program's naive J printed on
  // x86-64 (GCC 12, 2026-11-29), to be met on every platform to the tolerance.
  const double GOLDEN_SIG = 2.4994953486767959, GOLDEN_RELU = 1.5333711727722943,
               GOLDEN_WIDE = 12.38906289911084;
  const Problem sig = make({7, 6, 5, 3}, Activation::sigmoid, Activation::sigmoid, 150);
  const Problem relu = make({9, 8, 4}, Activation::relu, Activation::softmax, 150);
  const Problem wide = make({70, 40, 10}, Activation::tanh, Activation::sigmoid, 300);
  check<double>("sigmoid 7-6-5-3, logistic, lambda 1.5", sig, 1.5, 1e-12, GOLDEN_SIG);
  check<float>("sigmoid 7-6-5-3, logistic, lambda 1.5", sig, 1.5, 2e-5, GOLDEN_SIG);
  check<double>("relu 9-8-4, softmax", relu, 0.0, 1e-12, GOLDEN_RELU);
  check<float>("relu 9-8-4, softmax", relu, 0.0, 2e-5, GOLDEN_RELU);
  check<double>("tanh 70-40-10, logistic, lambda 0.3", wide, 0.3, 1e-12, GOLDEN_WIDE);
  check<float>("tanh 70-40-10, logistic, lambda 0.3", wide, 0.3, 5e-5, GOLDEN_WIDE);
  if (failures) std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
