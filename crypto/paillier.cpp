#include "crypto/paillier.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

#include "crypto/ct.h"
#include "crypto/fixed_base.h"
#include "crypto/rng.h"
#include "crypto/safe_prime.h"
#include "crypto/sec_int.h"
#include "crypto/secret.h"

namespace custos {

// Generator tables behind random_rho_and_power(), one set per prime r ∈ {p, q}.
struct PaillierSecretKey::RandomnessTables {
  // Comb shape for ~1024-bit exponents: 5 rows × 16 columns → 13 groups, 208 products and 16
  // squarings per power (measured against 5×32, 6×8, 6×16, 7×16: within 2%, smallest tables).
  static constexpr unsigned kRows = 5;
  static constexpr unsigned kCols = 16;
  struct Prime {
    BigInt r_minus_1;
    unsigned exp_bits = 0;                 // bit length of r − 1
    std::unique_ptr<const FixedBaseExp> g;  // g_r, a generator of Z*_r, mod r
    std::unique_ptr<const FixedBaseExp> w;  // W_r = g_r^r mod r²
  };
  std::once_flag once;
  bool usable = false;
  Prime p, q;
};

namespace {

// A generator of Z*_r for a safe prime r = 2r'+1 (a quadratic non-residue other
// than −1 has order 2r' = r − 1), or nullopt when (r − 1)/2 is not prime.
// r is one of our (secret, prime) factors: constant-time exponentiations and comparisons. Declared
// public: whether (r − 1)/2 is prime, and which small g is the first non-residue, i.e. the Legendre
// symbols (g | r) of the few g tried (about two bits of r mod small primes).
std::optional<BigInt> safe_prime_generator(const BigInt& r, const BigInt& r_minus_1) {
  const BigInt half = secint::shift_right(r_minus_1, 1);
  if (!is_probable_prime_secret(half, 20)) return std::nullopt;
  for (long g = 2; g < 10000 && BigInt(g) < r_minus_1; ++g) {
    const BigInt cand(g);
    // Euler: g^((r−1)/2) = −1 iff g is a non-residue; then g has order r − 1 (g ≠ ±1).
    if (secint::equal(modexp::pow_sec(cand, half, r), r_minus_1)) return cand;
  }
  return std::nullopt;
}

// e ≥ 0 reduced mod the group order φ (secret) for a CRT half. An exponent that is not longer than φ is
// used as it is: the power costs no more, and no division by the secret φ runs (GMP's mpn_sec_div
// reads φ's top limbs in variable time, tests/ct/ct.supp).
BigInt reduce_exponent(const BigInt& e, const BigInt& phi) {
  return mpz_size(e.get()) <= mpz_size(phi.get()) ? e : secint::mod(e, phi);
}

}  // namespace

Result<PaillierPublicKey> PaillierPublicKey::from_modulus(const BigInt& n, unsigned bits) {
  if (n.bit_length() != bits) {
    return out_of_range("Paillier modulus has " + std::to_string(n.bit_length()) + " bits, expected exactly " +
                        std::to_string(bits));
  }
  if (!n.is_odd()) return out_of_range("Paillier modulus is even");
  PaillierPublicKey pk;
  pk.n_ = n;
  pk.n2_ = n * n;
  pk.mont_n2_ = std::make_shared<const MontgomeryContext>(pk.n2_);
  return pk;
}

BigInt PaillierPublicKey::one_plus_n_pow(const BigInt& m) const { return (m.mod(n_) * n_ + BigInt(1)).mod(n2_); }

BigInt PaillierPublicKey::one_plus_n_pow_secret(const BigInt& m) const {
  const size_t n = mpz_size(n_.get());
  if (!mont_n2_) return one_plus_n_pow(m);
  // m's limb count and sign are public (as for every BigInt). A plaintext as long as N (Πdec's mask
  // is about 2170 bits) is first reduced mod N with the constant-time division; below N's limb count
  // |m| < N without a comparison. m mod N = |m| or N − |m| is then chosen without a branch, and
  // 1 + (m mod N)·N < N² needs no reduction.
  BigInt reduced;
  const BigInt* v = &m;
  if (mpz_size(m.get()) >= n) {
    reduced = secint::mod(m, n_);  // in [0, N)
    v = &reduced;
  }
  std::vector<mp_limb_t> a(n, 0), b(n), nl(n), t(2 * n), one(2 * n, 0);
  const mp_size_t sn = static_cast<mp_size_t>(n);
  std::vector<mp_limb_t> scratch(static_cast<size_t>(mpn_sec_mul_itch(sn, sn)));
  std::memcpy(nl.data(), mpz_limbs_read(n_.get()), n * sizeof(mp_limb_t));
  if (mpz_size(v->get()) != 0) std::memcpy(a.data(), mpz_limbs_read(v->get()), mpz_size(v->get()) * sizeof(mp_limb_t));
  mpn_sub_n(b.data(), nl.data(), a.data(), sn);  // N − |m|, no borrow: |m| < N
  mpn_cnd_swap(static_cast<mp_limb_t>(v->sign() < 0), a.data(), b.data(), sn);
  mpn_sec_mul(t.data(), a.data(), sn, nl.data(), sn, scratch.data());
  one[0] = 1;
  mpn_add_n(t.data(), t.data(), one.data(), 2 * sn);
  BigInt out = BigInt::from_limbs(t);
  for (auto* v : {&a, &b, &t, &scratch}) secure_wipe(v->data(), v->size() * sizeof(mp_limb_t));
  return out;
}

// ρ may be secret (our encryptions under a peer's key): constant-time OpenSSL exponentiation.
BigInt PaillierPublicKey::rho_pow_n(const BigInt& rho) const { return modexp::pow_sec(rho, n_, n2_); }

BigInt PaillierPublicKey::encrypt(const BigInt& m, const BigInt& rho) const {
  return add_secret(one_plus_n_pow_secret(m), rho_pow_n(rho));
}

BigInt PaillierPublicKey::add(const BigInt& c1, const BigInt& c2) const { return (c1 * c2).mod(n2_); }

BigInt PaillierPublicKey::add_secret(const BigInt& c1, const BigInt& c2) const {
  if (!mont_n2_) return add(c1, c2);
  return mont_n2_->mul_mod(c1, c2);
}

BigInt PaillierPublicKey::enc_minus_scaled(const BigInt& m, const BigInt& rho, const BigInt& c,
                                           const BigInt& e) const {
  BigInt base = c;
  if (e.sign() > 0) {
    auto inv = BigInt::invert(c, n2_);
    if (!inv) std::abort();  // callers check that c is a unit
    base = std::move(*inv);
  }
  return (one_plus_n_pow(m) * modexp::pow2_public(rho, n_, base, e.abs(), n2_)).mod(n2_);
}

BigInt PaillierPublicKey::scale(const BigInt& c, const BigInt& k) const {
  // Public c and k (verifier side): variable-time OpenSSL exponentiation.
  if (k.sign() >= 0) return modexp::pow_public(c, k, n2_);
  auto inv = BigInt::invert(c, n2_);
  if (!inv) std::abort();  // callers check that c is a unit
  return modexp::pow_public(*inv, -k, n2_);
}

bool PaillierPublicKey::is_ciphertext(const BigInt& c) const { return c.is_unit_mod(n2_); }

Result<PaillierSecretKey> PaillierSecretKey::from_primes(const BigInt& p, const BigInt& q, unsigned bits,
                                                         bool check_safe) {
  // p and q are secret (constant time, tests/ct); each check is a verdict that refuses the pair.
  if (secint::equal(p, q)) return invalid_argument("Paillier primes are equal");
  auto low_bits = [](const BigInt& x) { return ct::pub(mpz_getlimbn(x.get(), 0) & 3); };
  if (p.sign() <= 0 || q.sign() <= 0 || low_bits(p) != 3 || low_bits(q) != 3) {
    return invalid_argument("Paillier primes must be 3 mod 4");
  }
  if (ct::pub(p.bit_length()) != bits / 2 || ct::pub(q.bit_length()) != bits / 2) {
    return invalid_argument("Paillier primes must have exactly " + std::to_string(bits / 2) + " bits");
  }
  if (check_safe && (!is_safe_prime(p) || !is_safe_prime(q))) return invalid_argument("Paillier primes are not safe primes");
  if (!check_safe && (!is_probable_prime_secret(p, 20) || !is_probable_prime_secret(q, 20))) {
    return invalid_argument("Paillier factors are not prime");
  }
  BigInt n = secint::affine(BigInt(), p, q);
  declare_public(n);  // N is the public key
  ASSIGN_OR_RETURN(PaillierPublicKey pk, PaillierPublicKey::from_modulus(n, bits));
  PaillierSecretKey sk;
  sk.pk_ = std::move(pk);
  sk.set_blum_factors(p, q);
  sk.set_crt_constants();
  sk.rand_ = std::make_shared<RandomnessTables>();
  return sk;
}

void PaillierSecretKey::set_factors(const BigInt& p, const BigInt& q, const BigInt& phi) {
  p_ = p;
  q_ = q;
  phi_ = phi;
  p2_ = p * p;
  q2_ = q * q;
  p_minus_1_ = p - BigInt(1);
  q_minus_1_ = q - BigInt(1);
  phi_p2_ = p * p_minus_1_;
  phi_q2_ = q * q_minus_1_;
  n_inv_phi_ = phi > BigInt(1) ? BigInt::invert(pk_.n(), phi).value_or(BigInt(0)) : BigInt(0);
  const BigInt d = (phi + BigInt(4)) >> 3;
  fourth_root_exp_ = d * d;
}

// Once per key, but whenever a stored key is loaded too, so constant time in p and q like everything
// the key does with them afterwards (a binary-gcd inversion of a secret is the classic single-trace
// leak of RSA key generation, CVE-2018-0737): fixed-width products, shifts and reductions
// (crypto/sec_int.h), no borrow chains.
void PaillierSecretKey::set_blum_factors(const BigInt& p, const BigInt& q) {
  using secint::affine;
  const BigInt zero;
  p_ = p;
  q_ = q;
  p_minus_1_ = secint::odd_minus_one(p);
  q_minus_1_ = secint::odd_minus_one(q);
  phi_ = affine(zero, p_minus_1_, q_minus_1_);
  p2_ = affine(zero, p, p);
  q2_ = affine(zero, q, q);
  phi_p2_ = affine(zero, p, p_minus_1_);
  phi_q2_ = affine(zero, q, q_minus_1_);
  // φ = 4·o with o = ((p−1)/2)·((q−1)/2) odd. N ≡ 1 (mod 4), so N⁻¹ ≡ 1 (mod 4); with y_o = N⁻¹ mod o
  // (odd modulus: mpn_sec_invert), y = y_o + o·t for t ≡ (1 − y_o)·o⁻¹ ≡ (1 − y_o)·o (mod 4).
  const BigInt o = secint::shift_right(phi_, 2);
  if (auto y_o = secint::invert_odd(pk_.n(), o)) {
    const mp_limb_t t = ((1 - mpz_getlimbn(y_o->get(), 0)) * mpz_getlimbn(o.get(), 0)) & 3;
    n_inv_phi_ = secint::add_multiple(*y_o, o, t);
  } else {
    n_inv_phi_ = BigInt(0);  // gcd(N, φ) ≠ 1: only if p | q − 1 or q | p − 1, never for equal sizes
  }
  const BigInt d = secint::shift_right(affine(phi_, BigInt(4), BigInt(1)), 3);  // (φ + 4)/8
  fourth_root_exp_ = affine(zero, d, d);
}

// For distinct odd primes p, q (the only keys that use CRT) every inverse exists.
void PaillierSecretKey::set_crt_constants() {
  p2_inv_q2_ = secint::invert_odd(p2_, q2_).value_or(BigInt(0));
  p_inv_q_ = secint::invert_odd(p_, q_).value_or(BigInt(0));
  q_mod_p_minus_1_ = secint::mod(q_, p_minus_1_);
  p_mod_q_minus_1_ = secint::mod(p_, q_minus_1_);
  // h_r = L_r((1+N)^(r−1) mod r²)⁻¹ mod r, where L_r(x) = (x − 1)/r = ⌊x/r⌋ since x ≡ 1 (mod r).
  auto h = [&](const BigInt& r, const BigInt& r2, const BigInt& r_minus_1) {
    BigInt g = modexp::pow_sec(pk_.n() + BigInt(1), r_minus_1, r2);
    return secint::invert_odd(secint::div_floor(g, r), r).value_or(BigInt(0));
  };
  hp_ = h(p_, p2_, p_minus_1_);
  hq_ = h(q_, q2_, q_minus_1_);
}

PaillierSecretKey PaillierSecretKey::generate(Rng& rng, unsigned bits) {
  for (;;) {
    SafePrimePair pair = generate_safe_prime_pair(rng, bits / 2);
    auto sk = from_primes(pair.p, pair.q, bits);
    if (sk.ok()) return std::move(sk).value();
  }
}

PaillierSecretKey PaillierSecretKey::unchecked_for_testing(const BigInt& p, const BigInt& q) {
  return unchecked_for_testing(p, q, (p - BigInt(1)) * (q - BigInt(1)));
}

PaillierSecretKey PaillierSecretKey::unchecked_for_testing(const BigInt& p, const BigInt& q, const BigInt& phi) {
  // TEST ONLY: see the header. Nothing here may abort, whatever p, q and phi are.
  PaillierSecretKey sk;
  sk.pk_.n_ = p * q;
  sk.pk_.n2_ = sk.pk_.n_ * sk.pk_.n_;
  sk.set_factors(p, q, phi);
  const BigInt two(2);
  sk.direct_ = !(p > two && q > two && p != q && p.is_probable_prime(20) && q.is_probable_prime(20));
  if (sk.direct_) return sk;  // the CRT constants stay zero and are never used
  sk.set_crt_constants();
  sk.rand_ = std::make_shared<RandomnessTables>();  // unusable (fallback) unless p and q are safe primes
  return sk;
}

// The owner's arithmetic below works with the secret moduli p, q, p², q² and secret values: it uses
// the fixed-width functions of crypto/sec_int.h and OpenSSL's constant-time exponentiation, never
// GMP's mpz division or signed arithmetic (tests/ct checks it).

BigInt PaillierSecretKey::crt_n2(const BigInt& xp, const BigInt& xq) const {
  return secint::crt(xp, xq, p2_, q2_, p2_inv_q2_);
}

BigInt PaillierSecretKey::crt_n(const BigInt& xp, const BigInt& xq) const {
  return secint::crt(xp, xq, p_, q_, p_inv_q_);
}

BigInt PaillierSecretKey::pow_mod_n2(const BigInt& base, const BigInt& exp) const {
  if (direct_) return BigInt::powm(base, exp, pk_.n2()).value_or(BigInt(0));
  BigInt b = base;
  BigInt e = exp;
  if (e.sign() < 0) {
    b = *BigInt::invert(base, pk_.n2());
    e = -e;
  }
  BigInt ep = reduce_exponent(e, phi_p2_);
  BigInt eq = reduce_exponent(e, phi_q2_);
  BigInt xp = modexp::pow_sec(b, ep, p2_);  // constant time (OpenSSL); exponent 0 gives 1
  BigInt xq = modexp::pow_sec(b, eq, q2_);
  return crt_n2(xp, xq);
}

BigInt PaillierSecretKey::pow_mod_n(const BigInt& base, const BigInt& exp) const {
  if (direct_) return BigInt::powm(base, exp, pk_.n()).value_or(BigInt(0));
  BigInt b = base;
  BigInt e = exp;
  if (e.sign() < 0) {
    b = *BigInt::invert(base, pk_.n());
    e = -e;
  }
  BigInt ep = reduce_exponent(e, p_minus_1_);
  BigInt eq = reduce_exponent(e, q_minus_1_);
  BigInt xp = modexp::pow_sec(b, ep, p_);
  BigInt xq = modexp::pow_sec(b, eq, q_);
  return crt_n(xp, xq);
}

BigInt PaillierSecretKey::rho_pow_n(const BigInt& rho) const {
  // rho^N mod p^2 depends only on rho mod p: (rho^q mod p)^p mod p^2, since
  // (x + kp)^p ≡ x^p (mod p^2). This halves the work of a plain CRT power.
  if (direct_) return pk_.rho_pow_n(rho);
  auto part = [&](const BigInt& r, const BigInt& r2, const BigInt& other_mod_r_minus_1) {
    BigInt y = modexp::pow_sec(rho, other_mod_r_minus_1, r);
    return modexp::pow_sec(y, r, r2);
  };
  return crt_n2(part(p_, p2_, q_mod_p_minus_1_), part(q_, q2_, p_mod_q_minus_1_));
}

BigInt PaillierSecretKey::encrypt(const BigInt& m, const BigInt& rho) const {
  return pk_.add_secret(pk_.one_plus_n_pow_secret(m), rho_pow_n(rho));
}

BigInt PaillierSecretKey::decrypt(const BigInt& c) const {
  if (direct_) {
    // m = L(c^φ mod N²)·φ⁻¹ mod N (a test key's φ may be wrong: the result is then garbage, or 0).
    BigInt u = BigInt::powm(c.mod(pk_.n2()), phi_, pk_.n2()).value_or(BigInt(0));
    BigInt l = (u - BigInt(1)).div_floor(pk_.n());
    BigInt m = (l * BigInt::invert(phi_.mod(pk_.n()), pk_.n()).value_or(BigInt(0))).mod(pk_.n());
    if (m > (pk_.n() >> 1)) m -= pk_.n();
    return m;
  }
  // m mod r = L_r(c^(r−1) mod r²)·h_r mod r, with L_r(u) = (u − 1)/r = ⌊u/r⌋ since u ≡ 1 mod r
  // (Fermat; for a c that is not a unit the result is garbage, as it would be anyway).
  auto part = [&](const BigInt& r, const BigInt& r2, const BigInt& r_minus_1, const BigInt& h) {
    BigInt u = modexp::pow_sec(c, r_minus_1, r2);
    return secint::mul_mod(secint::div_floor(u, r), h, r);
  };
  return secint::centre(crt_n(part(p_, p2_, p_minus_1_, hp_), part(q_, q2_, q_minus_1_, hq_)), pk_.n());
}

BigInt PaillierSecretKey::recover_rho(const BigInt& c) const {
  // c = (1+N)^m rho^N; c mod N = rho^N mod N, and N^-1 mod phi undoes the power.
  if (n_inv_phi_.is_zero()) return BigInt(0);  // only for an unchecked_for_testing() key
  return pow_mod_n(c.mod(pk_.n()), n_inv_phi_);
}

std::vector<const BigInt*> PaillierSecretKey::secret_values() const {
  return {&p_, &q_, &phi_, &p2_, &q2_, &phi_p2_, &phi_q2_, &p_minus_1_, &q_minus_1_, &q_mod_p_minus_1_,
          &p_mod_q_minus_1_, &p2_inv_q2_, &p_inv_q_, &hp_, &hq_, &n_inv_phi_, &fourth_root_exp_};
}

const PaillierSecretKey::RandomnessTables* PaillierSecretKey::randomness_tables() const {
  if (!rand_ || direct_) return nullptr;
  std::call_once(rand_->once, [this] {
    auto build = [](const BigInt& r, const BigInt& r_minus_1, const BigInt& r2, RandomnessTables::Prime& out) {
      auto g = safe_prime_generator(r, r_minus_1);
      if (!g) return false;
      out.r_minus_1 = r_minus_1;
      out.exp_bits = ct::pub(out.r_minus_1.bit_length());  // the factors' length is public
      BigInt w = modexp::pow_sec(*g, r, r2);  // r secret as exponent and modulus
      out.g = std::make_unique<const FixedBaseExp>(*g, r, out.exp_bits, false, RandomnessTables::kRows,
                                                   RandomnessTables::kCols);
      out.w = std::make_unique<const FixedBaseExp>(w, r2, out.exp_bits, false, RandomnessTables::kRows,
                                                   RandomnessTables::kCols);
      return true;
    };
    rand_->usable = build(p_, p_minus_1_, p2_, rand_->p) && build(q_, q_minus_1_, q2_, rand_->q);
  });
  return rand_->usable ? rand_.get() : nullptr;
}

std::pair<BigInt, BigInt> PaillierSecretKey::random_rho_and_power(Rng& rng) const {
  const RandomnessTables* t = randomness_tables();
  if (t == nullptr) {
    BigInt rho = BigInt::random_unit(rng, pk_.n());
    BigInt power = rho_pow_n(rho);
    return {std::move(rho), std::move(power)};
  }
  // Per prime r (other prime o): a uniform in [0, r−1), ρ_r = g^a mod r, ρ^N mod r² = W^(a·o mod (r−1)).
  auto part = [&rng](const RandomnessTables::Prime& pr, const BigInt& other) {
    BigInt a = BigInt::random_below(rng, pr.r_minus_1);
    BigInt rho_r = pr.g->pow(a, pr.exp_bits);
    BigInt e = secint::mul_mod(a, other, pr.r_minus_1);
    BigInt power_r = pr.w->pow(e, pr.exp_bits);
    return std::make_pair(std::move(rho_r), std::move(power_r));
  };
  auto [rho_p, pow_p] = part(t->p, q_);
  auto [rho_q, pow_q] = part(t->q, p_);
  return {crt_n(rho_p, rho_q), crt_n2(pow_p, pow_q)};
}

BigInt PaillierSecretKey::encrypt_fresh(const BigInt& m, Rng& rng, BigInt* rho_out) const {
  auto [rho, power] = random_rho_and_power(rng);
  BigInt c = pk_.add_secret(pk_.one_plus_n_pow_secret(m), power);
  if (rho_out != nullptr) *rho_out = std::move(rho);
  return c;
}

}  // namespace custos
