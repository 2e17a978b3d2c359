// While a kernel runs without the GIL, Python cannot act on Ctrl-C. This guard
// routes SIGINT to bprop::request_stop() for the duration of the call and puts
// the previous handler back afterwards; the caller then re-raises the signal
// in Python (KeyboardInterrupt, or the user's own handler). Nested or
// concurrent calls share one installation, counted under a mutex.
#pragma once

#include <csignal>
#include <mutex>

#include "../bprop/interrupt.hpp"

namespace bprop_bindings {

class SigintGuard {
 public:
  SigintGuard() {
    std::lock_guard<std::mutex> lock(mutex());
    // The stop flag is not cleared here: a SIGINT delivered late (to an OpenMP
    // thread, after the previous call had checked the flag) must stop this call,
    // not be forgotten. Whoever acts on the flag clears it (module.cpp).
    // A process told to ignore SIGINT (a background job, nohup) keeps ignoring it.
    if (depth()++ == 0) {
      installed() = false;
      if (sigaction(SIGINT, nullptr, &previous()) != 0 || previous().sa_handler == SIG_IGN) return;
      struct sigaction action {};
      action.sa_handler = [](int) { bprop::request_stop(); };
      sigemptyset(&action.sa_mask);
      installed() = sigaction(SIGINT, &action, nullptr) == 0;
    }
  }
  ~SigintGuard() {
    std::lock_guard<std::mutex> lock(mutex());
    if (--depth() == 0 && installed()) sigaction(SIGINT, &previous(), nullptr);
  }
  SigintGuard(const SigintGuard&) = delete;
  SigintGuard& operator=(const SigintGuard&) = delete;

 private:
  static std::mutex& mutex() {
    static std::mutex m;
    return m;
  }
  static int& depth() {
    static int d = 0;
    return d;
  }
  static bool& installed() {
    static bool i = false;
    return i;
  }
  static struct sigaction& previous() {
    static struct sigaction p {};
    return p;
  }
};

}  // namespace bprop_bindings
