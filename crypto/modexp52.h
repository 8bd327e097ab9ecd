// Modular exponentiation in radix 2^52 with AVX-512 IFMA (vpmadd52luq/vpmadd52huq), for moduli up to
// 4096 bits: the Paillier N² of a peer (4096 bits) and everything smaller. On a CPU with IFMA it is
// 2–2.5× faster than OpenSSL's BN_mod_exp_mont (performance.md); modexp::pow_sec, pow_public and
// pow2_public (crypto/fixed_base.h) use it whenever it runs here, and OpenSSL otherwise.
//
// The same algorithm is compiled a second time in plain C++ (Impl::portable, crypto/modexp52_kernel.h).
// That copy is what tests compare on every machine, and what the constant-time test checks under
// valgrind, which does not emulate AVX-512 (so there the CPU check reports no IFMA).
//
// Side channels, for both copies: constant time in the base, the exponent and the modulus, given the
// limb counts of the exponent and of the modulus, which callers treat as public (every BigInt reveals its
// limb count), as BN_mod_exp_mont_consttime does. Table entries are read in full.
#pragma once

#include <cstddef>

#include "crypto/bigint.h"

namespace custos::modexp52 {

enum class Impl { ifma, portable };

// Largest modulus handled, in 64-bit limbs: 4m < 2^(52·80) for every m of 4096 bits.
inline constexpr size_t kMaxModulusLimbs = 64;

// True when this CPU (and its OS) runs AVX-512 F and IFMA.
bool cpu_has_ifma();
// True when modexp:: should use the IFMA code: the CPU has it and no one turned it off.
bool enabled();
// Turns the IFMA path of modexp:: off or back on (benchmarks and tests compare the two). On a CPU
// without IFMA, turning it on changes nothing.
void set_enabled(bool on);

// Whether modexp:: should take this path for m: enabled(), supports(m), and m longer than 16 limbs. At
// exactly 1024 bits OpenSSL's AVX2 code (RSAZ) is faster (performance.md); shorter moduli are test keys.
bool preferred(const BigInt& m);

// Whether m can be used: odd, above 1 and at most kMaxModulusLimbs limbs. m's parity and limb count are
// public.
bool supports(const BigInt& m);

// base^e mod m for 0 ≤ base < m, e ≥ 0 and supports(m); aborts otherwise, and for Impl::ifma on a CPU
// without it.
BigInt pow(const BigInt& base, const BigInt& e, const BigInt& m, Impl impl);
// a^x · b^y mod m for 0 ≤ a, b < m and x, y ≥ 0, with the squarings shared.
BigInt pow2(const BigInt& a, const BigInt& x, const BigInt& b, const BigInt& y, const BigInt& m, Impl impl);

}  // namespace custos::modexp52
