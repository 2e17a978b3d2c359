// AVX-512 (F, DQ, VL) + FMA: 64-byte vectors; compiled with -mavx512f -mavx512dq -mavx512vl
// -mfma (CMakeLists.txt), called only when the CPU has them.
#define BPROP_ISA avx512
#define BPROP_ISA_NAME "avx512"
#define BPROP_VEC_BYTES 64
#include "simd_kernels.inc"
