// Paillier encryption (CGGMP21 §2.2 / Fig 6 parameters): N = p*q with p, q
// safe primes of exactly bits/2 bits each. enc(m; rho) = (1+N)^m * rho^N mod N^2,
// computed as (1 + (m mod N)*N) * rho^N. The owner of the secret key uses CRT
// over p^2 and q^2 for every exponentiation it can (decryption, its own
// encryptions, and verifying proofs that use its own modulus).
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/status.h"

namespace custos {

class Rng;
class MontgomeryContext;

class PaillierPublicKey {
 public:
  PaillierPublicKey() = default;
  // Validates N: odd, exactly `bits` bits. (Πmod/Πfac prove the rest.)
  static Result<PaillierPublicKey> from_modulus(const BigInt& n, unsigned bits = 2048);

  const BigInt& n() const { return n_; }
  const BigInt& n2() const { return n2_; }

  // enc(m; rho) for any signed m (reduced mod N) and rho in Z*_N. Constant time in m's value and in
  // rho (tests/ct); m's sign and limb count are public, as for every BigInt.
  BigInt encrypt(const BigInt& m, const BigInt& rho) const;
  // rho^N mod N^2.
  BigInt rho_pow_n(const BigInt& rho) const;
  // (1+N)^m mod N^2 = 1 + (m mod N)*N.
  BigInt one_plus_n_pow(const BigInt& m) const;
  // enc(m; ρ) ⊖ (e ⊙ c) = (1+N)^m · ρ^N · c^(−e) mod N² for PUBLIC values (verifier
  // side), with ρ^N·c^(−e) as one simultaneous exponentiation. c must be a unit
  // (aborts otherwise). enc(m; ρ) = A ⊕ (e ⊙ c) ⟺ enc_minus_scaled(m, ρ, c, e) = A.
  BigInt enc_minus_scaled(const BigInt& m, const BigInt& rho, const BigInt& c, const BigInt& e) const;
  BigInt add(const BigInt& c1, const BigInt& c2) const;        // c1 (+) c2, public ciphertexts
  // c1 (+) c2 for ciphertexts made from secrets (a prover's own), both in [0, N²): Montgomery
  // multiplication, constant time in their values.
  BigInt add_secret(const BigInt& c1, const BigInt& c2) const;
  BigInt scale(const BigInt& c, const BigInt& k) const;        // k (.) c, k signed (c must be a unit)
  // c is a unit of Z*_{N^2}: 1 <= c < N^2 and gcd(c, N) = 1.
  bool is_ciphertext(const BigInt& c) const;
  // v is a unit of Z*_N.
  bool is_unit(const BigInt& v) const { return v.is_unit_mod(n_); }

  friend bool operator==(const PaillierPublicKey& a, const PaillierPublicKey& b) { return a.n_ == b.n_; }

 private:
  friend class PaillierSecretKey;  // unchecked_for_testing() builds a key without from_modulus()
  // (1+N)^m without branching on m's value (see encrypt).
  BigInt one_plus_n_pow_secret(const BigInt& m) const;
  BigInt n_, n2_;
  // Montgomery arithmetic mod N², shared by copies. Null only for the test keys of
  // PaillierSecretKey::unchecked_for_testing, which fall back to GMP's variable-time arithmetic.
  std::shared_ptr<const MontgomeryContext> mont_n2_;
};

class PaillierSecretKey {
 public:
  // Validates p != q, both odd primes, p ≡ q ≡ 3 mod 4, N of exactly `bits` bits.
  // Safe-primality is checked when check_safe is set (costly; keygen output is trusted).
  static Result<PaillierSecretKey> from_primes(const BigInt& p, const BigInt& q, unsigned bits = 2048,
                                               bool check_safe = false);
  // Fresh key from two safe primes of bits/2 bits, generated in parallel.
  static PaillierSecretKey generate(Rng& rng, unsigned bits = 2048);

  // TEST ONLY (adversarial tests and the simulator's malicious parties; never in
  // production code). Builds the key for N = p·q WITHOUT validating anything, so a
  // test party can run the real protocol with a bad modulus: p and q may be
  // composite or equal (pass (p, p·q) for N = p²·q), ≡ 1 mod 4, of any size.
  // `phi` is what the key uses as φ(N) (Πmod, Πprm, the ring-Pedersen λ range,
  // decryption); by default (p−1)(q−1), which is right only for distinct primes,
  // so pass the true φ(N) (or any value the test wants the prover to use) otherwise.
  // When p and q are distinct odd primes the usual CRT arithmetic is used; otherwise
  // every operation is computed directly mod N or N² (exact, slower, variable time).
  // Never aborts on such input: a value that needs an inverse that does not exist
  // (CRT constants, φ⁻¹, N⁻¹ mod φ, a negative power of a non-unit) comes out as zero.
  // Requires only p, q ≥ 2 so that the moduli are non-zero.
  static PaillierSecretKey unchecked_for_testing(const BigInt& p, const BigInt& q);
  static PaillierSecretKey unchecked_for_testing(const BigInt& p, const BigInt& q, const BigInt& phi);

