// A stop request that long kernel calls poll between blocks, so that Ctrl-C
// returns control within one block's work instead of after the whole call.
// The request is set from a signal handler (see csrc/bindings/sigint.hpp),
// hence a lock-free atomic and nothing else.
#pragma once

#include <atomic>

namespace bprop {

inline std::atomic<int>& stop_flag() {
  static std::atomic<int> flag{0};
  return flag;
}

inline void request_stop() { stop_flag().store(1, std::memory_order_relaxed); }
inline bool stop_requested() { return stop_flag().load(std::memory_order_relaxed) != 0; }
inline void clear_stop() { stop_flag().store(0, std::memory_order_relaxed); }

}  // namespace bprop
