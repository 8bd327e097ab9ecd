#include "crypto/sec_int.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "crypto/ct.h"
#include "crypto/secret.h"

namespace custos::secint {
namespace {

// A fixed-width little-endian limb array, wiped when it goes.
class Limbs {
 public:
  explicit Limbs(size_t n) : v_(n, 0) {}
  // |x| zero-extended to `width` limbs (aborts if it does not fit: widths are the callers' promise).
  static Limbs of(const BigInt& x, size_t width) {
    const size_t n = mpz_size(x.get());
    if (n > width) std::abort();
    Limbs out(width);
    if (n != 0) std::memcpy(out.data(), mpz_limbs_read(x.get()), n * sizeof(mp_limb_t));
    return out;
  }
  Limbs(Limbs&&) = default;
  Limbs(const Limbs&) = delete;
  Limbs& operator=(const Limbs&) = delete;
  ~Limbs() { secure_wipe(v_.data(), v_.size() * sizeof(mp_limb_t)); }

  mp_limb_t* data() { return v_.data(); }
  const mp_limb_t* data() const { return v_.data(); }
  size_t size() const { return v_.size(); }
  mp_size_t ssize() const { return static_cast<mp_size_t>(v_.size()); }

  // The first `n` limbs as a BigInt, negated when `negative` is 1. Its limb count and sign are public,
  // like every BigInt's.
  BigInt to_bigint(size_t n, mp_limb_t negative = 0) const {
    if (n > v_.size()) std::abort();
    BigInt out = BigInt::from_limbs(std::span<const mp_limb_t>(v_.data(), n));
    if (ct::pub(negative) != 0) mpz_neg(out.get_mut(), out.get());
    return out;
  }
  BigInt to_bigint() const { return to_bigint(v_.size()); }

