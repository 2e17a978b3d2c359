// Every compiled kernel path against naive loops, in one process: the products
// (nt, nn over a packed panel, acc), sparse rows, the sigmoid and the softplus sum, for
// shapes that hit every tile and remainder. Paths this CPU cannot run are
// skipped (and say so). Exit status 0 when all pass.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../bprop/simd/simd_kernels.hpp"

namespace {

using bprop::index_t;
int failures = 0;

template <class T>
void expect_close(const char* what, const std::string& isa, const std::vector<T>& got,
                  const std::vector<double>& want, double rtol) {
  double scale = 1e-30;
  for (double w : want) scale = std::max(scale, std::fabs(w));
  for (std::size_t i = 0; i < want.size(); ++i) {
    const double err = std::fabs(double(got[i]) - want[i]);
    if (!(err <= rtol * scale)) {
      std::printf("FAIL %s [%s]: element %zu is %.17g, expected %.17g\n", what, isa.c_str(), i,
                  double(got[i]), want[i]);
      ++failures;
      return;
    }
  }
}

template <class T>
void expect_equal(const char* what, const std::string& isa, const std::vector<T>& got,
                  const std::vector<T>& want) {
  if (std::memcmp(got.data(), want.data(), sizeof(T) * want.size()) != 0) {
    std::printf("FAIL %s [%s]: not the same bits\n", what, isa.c_str());
    ++failures;
  }
}

template <class T>
std::vector<T> random_values(std::mt19937_64& rng, index_t n) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<T> v(n);
  for (auto& x : v) x = T(u(rng));
  return v;
}

template <class T>
void test_products(const bprop::SimdKernels<T>& k, const std::string& isa, double rtol) {
  std::mt19937_64 rng(7);
  const index_t Ms[] = {1, 5, 7, 13, 64};
  const index_t Ns[] = {1, 3, 8, 17, 25, 33, 44, 100};
  const index_t Ks[] = {1, 7, 64, 784};
  for (index_t M : Ms)
    for (index_t N : Ns)
      for (index_t K : Ks) {
        const auto A = random_values<T>(rng, M * K);
        const auto B = random_values<T>(rng, N * K);  // (N, K): rows of B^T
        std::vector<double> want(M * N, 0.0);
        for (index_t i = 0; i < M; ++i)
          for (index_t j = 0; j < N; ++j)
            for (index_t r = 0; r < K; ++r)
              want[i * N + j] += double(A[i * K + r]) * double(B[j * K + r]);
        // nt: C = A B^T
        std::vector<T> C(M * N, T(99));
        k.nt(M, N, K, A.data(), K, B.data(), K, C.data(), N, nullptr);
        expect_close("nt", isa, C, want, rtol);
        // nn: the same product over a packed panel of B (as Theta's weights are packed)
        std::vector<T> theta(N * (K + 1), T(0));
        for (index_t j = 0; j < N; ++j)
          for (index_t r = 0; r < K; ++r) theta[j * (K + 1) + 1 + r] = B[j * K + r];
        const index_t W = bprop::panel_columns(N, k.lanes);
        std::vector<T> panel(K * W), wide(M * W, T(99));
        bprop::pack_strips(theta.data(), N, K + 1, panel.data(), k.panel_strip, k.lanes);
        k.nn(M, W, K, A.data(), K, panel.data(), wide.data(), W, nullptr);
        std::vector<T> narrow(M * N);
        for (index_t i = 0; i < M; ++i)
          for (index_t j = 0; j < N; ++j) narrow[i * N + j] = wide[i * W + j];
        expect_close("nn", isa, narrow, want, rtol);
        // acc: C (M, N) += A' B with A read as A[i * 1 + r * M] (a_i = 1, a_r = M)
        const auto At = random_values<T>(rng, K * M);
        const auto Bk = random_values<T>(rng, K * N);
        auto C2 = random_values<T>(rng, M * N);
        std::vector<double> want2(M * N);
        for (index_t i = 0; i < M; ++i)
          for (index_t j = 0; j < N; ++j) {
            double s = double(C2[i * N + j]);
            for (index_t r = 0; r < K; ++r) s += double(At[r * M + i]) * double(Bk[r * N + j]);
            want2[i * N + j] = s;
          }
        const auto C0 = C2;
        k.acc(M, N, K, At.data(), 1, M, Bk.data(), N, C2.data(), N, false, 0);
        expect_close("acc", isa, C2, want2, rtol);
        // acc in parts of `depth` samples: the same bits as one call per part (parts
        // up to 64 rows are packed first, longer ones read in place)
        for (const index_t depth : {index_t(1), index_t(5), index_t(64), index_t(100)}) {
          auto deep = C0, by_part = C0;
          k.acc(M, N, K, At.data(), 1, M, Bk.data(), N, deep.data(), N, false, depth);
          for (index_t r0 = 0; r0 < K; r0 += depth)
            k.acc(M, N, std::min(depth, K - r0), At.data() + r0 * M, 1, M, Bk.data() + r0 * N, N,
                  by_part.data(), N, false, 0);
          expect_equal("acc in parts", isa, deep, by_part);
          // overwrite: the first part sets C
          auto set = C0, first = C0;
          k.acc(M, N, K, At.data(), 1, M, Bk.data(), N, set.data(), N, true, depth);
          for (index_t r0 = 0; r0 < K; r0 += depth)
            k.acc(M, N, std::min(depth, K - r0), At.data() + r0 * M, 1, M, Bk.data() + r0 * N, N,
                  first.data(), N, r0 == 0, 0);
          expect_equal("acc in parts, overwriting", isa, set, first);
        }
      }
}

