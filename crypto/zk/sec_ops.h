// Prover-side modular arithmetic on secrets for the CGGMP21 provers, and publish(), which declares what a
// prover sends public for the constant-time test.
// Why a helper: PaillierPublicKey::scale/encrypt use variable-time powm, which is
// fine for public values but not for a secret exponent (α, x), and powm_unit
// inverts a negative power's base with mpz_invert, whose timing depends on the
// (here secret) base. These functions use constant-time exponentiation
// (modexp::pow_sec, OpenSSL's BN_mod_exp_mont_consttime; see crypto/fixed_base.h)
// and a blinded inverse.
// The sign of a secret exponent still shows (as in RingPedersenParams::commit).
#pragma once

#include "crypto/bigint.h"
#include "crypto/ct.h"
#include "crypto/fixed_base.h"
#include "crypto/paillier.h"
#include "crypto/point.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "crypto/sec_int.h"

namespace custos::zk::secops {

// base^e mod m for a PUBLIC unit base and a SECRET signed exponent e (m odd).
inline BigInt pow_secret_exp(const BigInt& base, const BigInt& e, const BigInt& m) {
  if (e.is_zero()) return BigInt(1);
  if (e.sign() > 0) return modexp::pow_sec(base, e, m);
  BigInt inv = *BigInt::invert(base, m);  // base is public
  return modexp::pow_sec(inv, -e, m);
}

// a·b mod m for secret a, b ≥ 0 (fixed width, crypto/sec_int.h; any modulus, also a test key's even one).
inline BigInt mul_mod_secret(const BigInt& a, const BigInt& b, const BigInt& m) { return secint::mul_mod(a, b, m); }

// a^-1 mod m for a SECRET unit a < m: invert a·b for a random unit b, which is uniform and
// independent of a, then multiply by b again. The products are Montgomery products (constant time);
// a·b itself is declared public (ct.h) for GMP's variable-time inversion: it reveals nothing about a
// while b stays secret (b's only variable-time use is random_unit's gcd, security.md item 7).
inline BigInt inverse_blinded(const BigInt& a, const BigInt& m, Rng& rng) {
  BigInt b = BigInt::random_unit(rng, m);
  BigInt ab = mul_mod_secret(a, b, m);
  ct::declassify(ab.get(), sizeof(*ab.get()));
  ct::declassify(mpz_limbs_read(ab.get()), mpz_size(ab.get()) * sizeof(mp_limb_t));
  BigInt inv_ab = *BigInt::invert(ab, m);
  return mul_mod_secret(inv_ab, b, m);
}

// base^e mod m for a SECRET unit base and a PUBLIC signed exponent e (m odd).
inline BigInt pow_secret_base(const BigInt& base, const BigInt& e, const BigInt& m, Rng& rng) {
  if (e.is_zero()) return BigInt(1);
  BigInt p = modexp::pow_sec(base, e.abs(), m);
  return e.sign() > 0 ? p : inverse_blinded(p, m, rng);
}

// r · ρ^e mod N (the z/w responses), ρ and r secret, e public. With the owner's
// key the power runs over CRT.
inline BigInt mask_nonce(const BigInt& r, const BigInt& rho, const BigInt& e, const PaillierPublicKey& pk,
                         const PaillierSecretKey* sk, Rng& rng) {
  const BigInt& n = pk.n();
  BigInt p = sk ? sk->pow_mod_n(rho, e.abs()) : modexp::pow_sec(rho, e.abs(), n);
  if (e.sign() < 0) p = inverse_blinded(p, n, rng);
  BigInt w = mul_mod_secret(r, p, n);  // r, p < N
  declare_public(w);                   // a response: sent to the verifier
  return w;
}

// enc_N(m; ρ) = (1 + (m mod N)·N)·ρ^N mod N²: constant time in m and ρ under a peer's key (tests/ct);
// with the owner's key, CRT.
inline BigInt encrypt_secret(const PaillierPublicKey& pk, const PaillierSecretKey* sk, const BigInt& m,
                             const BigInt& rho) {
  if (sk) return sk->encrypt(m, rho);
  return pk.encrypt(m, rho);
}

// k ⊙ C = C^k mod N² for a public ciphertext C and a SECRET signed k.
inline BigInt scale_secret(const PaillierPublicKey& pk, const PaillierSecretKey* sk, const BigInt& c,
                           const BigInt& k) {
  if (sk) return sk->pow_mod_n2(c, k);
  return pow_secret_exp(c, k, pk.n2());
}

// A verifier that owns the key (or the ring-Pedersen secret) takes the CRT route through its secret
// factors, but from public inputs (a proof, a statement) to a value anyone can compute without them:
// the result is public, and is declared so for the constant-time test.
inline BigInt public_result(BigInt v) {
  declare_public(v);
  return v;
}

// A prover's first message is sent to the verifier and hashed into the challenge: from then on its
// values are public. publish() declares them so for the constant-time test (crypto/ct.h); it does
// nothing outside valgrind.
inline void published(const BigInt& v) { declare_public(v); }
inline void published(const Point& v) { ct::declassify(&v, sizeof v); }   // fixed size, no heap
inline void published(const Scalar& v) { ct::declassify(&v, sizeof v); }  // fixed size, no heap
template <class... T>
void publish(const T&... v) {
  (published(v), ...);
}

}  // namespace custos::zk::secops
