// The only pybind11 file: converts arrays to views while holding the GIL,
// re-checks every invariant a kernel relies on, releases the GIL, calls the
// kernel. The Python layer gives friendlier messages; this is the safety net.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../bprop/kernels.hpp"
#include "../bprop/optimizers.hpp"
#include "../bprop/simd/simd_kernels.hpp"
#include "../bprop/threads.hpp"
#include "../bprop/train_steps.hpp"
#include "sigint.hpp"

namespace py = pybind11;

namespace {

template <class T>
using CArray = py::array_t<T, py::array::c_style>;

// Holds references to the theta arrays for the whole call, so that a list
// mutated by another thread while the GIL is released cannot free them.
template <class T>
struct NetworkArgs {
  std::vector<CArray<T>> arrays;
  bprop::Network<T> layers;
};

template <class T>
NetworkArgs<T> network_args(const py::list& thetas, const std::vector<int>& activations,
                            int output) {
  NetworkArgs<T> args;
  if (!activations.empty() && activations.size() + 1 != thetas.size())
    throw std::invalid_argument("give one activation per hidden layer");
  for (int g : activations)
    if (!bprop::is_hidden_activation(static_cast<bprop::Activation>(g)))
      throw std::invalid_argument("unknown activation code");
  if (!bprop::is_output_activation(static_cast<bprop::Activation>(output)))
    throw std::invalid_argument("unknown output code");
  for (std::size_t l = 0; l < thetas.size(); ++l) {
    py::handle item = thetas[l];
    if (!py::isinstance<CArray<T>>(item))
      throw py::type_error("thetas[" + std::to_string(l) +
                           "] must be a C-contiguous array of the network's dtype");
    auto a = py::reinterpret_borrow<CArray<T>>(item);
    if (a.ndim() != 2) throw std::invalid_argument("thetas[" + std::to_string(l) + "] must be 2-D");
    auto g = l < activations.size() ? static_cast<bprop::Activation>(activations[l])
                                    : bprop::Activation::sigmoid;
    if (l + 1 == thetas.size()) g = static_cast<bprop::Activation>(output);
    args.layers.push_back({a.data(), a.shape(0), a.shape(1), g});
    args.arrays.push_back(std::move(a));
  }
  bprop::check_network(args.layers);
  return args;
}

// Ctrl-C arrived during a kernel call: run Python's SIGINT handler now
// (KeyboardInterrupt, or the user's handler), so the signal cannot be lost:
// left pending for a later check, one in 5-10 was never seen (measured). When
// the kernel stopped early its results are incomplete, so the call raises
// KeyboardInterrupt even if the user's handler returns; when it had finished
// and the handler returns, the results stand.
void forward_interrupt(bool results_incomplete) {
  bprop::clear_stop();  // acted on here
  PyErr_SetInterrupt();
  if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  if (!results_incomplete) return;
  PyErr_SetNone(PyExc_KeyboardInterrupt);
  throw py::error_already_set();
}

// Runs a kernel without the GIL, with Ctrl-C routed to the core's stop flag
// (the caller then passes a seen interrupt on to Python: forward_interrupt).
template <class Kernel>
auto run_kernel(Kernel&& kernel) {
  bprop_bindings::SigintGuard sigint;
  py::gil_scoped_release release;
  return kernel();
}

int checked_threads(int num_threads) {
  if (num_threads < 1) throw std::invalid_argument("num_threads must be >= 1");
  return num_threads;
}

// An optional array argument of dtype T, or a TypeError naming it.
template <class T>
std::optional<CArray<T>> typed(const py::object& o, const char* name) {
  if (o.is_none()) return std::nullopt;
  if (!py::isinstance<CArray<T>>(o))
    throw py::type_error(std::string(name) +
                         " must be a C-contiguous array of the network's dtype");
  return py::reinterpret_borrow<CArray<T>>(o);
}

// X as the kernels read it: stored in T, or float32 (under double weights) or
// uint8 converted a block at a time as T(x) * x_scale.
template <class T>
bprop::Samples<T> input_args(const py::object& X_obj, double x_scale, const py::object& csr) {
  if (!(x_scale > 0.0) || !std::isfinite(x_scale))
    throw std::invalid_argument("x_scale must be finite and > 0");
  if (!csr.is_none()) {  // (indptr int64 (m+1,), indices int64 (nnz,), values T (nnz,), n)
    auto parts = csr.cast<py::tuple>();
    if (parts.size() != 4) throw std::invalid_argument("csr must be (indptr, indices, values, n)");
    for (int i = 0; i < 2; ++i)
      if (!py::isinstance<CArray<std::int64_t>>(parts[i]))
        throw py::type_error("CSR indptr and indices must be C-contiguous int64 arrays");
    if (!py::isinstance<CArray<T>>(parts[2]))
      throw py::type_error("CSR values must be a C-contiguous array of the network's dtype");
    auto indptr = parts[0].cast<CArray<std::int64_t>>();
    auto indices = parts[1].cast<CArray<std::int64_t>>();
    auto values = parts[2].cast<CArray<T>>();
    if (indptr.ndim() != 1 || indptr.shape(0) < 1 || indices.ndim() != 1 || values.ndim() != 1 ||
        indices.shape(0) != values.shape(0))
      throw std::invalid_argument("CSR arrays have inconsistent shapes");
    const bprop::index_t m = indptr.shape(0) - 1;
    if (indptr.at(m) != indices.shape(0))
      throw std::invalid_argument("CSR indptr must end at the number of nonzeros");
    if (x_scale != 1.0) throw std::invalid_argument("x_scale applies to dense X only");
    bprop::Samples<T> s{nullptr, m, parts[3].cast<bprop::index_t>(), nullptr, nullptr};
    s.x_type = bprop::InputType::csr;
    s.indptr = indptr.data();
    s.indices = indices.data();
    s.values = values.data();
    return s;  // the caller's tuple keeps the arrays alive for the call
  }
  if (!py::isinstance<py::array>(X_obj)) throw py::type_error("X must be an array");
  const auto X = py::reinterpret_borrow<py::array>(X_obj);
  if (X.ndim() != 2) throw std::invalid_argument("X must be 2-D");
  if (!(X.flags() & py::array::c_style)) throw py::type_error("X must be C-contiguous");
  bprop::Samples<T> s{nullptr, X.shape(0), X.shape(1), nullptr, nullptr};
  s.x_scale = T(x_scale);
  if (py::isinstance<py::array_t<T>>(X)) {
    s.X = static_cast<const T*>(X.data());
    if (x_scale != 1.0) {  // read through the converting path, which scales
      s.X_raw = X.data();
      s.x_type = sizeof(T) == sizeof(float) ? bprop::InputType::float32 : bprop::InputType::float64;
    }
  } else if (py::isinstance<py::array_t<std::uint8_t>>(X)) {
    s.X_raw = X.data();
    s.x_type = bprop::InputType::uint8;
  } else if (sizeof(T) == sizeof(double) && py::isinstance<py::array_t<float>>(X)) {
    s.X_raw = X.data();
    s.x_type = bprop::InputType::float32;
  } else {
    throw py::type_error(
        "X must hold the network's dtype, uint8, or float32 under float64 weights");
  }
  return s;
}

template <class T>
bprop::Samples<T> samples_args(const bprop::Network<T>& layers, const py::object& X, double x_scale,
                               const py::object& csr,
                               const std::optional<CArray<std::int64_t>>& labels,
                               const std::optional<CArray<T>>& Y,
                               const std::optional<CArray<T>>& w) {
  bprop::Samples<T> s = input_args<T>(X, x_scale, csr);
  const bprop::index_t K = layers.back().rows;
  if (labels) {
    if (labels->ndim() != 1 || labels->shape(0) != s.m)
      throw std::invalid_argument("labels must have shape (m,)");
    s.labels = labels->data();
  }
  if (Y) {
    if (Y->ndim() != 2 || Y->shape(0) != s.m || Y->shape(1) != K)
      throw std::invalid_argument("Y must have shape (m, K)");
    s.Y = Y->data();
  }
  if (w) {
    if (w->ndim() != 1 || w->shape(0) != s.m)
      throw std::invalid_argument("sample weights must have shape (m,)");
    s.w = w->data();
  }
  bprop::check_samples(layers, s);
  return s;
}

double checked_lambda(double lambda) {
  if (!(lambda >= 0.0) || !std::isfinite(lambda))
    throw std::invalid_argument("lambda must be finite and >= 0");
  return lambda;
}

// Gradient arrays shaped like the layers, and pointers to their data.
template <class T>
py::list gradient_arrays(const bprop::Network<T>& layers, std::vector<T*>& D) {
  py::list grads;
  for (const auto& layer : layers) {
    CArray<T> g({layer.rows, layer.cols});
    D.push_back(g.mutable_data());
    grads.append(g);
  }
  return grads;
}

template <class T>
py::tuple cost_gradient(const py::list& thetas, const py::object& X,
                        const std::optional<CArray<std::int64_t>>& labels, const py::object& Y,
                        double lambda, bool with_gradient, int num_threads, const py::object& w,
                        const std::vector<int>& activations, int output, double x_scale,
                        const py::object& csr) {
  NetworkArgs<T> net = network_args<T>(thetas, activations, output);
  checked_lambda(lambda);
  const bprop::Samples<T> s =
      samples_args(net.layers, X, x_scale, csr, labels, typed<T>(Y, "Y"), typed<T>(w, "w"));
  std::vector<T*> D;
  py::object grads = with_gradient ? py::object(gradient_arrays(net.layers, D)) : py::none();
  bprop::Workspace<T>& ws =
      bprop::thread_workspace(net.layers, s.m, checked_threads(num_threads), with_gradient);
  const bprop::CostResult r = run_kernel([&] {
    return bprop::cost_gradient(net.layers, s, lambda, with_gradient ? D.data() : nullptr, ws);
  });
  if (bprop::stop_requested()) forward_interrupt(r.status == bprop::Status::interrupted);
  return py::make_tuple(r.cost, static_cast<int>(r.status), r.bad_row, grads);
}

// The data sums of cost_gradient, unfinished, for adding across processes.
template <class T>
py::tuple cost_gradient_sums(const py::list& thetas, const py::object& X,
                             const std::optional<CArray<std::int64_t>>& labels, const py::object& Y,
                             bool with_gradient, int num_threads, const py::object& w,
                             const std::vector<int>& activations, int output, double x_scale,
                             const py::object& csr) {
  NetworkArgs<T> net = network_args<T>(thetas, activations, output);
  const bprop::Samples<T> s =
      samples_args(net.layers, X, x_scale, csr, labels, typed<T>(Y, "Y"), typed<T>(w, "w"));
  bprop::Workspace<T>& ws =
      bprop::thread_workspace(net.layers, s.m, checked_threads(num_threads), with_gradient);
  const bprop::DataSums r =
      run_kernel([&] { return bprop::data_sums(net.layers, s, with_gradient, ws); });
  if (bprop::stop_requested()) forward_interrupt(r.status == bprop::Status::interrupted);
  py::object total = py::none();
  if (with_gradient && r.status == bprop::Status::ok) {
    py::array_t<double> t(static_cast<py::ssize_t>(ws.total_grad.size()));
    std::copy(ws.total_grad.begin(), ws.total_grad.end(), t.mutable_data());
    total = t;
  }
  return py::make_tuple(r.cost, r.W, static_cast<int>(r.status), r.bad_row, total);
}

template <class T>
py::tuple finish_objective(const py::list& thetas, double data_sum,
                           const std::optional<py::array_t<double, py::array::c_style>>& total,
                           double W, double m, double lambda) {
  NetworkArgs<T> net = network_args<T>(thetas, {}, 0);
  checked_lambda(lambda);
  if (!(W > 0.0) || !(m >= 1.0)) throw std::invalid_argument("W must be > 0 and m >= 1");
  std::vector<T*> D;
  py::object grads = py::none();
  if (total) {
    std::size_t P = 0;
    for (const auto& layer : net.layers) P += std::size_t(layer.rows * layer.cols);
    if (total->ndim() != 1 || std::size_t(total->shape(0)) != P)
      throw std::invalid_argument("the gradient sums must have one entry per parameter");
    grads = gradient_arrays(net.layers, D);
  }
  const bprop::CostResult r =
      bprop::finish_objective(net.layers, data_sum, total ? total->data() : nullptr, W, m, lambda,
                              total ? D.data() : nullptr);
  return py::make_tuple(r.cost, static_cast<int>(r.status), grads);
}

template <class T>
py::tuple forward(const py::list& thetas, const py::object& X, int num_threads,
                  const std::vector<int>& activations, int output, double x_scale,
                  const py::object& csr) {
  NetworkArgs<T> net = network_args<T>(thetas, activations, output);
  const bprop::Samples<T> s = input_args<T>(X, x_scale, csr);
  if (s.x_type == bprop::InputType::csr) bprop::check_samples_input(net.layers, s);
  if (s.m < 1) throw std::invalid_argument("X is empty");
  if (s.n != net.layers.front().cols - 1)
    throw std::invalid_argument("X has the wrong number of columns");
  CArray<T> out({s.m, net.layers.back().rows});
  T* out_data = out.mutable_data();
  bprop::Workspace<T>& ws =
      bprop::thread_workspace(net.layers, s.m, checked_threads(num_threads), false);
  const bprop::index_t bad_row =
      run_kernel([&] { return bprop::forward(net.layers, s, out_data, ws); });
  if (bprop::stop_requested()) forward_interrupt(true);  // some blocks may be skipped
  return py::make_tuple(out, bad_row);
}

// (new theta, finite); m and v are updated in place.
template <class T>
py::tuple adam_step(const CArray<T>& theta, const CArray<T>& g, CArray<T>& m, CArray<T>& v,
                    double lr_t, double b1, double b2, double eps) {
  const auto n = theta.size();
  const auto same = [&](const py::array& a) {
    return a.ndim() == theta.ndim() && std::equal(a.shape(), a.shape() + a.ndim(), theta.shape());
  };
  if (!same(g) || !same(m) || !same(v))
    throw std::invalid_argument("theta, gradient and moments must have one shape");
  if (!m.writeable() || !v.writeable()) throw std::invalid_argument("moments must be writable");
  CArray<T> out(std::vector<py::ssize_t>(theta.shape(), theta.shape() + theta.ndim()));
  const T* th = theta.data();
  const T* gd = g.data();
  T* md = m.mutable_data();
  T* vd = v.mutable_data();
  T* od = out.mutable_data();
  bool finite;
  {
    py::gil_scoped_release release;
    finite = bprop::adam_step<T>(th, gd, md, vd, od, n, lr_t, b1, b2, eps);
  }
  return py::make_tuple(out, finite);
}

// The weights' dtype picks the kernels' T (X may be stored otherwise).
bool float32_network(const py::list& thetas) {
  return thetas.size() > 0 && py::isinstance<CArray<float>>(thetas[0]);
}

// No array argument tells the dtype apart, so the weights' dtype picks the kernel.
py::tuple finish_objective_any(const py::list& thetas, double data_sum,
                               const std::optional<py::array_t<double, py::array::c_style>>& total,
                               double W, double m, double lambda) {
  if (float32_network(thetas))
    return finish_objective<float>(thetas, data_sum, total, W, m, lambda);
  return finish_objective<double>(thetas, data_sum, total, W, m, lambda);
}

// Mutable weight-sized arrays of dtype T (optimiser state), one per layer, or a TypeError.
template <class T>
std::vector<T*> state_arrays(const py::list& arrays, const bprop::Network<T>& layers,
                             const char* name) {
  std::vector<T*> out;
  if (arrays.size() == 0) return out;
  if (arrays.size() != layers.size())
    throw std::invalid_argument(std::string(name) + " needs one array per layer");
  for (std::size_t l = 0; l < layers.size(); ++l) {
    py::handle item = arrays[l];
    if (!py::isinstance<CArray<T>>(item)) throw py::type_error(std::string(name) + ": wrong dtype");
    auto a = py::reinterpret_borrow<CArray<T>>(item);
    if (!a.writeable() || a.ndim() != 2 || a.shape(0) != layers[l].rows ||
        a.shape(1) != layers[l].cols)
      throw std::invalid_argument(std::string(name) +
                                  " must be writable and shaped like the weights");
    out.push_back(a.mutable_data());
  }
  return out;
}

// One epoch's mini-batch steps (train_steps.hpp). thetas are updated in place.
template <class T>
py::tuple train_steps(const py::list& thetas, const py::object& X,
                      const std::optional<CArray<std::int64_t>>& labels, const py::object& Y,
                      const py::object& w, double x_scale, const std::vector<int>& activations,
                      int output, int num_threads, const std::optional<CArray<std::int64_t>>& order,
                      long long batch_size, long long steps, long long max_taken, double lambda,
                      int kind, double learning_rate, double momentum, double beta1, double beta2,
                      double eps, long long adam_t, const py::list& state1,
                      const py::list& state2) {
  NetworkArgs<T> net = network_args<T>(thetas, activations, output);
  checked_lambda(lambda);
  const bprop::Samples<T> data =
      samples_args(net.layers, X, x_scale, py::none(), labels, typed<T>(Y, "Y"), typed<T>(w, "w"));
  std::vector<T*> weights;
  for (auto& a : net.arrays) {
    if (!a.writeable()) throw std::invalid_argument("the weights must be writable");
    weights.push_back(a.mutable_data());
  }
  if (kind < 0 || kind > 3) throw std::invalid_argument("unknown optimizer code");
  const auto opt_kind = static_cast<bprop::OptimizerKind>(kind);
  std::vector<T*> s1 = state_arrays(state1, net.layers, "state1");
  std::vector<T*> s2 = state_arrays(state2, net.layers, "state2");
  const bool needs1 = opt_kind != bprop::OptimizerKind::gd;
  const bool needs2 = opt_kind == bprop::OptimizerKind::adam;
  if (s1.empty() == needs1 || s2.empty() == needs2)
    throw std::invalid_argument("the optimizer's state does not match its kind");
  if (steps < 0 || max_taken < 0) throw std::invalid_argument("steps must be >= 0");
  bprop::StepPlan plan;
  if (order) {
    if (order->ndim() != 1 || order->shape(0) != data.m)
      throw std::invalid_argument("order must hold every row once (shape (m,))");
    if (batch_size < 1) throw std::invalid_argument("batch_size must be >= 1");
    const std::int64_t* o = order->data();
    std::vector<char> seen(std::size_t(data.m), 0);
    for (bprop::index_t i = 0; i < data.m; ++i) {
      if (o[i] < 0 || o[i] >= data.m || seen[std::size_t(o[i])])
        throw std::invalid_argument("order must be a permutation of the rows");
      seen[std::size_t(o[i])] = 1;
    }
    if ((steps - 1) * batch_size >= data.m && steps > 0)
      throw std::invalid_argument("more steps than batches in the order");
    plan.order = o;
  }
  plan.batch_size = batch_size;
  plan.steps = steps;
  plan.max_taken = max_taken;
  plan.lambda = lambda;
  bprop::OptimizerState opt{opt_kind, learning_rate, momentum, beta1, beta2, eps, adam_t};
  py::array_t<double> costs(steps);
  py::array_t<std::uint8_t> taken(steps);
  std::fill(costs.mutable_data(), costs.mutable_data() + steps, NAN);
  std::fill(taken.mutable_data(), taken.mutable_data() + steps, 0);
  const int threads = checked_threads(num_threads);
  double* cost_data = costs.mutable_data();
  std::uint8_t* taken_data = taken.mutable_data();
  bprop::StepsResult r = run_kernel([&] {
    return bprop::train_steps(net.layers, weights.data(), data, plan, opt,
                              s1.empty() ? nullptr : s1.data(), s2.empty() ? nullptr : s2.data(),
                              threads, cost_data, taken_data);
  });
  // Ctrl-C: the finished steps stand; Python records them and stops (status 3),
  // also when the signal came after the last step.
  if (bprop::stop_requested() && r.status == bprop::StepStatus::ok)
    r.status = bprop::StepStatus::interrupted;
  bprop::clear_stop();
  return py::make_tuple(r.done, static_cast<int>(r.status), r.bad_row, costs, taken, opt.t);
}

template <class... A>
py::tuple cost_gradient_any(const py::list& thetas, A... a) {
  return float32_network(thetas) ? cost_gradient<float>(thetas, a...)
                                 : cost_gradient<double>(thetas, a...);
}
template <class... A>
py::tuple cost_gradient_sums_any(const py::list& thetas, A... a) {
  return float32_network(thetas) ? cost_gradient_sums<float>(thetas, a...)
                                 : cost_gradient_sums<double>(thetas, a...);
}
template <class... A>
py::tuple forward_any(const py::list& thetas, A... a) {
  return float32_network(thetas) ? forward<float>(thetas, a...) : forward<double>(thetas, a...);
}

template <class... A>
py::tuple train_steps_any(const py::list& thetas, A... a) {
  return float32_network(thetas) ? train_steps<float>(thetas, a...)
                                 : train_steps<double>(thetas, a...);
}

void define_kernels(py::module_& m) {
  m.def("cost_gradient",
        &cost_gradient_any<py::object, std::optional<CArray<std::int64_t>>, py::object, double,
                           bool, int, py::object, std::vector<int>, int, double, py::object>,
        py::arg("thetas"), py::arg("X"), py::arg("labels").noconvert(), py::arg("Y"),
        py::arg("lambda_"), py::arg("with_gradient"), py::arg("num_threads"),
        py::arg("w") = py::none(), py::arg("activations") = std::vector<int>(),
        py::arg("output") = 0, py::arg("x_scale") = 1.0, py::arg("csr") = py::none(),
        "(cost, status, bad_row, grads or None); see bprop.network. With csr = (indptr, "
        "indices, values, n) X is sparse and ignored.");
  m.def("cost_gradient_sums",
        &cost_gradient_sums_any<py::object, std::optional<CArray<std::int64_t>>, py::object, bool,
                                int, py::object, std::vector<int>, int, double, py::object>,
        py::arg("thetas"), py::arg("X"), py::arg("labels").noconvert(), py::arg("Y"),
        py::arg("with_gradient"), py::arg("num_threads"), py::arg("w") = py::none(),
        py::arg("activations") = std::vector<int>(), py::arg("output") = 0,
        py::arg("x_scale") = 1.0, py::arg("csr") = py::none(),
        "(data sum, weight sum W, status, bad_row, unscaled gradient sums or None).");
  m.def("train_steps",
        &train_steps_any<py::object, std::optional<CArray<std::int64_t>>, py::object, py::object,
                         double, std::vector<int>, int, int, std::optional<CArray<std::int64_t>>,
                         long long, long long, long long, double, int, double, double, double,
                         double, double, long long, py::list, py::list>,
        py::arg("thetas"), py::arg("X"), py::arg("labels").noconvert(), py::arg("Y"), py::arg("w"),
        py::arg("x_scale"), py::arg("activations"), py::arg("output"), py::arg("num_threads"),
        py::arg("order").noconvert(), py::arg("batch_size"), py::arg("steps"), py::arg("max_taken"),
        py::arg("lambda_"), py::arg("kind"), py::arg("learning_rate"), py::arg("momentum"),
        py::arg("beta1"), py::arg("beta2"), py::arg("eps"), py::arg("adam_t"), py::arg("state1"),
        py::arg("state2"),
        "(done, status, bad_row, costs, taken, adam_t): one epoch's mini-batch steps, "
        "the weights and the optimizer's state updated in place.");
  m.def("forward", &forward_any<py::object, int, std::vector<int>, int, double, py::object>,
        py::arg("thetas"), py::arg("X"), py::arg("num_threads"),
        py::arg("activations") = std::vector<int>(), py::arg("output") = 0,
        py::arg("x_scale") = 1.0, py::arg("csr") = py::none(),
        "(outputs (m, K), first bad row of X or -1).");
  m.def("adam_step", &adam_step<double>, py::arg("theta").noconvert(), py::arg("g").noconvert(),
        py::arg("m").noconvert(), py::arg("v").noconvert(), py::arg("lr_t"), py::arg("b1"),
        py::arg("b2"), py::arg("eps"), "(new theta, all finite); m and v updated in place.");
  m.def("adam_step", &adam_step<float>, py::arg("theta").noconvert(), py::arg("g").noconvert(),
        py::arg("m").noconvert(), py::arg("v").noconvert(), py::arg("lr_t"), py::arg("b1"),
        py::arg("b2"), py::arg("eps"), "(new theta, all finite); m and v updated in place.");
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "bprop's C++/OpenMP core (private: use the bprop package).";
  define_kernels(m);
  m.def("finish_objective", &finish_objective_any, py::arg("thetas"), py::arg("data_sum"),
        py::arg("total").noconvert(), py::arg("W"), py::arg("m"), py::arg("lambda_"),
        "(J, status, grads or None) from data sums over m samples: the penalty and "
        "gradient finish of cost_gradient.");
  m.def("openmp_enabled", &bprop::openmp_enabled);
  m.def("default_num_threads", &bprop::default_num_threads);
  m.def("num_procs", &bprop::num_procs);
  m.def("simd_isa", &bprop::simd_isa, "Instruction set of the kernels in use.");
  m.def("supported_isas", &bprop::supported_isas,
        "The kernel paths this build can run on this CPU (BPROP_SIMD values).");
  // The activations' names and codes, defined once in activations.hpp.
  py::dict hidden, outputs;
  for (const auto& h : bprop::kHiddenActivations) hidden[h.name] = static_cast<int>(h.code);
  for (const auto& o : bprop::kOutputActivations) outputs[o.name] = static_cast<int>(o.code);
  m.attr("HIDDEN_ACTIVATIONS") = hidden;
  m.attr("OUTPUT_ACTIVATIONS") = outputs;
  m.attr("LEAKY_SLOPE") = bprop::kLeakySlope;
  m.attr("BLOCK_SIZE") = bprop::kBlock;
  m.attr("WAVE_BLOCKS") = bprop::kWave;
  m.attr("STATUS_OK") = static_cast<int>(bprop::Status::ok);
  m.attr("STATUS_NON_FINITE_INPUT") = static_cast<int>(bprop::Status::non_finite_input);
  m.attr("STATUS_NON_FINITE_RESULT") = static_cast<int>(bprop::Status::non_finite_result);
  m.attr("STATUS_INTERRUPTED") = static_cast<int>(bprop::Status::interrupted);
}