template <class T>
void test_vector_math(const bprop::SimdKernels<T>& k, const std::string& isa, double rtol) {
  std::vector<T> z;
  for (int i = -4000; i <= 4000; ++i) z.push_back(T(i) / T(100));
  z.push_back(T(-1000));
  z.push_back(T(1000));
  std::vector<T> a(z.size());
  k.sigmoid(z.data(), a.data(), index_t(z.size()));
  std::vector<double> want(z.size());
  for (std::size_t i = 0; i < z.size(); ++i) want[i] = 1.0 / (1.0 + std::exp(-double(z[i])));
  // Relative per element; where the true value is subnormal the kernel returns
  // a value below the smallest normal number (documented in the kernel).
  const double tiny = sizeof(T) == 4 ? 1.2e-38 : 2.3e-308;
  for (std::size_t i = 0; i < z.size(); ++i)
    if (!(std::fabs(double(a[i]) - want[i]) <= rtol * want[i] + tiny)) {
      std::printf("FAIL sigmoid [%s]: sigmoid(%g) = %.17g, expected %.17g\n", isa.c_str(),
                  double(z[i]), double(a[i]), want[i]);
      ++failures;
      break;
    }
  for (index_t n : {index_t(1), index_t(3), index_t(17), index_t(8002)}) {
    double expected = 0.0;
    for (index_t i = 0; i < n; ++i) {
      const double x = double(z[i * 7 % z.size()]);
      expected += std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
    }
    std::vector<T> zs(n);
    for (index_t i = 0; i < n; ++i) zs[i] = z[i * 7 % z.size()];
    const double got = k.softplus_sum(zs.data(), n);
    if (!(std::fabs(got - expected) <= 1e-13 * std::fabs(expected) + 1e-300)) {
      std::printf("FAIL softplus_sum [%s]: n = %lld gives %.17g, expected %.17g\n", isa.c_str(),
                  static_cast<long long>(n), got, expected);
      ++failures;
    }
  }
}

