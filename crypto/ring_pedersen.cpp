#include "crypto/ring_pedersen.h"

#include <mutex>

#include "crypto/ct.h"
#include "crypto/fixed_base.h"
#include "crypto/rng.h"
#include "crypto/sec_int.h"

namespace custos {
namespace {
// base^e mod m with e secret: constant-time exponentiation on |e|; a negative
// exponent inverts the (public) base first.
BigInt pow_signed_sec(const BigInt& base, const BigInt& e, const BigInt& m) {
  if (e.is_zero()) return BigInt(1);
  if (e.sign() > 0) return modexp::pow_sec(base, e, m);
  BigInt inv = *BigInt::invert(base, m);
  return modexp::pow_sec(inv, -e, m);
}
}  // namespace

struct RingPedersenParams::Tables {
  std::once_flag once;
  std::unique_ptr<const FixedBaseExp> s, t;
};

const RingPedersenParams::Tables* RingPedersenParams::tables() const {
  if (!tables_) return nullptr;
  std::call_once(tables_->once, [this] {
    tables_->s = std::make_unique<const FixedBaseExp>(s_, n_, kCommitTableBits, true);
    tables_->t = std::make_unique<const FixedBaseExp>(t_, n_, kCommitTableBits, true);
  });
  return tables_.get();
}

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
  p.tables_ = std::make_shared<Tables>();
  return p;
}

BigInt RingPedersenParams::commit(const BigInt& x, const BigInt& y) const {
  // Whether the exponents fit the tables is public: every honest range does (kCommitTableBits).
  if (tables_ && ct::pub(x.bit_length() <= kCommitTableBits) && ct::pub(y.bit_length() <= kCommitTableBits)) {
    const Tables* tab = tables();
    // The comb's cost reveals each exponent's length in whole groups only (fixed_base.h).
    return FixedBaseExp::pow2_signed(*tab->s, x, tab->s->public_bits(x, true), *tab->t, y,
                                     tab->t->public_bits(y, true));
  }
  return (pow_signed_sec(s_, x, n_) * pow_signed_sec(t_, y, n_)).mod(n_);
}

BigInt RingPedersenParams::commit_public(const BigInt& x, const BigInt& y) const {
  // Public exponents: one simultaneous exponentiation (BN_mod_exp2_mont) over s^±1 and t^±1.
  BigInt sb = x.sign() < 0 ? *BigInt::invert(s_, n_) : s_;
  BigInt tb = y.sign() < 0 ? *BigInt::invert(t_, n_) : t_;
  return modexp::pow2_public(sb, x.abs(), tb, y.abs(), n_);
}

BigInt RingPedersenParams::pow(const BigInt& a, const BigInt& e) const {
  if (e.sign() >= 0) return modexp::pow_public(a, e, n_);
  auto inv = BigInt::invert(a, n_);
  if (!inv) std::abort();  // callers check that a is a unit
  return modexp::pow_public(*inv, -e, n_);
}

BigInt RingPedersenParams::pow_t(const BigInt& e) const {
  const unsigned bits = e.bit_length();
  if (tables_ && e.sign() >= 0 && bits <= kCommitTableBits) return tables()->t->pow(e, bits == 0 ? 1 : bits);
  return pow(t_, e);
}

RingPedersenSecret RingPedersenSecret::generate(Rng& rng, const PaillierSecretKey& key) {
  const BigInt& n = key.n();
  for (;;) {
    // τ and λ are secret (λ is the trapdoor: whoever learns it can open commitments to us either
    // way); t and s are published. Constant time: tests/ct runs this inside aux-info.
    BigInt tau = BigInt::random_unit(rng, n);
    BigInt t = secint::mul_mod(tau, tau, n);
    BigInt lambda = BigInt::random_below(rng, key.phi());
    if (lambda.is_zero()) continue;  // looks at the limb count only, which is public
    BigInt s = key.pow_mod_n(t, lambda);  // CRT, constant time in λ
    declare_public(t);
    declare_public(s);
    auto params = RingPedersenParams::create(n, s, t, n.bit_length());
    if (!params.ok()) continue;  // negligible: s = t or a degenerate value
    return RingPedersenSecret(std::move(params).value(), std::move(lambda),
                              std::make_shared<const PaillierSecretKey>(key));
  }
}

