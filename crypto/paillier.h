// Paillier encryption (CGGMP21 §2.2 / Fig 6 parameters): N = p*q with p, q
// safe primes of exactly bits/2 bits each. enc(m; rho) = (1+N)^m * rho^N mod N^2,
// computed as (1 + (m mod N)*N) * rho^N. The owner of the secret key uses CRT
// over p^2 and q^2 for every exponentiation it can (decryption, its own
// encryptions, and verifying proofs that use its own modulus).
#pragma once

#include <memory>

#include "crypto/bigint.h"
#include "crypto/status.h"

namespace custos {

class Rng;

class PaillierPublicKey {
 public:
  PaillierPublicKey() = default;
  // Validates N: odd, exactly `bits` bits. (Πmod/Πfac prove the rest.)
  static Result<PaillierPublicKey> from_modulus(const BigInt& n, unsigned bits = 2048);

  const BigInt& n() const { return n_; }
  const BigInt& n2() const { return n2_; }

  // enc(m; rho) for any signed m (reduced mod N) and rho in Z*_N.
  BigInt encrypt(const BigInt& m, const BigInt& rho) const;
  // rho^N mod N^2.
  BigInt rho_pow_n(const BigInt& rho) const;
  // (1+N)^m mod N^2 = 1 + (m mod N)*N.
  BigInt one_plus_n_pow(const BigInt& m) const;
  BigInt add(const BigInt& c1, const BigInt& c2) const;        // c1 (+) c2
  BigInt scale(const BigInt& c, const BigInt& k) const;        // k (.) c, k signed (c must be a unit)
  // c is a unit of Z*_{N^2}: 1 <= c < N^2 and gcd(c, N) = 1.
  bool is_ciphertext(const BigInt& c) const;
  // v is a unit of Z*_N.
  bool is_unit(const BigInt& v) const { return v.is_unit_mod(n_); }

  friend bool operator==(const PaillierPublicKey& a, const PaillierPublicKey& b) { return a.n_ == b.n_; }

 private:
  BigInt n_, n2_;
};

class PaillierSecretKey {
 public:
  // Validates p != q, both odd primes, p ≡ q ≡ 3 mod 4, N of exactly `bits` bits.
  // Safe-primality is checked when check_safe is set (costly; keygen output is trusted).
  static Result<PaillierSecretKey> from_primes(const BigInt& p, const BigInt& q, unsigned bits = 2048,
                                               bool check_safe = false);
  // Fresh key from two safe primes of bits/2 bits, generated in parallel.
  static PaillierSecretKey generate(Rng& rng, unsigned bits = 2048);

  const PaillierPublicKey& public_key() const { return pk_; }
  const BigInt& n() const { return pk_.n(); }
  const BigInt& p() const { return p_; }
  const BigInt& q() const { return q_; }
  const BigInt& phi() const { return phi_; }

  // Centred plaintext in (-N/2, N/2] (CGGMP21 needs the signed value before reducing mod q).
  BigInt decrypt(const BigInt& c) const;
  // enc with CRT (rho^N computed mod p^2 and q^2).
  BigInt encrypt(const BigInt& m, const BigInt& rho) const;
  BigInt rho_pow_n(const BigInt& rho) const;
  // base^exp mod N^2 for a unit base and any signed exponent, via CRT (constant time in exp).
  BigInt pow_mod_n2(const BigInt& base, const BigInt& exp) const;
  // base^exp mod N for a unit base, via CRT.
  BigInt pow_mod_n(const BigInt& base, const BigInt& exp) const;
  // Recovers the randomness rho of c = enc(m; rho) (used only for blame evidence).
  BigInt recover_rho(const BigInt& c) const;

 private:
  BigInt crt_n2(const BigInt& xp, const BigInt& xq) const;
  BigInt crt_n(const BigInt& xp, const BigInt& xq) const;

  PaillierPublicKey pk_;
  BigInt p_, q_, phi_;
  BigInt p2_, q2_;          // p^2, q^2
  BigInt phi_p2_, phi_q2_;  // p(p-1), q(q-1)
  BigInt p2_inv_q2_;        // (p^2)^-1 mod q^2
  BigInt p_inv_q_;          // p^-1 mod q
  BigInt hp_, hq_;          // decryption constants
};

}  // namespace custos