// The conversions must equal the plain loop bit for bit (numpy's astype, then * scale).
template <class T>
void test_widen(const bprop::SimdKernels<T>& k, const std::string& isa) {
  for (index_t n : {index_t(1), index_t(7), index_t(64), index_t(785), index_t(4099)}) {
    std::vector<std::uint8_t> u(n);
    std::vector<float> f(n);
    std::vector<double> d(n);
    for (index_t i = 0; i < n; ++i) {
      u[i] = std::uint8_t(i * 37 % 256);
      f[i] = float(i) * 0.37f - 11.0f;
      d[i] = double(i) * 0.37 - 11.0;
    }
    const T scale = T(1.0 / 255.0);
    std::vector<T> got(n), want(n);
    k.widen_u8(u.data(), got.data(), n, scale);
    for (index_t i = 0; i < n; ++i) want[i] = T(u[i]) * scale;
    bool same = std::memcmp(got.data(), want.data(), sizeof(T) * n) == 0;
    k.widen_f32(f.data(), got.data(), n, scale);
    for (index_t i = 0; i < n; ++i) want[i] = T(f[i]) * scale;
    same = same && std::memcmp(got.data(), want.data(), sizeof(T) * n) == 0;
    k.widen_f64(d.data(), got.data(), n, scale);
    for (index_t i = 0; i < n; ++i) want[i] = T(d[i]) * scale;
    same = same && std::memcmp(got.data(), want.data(), sizeof(T) * n) == 0;
    if (!same) {
      std::printf("FAIL widen [%s]: n = %lld differs from the plain loop\n", isa.c_str(),
                  static_cast<long long>(n));
      ++failures;
    }
  }
}

// Sparse rows, gather and scatter: against sums in double, for row widths that
// hit every part and tail (up to 2 x kSparseVectors vectors and a scalar tail).
template <class T>
void test_sparse_rows(const bprop::SimdKernels<T>& k, const std::string& isa, double rtol) {
  std::mt19937_64 rng(11);
  const index_t K = 50;  // rows of the table the nonzeros index
  for (index_t vectors :
       {index_t(1), index_t(3), index_t(8), index_t(13), index_t(16), index_t(21), index_t(33)})
    for (index_t count : {index_t(0), index_t(1), index_t(5), index_t(40)}) {
      const index_t n = vectors * k.lanes;
      std::vector<std::int64_t> indices(count);
      for (auto& i : indices) i = std::int64_t(rng() % K);
      std::sort(indices.begin(), indices.end());
      const auto values = random_values<T>(rng, count);
      const auto table = random_values<T>(rng, K * n);
      std::vector<T> out(n, T(99));
      k.gather_rows(n, count, indices.data(), values.data(), table.data(), out.data());
      std::vector<double> want(n, 0.0);
      for (index_t p = 0; p < count; ++p)
        for (index_t j = 0; j < n; ++j)
          want[j] += double(values[p]) * double(table[indices[p] * n + j]);
      expect_close("gather_rows", isa, out, want, rtol);
      // scatter over rows of width m = n + a scalar tail
      for (index_t m : {n, n + 1, n + k.lanes - 1}) {
        const auto d = random_values<T>(rng, m);
        auto grid = random_values<T>(rng, K * m);
        std::vector<double> want2(grid.begin(), grid.end());
        for (index_t p = 0; p < count; ++p)
          for (index_t j = 0; j < m; ++j)
            want2[indices[p] * m + j] += double(values[p]) * double(d[j]);
        k.scatter_rows(m, count, indices.data(), values.data(), d.data(), grid.data());
        expect_close("scatter_rows", isa, grid, want2, rtol);
      }
    }
}

template <class T>
void test_path(const std::string& isa, double rtol, double sigmoid_rtol) {
  const auto k = bprop::simd_kernels_for<T>(isa);
  if (!k) {
    std::printf("skip %s (%s): not compiled in or not supported by this CPU\n", isa.c_str(),
                sizeof(T) == 4 ? "float" : "double");
    return;
  }
  test_products(*k, isa, rtol);
  test_vector_math(*k, isa, sigmoid_rtol);
  test_widen(*k, isa);
  test_sparse_rows(*k, isa, rtol);
  std::printf("ok   %s (%s)\n", isa.c_str(), sizeof(T) == 4 ? "float" : "double");
}

}  // namespace

int main() {
  for (const char* isa : {"baseline", "avx2", "wide-avx2", "avx512"}) {
    test_path<double>(isa, 1e-13, 4e-16);
    test_path<float>(isa, 2e-5, 3e-7);
  }
  if (failures) std::printf("%d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
