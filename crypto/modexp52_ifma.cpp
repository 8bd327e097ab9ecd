// The AVX-512 IFMA instance of crypto/modexp52_kernel.h. This file alone is compiled with AVX-512
// enabled (crypto/CMakeLists.txt) and is only entered after crypto/modexp52.cpp has checked the CPU.
// It includes nothing but the kernel and the intrinsics, and everything it defines has internal
// linkage except the entry point, so no AVX-512 code can stand in for a function used elsewhere.
#include "crypto/modexp52_kernel.h"

#if defined(__x86_64__)
// GCC 12's AVX-512 headers initialise their "undefined" pass-through operands from themselves, which
// -Wuninitialized reports at every use (GCC bug 105593, fixed in GCC 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

namespace custos::modexp52_kernel {
namespace {

struct IfmaLanes {
  using Vec = __m512i;
  using Mask = __mmask8;
  static Vec zero() { return _mm512_setzero_si512(); }
  static Vec broadcast(uint64_t v) { return _mm512_set1_epi64(static_cast<long long>(v)); }
  static Vec load(const uint64_t* p) { return _mm512_loadu_si512(p); }
  static void store(uint64_t* p, Vec v) { _mm512_storeu_si512(p, v); }
  static Vec madd_lo(Vec acc, Vec a, Vec b) { return _mm512_madd52lo_epu64(acc, a, b); }
  static Vec madd_hi(Vec acc, Vec a, Vec b) { return _mm512_madd52hi_epu64(acc, a, b); }
  static uint64_t lane0(Vec v) { return static_cast<uint64_t>(_mm_cvtsi128_si64(_mm512_castsi512_si128(v))); }
  // Lanes 1..7 of lo, then lane 0 of hi.
  static Vec shift_down(Vec lo, Vec hi) { return _mm512_alignr_epi64(hi, lo, 1); }
  static Vec add_lane0(Vec v, uint64_t c) { return _mm512_mask_add_epi64(v, 1, v, broadcast(c)); }
  static Mask equal_mask(uint64_t index, uint64_t j) { return _mm512_cmpeq_epi64_mask(broadcast(index), broadcast(j)); }
  static Vec blend(Vec acc, Vec v, Mask take) { return _mm512_mask_mov_epi64(acc, take, v); }
};

}  // namespace

// Entry points for crypto/modexp52.cpp: V vectors of 8 digits (1 ≤ V ≤ 10).
void pow_ifma(unsigned vectors, const Job& job) { dispatch<IfmaLanes>(vectors, job); }
void amm_ifma(unsigned vectors, const Mul& mul) { dispatch<IfmaLanes>(vectors, mul); }
void select_ifma(unsigned vectors, const Select& sel) { dispatch<IfmaLanes>(vectors, sel); }

}  // namespace custos::modexp52_kernel
#else
namespace custos::modexp52_kernel {
// No IFMA off x86-64: crypto/modexp52.cpp never calls this.
void pow_ifma(unsigned, const Job&) { __builtin_trap(); }
void amm_ifma(unsigned, const Mul&) { __builtin_trap(); }
void select_ifma(unsigned, const Select&) { __builtin_trap(); }
}  // namespace custos::modexp52_kernel
#endif