// Per prime r of N̂ = pq: s mod r and t mod r with exponents reduced mod r − 1
// (public values on the verifier side; the tables are simply faster than two
// exponentiations per prime).
struct RingPedersenSecret::CrtTables {
  static constexpr unsigned kRows = 5;
  static constexpr unsigned kCols = 16;
  struct Prime {
    BigInt r_minus_1;
    unsigned bits = 0;
    std::unique_ptr<const FixedBaseExp> s, t;
  };
  std::once_flag once;
  bool usable = false;
  Prime p, q;
};

RingPedersenSecret::RingPedersenSecret(RingPedersenParams params, BigInt lambda,
                                       std::shared_ptr<const PaillierSecretKey> key)
    : params_(std::move(params)), lambda_(std::move(lambda)), key_(std::move(key)),
      crt_(std::make_shared<CrtTables>()) {}

const RingPedersenSecret::CrtTables* RingPedersenSecret::crt_tables() const {
  if (!key_ || !key_->uses_crt() || !(key_->n() == params_.n())) return nullptr;
  std::call_once(crt_->once, [this] {
    // r is one of our secret primes: the reductions are constant time, and what decides whether the
    // tables are usable is a verdict (r's length is public: the key fixes it).
    auto build = [this](const BigInt& r, const BigInt& r_minus_1, CrtTables::Prime& out) {
      out.r_minus_1 = r_minus_1;
      out.bits = ct::pub(out.r_minus_1.bit_length());
      BigInt s = secint::mod(params_.s(), r), t = secint::mod(params_.t(), r);
      if (s.is_zero() || t.is_zero() || ct::pub(r.bit_length() < 2) || ct::pub(!r.is_odd())) return false;
      out.s = std::make_unique<const FixedBaseExp>(s, r, out.bits, false, CrtTables::kRows, CrtTables::kCols);
      out.t = std::make_unique<const FixedBaseExp>(t, r, out.bits, false, CrtTables::kRows, CrtTables::kCols);
      return true;
    };
    crt_->usable = build(key_->p(), key_->p_minus_1(), crt_->p) && build(key_->q(), key_->q_minus_1(), crt_->q);
  });
  return crt_->usable ? crt_.get() : nullptr;
}

BigInt RingPedersenSecret::commit_crt(const BigInt& x, const BigInt& y) const {
  if (const CrtTables* tab = crt_tables()) {
    // s^x mod r = (s mod r)^(x mod (r−1)) for a prime r ∤ s (Fermat); any sign of x. The reductions
    // divide by the secret r − 1: fixed width (crypto/sec_int.h).
    auto part = [&](const CrtTables::Prime& pr) {
      return FixedBaseExp::pow2(*pr.s, secint::mod(x, pr.r_minus_1), pr.bits, *pr.t, secint::mod(y, pr.r_minus_1),
                                pr.bits);
    };
    return key_->crt_mod_n(part(tab->p), part(tab->q));
  }
  return (key_->pow_mod_n(params_.s(), x) * key_->pow_mod_n(params_.t(), y)).mod(params_.n());
}

BigInt RingPedersenSecret::pow_t_crt(const BigInt& e) const {
  const CrtTables* tab = e.sign() >= 0 ? crt_tables() : nullptr;
  if (!tab) return pow_crt(params_.t(), e);
  // t^e mod r = (t mod r)^(e mod (r−1)) for a prime r ∤ t (Fermat).
  auto part = [&](const CrtTables::Prime& pr) { return pr.t->pow(secint::mod(e, pr.r_minus_1), pr.bits); };
  return key_->crt_mod_n(part(tab->p), part(tab->q));
}

}  // namespace custos
