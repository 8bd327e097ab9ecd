#include "crypto/ring_pedersen.h"

#include "crypto/rng.h"

namespace custos {
namespace {
// base^e mod m with e secret: constant-time exponentiation on |e|; a negative
// exponent inverts the (public) base first.
BigInt pow_signed_sec(const BigInt& base, const BigInt& e, const BigInt& m) {
  if (e.is_zero()) return BigInt(1);
  if (e.sign() > 0) return BigInt::powm_sec(base, e, m);
  BigInt inv = *BigInt::invert(base, m);
  return BigInt::powm_sec(inv, -e, m);
}
}  // namespace

Result<RingPedersenParams> RingPedersenParams::create(const BigInt& n, const BigInt& s, const BigInt& t,
                                                      unsigned bits) {
  if (n.bit_length() != bits) {
    return out_of_range("ring-Pedersen modulus has " + std::to_string(n.bit_length()) + " bits, expected " +
                        std::to_string(bits));
  }
  if (!n.is_odd()) return out_of_range("ring-Pedersen modulus is even");
  if (!s.is_unit_mod(n)) return out_of_range("ring-Pedersen s is not a unit mod N");
  if (!t.is_unit_mod(n)) return out_of_range("ring-Pedersen t is not a unit mod N");
  if (s == t) return out_of_range("ring-Pedersen s equals t");
  BigInt minus_one = n - BigInt(1);
  if (s == BigInt(1) || s == minus_one) return out_of_range("ring-Pedersen s is ±1");
  if (t == BigInt(1) || t == minus_one) return out_of_range("ring-Pedersen t is ±1");
  RingPedersenParams p;
  p.n_ = n;
  p.s_ = s;
  p.t_ = t;
  return p;
}

BigInt RingPedersenParams::commit(const BigInt& x, const BigInt& y) const {
  return (pow_signed_sec(s_, x, n_) * pow_signed_sec(t_, y, n_)).mod(n_);
}

BigInt RingPedersenParams::commit_public(const BigInt& x, const BigInt& y) const {
  return (BigInt::powm_unit(s_, x, n_) * BigInt::powm_unit(t_, y, n_)).mod(n_);
}

BigInt RingPedersenParams::pow(const BigInt& a, const BigInt& e) const { return BigInt::powm_unit(a, e, n_); }

RingPedersenSecret RingPedersenSecret::generate(Rng& rng, const PaillierSecretKey& key) {
  const BigInt& n = key.n();
  for (;;) {
    BigInt tau = BigInt::random_unit(rng, n);
    BigInt t = (tau * tau).mod(n);
    BigInt lambda = BigInt::random_below(rng, key.phi());
    if (lambda.is_zero()) continue;
    BigInt s = BigInt::powm_sec(t, lambda, n);
    auto params = RingPedersenParams::create(n, s, t, n.bit_length());
    if (!params.ok()) continue;  // negligible: s = t or a degenerate value
    return RingPedersenSecret(std::move(params).value(), std::move(lambda),
                              std::make_shared<const PaillierSecretKey>(key));
  }
}

BigInt RingPedersenSecret::commit_crt(const BigInt& x, const BigInt& y) const {
  return (key_->pow_mod_n(params_.s(), x) * key_->pow_mod_n(params_.t(), y)).mod(params_.n());
}

}  // namespace custos
