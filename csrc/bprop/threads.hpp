// OpenMP queries with a serial fallback, so the core also builds without OpenMP.
#pragma once

#include <algorithm>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace bprop {

inline bool openmp_enabled() {
#ifdef _OPENMP
  return true;
#else
  return false;
#endif
}

// The user's default (OMP_NUM_THREADS or all cores); read, never set.
inline int default_num_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

inline int num_procs() {
#ifdef _OPENMP
  return omp_get_num_procs();
#else
  return 1;
#endif
}

// Threads in the current parallel region (1 outside one).
inline int omp_num_threads() {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}

// Threads worth using for an elementwise pass over n values: a parallel region
// costs microseconds, so one thread below ~32K values.
inline int elementwise_threads(int threads, long long n) { return n < 32768 ? 1 : threads; }

inline int thread_id() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

// This thread's share [begin, end) of n items cut into equal consecutive
// ranges, one per thread of the current parallel region.
struct Range {
  long long begin, end;
};
inline Range thread_range(long long n) {
  const long long span = (n + omp_num_threads() - 1) / omp_num_threads();
  const long long begin = std::min(n, span * thread_id());
  return {begin, std::min(n, begin + span)};
}

}  // namespace bprop
