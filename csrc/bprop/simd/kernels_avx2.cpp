// AVX2 + FMA; compiled with -mavx2 -mfma (CMakeLists.txt), called only when the CPU has them.
#define BPROP_ISA avx2
#define BPROP_ISA_NAME "avx2"
#define BPROP_VEC_BYTES 32
#include "simd_kernels.inc"