 private:
  std::vector<mp_limb_t> v_;
};

mp_size_t limbs(const BigInt& x) { return static_cast<mp_size_t>(mpz_size(x.get())); }

// 1 when x < 0 (a BigInt's sign is public).
mp_limb_t negative_flag(const BigInt& x) { return static_cast<mp_limb_t>(x.sign() < 0); }

// Two's-complement negation of v when cnd is 1, in place.
void cnd_negate(mp_limb_t cnd, Limbs& v) {
  Limbs zero(v.size()), neg(v.size());
  mpn_sub_n(neg.data(), zero.data(), v.data(), v.ssize());
  mpn_cnd_swap(cnd, v.data(), neg.data(), v.ssize());
}

// |a|·|b| into `out` (at least limbs(a) + limbs(b) limbs; the rest is zeroed).
void sec_mul_into(const BigInt& a, const BigInt& b, Limbs& out) {
  const mp_size_t na = limbs(a), nb = limbs(b);
  if (static_cast<size_t>(na + nb) > out.size()) std::abort();
  std::fill(out.data(), out.data() + out.size(), mp_limb_t{0});
  if (na == 0 || nb == 0) return;
  const BigInt& big = na >= nb ? a : b;
  const BigInt& small = na >= nb ? b : a;
  const mp_size_t nbig = std::max(na, nb), nsmall = std::min(na, nb);
  Limbs scratch(static_cast<size_t>(mpn_sec_mul_itch(nbig, nsmall)));
  mpn_sec_mul(out.data(), mpz_limbs_read(big.get()), nbig, mpz_limbs_read(small.get()), nsmall, scratch.data());
}

// The remainder of the first nn limbs of `num` by d, in place (num[0, limbs(d))). nn ≥ limbs(d) ≥ 1.
void sec_reduce(Limbs& num, mp_size_t nn, const BigInt& d) {
  const mp_size_t nd = limbs(d);
  if (nd == 0 || nn < nd || static_cast<size_t>(nn) > num.size()) std::abort();
  Limbs scratch(static_cast<size_t>(mpn_sec_div_r_itch(nn, nd)));
  mpn_sec_div_r(num.data(), nn, mpz_limbs_read(d.get()), nd, scratch.data());
}

void require_non_negative(const BigInt& x) {
  if (x.sign() < 0) std::abort();
}

}  // namespace

BigInt affine(const BigInt& a, const BigInt& e, const BigInt& x) {
  // One limb more than either term needs holds the two's-complement sum without overflow.
  const size_t width = static_cast<size_t>(std::max(limbs(a), limbs(e) + limbs(x))) + 1;
  Limbs sum = Limbs::of(a, width);
  cnd_negate(negative_flag(a), sum);
  Limbs product(width);
  sec_mul_into(e, x, product);
  cnd_negate(negative_flag(e) ^ negative_flag(x), product);
  mpn_add_n(sum.data(), sum.data(), product.data(), sum.ssize());
  const mp_limb_t negative = sum.data()[width - 1] >> (GMP_NUMB_BITS - 1);
  cnd_negate(negative, sum);
  return sum.to_bigint(width, negative);
}

BigInt response(const BigInt& a, const BigInt& e, const BigInt& x) {
  BigInt z = affine(a, e, x);
  declare_public(z);
  return z;
}

BigInt mod(const BigInt& a, const BigInt& d) {
  const mp_size_t na = limbs(a), nd = limbs(d);
  if (d.sign() <= 0) std::abort();
  const mp_size_t nn = std::max(na, nd);
  Limbs num = Limbs::of(a, static_cast<size_t>(nn));
  sec_reduce(num, nn, d);  // |a| mod d in num[0, nd); with na < nd, |a| < d is unchanged
  // For a < 0 the residue is d − (|a| mod d), and 0 when that is 0: d − r, then d subtracted back
  // when it did not borrow (r = 0). a's sign is public.
  const size_t w = static_cast<size_t>(nd);
  Limbs flipped(w), back(w), dl = Limbs::of(d, w);
  mpn_sub_n(flipped.data(), dl.data(), num.data(), flipped.ssize());
  const mp_limb_t was_zero = mpn_sub_n(back.data(), flipped.data(), dl.data(), back.ssize()) ^ 1;
  mpn_cnd_swap(was_zero, flipped.data(), back.data(), flipped.ssize());
  mpn_cnd_swap(negative_flag(a), num.data(), flipped.data(), flipped.ssize());
  return num.to_bigint(w);
}

BigInt div_floor(const BigInt& a, const BigInt& d) {
  require_non_negative(a);
  const mp_size_t na = limbs(a), nd = limbs(d);
  if (d.sign() <= 0) std::abort();
  if (na < nd) return BigInt(0);  // a < d, from the public lengths alone
  Limbs num = Limbs::of(a, static_cast<size_t>(na));
  Limbs quotient(static_cast<size_t>(na - nd + 1));
  Limbs scratch(static_cast<size_t>(mpn_sec_div_qr_itch(na, nd)));
  const mp_limb_t top = mpn_sec_div_qr(quotient.data(), num.data(), na, mpz_limbs_read(d.get()), nd, scratch.data());
  quotient.data()[na - nd] = top;  // the quotient's most significant limb is returned, not stored
  return quotient.to_bigint();
}

BigInt mul_mod(const BigInt& a, const BigInt& b, const BigInt& d) {
  require_non_negative(a);
  require_non_negative(b);
  if (d.sign() <= 0) std::abort();
  const mp_size_t nn = std::max(limbs(a) + limbs(b), limbs(d));
  Limbs product(static_cast<size_t>(nn));
  sec_mul_into(a, b, product);
  sec_reduce(product, nn, d);
  return product.to_bigint(static_cast<size_t>(limbs(d)));
}

BigInt crt(const BigInt& x_m, const BigInt& x_n, const BigInt& m, const BigInt& n, const BigInt& m_inv_n) {
  const size_t wn = mpz_size(n.get());
  // (x_n − x_m mod n) mod n: a subtraction of two residues and a conditional addition of n.
  Limbs xm_mod_n = Limbs::of(mod(x_m, n), wn), diff(wn);
  Limbs xn = Limbs::of(x_n, wn), nl = Limbs::of(n, wn);
  const mp_limb_t borrow = mpn_sub_n(diff.data(), xn.data(), xm_mod_n.data(), diff.ssize());
  mpn_cnd_add_n(borrow, diff.data(), diff.data(), nl.data(), diff.ssize());
  const BigInt t = mul_mod(diff.to_bigint(), m_inv_n, n);
  // x_m + m·t < m·n: one limb of headroom for the sum.
  const size_t width = mpz_size(m.get()) + wn + 1;
  Limbs sum(width);
  sec_mul_into(m, t, sum);
  Limbs xm = Limbs::of(x_m, width);
  mpn_add_n(sum.data(), sum.data(), xm.data(), sum.ssize());
  return sum.to_bigint();
}

BigInt centre(const BigInt& v, const BigInt& n) {
  const size_t w = mpz_size(n.get());
  Limbs value = Limbs::of(v, w), negated(w), ignored(w);
  Limbs half = Limbs::of(n >> 1, w), nl = Limbs::of(n, w);
  const mp_limb_t above_half = mpn_sub_n(ignored.data(), half.data(), value.data(), value.ssize());  // borrow: v > n/2
  mpn_sub_n(negated.data(), nl.data(), value.data(), value.ssize());                                  // n − v
  mpn_cnd_swap(above_half, value.data(), negated.data(), value.ssize());
  return value.to_bigint(w, above_half);
}

bool less_than(const BigInt& v, const BigInt& m) {
  require_non_negative(v);
  if (m.sign() <= 0) std::abort();
  const size_t w = std::max(mpz_size(v.get()), mpz_size(m.get()));
  Limbs value = Limbs::of(v, w), bound = Limbs::of(m, w), ignored(w);
  return ct::pub(mpn_sub_n(ignored.data(), value.data(), bound.data(), value.ssize())) != 0;
}

bool equal(const BigInt& x, const BigInt& y) {
  if (x.sign() != y.sign()) return false;
  const size_t w = std::max(mpz_size(x.get()), mpz_size(y.get()));
  Limbs a = Limbs::of(x, w), b = Limbs::of(y, w);
  mp_limb_t diff = 0;
  for (size_t i = 0; i < w; ++i) diff |= a.data()[i] ^ b.data()[i];
  return ct::pub(diff == 0);
}

BigInt shift_right(const BigInt& x, unsigned k) {
  require_non_negative(x);
  const size_t n = mpz_size(x.get()), whole = k / 64;
  if (whole >= n) return BigInt(0);
  Limbs v = Limbs::of(x, n), out(n - whole);
  if (k % 64 == 0) {
    std::memcpy(out.data(), v.data() + whole, (n - whole) * sizeof(mp_limb_t));
  } else {
    mpn_rshift(out.data(), v.data() + whole, static_cast<mp_size_t>(n - whole), k % 64);
  }
  return out.to_bigint();
}

BigInt odd_minus_one(const BigInt& x) {
  if (x.sign() <= 0) std::abort();
  Limbs v = Limbs::of(x, mpz_size(x.get()));
  if (ct::pub((v.data()[0] & 1) == 0)) std::abort();  // callers pass odd numbers (primes)
  v.data()[0] &= ~mp_limb_t{1};
  return v.to_bigint();
}

std::optional<BigInt> invert_odd(const BigInt& a, const BigInt& m) {
  if (m.sign() <= 0) std::abort();
  const size_t n = mpz_size(m.get());
  Limbs value = Limbs::of(mod(a, m), n), modulus = Limbs::of(m, n), out(n);
  if (ct::pub((modulus.data()[0] & 1) == 0) || ct::pub(n == 1 && modulus.data()[0] == 1)) std::abort();
  Limbs scratch(static_cast<size_t>(mpn_sec_invert_itch(static_cast<mp_size_t>(n))));
  const int ok = mpn_sec_invert(out.data(), value.data(), modulus.data(), static_cast<mp_size_t>(n),
                                static_cast<mp_bitcnt_t>(2 * 64 * n), scratch.data());
  if (ct::pub(ok) == 0) return std::nullopt;
  return out.to_bigint();
}

BigInt add_multiple(const BigInt& a, const BigInt& m, mp_limb_t t) {
  require_non_negative(a);
  require_non_negative(m);
  const size_t w = static_cast<size_t>(std::max(limbs(a), limbs(m))) + 1;
  Limbs sum = Limbs::of(a, w), mult = Limbs::of(m, w);
  mpn_addmul_1(sum.data(), mult.data(), sum.ssize(), t);  // no carry out: w has a spare limb
  return sum.to_bigint();
}

}  // namespace custos::secint