  const PaillierPublicKey& public_key() const { return pk_; }
  const BigInt& n() const { return pk_.n(); }
  const BigInt& p() const { return p_; }
  const BigInt& q() const { return q_; }
  const BigInt& p_minus_1() const { return p_minus_1_; }
  const BigInt& q_minus_1() const { return q_minus_1_; }
  const BigInt& phi() const { return phi_; }
  // Computed once with the key, so that Πmod's per-proof work has no variable-time arithmetic on φ:
  // N⁻¹ mod φ (N-th roots; zero when it does not exist, only for a test key) and ((φ + 4)/8)², the
  // exponent of the principal 4th root of a square of QR_N (N a Blum integer).
  const BigInt& n_inv_mod_phi() const { return n_inv_phi_; }
  const BigInt& fourth_root_exponent() const { return fourth_root_exp_; }
  // False only for an unchecked_for_testing() key without two distinct primes (no CRT).
  bool uses_crt() const { return !direct_; }

  // Centred plaintext in (-N/2, N/2] (CGGMP21 needs the signed value before reducing mod q).
  BigInt decrypt(const BigInt& c) const;
  // enc with CRT (rho^N computed mod p^2 and q^2).
  BigInt encrypt(const BigInt& m, const BigInt& rho) const;
  BigInt rho_pow_n(const BigInt& rho) const;
  // base^exp mod N^2 for a unit base and any signed exponent, via CRT (constant time in exp).
  BigInt pow_mod_n2(const BigInt& base, const BigInt& exp) const;
  // base^exp mod N for a unit base, via CRT.
  BigInt pow_mod_n(const BigInt& base, const BigInt& exp) const;
  // The x mod N with x ≡ xp (mod p), x ≡ xq (mod q) (CRT constants of this key).
  BigInt crt_mod_n(const BigInt& xp, const BigInt& xq) const { return crt_n(xp, xq); }
  // Recovers the randomness rho of c = enc(m; rho) (used only for blame evidence).
  BigInt recover_rho(const BigInt& c) const;

  // The secret values this key computes with (p, q, φ and the CRT constants), for the constant-time
  // test (tests/ct) to mark as secret. The generator tables of random_rho_and_power are not listed.
  std::vector<const BigInt*> secret_values() const;

  // A uniform ρ ∈ Z*_N and ρ^N mod N², for encrypting under this (own) key.
  // With safe primes, Z*_p = ⟨g_p⟩ is cyclic of order p−1, so ρ is sampled as
  // ρ_p = g_p^a mod p, ρ_q = g_q^b mod q for secret uniform a ∈ [0, p−1),
  // b ∈ [0, q−1) (CRT-combined: exactly uniform on Z*_N), and
  // ρ^N mod p² = W_p^(a·q mod (p−1)) with W_p = g_p^p mod p² (x^p mod p² depends
  // only on x mod p). All four powers use fixed-base comb tables
  // (crypto/fixed_base.h) built on first use and shared by copies of the key;
  // a·q mod (p−1) uses mpn_sec_mul/mpn_sec_div_r. If a prime is not safe (only a
  // test key, or from_primes without check_safe) it falls back to
  // random_unit() + rho_pow_n(), which has the same output distribution.
  std::pair<BigInt, BigInt> random_rho_and_power(Rng& rng) const;
  // enc(m; ρ) for a fresh uniform ρ ∈ Z*_N; ρ is stored in *rho_out when non-null.
  BigInt encrypt_fresh(const BigInt& m, Rng& rng, BigInt* rho_out) const;

 private:
  struct RandomnessTables;  // see random_rho_and_power()
  const RandomnessTables* randomness_tables() const;

  BigInt crt_n2(const BigInt& xp, const BigInt& xq) const;
  BigInt crt_n(const BigInt& xp, const BigInt& xq) const;
  // Any p, q, φ (the test keys of unchecked_for_testing): ordinary GMP arithmetic.
  void set_factors(const BigInt& p, const BigInt& q, const BigInt& phi);
  // Distinct primes p ≡ q ≡ 3 (mod 4) (from_primes): the same values, constant time in p and q.
  void set_blum_factors(const BigInt& p, const BigInt& q);
  // For distinct odd primes p, q: constant time in them.
  void set_crt_constants();

  PaillierPublicKey pk_;
  BigInt p_, q_, phi_;
  BigInt p2_, q2_;          // p^2, q^2
  BigInt phi_p2_, phi_q2_;  // p(p-1), q(q-1)
  BigInt p_minus_1_, q_minus_1_;
  BigInt q_mod_p_minus_1_, p_mod_q_minus_1_;  // exponents of rho_pow_n's halves
  BigInt n_inv_phi_, fourth_root_exp_;
  BigInt p2_inv_q2_;        // (p^2)^-1 mod q^2
  BigInt p_inv_q_;          // p^-1 mod q
  BigInt hp_, hq_;          // decryption constants
  bool direct_ = false;     // unchecked_for_testing() without two distinct primes: no CRT
  // Lazily built generator tables (random_rho_and_power); shared by copies. Null
  // for a default-constructed or direct_ key, which then uses the fallback.
  std::shared_ptr<RandomnessTables> rand_;
};

}  // namespace custos
