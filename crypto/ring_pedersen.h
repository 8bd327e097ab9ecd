// Ring-Pedersen parameters (CGGMP21 §2.3 / Fig 6): N̂ from the party's own
// Paillier modulus, t = τ² mod N̂, s = t^λ mod N̂. Commitments s^x·t^y mod N̂
// with signed exponents. The owner knows φ(N̂) and uses CRT to check the
// ring-Pedersen equations of proofs made for it.
#pragma once

#include <memory>

#include "crypto/bigint.h"
#include "crypto/paillier.h"
#include "crypto/status.h"

namespace custos {

class Rng;
class FixedBaseExp;

class RingPedersenParams {
 public:
  RingPedersenParams() = default;
  // Validates: N̂ odd and of `bits` bits; s, t ∈ Z*_N̂; s ≠ t; neither s nor t is 1 or N̂-1
  // (defence in depth beyond the paper; Πprm proves s ∈ ⟨t⟩).
  static Result<RingPedersenParams> create(const BigInt& n, const BigInt& s, const BigInt& t, unsigned bits = 2048);

  const BigInt& n() const { return n_; }
  const BigInt& s() const { return s_; }
  const BigInt& t() const { return t_; }

  // s^x · t^y mod N̂ (x, y signed, secret). For |x|, |y| < 2^kCommitTableBits this
  // uses fixed-base comb tables for s and t (crypto/fixed_base.h), built on first
  // use and shared by every copy of these parameters: a fixed operation sequence
  // for either sign; the cost reveals only ⌈(bit length + 1)/group_bits⌉ of each
  // exponent (coarser than mpz_powm_sec's limb count). Longer exponents (Πfac)
  // fall back to modexp::pow_sec (OpenSSL, constant time in the exponent's bits
  // for its length) on s^±1, t^±1, whose timing reveals their sign.
  BigInt commit(const BigInt& x, const BigInt& y) const;
  // Largest exponent magnitude (in bits) the commit tables cover: 2^(ℓ+ε)·N̂ plus a margin.
  static constexpr unsigned kCommitTableBits = 2816 + 64;
  // s^x · t^y mod N̂ for public exponents (verifier side; variable time).
  BigInt commit_public(const BigInt& x, const BigInt& y) const;
  // a^e mod N̂ for public a (unit) and public signed e.
  BigInt pow(const BigInt& a, const BigInt& e) const;
  // t^e mod N̂ for public e ≥ 0. Below 2^kCommitTableBits through the comb table for t, about 4× faster
  // than pow() once the tables exist (their construction costs about three exponentiations): for a
  // verifier with many powers of one t, as Πprm's 80 rounds.
  BigInt pow_t(const BigInt& e) const;
  BigInt mul(const BigInt& a, const BigInt& b) const { return (a * b).mod(n_); }
  bool is_unit(const BigInt& v) const { return v.is_unit_mod(n_); }

  friend bool operator==(const RingPedersenParams& a, const RingPedersenParams& b) {
    return a.n_ == b.n_ && a.s_ == b.s_ && a.t_ == b.t_;
  }

 private:
  struct Tables;  // lazily built comb tables for s and t (fixed_base.h)
  const Tables* tables() const;

  BigInt n_, s_, t_;
  // Created by create(); copies share it, so the tables are built at most once per
  // parameter set (std::call_once inside). Null for a default-constructed object.
  std::shared_ptr<Tables> tables_;
};

// The owner's view: parameters plus λ and the factorization (for Πprm and CRT checks).
class RingPedersenSecret {
 public:
  // Samples τ ∈ Z*_N, λ ∈ [0, φ(N)), t = τ² mod N, s = t^λ mod N over the Paillier key's modulus.
  static RingPedersenSecret generate(Rng& rng, const PaillierSecretKey& key);

  const RingPedersenParams& params() const { return params_; }
  const BigInt& lambda() const { return lambda_; }
  const BigInt& phi() const { return key_->phi(); }
  const PaillierSecretKey& key() const { return *key_; }

  // s^x · t^y mod N̂ computed with CRT (used by the verifier, who owns these parameters).
  BigInt commit_crt(const BigInt& x, const BigInt& y) const;
  // a^e mod N̂ with CRT.
  BigInt pow_crt(const BigInt& a, const BigInt& e) const { return key_->pow_mod_n(a, e); }
  // t^e mod N̂ for secret e ≥ 0 with CRT through the comb tables for t mod p and mod q (Πprm's prover:
  // 80 powers of t). Same exponent handling as pow_crt (e reduced mod p − 1 and q − 1, then a fixed
  // operation sequence for the prime's bit length), about 5× faster once the tables exist.
  BigInt pow_t_crt(const BigInt& e) const;

  RingPedersenSecret(RingPedersenParams params, BigInt lambda, std::shared_ptr<const PaillierSecretKey> key);

 private:
  struct CrtTables;  // comb tables for s, t mod p and mod q (commit_crt), built on first use
  const CrtTables* crt_tables() const;

  RingPedersenParams params_;
  BigInt lambda_;
  std::shared_ptr<const PaillierSecretKey> key_;
  std::shared_ptr<CrtTables> crt_;  // shared by copies
};

}  // namespace custos
