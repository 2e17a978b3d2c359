// The only pybind11 file: converts arrays to views while holding the GIL,
// re-checks every invariant a kernel relies on, releases the GIL, calls the
// kernel. The Python layer gives friendlier messages; this is the safety net.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <iterator>
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

// The samples a call reads, built once per call by bprop._internal.problem
// (_core.Samples): a dense X read times x_scale, or the CSR parts (indptr, indices,
// values, n) in its place; class labels (m,) or targets Y (m, K); sample weights w (m,).
// Read-only once built, so no other thread can swap an array while the GIL is released.
struct SamplesIn {
  py::object X, Y, w, csr;
  std::optional<CArray<std::int64_t>> labels;
  double x_scale = 1.0;
};

// The network's kind (_core.NetworkKind): one activation code per hidden layer (none:
// all sigmoid) and the output's code (HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS).
struct KindIn {
  std::vector<int> activations;
  int output = 0;
};

// An epoch's batches (_core.StepPlan): order, a permutation of the rows (None: the full
// batch); batch_size rows per step; steps batches; at most max_taken steps; lambda_;
// clip_norm, each step's gradient clipped to that global norm (0: not clipped).
struct StepPlanIn {
  std::optional<CArray<std::int64_t>> order;
  long long batch_size = 0, steps = 0, max_taken = 0;
  double lambda = 0.0;
  double clip_norm = 0.0;
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
bprop::Samples<T> samples_args(const bprop::Network<T>& layers, const SamplesIn& in) {
  return samples_args(layers, in.X, in.x_scale, in.csr, in.labels, typed<T>(in.Y, "Y"),
                      typed<T>(in.w, "w"));
}

template <class T>
py::tuple cost_gradient(const py::list& thetas, const SamplesIn& in, const KindIn& kind,
                        double lambda, bool with_gradient, int num_threads) {
  NetworkArgs<T> net = network_args<T>(thetas, kind.activations, kind.output);
  checked_lambda(lambda);
  const bprop::Samples<T> s = samples_args(net.layers, in);
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
py::tuple cost_gradient_sums(const py::list& thetas, const SamplesIn& in, const KindIn& kind,
                             bool with_gradient, int num_threads) {
  NetworkArgs<T> net = network_args<T>(thetas, kind.activations, kind.output);
  const bprop::Samples<T> s = samples_args(net.layers, in);
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
py::tuple forward(const py::list& thetas, const SamplesIn& in, const KindIn& kind,
                  int num_threads) {
  NetworkArgs<T> net = network_args<T>(thetas, kind.activations, kind.output);
  const bprop::Samples<T> s = input_args<T>(in.X, in.x_scale, in.csr);
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

void check_config(const bprop::OptimizerState& config) {
  const int kind = static_cast<int>(config.kind);
  if (kind < 0 || kind >= int(std::size(bprop::optimizer_names)))
    throw std::invalid_argument("unknown optimizer code");
  if (!(config.weight_decay >= 0.0) || !std::isfinite(config.weight_decay))
    throw std::invalid_argument("weight_decay must be finite and >= 0");
}

double checked_clip_norm(double clip_norm) {
  if (!(clip_norm >= 0.0) || !std::isfinite(clip_norm))
    throw std::invalid_argument("clip_norm must be finite and >= 0");
  return clip_norm;
}

// The state arrays the rule updates: a velocity (momentum, nesterov), m and v (adam, adamw).
template <class T>
void check_state(const bprop::OptimizerState& config, const std::vector<T*>& s1,
                 const std::vector<T*>& s2) {
  const bool needs1 = config.kind != bprop::OptimizerKind::gd;
  const bool needs2 =
      config.kind == bprop::OptimizerKind::adam || config.kind == bprop::OptimizerKind::adamw;
  if (s1.empty() == needs1 || s2.empty() == needs2)
    throw std::invalid_argument("the optimizer's state does not match its kind");
}

// One optimiser step of every layer by config's rule (optimizers.hpp): (new weights,
// all finite). The state (velocity, or Adam's m and v) is updated in place, and
// config.t counts Adam's steps.
template <class T>
py::tuple optimizer_step(bprop::OptimizerState& config, const py::list& thetas,
                         const py::list& grads, const py::list& state1, const py::list& state2) {
  check_config(config);
  bprop::Network<T> layers;
  std::vector<CArray<T>> held;  // the arrays stay alive while the GIL is released
  std::vector<const T*> g;
  py::list out;
  std::vector<T*> o;
  if (grads.size() != thetas.size())
    throw std::invalid_argument("give one gradient per weight matrix");
  for (std::size_t l = 0; l < thetas.size(); ++l) {
    py::handle t = thetas[l], d = grads[l];
    if (!py::isinstance<CArray<T>>(t) || !py::isinstance<CArray<T>>(d))
      throw py::type_error("thetas and grads must be C-contiguous arrays of one dtype");
    auto a = py::reinterpret_borrow<CArray<T>>(t);
    auto b = py::reinterpret_borrow<CArray<T>>(d);
    if (a.ndim() != 2 || b.ndim() != 2 || a.shape(0) != b.shape(0) || a.shape(1) != b.shape(1))
      throw std::invalid_argument("each gradient must be shaped like its weights (2-D)");
    layers.push_back({a.data(), a.shape(0), a.shape(1), bprop::Activation::sigmoid});
    g.push_back(b.data());
    CArray<T> next({a.shape(0), a.shape(1)});
    o.push_back(next.mutable_data());
    out.append(next);
    held.push_back(std::move(a));
    held.push_back(std::move(b));
  }
  std::vector<T*> s1 = state_arrays(state1, layers, "state1");
  std::vector<T*> s2 = state_arrays(state2, layers, "state2");
  check_state(config, s1, s2);
  bool finite = true;
  {
    py::gil_scoped_release release;
    const double adam_lr = bprop::begin_step(config);
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const bprop::index_t n = layers[l].rows * layers[l].cols;
      const bprop::UpdateSlice<T> slice{layers[l].theta,
                                        g[l],
                                        s1.empty() ? nullptr : s1[l],
                                        s2.empty() ? nullptr : s2[l],
                                        o[l],
                                        n,
                                        0,
                                        layers[l].cols};
      const bool ok = bprop::optimizer_update(config, adam_lr, slice);
      finite = ok && finite;
    }
  }
  return py::make_tuple(out, finite);
}

// Clips grads (a list of C-contiguous arrays of one dtype, updated in place) to the
// global L2 norm clip_norm (optimizers.hpp); returns their norm before clipping.
template <class T>
double clip_gradients(const py::list& grads, double clip_norm) {
  std::vector<CArray<T>> held;
  std::vector<T*> D;
  std::vector<bprop::index_t> n;
  for (std::size_t l = 0; l < grads.size(); ++l) {
    py::handle d = grads[l];
    if (!py::isinstance<CArray<T>>(d))
      throw py::type_error("grads must be C-contiguous arrays of one dtype");
    auto a = py::reinterpret_borrow<CArray<T>>(d);
    if (!a.writeable()) throw std::invalid_argument("grads must be writable");
    D.push_back(a.mutable_data());
    n.push_back(static_cast<bprop::index_t>(a.size()));
    held.push_back(std::move(a));
  }
  py::gil_scoped_release release;
  return bprop::clip_by_global_norm(D.data(), n.data(), D.size(), clip_norm);
}

double clip_gradients_any(const py::list& grads, double clip_norm) {
  if (!(checked_clip_norm(clip_norm) > 0.0)) throw std::invalid_argument("clip_norm must be > 0");
  return grads.size() > 0 && py::isinstance<CArray<float>>(grads[0])
             ? clip_gradients<float>(grads, clip_norm)
             : clip_gradients<double>(grads, clip_norm);
}

py::tuple optimizer_step_any(bprop::OptimizerState& config, const py::list& thetas,
                             const py::list& grads, const py::list& state1,
                             const py::list& state2) {
  return thetas.size() > 0 && py::isinstance<CArray<float>>(thetas[0])
             ? optimizer_step<float>(config, thetas, grads, state1, state2)
             : optimizer_step<double>(config, thetas, grads, state1, state2);
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

// The epoch's plan, checked against the m rows: order a permutation of them, no more
// steps than batches.
bprop::StepPlan checked_plan(const StepPlanIn& in, bprop::index_t m) {
  checked_lambda(in.lambda);
  if (in.steps < 0 || in.max_taken < 0) throw std::invalid_argument("steps must be >= 0");
  bprop::StepPlan plan;
  if (in.order) {
    const auto& order = *in.order;
    if (order.ndim() != 1 || order.shape(0) != m)
      throw std::invalid_argument("order must hold every row once (shape (m,))");
    if (in.batch_size < 1) throw std::invalid_argument("batch_size must be >= 1");
    const std::int64_t* o = order.data();
    std::vector<char> seen(std::size_t(m), 0);
    for (bprop::index_t i = 0; i < m; ++i) {
      if (o[i] < 0 || o[i] >= m || seen[std::size_t(o[i])])
        throw std::invalid_argument("order must be a permutation of the rows");
      seen[std::size_t(o[i])] = 1;
    }
    if ((in.steps - 1) * in.batch_size >= m && in.steps > 0)
      throw std::invalid_argument("more steps than batches in the order");
    plan.order = o;
  }
  plan.batch_size = in.batch_size;
  plan.steps = in.steps;
  plan.max_taken = in.max_taken;
  plan.lambda = in.lambda;
  plan.clip_norm = checked_clip_norm(in.clip_norm);
  return plan;
}

// One epoch's mini-batch steps (train_steps.hpp). thetas are updated in place.
template <class T>
py::tuple train_steps(const py::list& thetas, const SamplesIn& in, const KindIn& kind,
                      int num_threads, const StepPlanIn& step_plan, bprop::OptimizerState& config,
                      const py::list& state1, const py::list& state2) {
  NetworkArgs<T> net = network_args<T>(thetas, kind.activations, kind.output);
  if (!in.csr.is_none()) throw std::invalid_argument("train_steps reads a dense X");
  const bprop::Samples<T> data = samples_args(net.layers, in);
  std::vector<T*> weights;
  for (auto& a : net.arrays) {
    if (!a.writeable()) throw std::invalid_argument("the weights must be writable");
    weights.push_back(a.mutable_data());
  }
  check_config(config);
  std::vector<T*> s1 = state_arrays(state1, net.layers, "state1");
  std::vector<T*> s2 = state_arrays(state2, net.layers, "state2");
  check_state(config, s1, s2);
  const bprop::StepPlan plan = checked_plan(step_plan, data.m);
  const auto steps = plan.steps;
  py::array_t<double> costs(steps);
  py::array_t<std::uint8_t> taken(steps);
  std::fill(costs.mutable_data(), costs.mutable_data() + steps, NAN);
  std::fill(taken.mutable_data(), taken.mutable_data() + steps, 0);
  const int threads = checked_threads(num_threads);
  double* cost_data = costs.mutable_data();
  std::uint8_t* taken_data = taken.mutable_data();
  bprop::StepsResult r = run_kernel([&] {
    return bprop::train_steps(net.layers, weights.data(), data, plan, config,
                              s1.empty() ? nullptr : s1.data(), s2.empty() ? nullptr : s2.data(),
                              threads, cost_data, taken_data);
  });
  // Ctrl-C: the finished steps stand; Python records them and stops (status 3),
  // also when the signal came after the last step.
  if (bprop::stop_requested() && r.status == bprop::StepStatus::ok)
    r.status = bprop::StepStatus::interrupted;
  bprop::clear_stop();
  return py::make_tuple(r.done, static_cast<int>(r.status), r.bad_row, costs, taken);
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

// The typed values that cross into the core (read-only once built). Their metaclass is
// type, as a Python class's: what the stub says (checked by stubtest).
void define_inputs(py::module_& m) {
  const auto meta = py::metaclass(reinterpret_cast<PyObject*>(&PyType_Type));
  py::class_<SamplesIn>(m, "Samples", meta, "The samples a core call reads.")
      .def(py::init([](py::object X, std::optional<CArray<std::int64_t>> labels, py::object Y,
                       py::object w, double x_scale, py::object csr) {
             return SamplesIn{X, Y, w, csr, std::move(labels), x_scale};
           }),
           py::arg("X") = py::none(), py::arg("labels").noconvert() = py::none(),
           py::arg("Y") = py::none(), py::arg("w") = py::none(), py::arg("x_scale") = 1.0,
           py::arg("csr") = py::none())
      .def_readonly("X", &SamplesIn::X)
      .def_readonly("x_scale", &SamplesIn::x_scale);
  py::class_<KindIn>(m, "NetworkKind", meta, "Activation codes: hidden layers' and output's.")
      .def(py::init([](std::vector<int> activations, int output) {
             return KindIn{std::move(activations), output};
           }),
           py::arg("activations") = std::vector<int>(), py::arg("output") = 0)
      .def_readonly("activations", &KindIn::activations)
      .def_readonly("output", &KindIn::output);
  py::class_<StepPlanIn>(m, "StepPlan", meta, "An epoch's batches for train_steps.")
      .def(py::init([](std::optional<CArray<std::int64_t>> order, long long batch_size,
                       long long steps, long long max_taken, double lambda, double clip_norm) {
             return StepPlanIn{std::move(order), batch_size, steps, max_taken, lambda, clip_norm};
           }),
           py::arg("order").noconvert(), py::arg("batch_size"), py::arg("steps"),
           py::arg("max_taken"), py::arg("lambda_"), py::arg("clip_norm") = 0.0)
      .def_readonly("batch_size", &StepPlanIn::batch_size)
      .def_readonly("steps", &StepPlanIn::steps)
      .def_readonly("max_taken", &StepPlanIn::max_taken)
      .def_readonly("clip_norm", &StepPlanIn::clip_norm);
}

void define_kernels(py::module_& m) {
  m.def("cost_gradient", &cost_gradient_any<const SamplesIn&, const KindIn&, double, bool, int>,
        py::arg("thetas"), py::arg("samples"), py::arg("kind"), py::arg("lambda_"),
        py::arg("with_gradient"), py::arg("num_threads"),
        "(cost, status, bad_row, grads or None); see bprop.network.");
  m.def("cost_gradient_sums", &cost_gradient_sums_any<const SamplesIn&, const KindIn&, bool, int>,
        py::arg("thetas"), py::arg("samples"), py::arg("kind"), py::arg("with_gradient"),
        py::arg("num_threads"),
        "(data sum, weight sum W, status, bad_row, unscaled gradient sums or None).");
  m.def("train_steps",
        &train_steps_any<const SamplesIn&, const KindIn&, int, const StepPlanIn&,
                         bprop::OptimizerState&, py::list, py::list>,
        py::arg("thetas"), py::arg("samples"), py::arg("kind"), py::arg("num_threads"),
        py::arg("plan"), py::arg("config"), py::arg("state1"), py::arg("state2"),
        "(done, status, bad_row, costs, taken): one epoch's mini-batch steps, the weights, "
        "the optimizer's state and config.t updated in place.");
  m.def("forward", &forward_any<const SamplesIn&, const KindIn&, int>, py::arg("thetas"),
        py::arg("samples"), py::arg("kind"), py::arg("num_threads"),
        "(outputs (m, K), first bad row of X or -1).");
  m.def("optimizer_step", &optimizer_step_any, py::arg("config"), py::arg("thetas"),
        py::arg("grads"), py::arg("state1"), py::arg("state2"),
        "(new weights, all finite): one step of every layer by config's rule; the state "
        "and config.t updated in place.");
  m.def("clip_gradients", &clip_gradients_any, py::arg("grads"), py::arg("clip_norm"),
        "The gradients' global L2 norm; when above clip_norm, grads scaled in place to it.");
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "bprop's C++/OpenMP core (private: use the bprop package).";
  define_inputs(m);
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
  // The optimisers' codes and their hyperparameters, defined once in optimizers.hpp.
  py::dict kinds;
  for (int k = 0; k < int(std::size(bprop::optimizer_names)); ++k)
    kinds[bprop::optimizer_names[k]] = k;
  m.attr("OPTIMIZER_KINDS") = kinds;
  // (metaclass type, as a Python class has: what the stub says, checked by stubtest)
  py::class_<bprop::OptimizerState>(m, "OptimizerConfig",
                                    py::metaclass(reinterpret_cast<PyObject*>(&PyType_Type)),
                                    "An optimiser's rule (kind, a code of OPTIMIZER_KINDS) and "
                                    "hyperparameters; t counts Adam's (and AdamW's) steps.")
      .def(py::init([](int kind, double learning_rate, double momentum, double beta1, double beta2,
                       double eps, long long t, double weight_decay) {
             bprop::OptimizerState c{static_cast<bprop::OptimizerKind>(kind),
                                     learning_rate,
                                     momentum,
                                     beta1,
                                     beta2,
                                     eps,
                                     t,
                                     weight_decay};
             check_config(c);
             return c;
           }),
           py::arg("kind"), py::arg("learning_rate"), py::arg("momentum") = 0.0,
           py::arg("beta1") = 0.0, py::arg("beta2") = 0.0, py::arg("eps") = 0.0, py::arg("t") = 0,
           py::arg("weight_decay") = 0.0)
      .def_property_readonly(
          "kind", [](const bprop::OptimizerState& c) { return static_cast<int>(c.kind); })
      .def_readwrite("learning_rate", &bprop::OptimizerState::learning_rate)
      .def_readwrite("momentum", &bprop::OptimizerState::momentum)
      .def_readwrite("beta1", &bprop::OptimizerState::beta1)
      .def_readwrite("beta2", &bprop::OptimizerState::beta2)
      .def_readwrite("eps", &bprop::OptimizerState::eps)
      .def_readwrite("t", &bprop::OptimizerState::t)
      .def_readwrite("weight_decay", &bprop::OptimizerState::weight_decay);
  // How an epoch of steps ended (train_steps.hpp).
  py::dict statuses;
  statuses["ok"] = static_cast<int>(bprop::StepStatus::ok);
  statuses["non_finite_input"] = static_cast<int>(bprop::StepStatus::non_finite_input);
  statuses["non_finite_result"] = static_cast<int>(bprop::StepStatus::non_finite_result);
  statuses["interrupted"] = static_cast<int>(bprop::StepStatus::interrupted);
  statuses["non_finite_weights"] = static_cast<int>(bprop::StepStatus::non_finite_weights);
  m.attr("STEP_STATUSES") = statuses;
  m.attr("STATUS_OK") = static_cast<int>(bprop::Status::ok);
  m.attr("STATUS_NON_FINITE_INPUT") = static_cast<int>(bprop::Status::non_finite_input);
  m.attr("STATUS_NON_FINITE_RESULT") = static_cast<int>(bprop::Status::non_finite_result);
  m.attr("STATUS_INTERRUPTED") = static_cast<int>(bprop::Status::interrupted);
}
