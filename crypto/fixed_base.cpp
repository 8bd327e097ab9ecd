#include "crypto/fixed_base.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <openssl/bn.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#endif

#include "crypto/ct.h"
#include "crypto/modexp52.h"
#include "crypto/sec_int.h"
#include "crypto/secret.h"

namespace custos {
namespace {

// Limb buffer that is wiped when it goes out of scope (exponent digits, accumulators).
class WipedLimbs {
 public:
  explicit WipedLimbs(size_t n) : v_(n, 0) {}
  WipedLimbs(const WipedLimbs&) = delete;
  WipedLimbs& operator=(const WipedLimbs&) = delete;
  ~WipedLimbs() { secure_wipe(v_.data(), v_.size() * sizeof(mp_limb_t)); }
  mp_limb_t* data() { return v_.data(); }
  size_t size() const { return v_.size(); }

 private:
  std::vector<mp_limb_t> v_;
};

// Low `n` limbs of |x| (x must fit).
void export_limbs(mp_limb_t* out, size_t n, const BigInt& x) {
  size_t sz = mpz_size(x.get());
  if (sz > n) std::abort();
  std::fill(out, out + n, mp_limb_t{0});
  if (sz) std::memcpy(out, mpz_limbs_read(x.get()), sz * sizeof(mp_limb_t));
}

unsigned ceil_div(unsigned a, unsigned b) { return (a + b - 1) / b; }

// a == b without branching on the limbs (the moduli of a CRT table are secret); the verdict is public.
bool same_modulus(const BigInt& a, const BigInt& b) {
  const size_t n = mpz_size(a.get());
  if (n != mpz_size(b.get()) || a.sign() != b.sign()) return false;
  mp_limb_t diff = 0;
  for (size_t i = 0; i < n; ++i) diff |= mpz_getlimbn(a.get(), static_cast<mp_size_t>(i)) ^ mpz_getlimbn(b.get(), static_cast<mp_size_t>(i));
  return ct::pub(diff == 0);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define CUSTOS_FIXED_BASE_ADX 1

// BMI2 (mulx) and ADX (adcx/adox), CPUID leaf 7 EBX bits 8 and 19.
bool cpu_has_bmi2_adx() {
  static const bool has = [] {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return ((b >> 8) & 1) != 0 && ((b >> 19) & 1) != 0;
  }();
  return has;
}

// r[0, n) += a[0, n)·b, returning the carry limb; n > 0 and n % 4 == 0. Two carry
// chains (adcx for the high halves, adox for r), no data-dependent branch: the
// loop count depends on n only. (GMP 6.2's fat binary runs a mul-based generic
// addmul_1 on CPUs it does not recognise, e.g. AMD Zen 3; this is 1.7× faster
// there for 32 limbs.) Unrolled by 8 when n % 8 == 0, else by 4.
#define CUSTOS_ADX_STEP(off, c_in, c_out)             \
  "mulx " #off "(%[a]), %[lo], %[" #c_out "]\n\t" \
  "adcx %[" #c_in "], %[lo]\n\t"                  \
  "adox " #off "(%[r]), %[lo]\n\t"                \
  "movq %[lo], " #off "(%[r])\n\t"

mp_limb_t addmul_1_adx(mp_limb_t* rp, const mp_limb_t* ap, size_t n, mp_limb_t b) {
  mp_limb_t carry, lo, hi;
  if (n % 8 == 0) {
    __asm__ volatile(
        "xorl %k[carry], %k[carry]\n\t"  // carry = 0 and CF = OF = 0
        "1:\n\t"                         //
        CUSTOS_ADX_STEP(0, carry, hi) CUSTOS_ADX_STEP(8, hi, carry)    //
        CUSTOS_ADX_STEP(16, carry, hi) CUSTOS_ADX_STEP(24, hi, carry)  //
        CUSTOS_ADX_STEP(32, carry, hi) CUSTOS_ADX_STEP(40, hi, carry)  //
        CUSTOS_ADX_STEP(48, carry, hi) CUSTOS_ADX_STEP(56, hi, carry)  //
        "leaq 64(%[a]), %[a]\n\t"  // lea, jrcxz and jmp leave CF and OF alone
        "leaq 64(%[r]), %[r]\n\t"
        "leaq -8(%[n]), %[n]\n\t"
        "jrcxz 2f\n\t"
        "jmp 1b\n\t"
        "2:\n\t"
        "movl $0, %k[lo]\n\t"
        "adcx %[lo], %[carry]\n\t"  // the true carry is < 2^64, so this cannot overflow
        "adox %[lo], %[carry]\n\t"
        : [carry] "=&r"(carry), [lo] "=&r"(lo), [hi] "=&r"(hi), [r] "+r"(rp), [a] "+r"(ap), [n] "+c"(n)
        : "d"(b)
        : "cc", "memory");
  } else {
    __asm__ volatile(
        "xorl %k[carry], %k[carry]\n\t"
        "1:\n\t"                                                       //
        CUSTOS_ADX_STEP(0, carry, hi) CUSTOS_ADX_STEP(8, hi, carry)    //
        CUSTOS_ADX_STEP(16, carry, hi) CUSTOS_ADX_STEP(24, hi, carry)  //
        "leaq 32(%[a]), %[a]\n\t"
        "leaq 32(%[r]), %[r]\n\t"
        "leaq -4(%[n]), %[n]\n\t"
        "jrcxz 2f\n\t"
        "jmp 1b\n\t"
        "2:\n\t"
        "movl $0, %k[lo]\n\t"
        "adcx %[lo], %[carry]\n\t"
        "adox %[lo], %[carry]\n\t"
        : [carry] "=&r"(carry), [lo] "=&r"(lo), [hi] "=&r"(hi), [r] "+r"(rp), [a] "+r"(ap), [n] "+c"(n)
        : "d"(b)
        : "cc", "memory");
  }
  return carry;
}
#undef CUSTOS_ADX_STEP
#endif

}  // namespace

// ---------------------------------------------------------------------------
// MontgomeryContext

MontgomeryContext::MontgomeryContext(const BigInt& m, Radix radix) : m_(m) {
  // For a secret m the checks are verdicts that abort (m == 1 compares limb counts first, which are
  // public), and the powers of R are reduced with the constant-time division.
  if (m.sign() <= 0 || ct::pub(!m.is_odd()) || m == BigInt(1)) std::abort();
  if ((radix == Radix::automatic && modexp52::preferred(m)) || radix == Radix::digits52_portable) {
    const auto impl = radix == Radix::automatic ? modexp52::Impl::ifma : modexp52::Impl::portable;
    f52_ = std::make_shared<const modexp52::Field>(m, impl);
    n_ = f52_->width();
    one_.assign(f52_->one(), f52_->one() + n_);
    scratch_ = n_;
    return;
  }
  n_ = mpz_size(m.get());
  mod_.assign(n_, 0);
  export_limbs(mod_.data(), n_, m);
  // m0⁻¹ mod 2^64 by Newton iteration (each step doubles the correct low bits; m0·m0 ≡ 1 mod 8).
  mp_limb_t m0 = mod_[0], inv = m0;
  for (int i = 0; i < 6; ++i) inv *= 2 - m0 * inv;
  minv_ = 0 - inv;
  one_.assign(n_, 0);
  export_limbs(one_.data(), n_, secint::mod(BigInt::power_of_two(static_cast<unsigned>(64 * n_)), m));
  r2_.assign(n_, 0);
  export_limbs(r2_.data(), n_, secint::mod(BigInt::power_of_two(static_cast<unsigned>(2 * 64 * n_)), m));
  r3_.assign(n_, 0);
  export_limbs(r3_.data(), n_, secint::mod(BigInt::power_of_two(static_cast<unsigned>(3 * 64 * n_)), m));
#ifdef CUSTOS_FIXED_BASE_ADX
  adx_ = cpu_has_bmi2_adx() && n_ % 4 == 0;
#endif
  size_t itch = std::max(mpn_sec_mul_itch(static_cast<mp_size_t>(n_), static_cast<mp_size_t>(n_)),
                         mpn_sec_sqr_itch(static_cast<mp_size_t>(n_)));
  scratch_ = 2 * n_ + static_cast<size_t>(itch) + n_;
}

mp_limb_t MontgomeryContext::addmul_1(mp_limb_t* r, const mp_limb_t* a, mp_limb_t b) const {
#ifdef CUSTOS_FIXED_BASE_ADX
  if (adx_) return addmul_1_adx(r, a, n_, b);
#endif
  return mpn_addmul_1(r, a, static_cast<mp_size_t>(n_), b);
}

mp_limb_t MontgomeryContext::redc(mp_limb_t* r, mp_limb_t* t) const {
  // Word-by-word REDC (as GMP's generic redc_1): each step clears the low limb;
  // the carry out of step j belongs at limb j+n and is parked in the cleared limb,
  // then all of them are added to the high half at once.
  const mp_size_t n = static_cast<mp_size_t>(n_);
  for (size_t j = 0; j < n_; ++j) {
    mp_limb_t q = t[j] * minv_;
    t[j] = addmul_1(t + j, mod_.data(), q);
  }
  return mpn_add_n(r, t + n_, t, n);
}

void MontgomeryContext::mul(mp_limb_t* r, const mp_limb_t* a, const mp_limb_t* b, mp_limb_t* scratch) const {
  if (f52_) return f52_->mul(r, a, b);  // both below 2m
  const mp_size_t n = static_cast<mp_size_t>(n_);
  mp_limb_t* t = scratch;
  if (adx_) {
    // Schoolbook product by rows; row i's carry lands in the not yet written limb i+n.
    std::fill(t, t + n_, mp_limb_t{0});
    for (size_t i = 0; i < n_; ++i) t[i + n_] = addmul_1(t + i, a, b[i]);
  } else {
    mpn_sec_mul(t, a, n, b, n, scratch + 2 * n_);
  }
  mp_limb_t cy = redc(r, t);
  // a, b < R ⇒ a·b/R + m < R + m: one conditional subtraction keeps r < R.
  mpn_cnd_sub_n(cy, r, r, mod_.data(), n);
}

void MontgomeryContext::sqr(mp_limb_t* r, const mp_limb_t* a, mp_limb_t* scratch) const {
  if (f52_) return f52_->mul(r, a, a);
  const mp_size_t n = static_cast<mp_size_t>(n_);
  mp_limb_t* t = scratch;
  mpn_sec_sqr(t, a, n, scratch + 2 * n_);
  mp_limb_t cy = redc(r, t);
  mpn_cnd_sub_n(cy, r, r, mod_.data(), n);
}

void MontgomeryContext::select(mp_limb_t* out, const mp_limb_t* table, size_t entries, size_t index) const {
  if (f52_) return f52_->select(out, table, entries, index);
  mpn_sec_tabselect(out, table, static_cast<mp_size_t>(n_), static_cast<mp_size_t>(entries), static_cast<mp_size_t>(index));
}

void MontgomeryContext::to_mont(mp_limb_t* r, const BigInt& x) const {
  // REDC((x mod m)·R²) = x·R mod m. A non-negative x of fewer limbs than m is already below m.
  const bool below_m = x.sign() >= 0 && mpz_size(x.get()) < mpz_size(m_.get());
  const BigInt reduced = below_m ? BigInt() : secint::mod(x, m_);
  const BigInt& v_in = below_m ? x : reduced;
  WipedLimbs v(n_), scratch(scratch_);
  if (f52_) {
    f52_->load(v.data(), v_in);
    f52_->mul(r, v.data(), f52_->r2());
    return;
  }
  export_limbs(v.data(), n_, v_in);
  mul(r, v.data(), r2_.data(), scratch.data());
}

BigInt MontgomeryContext::from_mont(const mp_limb_t* a, mp_limb_t* scratch) const {
  if (f52_) return f52_->reduce_out(a);
  const mp_size_t n = static_cast<mp_size_t>(n_);
  mp_limb_t* t = scratch;  // 2n limbs
  mp_limb_t* res = scratch + 2 * n_;
  std::memcpy(t, a, n_ * sizeof(mp_limb_t));
  std::fill(t + n_, t + 2 * n_, mp_limb_t{0});
  redc(res, t);  // a < R ⇒ result ≤ m, no carry
  // Reduce [0, m] into [0, m) without branching: keep res − m when it does not borrow.
  mp_limb_t* diff = t;  // t is free again
  mp_limb_t borrow = mpn_sub_n(diff, res, mod_.data(), n);
  mpn_cnd_swap(borrow ^ 1, res, diff, n);
  BigInt out = BigInt::from_limbs(std::span<const mp_limb_t>(res, n_));
  secure_wipe(scratch, 3 * n_ * sizeof(mp_limb_t));
  return out;
}

BigInt MontgomeryContext::mul_mod(const BigInt& a, const BigInt& b) const {
  if (a.sign() < 0 || b.sign() < 0) std::abort();
  WipedLimbs x(n_), y(n_), scratch(scratch_);
  if (f52_) {
    // a, b < 2^(64·limbs(m)) (load aborts otherwise). b·R²/R = b·R (below 2m), then a·(b·R)/R = a·b,
    // below 2m by Field::mul's bound, then one subtraction.
    f52_->load(x.data(), a);
    f52_->load(y.data(), b);
    f52_->mul(y.data(), y.data(), f52_->r2());
    f52_->mul(x.data(), x.data(), y.data());
    return f52_->residue(x.data());
  }
  export_limbs(x.data(), n_, a);
  export_limbs(y.data(), n_, b);
  mul(x.data(), x.data(), y.data(), scratch.data());    // a·b·R⁻¹
  mul(x.data(), x.data(), r3_.data(), scratch.data());  // a·b·R
  return from_mont(x.data(), scratch.data());            // a·b
}

// ---------------------------------------------------------------------------
// FixedBaseExp

FixedBaseExp::FixedBaseExp(const BigInt& base, const BigInt& m, unsigned max_bits, bool allow_signed,
                           unsigned rows, unsigned cols)
    : base_(secint::mod(base, m)), ctx_(m), max_bits_(max_bits), signed_(allow_signed), rows_(rows), cols_(cols) {
  if (max_bits == 0 || rows == 0 || rows > 10 || cols == 0) std::abort();
  if (allow_signed && !base_.is_unit_mod(m)) std::abort();
  const size_t n = ctx_.width();
  const unsigned g_bits = rows_ * cols_;
  // A signed exponent of max_bits bits needs one more bit for the offset.
  groups_ = ceil_div(max_bits_ + (signed_ ? 1 : 0), g_bits);
  entries_ = size_t{1} << rows_;
  const unsigned total_rows = groups_ * rows_;

  WipedLimbs scratch(ctx_.scratch_limbs());
  // powers[r] = base^(2^(r·cols)) in Montgomery form.
  std::vector<mp_limb_t> powers(size_t(total_rows) * n);
  ctx_.to_mont(powers.data(), base_);
  for (unsigned r = 1; r < total_rows; ++r) {
    mp_limb_t* dst = powers.data() + size_t(r) * n;
    std::memcpy(dst, dst - n, n * sizeof(mp_limb_t));
    for (unsigned c = 0; c < cols_; ++c) ctx_.sqr(dst, dst, scratch.data());
  }
  tables_.assign(size_t(groups_) * entries_ * n, 0);
  for (unsigned k = 0; k < groups_; ++k) {
    mp_limb_t* tab = tables_.data() + size_t(k) * entries_ * n;
    std::memcpy(tab, ctx_.one().data(), n * sizeof(mp_limb_t));
    for (size_t idx = 1; idx < entries_; ++idx) {
      unsigned top = 0;
      while ((idx >> (top + 1)) != 0) ++top;
      const mp_limb_t* p = powers.data() + (size_t(k) * rows_ + top) * n;
      size_t rest = idx ^ (size_t{1} << top);
      if (rest == 0) {
        std::memcpy(tab + idx * n, p, n * sizeof(mp_limb_t));
      } else {
        ctx_.mul(tab + idx * n, tab + rest * n, p, scratch.data());
      }
    }
  }
  if (signed_) {
    // inv_offset[g-1] = base^(−2^(g·rows·cols − 1)): square powers[g·rows − 1] cols−1 more times, invert.
    inv_offset_.assign(size_t(groups_) * n, 0);
    std::vector<mp_limb_t> tmp(n);
    for (unsigned g = 1; g <= groups_; ++g) {
      std::memcpy(tmp.data(), powers.data() + (size_t(g) * rows_ - 1) * n, n * sizeof(mp_limb_t));
      for (unsigned c = 0; c + 1 < cols_; ++c) ctx_.sqr(tmp.data(), tmp.data(), scratch.data());
      BigInt v = ctx_.from_mont(tmp.data(), scratch.data());
      auto inv = BigInt::invert(v, m);
      if (!inv) std::abort();  // base is a unit, so is every power
      ctx_.to_mont(inv_offset_.data() + size_t(g - 1) * n, *inv);
    }
  }
  secure_wipe(powers.data(), powers.size() * sizeof(mp_limb_t));
}

unsigned FixedBaseExp::public_bits(const BigInt& e, bool is_signed) const {
  const unsigned g = rows_ * cols_, s = is_signed ? 1 : 0;
  const unsigned groups = ct::pub(ceil_div(e.bit_length() + s, g));  // what the cost reveals anyway
  return std::min(std::max(groups, 1u) * g - s, max_bits_);
}

FixedBaseExp::Operand FixedBaseExp::prepare(const BigInt& e, unsigned bits, bool is_signed) const {
  if (bits > max_bits_) std::abort();
  if (bits == 0) bits = 1;
  if (is_signed && !signed_) std::abort();
  if (!is_signed && e.sign() < 0) std::abort();
  if (ct::pub(e.bit_length() > bits)) std::abort();  // |e| < 2^bits; `bits` is public, so is this verdict
  const unsigned g_bits = rows_ * cols_;
  Operand op;
  op.table = this;
  op.is_signed = is_signed;
  op.groups = ceil_div(bits + (is_signed ? 1 : 0), g_bits);
  if (op.groups > groups_) std::abort();
  const unsigned span = op.groups * g_bits;
  const size_t limbs = (span + 63) / 64;
  op.digits.assign(limbs, 0);
  export_limbs(op.digits.data(), limbs, e);  // |e|
  if (is_signed) {
    // digits = 2^(span−1) ± |e|, choosing the sign without a branch.
    WipedLimbs off(limbs), plus(limbs), minus(limbs);
    off.data()[(span - 1) / 64] = mp_limb_t{1} << ((span - 1) % 64);
    mpn_add_n(plus.data(), off.data(), op.digits.data(), static_cast<mp_size_t>(limbs));
    mpn_sub_n(minus.data(), off.data(), op.digits.data(), static_cast<mp_size_t>(limbs));
    mp_limb_t neg = static_cast<mp_limb_t>(static_cast<unsigned>(e.get()->_mp_size) >> 31);
    mpn_cnd_swap(neg, plus.data(), minus.data(), static_cast<mp_size_t>(limbs));
    std::memcpy(op.digits.data(), plus.data(), limbs * sizeof(mp_limb_t));
  }
  return op;
}

BigInt FixedBaseExp::run(const Operand* ops, size_t count) {
  const MontgomeryContext& ctx = ops[0].table->ctx_;
  const size_t n = ctx.width();
  const unsigned cols = ops[0].table->cols_;
  WipedLimbs acc(n), sel(n), scratch(ctx.scratch_limbs());
  bool first = true;
  for (unsigned jj = cols; jj-- > 0;) {
    if (!first) ctx.sqr(acc.data(), acc.data(), scratch.data());
    for (size_t o = 0; o < count; ++o) {
      const Operand& op = ops[o];
      const FixedBaseExp& fb = *op.table;
      const mp_limb_t* d = op.digits.data();
      for (unsigned k = 0; k < op.groups; ++k) {
        size_t idx = 0;
        for (unsigned i = 0; i < fb.rows_; ++i) {
          size_t pos = (size_t(k) * fb.rows_ + i) * cols + jj;
          idx |= static_cast<size_t>((d[pos / 64] >> (pos % 64)) & 1) << i;
        }
        ctx.select(sel.data(), fb.entry_table(k), fb.entries_, idx);
        if (first) {
          std::memcpy(acc.data(), sel.data(), n * sizeof(mp_limb_t));
          first = false;
        } else {
          ctx.mul(acc.data(), acc.data(), sel.data(), scratch.data());
        }
      }
    }
  }
  for (size_t o = 0; o < count; ++o) {
    if (!ops[o].is_signed) continue;
    const FixedBaseExp& fb = *ops[o].table;
    ctx.mul(acc.data(), acc.data(), fb.inv_offset_.data() + size_t(ops[o].groups - 1) * n, scratch.data());
  }
  return ctx.from_mont(acc.data(), scratch.data());
}

BigInt FixedBaseExp::pow(const BigInt& e, unsigned bits) const {
  Operand op = prepare(e, bits, false);
  BigInt r = run(&op, 1);
  secure_wipe(op.digits.data(), op.digits.size() * sizeof(mp_limb_t));
  return r;
}

BigInt FixedBaseExp::pow_signed(const BigInt& e, unsigned bits) const {
  Operand op = prepare(e, bits, true);
  BigInt r = run(&op, 1);
  secure_wipe(op.digits.data(), op.digits.size() * sizeof(mp_limb_t));
  return r;
}

BigInt FixedBaseExp::pow2_impl(const FixedBaseExp& a, const BigInt& x, unsigned xbits, const FixedBaseExp& b,
                               const BigInt& y, unsigned ybits, bool is_signed) {
  if (!same_modulus(a.modulus(), b.modulus()) || a.cols_ != b.cols_) std::abort();
  Operand ops[2] = {a.prepare(x, xbits, is_signed), b.prepare(y, ybits, is_signed)};
  BigInt r = run(ops, 2);
  for (auto& op : ops) secure_wipe(op.digits.data(), op.digits.size() * sizeof(mp_limb_t));
  return r;
}

BigInt FixedBaseExp::pow2_signed(const FixedBaseExp& a, const BigInt& x, unsigned xbits, const FixedBaseExp& b,
                                 const BigInt& y, unsigned ybits) {
  return pow2_impl(a, x, xbits, b, y, ybits, true);
}

BigInt FixedBaseExp::pow2(const FixedBaseExp& a, const BigInt& x, unsigned xbits, const FixedBaseExp& b,
                          const BigInt& y, unsigned ybits) {
  return pow2_impl(a, x, xbits, b, y, ybits, false);
}

// ---------------------------------------------------------------------------
// modexp (OpenSSL)

namespace modexp {
namespace {

static_assert(sizeof(mp_limb_t) == 8 && sizeof(BN_ULONG) == 8, "64-bit limbs expected");
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the limb copy below assumes a little-endian machine"
#endif

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
struct CtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
using Ctx = std::unique_ptr<BN_CTX, CtxFree>;

// |x| as a BIGNUM (little-endian limbs are little-endian bytes). Aborts on x < 0.
Bn to_bn(const BigInt& x, bool secret) {
  if (x.sign() < 0) std::abort();
  const size_t limbs = mpz_size(x.get());
  BIGNUM* b = BN_lebin2bn(reinterpret_cast<const unsigned char*>(mpz_limbs_read(x.get())),
                          static_cast<int>(limbs * sizeof(mp_limb_t)), nullptr);
  if (b == nullptr) std::abort();
  if (secret) BN_set_flags(b, BN_FLG_CONSTTIME);
  return Bn(b);
}

// b (0 ≤ b < m) as a BigInt, written over m's limb count: the length of a secret b is not consulted.
BigInt from_bn(const BIGNUM* b, const BigInt& m) {
  const size_t limbs = mpz_size(m.get());
  BigInt out;
  mp_limb_t* w = mpz_limbs_write(out.get_mut(), static_cast<mp_size_t>(limbs));
  if (BN_bn2lebinpad(b, reinterpret_cast<unsigned char*>(w), static_cast<int>(limbs * sizeof(mp_limb_t))) < 0) {
    std::abort();
  }
  finish_secret_limbs(out, limbs);
  return out;
}

// OpenSSL's Montgomery code needs an odd modulus > 1. Any other positive modulus
// (only test keys built with PaillierSecretKey::unchecked_for_testing) goes to
// GMP's mpz_powm, which is variable time.
// The modulus may be secret (the owner's p, q, p², q²), but whether it is odd is not: every real one is.
bool openssl_modulus(const BigInt& m, const BigInt& e) {
  if (m.sign() <= 0 || e.sign() < 0) std::abort();
  return ct::pub(m.is_odd()) && m != BigInt(1);
}

}  // namespace

BigInt pow_sec(const BigInt& base, const BigInt& e, const BigInt& m) {
  if (!openssl_modulus(m, e)) return BigInt::powm_unit(base, e, m);
  // A non-negative base of fewer limbs than m is below m and is used as it is; any other is reduced in
  // fixed width first (OpenSSL would compare it with m limb by limb, BN_ucmp, and stop at the first
  // difference: variable time in a secret m).
  const bool as_is = base.sign() >= 0 && mpz_size(base.get()) < mpz_size(m.get());
  const BigInt reduced = as_is ? BigInt() : secint::mod(base, m);
  const BigInt& b_in = as_is ? base : reduced;
  if (modexp52::preferred(m)) return modexp52::pow(b_in, e, m, modexp52::Impl::ifma);
  Ctx ctx(BN_CTX_new());
  // The modulus is flagged too: for the owner's p², q² OpenSSL then sets up Montgomery arithmetic with
  // its constant-time division and inversion, as for an RSA key's primes.
  Bn b = to_bn(b_in, true), x = to_bn(e, true), mm = to_bn(m, true);
  Bn r(BN_new());
  if (!ctx || !r || BN_mod_exp_mont_consttime(r.get(), b.get(), x.get(), mm.get(), ctx.get(), nullptr) != 1) {
    std::abort();
  }
  return from_bn(r.get(), m);
}

BigInt pow_public(const BigInt& base, const BigInt& e, const BigInt& m) {
  if (!openssl_modulus(m, e)) return BigInt::powm_unit(base, e, m);
  if (modexp52::preferred(m)) return modexp52::pow(base.mod(m), e, m, modexp52::Impl::ifma);
  Ctx ctx(BN_CTX_new());
  Bn b = to_bn(base.mod(m), false), x = to_bn(e, false), mm = to_bn(m, false), r(BN_new());
  if (!ctx || !r || BN_mod_exp_mont(r.get(), b.get(), x.get(), mm.get(), ctx.get(), nullptr) != 1) std::abort();
  return from_bn(r.get(), m);
}

BigInt pow2_public(const BigInt& a, const BigInt& x, const BigInt& b, const BigInt& y, const BigInt& m) {
  if (!openssl_modulus(m, x) || !openssl_modulus(m, y)) {
    return (BigInt::powm_unit(a, x, m) * BigInt::powm_unit(b, y, m)).mod(m);
  }
  if (modexp52::preferred(m)) {
    return modexp52::pow2(a.mod(m), x, b.mod(m), y, m, modexp52::Impl::ifma);
  }
  Ctx ctx(BN_CTX_new());
  Bn ba = to_bn(a.mod(m), false), bx = to_bn(x, false), bb = to_bn(b.mod(m), false), by = to_bn(y, false);
  Bn mm = to_bn(m, false), r(BN_new());
  if (!ctx || !r ||
      BN_mod_exp2_mont(r.get(), ba.get(), bx.get(), bb.get(), by.get(), mm.get(), ctx.get(), nullptr) != 1) {
    std::abort();
  }
  return from_bn(r.get(), m);
}

}  // namespace modexp

}  // namespace custos
