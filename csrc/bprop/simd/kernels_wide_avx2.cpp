// The AVX-512 path's source and tiling (64-byte vectors) compiled for AVX2 + FMA, where each
// vector operation becomes two. Never chosen by itself: BPROP_SIMD=wide-avx2 selects it, so
// that a machine without AVX-512 still runs the wide tiles and their remainder logic in tests.
#define BPROP_ISA wide_avx2
#define BPROP_ISA_NAME "wide-avx2"
#define BPROP_VEC_BYTES 64
#include "simd_kernels.inc"
