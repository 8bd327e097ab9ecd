// Fixed-base modular exponentiation (Lim–Lee comb) for bases that are used
// many times: the ring-Pedersen s and t of a peer (commitments a PROVER makes
// without knowing the factorization) and the generators behind own-key
// Paillier randomness (PaillierSecretKey::random_rho_and_power).
//
// Layout. An exponent is read as a matrix of bits with `cols` columns: bit
// number r·cols + j is row r, column j. Rows are grouped `rows` at a time; for
// each group k the table T_k holds, for every subset S of its rows, the product
// Π_{r∈S} b^(2^(r·cols)) (2^rows entries, Montgomery form). Then
//   b^e = Π_j (Π_k T_k[bits of column j in group k])^(2^j),
// i.e. `cols` squarings plus one multiplication per (column, group used).
//
// Side channels. For an exponent bound of `bits` bits (see pow()), the work is
// a fixed sequence of Montgomery squarings/multiplications, table entries are
// read with mpn_sec_tabselect (every entry is touched), products use
// mpn_sec_mul/mpn_sec_sqr (GMP's basecase, no data-dependent branches) and a
// word-by-word Montgomery reduction built on mpn_addmul_1/mpn_add_n/
// mpn_cnd_sub_n, all of which are branch-free in their data. A signed exponent
// is computed as b^(e + 2^L)·b^(−2^L) with b^(−2^L) precomputed, and e + 2^L is
// formed with both mpn_add_n and mpn_sub_n and an mpn_cnd_swap on the sign, so
// a negative exponent costs exactly as much as a positive one.
// Residual variable-time parts (documented, not hidden):
//  * the number of groups multiplied depends on `bits`, which the caller must
//    treat as public: a fixed bound, max_bits() in the convenience overloads, or
//    public_bits(e), which reveals e's length in whole groups of rows·cols bits
//    (coarser than mpz_powm_sec, which runs for the exponent's limb count);
//  * copying the exponent's magnitude out of an mpz takes time proportional to
//    its limb count, and the final BigInt is normalized (leading zero limbs);
//  * table construction uses mpz arithmetic (one-time, on the public base for
//    ring-Pedersen tables, on key-derived values for Paillier tables).
#pragma once

#include <gmp.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/modexp52.h"

namespace custos {

// Montgomery arithmetic modulo an odd m > 1. Two representations, chosen per modulus:
//  * 64-bit limbs through GMP's public mpn API: n = limbs(m) words, R = 2^(64·n), values kept in [0, R)
//    between operations;
//  * radix 2^52 with AVX-512 IFMA (crypto/modexp52.h) when modexp52::preferred(m): words of 52-bit
//    digits, R = 2^(52·width()), values kept below 2m.
// Callers treat an element as width() opaque words and use only the operations below.
class MontgomeryContext {
 public:
  // automatic: radix 2^52 when modexp52::preferred(m), else 64-bit limbs. Tests name one.
  enum class Radix { automatic, limbs64, digits52_portable };

  // Aborts unless m is odd and > 1. m may be secret (a CRT table mod one of our primes): the set-up is
  // constant time in m's value (tests/ct).
  explicit MontgomeryContext(const BigInt& m, Radix radix = Radix::automatic);

  // Words per element.
  size_t width() const { return n_; }
  bool radix52() const { return f52_ != nullptr; }
  const BigInt& modulus() const { return m_; }
  // Scratch space (in words) that mul/sqr/from_mont need.
  size_t scratch_limbs() const { return scratch_; }

  // r = a·b·R⁻¹ (mod m); r may alias a or b.
  void mul(mp_limb_t* r, const mp_limb_t* a, const mp_limb_t* b, mp_limb_t* scratch) const;
  // r = a²·R⁻¹ (mod m); r may alias a.
  void sqr(mp_limb_t* r, const mp_limb_t* a, mp_limb_t* scratch) const;
  // out = table[index] for a table of `entries` elements, every entry read (index may be secret).
  void select(mp_limb_t* out, const mp_limb_t* table, size_t entries, size_t index) const;
  // r = x·R mod m for any integer x; constant time in x's and m's values.
  void to_mont(mp_limb_t* r, const BigInt& x) const;
  // R mod m (the Montgomery form of 1).
  const std::vector<mp_limb_t>& one() const { return one_; }
  // a·R⁻¹ mod m, fully reduced into [0, m) (constant time until the BigInt is normalized).
  BigInt from_mont(const mp_limb_t* a, mp_limb_t* scratch) const;
  // a·b mod m for 0 ≤ a, b with at most limbs(m) limbs each (aborts otherwise). For secret operands: a
  // fixed sequence of Montgomery operations, then the normalization of the result.
  BigInt mul_mod(const BigInt& a, const BigInt& b) const;

 private:
  mp_limb_t redc(mp_limb_t* r, mp_limb_t* t) const;  // t: 2n limbs, destroyed
  mp_limb_t addmul_1(mp_limb_t* r, const mp_limb_t* a, mp_limb_t b) const;  // r[0,n) += a[0,n)·b

  BigInt m_;
  std::shared_ptr<const modexp52::Field> f52_;  // set in radix 2^52; the fields below are then unused
  size_t n_ = 0;
  std::vector<mp_limb_t> mod_;  // m as n limbs
  mp_limb_t minv_ = 0;          // −m⁻¹ mod 2^64
  std::vector<mp_limb_t> one_;  // R mod m
  std::vector<mp_limb_t> r2_;   // R² mod m (to_mont)
  std::vector<mp_limb_t> r3_;   // R³ mod m (mul_mod)
  size_t scratch_ = 0;
  bool adx_ = false;  // x86-64 with BMI2+ADX and n % 4 == 0: inline-assembly addmul_1 (fixed_base.cpp)
};

class FixedBaseExp {
 public:
  // Comb shape: `rows` rows per group (table of 2^rows entries per group) and
  // `cols` columns (= squarings per exponentiation). Chosen by measurement
  // (bench in the report: 2048-bit modulus, 2048..2880-bit exponents).
  static constexpr unsigned kDefaultRows = 5;
  static constexpr unsigned kDefaultCols = 32;

