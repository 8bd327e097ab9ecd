#include "crypto/paillier.h"

#include "crypto/rng.h"
#include "crypto/safe_prime.h"

namespace custos {

Result<PaillierPublicKey> PaillierPublicKey::from_modulus(const BigInt& n, unsigned bits) {
  if (n.bit_length() != bits) {
    return out_of_range("Paillier modulus has " + std::to_string(n.bit_length()) + " bits, expected exactly " +
                        std::to_string(bits));
  }
  if (!n.is_odd()) return out_of_range("Paillier modulus is even");
  PaillierPublicKey pk;
  pk.n_ = n;
  pk.n2_ = n * n;
  return pk;
}

BigInt PaillierPublicKey::one_plus_n_pow(const BigInt& m) const { return (m.mod(n_) * n_ + BigInt(1)).mod(n2_); }

BigInt PaillierPublicKey::rho_pow_n(const BigInt& rho) const { return BigInt::powm_unit(rho, n_, n2_); }

BigInt PaillierPublicKey::encrypt(const BigInt& m, const BigInt& rho) const {
  return (one_plus_n_pow(m) * rho_pow_n(rho)).mod(n2_);
}

BigInt PaillierPublicKey::add(const BigInt& c1, const BigInt& c2) const { return (c1 * c2).mod(n2_); }

BigInt PaillierPublicKey::scale(const BigInt& c, const BigInt& k) const { return BigInt::powm_unit(c, k, n2_); }

bool PaillierPublicKey::is_ciphertext(const BigInt& c) const { return c.is_unit_mod(n2_); }

Result<PaillierSecretKey> PaillierSecretKey::from_primes(const BigInt& p, const BigInt& q, unsigned bits,
                                                         bool check_safe) {
  if (p == q) return invalid_argument("Paillier primes are equal");
  if (p.mod_u64(4) != 3 || q.mod_u64(4) != 3) return invalid_argument("Paillier primes must be 3 mod 4");
  if (p.bit_length() != bits / 2 || q.bit_length() != bits / 2) {
    return invalid_argument("Paillier primes must have exactly " + std::to_string(bits / 2) + " bits");
  }
  if (check_safe && (!is_safe_prime(p) || !is_safe_prime(q))) return invalid_argument("Paillier primes are not safe primes");
  if (!check_safe && (!p.is_probable_prime(20) || !q.is_probable_prime(20))) {
    return invalid_argument("Paillier factors are not prime");
  }
  ASSIGN_OR_RETURN(PaillierPublicKey pk, PaillierPublicKey::from_modulus(p * q, bits));
  PaillierSecretKey sk;
  sk.pk_ = std::move(pk);
  sk.p_ = p;
  sk.q_ = q;
  sk.phi_ = (p - BigInt(1)) * (q - BigInt(1));
  sk.p2_ = p * p;
  sk.q2_ = q * q;
  sk.phi_p2_ = p * (p - BigInt(1));
  sk.phi_q2_ = q * (q - BigInt(1));
  sk.p2_inv_q2_ = *BigInt::invert(sk.p2_, sk.q2_);
  sk.p_inv_q_ = *BigInt::invert(p, q);
  // h_p = L_p((1+N)^(p-1) mod p^2)^-1 mod p, where L_p(x) = (x-1)/p.
  auto h = [&](const BigInt& r, const BigInt& r2) {
    BigInt g = BigInt::powm_sec(sk.pk_.n() + BigInt(1), r - BigInt(1), r2);
    BigInt l = (g - BigInt(1)).div_floor(r);
    return *BigInt::invert(l, r);
  };
  sk.hp_ = h(p, sk.p2_);
  sk.hq_ = h(q, sk.q2_);
  return sk;
}

PaillierSecretKey PaillierSecretKey::generate(Rng& rng, unsigned bits) {
  for (;;) {
    SafePrimePair pair = generate_safe_prime_pair(rng, bits / 2);
    auto sk = from_primes(pair.p, pair.q, bits);
    if (sk.ok()) return std::move(sk).value();
  }
}

BigInt PaillierSecretKey::crt_n2(const BigInt& xp, const BigInt& xq) const {
  // x = xp + p^2 * ((xq - xp) * (p^2)^-1 mod q^2)
  BigInt t = ((xq - xp) * p2_inv_q2_).mod(q2_);
  return xp + p2_ * t;
}

BigInt PaillierSecretKey::crt_n(const BigInt& xp, const BigInt& xq) const {
  BigInt t = ((xq - xp) * p_inv_q_).mod(q_);
  return xp + p_ * t;
}

BigInt PaillierSecretKey::pow_mod_n2(const BigInt& base, const BigInt& exp) const {
  BigInt b = base;
  BigInt e = exp;
  if (e.sign() < 0) {
    b = *BigInt::invert(base, pk_.n2());
    e = -e;
  }
  BigInt ep = e.mod(phi_p2_);
  BigInt eq = e.mod(phi_q2_);
  // powm_sec needs a positive exponent; exponent 0 gives 1.
  BigInt xp = ep.is_zero() ? BigInt(1) : BigInt::powm_sec(b.mod(p2_), ep, p2_);
  BigInt xq = eq.is_zero() ? BigInt(1) : BigInt::powm_sec(b.mod(q2_), eq, q2_);
  return crt_n2(xp, xq);
}

BigInt PaillierSecretKey::pow_mod_n(const BigInt& base, const BigInt& exp) const {
  BigInt b = base;
  BigInt e = exp;
  if (e.sign() < 0) {
    b = *BigInt::invert(base, pk_.n());
    e = -e;
  }
  BigInt ep = e.mod(p_ - BigInt(1));
  BigInt eq = e.mod(q_ - BigInt(1));
  BigInt xp = ep.is_zero() ? BigInt(1) : BigInt::powm_sec(b.mod(p_), ep, p_);
  BigInt xq = eq.is_zero() ? BigInt(1) : BigInt::powm_sec(b.mod(q_), eq, q_);
  return crt_n(xp, xq);
}

BigInt PaillierSecretKey::rho_pow_n(const BigInt& rho) const {
  // rho^N mod p^2 depends only on rho mod p: (rho^q mod p)^p mod p^2, since
  // (x + kp)^p ≡ x^p (mod p^2). This halves the work of a plain CRT power.
  auto part = [&](const BigInt& r, const BigInt& r2, const BigInt& other) {
    BigInt e = other.mod(r - BigInt(1));
    BigInt y = e.is_zero() ? BigInt(1) : BigInt::powm_sec(rho.mod(r), e, r);
    return BigInt::powm_sec(y, r, r2);
  };
  return crt_n2(part(p_, p2_, q_), part(q_, q2_, p_));
}

BigInt PaillierSecretKey::encrypt(const BigInt& m, const BigInt& rho) const {
  return (pk_.one_plus_n_pow(m) * rho_pow_n(rho)).mod(pk_.n2());
}

BigInt PaillierSecretKey::decrypt(const BigInt& c) const {
  auto part = [&](const BigInt& r, const BigInt& r2, const BigInt& h) {
    BigInt u = BigInt::powm_sec(c.mod(r2), r - BigInt(1), r2);
    BigInt l = (u - BigInt(1)).div_floor(r);
    return (l * h).mod(r);
  };
  BigInt m = crt_n(part(p_, p2_, hp_), part(q_, q2_, hq_));
  // Centre into (-N/2, N/2].
  if (m > (pk_.n() >> 1)) m -= pk_.n();
  return m;
}

BigInt PaillierSecretKey::recover_rho(const BigInt& c) const {
  // c = (1+N)^m rho^N; c mod N = rho^N mod N, and N^-1 mod phi undoes the power.
  BigInt d = *BigInt::invert(pk_.n(), phi_);
  return pow_mod_n(c.mod(pk_.n()), d);
}

}  // namespace custos
