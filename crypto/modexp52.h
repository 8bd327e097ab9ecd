// Modular exponentiation in radix 2^52 with AVX-512 IFMA (vpmadd52luq/vpmadd52huq), for moduli up to
// 4096 bits: the Paillier N² of a peer (4096 bits) and everything smaller. On a CPU with IFMA an
// exponentiation is 2.5× faster than OpenSSL's at 4096 bits and 1.6× at 2048 (performance.md);
// modexp::pow_sec, pow_public, pow2_public and MontgomeryContext (crypto/fixed_base.h) use it when
// preferred(m), and OpenSSL or GMP otherwise.
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
#include <cstdint>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/secret.h"

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

// Montgomery arithmetic modulo m in radix 2^52: what pow and pow2 run on, and what MontgomeryContext
// (crypto/fixed_base.h) uses for the comb tables when preferred(m). An element is width() words, each a
// digit below 2^52, least significant first; R = 2^(52·width()) ≥ 4·2^(64·limbs(m)).
class Field {
 public:
  // Aborts unless supports(m), and for Impl::ifma on a CPU without it. m may be secret: the set-up is
  // constant time in its value.
  Field(const BigInt& m, Impl impl);

  size_t width() const { return words_; }
  const BigInt& modulus() const { return m_; }
  // r = a·b/R mod m, below 2m, for a < 2^(64·limbs(m)) and b < 2m: then a·b/R < m, so the almost-
  // Montgomery product stays below 2m. r may alias a or b.
  void mul(uint64_t* r, const uint64_t* a, const uint64_t* b) const;
  // out = table[index] for a table of `entries` elements, reading all of them (index may be secret).
  void select(uint64_t* out, const uint64_t* table, size_t entries, size_t index) const;
  // The digits of 0 ≤ x < 2^(64·limbs(m)) (aborts on a longer x).
  void load(uint64_t* out, const BigInt& x) const;
  // a/R mod m in [0, m) for an element a < 2m (leaves Montgomery form; constant time until the
  // BigInt is normalized).
  BigInt reduce_out(const uint64_t* a) const;
  // r mod m for digits r of a value in [0, 2m), by a subtraction of m that always runs.
  BigInt residue(const uint64_t* r) const;
  const uint64_t* r2() const { return r2_.data(); }    // R² mod m
  const uint64_t* one() const { return one_.data(); }  // R mod m: the Montgomery form of 1

  // Π base_i^exp_i mod m for one or two bases below m (pow, pow2).
  BigInt pow(const BigInt* const* bases, const BigInt* const* exps, unsigned count) const;

 private:
  using Words = std::vector<uint64_t, WipingAllocator<uint64_t>>;
  BigInt m_;
  Impl impl_;
  unsigned vectors_ = 0;
  size_t words_ = 0;
  Words digits_, r2_, one_;
  uint64_t k0_ = 0;  // −m⁻¹ mod 2^52
};

// base^e mod m for 0 ≤ base < m, e ≥ 0 and supports(m); aborts otherwise, and for Impl::ifma on a CPU
// without it.
BigInt pow(const BigInt& base, const BigInt& e, const BigInt& m, Impl impl);
// a^x · b^y mod m for 0 ≤ a, b < m and x, y ≥ 0, with the squarings shared.
BigInt pow2(const BigInt& a, const BigInt& x, const BigInt& b, const BigInt& y, const BigInt& m, Impl impl);

}  // namespace custos::modexp52