  // Precomputes tables for base^e mod m with 0 ≤ e < 2^max_bits and, when
  // `allow_signed`, also −2^max_bits < e < 2^max_bits (base must then be a unit
  // mod m). m odd > 1. Aborts on bad arguments.
  FixedBaseExp(const BigInt& base, const BigInt& m, unsigned max_bits, bool allow_signed = true,
               unsigned rows = kDefaultRows, unsigned cols = kDefaultCols);

  const BigInt& base() const { return base_; }
  const BigInt& modulus() const { return ctx_.modulus(); }
  unsigned max_bits() const { return max_bits_; }
  bool allows_signed() const { return signed_; }
  // Exponent bits handled per group (rows·cols): the granularity of the cost.
  unsigned group_bits() const { return rows_ * cols_; }
  // A `bits` bound for a secret exponent e (|e| ≤ max_bits()) that reveals no more than the cost does:
  // the largest bound with the same number of groups as e's own length, at most max_bits().
  unsigned public_bits(const BigInt& e, bool is_signed) const;

  // base^e mod m for 0 ≤ e < 2^bits, bits ≤ max_bits(): the cost depends only on
  // `bits` (a public bound). Aborts if e < 0, e ≥ 2^bits or bits > max_bits().
  BigInt pow(const BigInt& e, unsigned bits) const;
  BigInt pow(const BigInt& e) const { return pow(e, max_bits_); }
  // base^e mod m for |e| < 2^bits, bits ≤ max_bits(); same cost for either sign.
  // Aborts if |e| ≥ 2^bits, bits > max_bits() or the tables were built unsigned.
  BigInt pow_signed(const BigInt& e, unsigned bits) const;
  BigInt pow_signed(const BigInt& e) const { return pow_signed(e, max_bits_); }

  // a.base()^x · b.base()^y mod m for signed |x| < 2^xbits, |y| < 2^ybits, with
  // the squarings shared. a and b must have the same modulus and column count
  // and both allow signed exponents (aborts otherwise).
  static BigInt pow2_signed(const FixedBaseExp& a, const BigInt& x, unsigned xbits, const FixedBaseExp& b,
                            const BigInt& y, unsigned ybits);
  // Same for 0 ≤ x < 2^xbits, 0 ≤ y < 2^ybits (tables may be unsigned).
  static BigInt pow2(const FixedBaseExp& a, const BigInt& x, unsigned xbits, const FixedBaseExp& b, const BigInt& y,
                     unsigned ybits);

 private:
  struct Operand {
    const FixedBaseExp* table;
    std::vector<mp_limb_t> digits;  // the exponent (offset added when signed), enough limbs for `groups` groups
    unsigned groups;                // groups multiplied per column
    bool is_signed;
  };
  Operand prepare(const BigInt& e, unsigned bits, bool is_signed) const;
  static BigInt run(const Operand* ops, size_t count);
  static BigInt pow2_impl(const FixedBaseExp& a, const BigInt& x, unsigned xbits, const FixedBaseExp& b,
                          const BigInt& y, unsigned ybits, bool is_signed);

  const mp_limb_t* entry_table(unsigned group) const { return tables_.data() + size_t(group) * entries_ * ctx_.width(); }

  BigInt base_;
  MontgomeryContext ctx_;
  unsigned max_bits_;
  bool signed_;
  unsigned rows_, cols_;
  unsigned groups_;   // groups in the table
  size_t entries_;    // 2^rows_
  std::vector<mp_limb_t> tables_;      // groups_ × entries_ × n limbs
  std::vector<mp_limb_t> inv_offset_;  // for g = 1..groups_: base^(−2^(g·rows·cols − 1)), Montgomery form
};

// Variable-base exponentiation. On a CPU with AVX-512 IFMA, for moduli over 1024 bits, through
// crypto/modexp52.h (radix 2^52: 2.9 ms for a 4096-bit modulus and 2048-bit exponent on the session-11
// machine). Otherwise through OpenSSL's Montgomery code: on the machines we measured (AMD Zen 3), GMP
// 6.2's fat binary does not recognise the CPU and runs generic mul-based kernels, while OpenSSL uses
// mulx/adcx/adox: 8.4 ms (consttime) vs 12.7 ms for mpz_powm_sec and 10.6 ms for mpz_powm. Operands are
// converted with a limb copy. The side-channel properties below hold for both paths.
namespace modexp {

// base^e mod m for e ≥ 0 and m > 0 (aborts otherwise). BN_mod_exp_mont_consttime:
// fixed-window, every table entry read (scatter/gather), constant time in e's bits
// and in the base for a given bit length of e (which, like mpz_powm_sec's limb
// count, is revealed). For secret bases or exponents. An even modulus or m = 1
// (only test keys from PaillierSecretKey::unchecked_for_testing) falls back to mpz_powm.
BigInt pow_sec(const BigInt& base, const BigInt& e, const BigInt& m);
// Same for public values (verifier side): BN_mod_exp_mont, sliding window, variable time.
BigInt pow_public(const BigInt& base, const BigInt& e, const BigInt& m);
// a^x · b^y mod m for public a, b and public x, y ≥ 0 (BN_mod_exp2_mont, shared squarings).
BigInt pow2_public(const BigInt& a, const BigInt& x, const BigInt& b, const BigInt& y, const BigInt& m);

}  // namespace modexp

}  // namespace custos
