// SSE2 (any x86-64) or the target's default vector width elsewhere.
#define BPROP_ISA baseline
#define BPROP_ISA_NAME "baseline"
#define BPROP_VEC_BYTES 16
#include "simd_kernels.inc"
