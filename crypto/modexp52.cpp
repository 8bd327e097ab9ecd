#include "crypto/modexp52.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <vector>

#include "crypto/ct.h"
#include "crypto/modexp52_kernel.h"
#include "crypto/sec_int.h"
#include "crypto/secret.h"

namespace custos::modexp52_kernel {
// crypto/modexp52_ifma.cpp
void pow_ifma(unsigned vectors, const Job& job);
void amm_ifma(unsigned vectors, const Mul& mul);
void select_ifma(unsigned vectors, const Select& sel);
}  // namespace custos::modexp52_kernel

namespace custos::modexp52 {
namespace {

using namespace modexp52_kernel;
using Words = std::vector<uint64_t, WipingAllocator<uint64_t>>;

// Plain C++ lanes with the semantics of the IFMA instructions the kernel uses.
struct PortableLanes {
  struct Vec {
    uint64_t w[8];
  };
  using Mask = uint64_t;  // all ones or zero
  static Vec zero() { return Vec{}; }
  static Vec broadcast(uint64_t v) {
    Vec r;
    for (auto& x : r.w) x = v;
    return r;
  }
  static Vec load(const uint64_t* p) {
    Vec r;
    for (unsigned i = 0; i < 8; ++i) r.w[i] = p[i];
    return r;
  }
  static void store(uint64_t* p, const Vec& v) {
    for (unsigned i = 0; i < 8; ++i) p[i] = v.w[i];
  }
  static unsigned __int128 product(uint64_t a, uint64_t b) {
    return static_cast<unsigned __int128>(a & kDigitMask) * (b & kDigitMask);
  }
  static Vec madd_lo(Vec acc, const Vec& a, const Vec& b) {
    for (unsigned i = 0; i < 8; ++i) acc.w[i] += static_cast<uint64_t>(product(a.w[i], b.w[i])) & kDigitMask;
    return acc;
  }
  static Vec madd_hi(Vec acc, const Vec& a, const Vec& b) {
    for (unsigned i = 0; i < 8; ++i) acc.w[i] += static_cast<uint64_t>(product(a.w[i], b.w[i]) >> 52);
    return acc;
  }
  static uint64_t lane0(const Vec& v) { return v.w[0]; }
  static Vec shift_down(const Vec& lo, const Vec& hi) {
    Vec r;
    for (unsigned i = 0; i < 7; ++i) r.w[i] = lo.w[i + 1];
    r.w[7] = hi.w[0];
    return r;
  }
  static Vec add_lane0(Vec v, uint64_t c) {
    v.w[0] += c;
    return v;
  }
  static Mask equal_mask(uint64_t index, uint64_t j) {
    const uint64_t d = index ^ j;
    return ((d | (0 - d)) >> 63) - 1;  // d == 0 → all ones
  }
  static Vec blend(Vec acc, const Vec& v, Mask take) {
    for (unsigned i = 0; i < 8; ++i) acc.w[i] = (acc.w[i] & ~take) | (v.w[i] & take);
    return acc;
  }
};

bool detect_ifma() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
#else
  return false;
#endif
}

std::atomic<bool>& switched_on() {
  static std::atomic<bool> on{true};
  return on;
}

// The fewest vectors of 8 digits with 4m < 2^(52·8·V) for every m of m's limb count: the choice
// depends on the (public) limb count alone, never on the top limb of a secret modulus.
unsigned vectors_for(const BigInt& m) {
  const size_t bits = 64 * mpz_size(m.get());
  for (unsigned v = 1; v <= 10; ++v) {
    if (bits + 2 <= 52 * 8 * v) return v;
  }
  std::abort();
}

// x's limbs, zero-padded to `words` words. x ≥ 0; its limb count is public (as for every BigInt).
Words limbs_of(const BigInt& x, size_t words) {
  const size_t n = mpz_size(x.get());
  if (x.sign() < 0 || n > words) std::abort();
  Words w(words, 0);
  const mp_limb_t* src = mpz_limbs_read(x.get());
  for (size_t i = 0; i < n; ++i) w[i] = src[i];
  return w;
}

// 0 ≤ x < 2^(52·digits) as digits of 52 bits (written into `out`, `digits` words).
void to_digits(uint64_t* out, const BigInt& x, unsigned digits) {
  const Words w = limbs_of(x, (size_t(digits) * 52 + 63) / 64 + 1);
  for (unsigned j = 0; j < digits; ++j) {
    const unsigned bit = 52 * j, word = bit / 64, shift = bit % 64;
    uint64_t v = w[word] >> shift;
    if (shift > 12) v |= w[word + 1] << (64 - shift);
    out[j] = v & kDigitMask;
  }
}

// Digits (52 bits each) packed back into 64-bit words: `words` of them, enough for the value.
Words from_digits(const uint64_t* digits, unsigned count, size_t words) {
  Words w(std::max(words, (size_t(count) * 52 + 63) / 64 + 1), 0);
  for (unsigned j = 0; j < count; ++j) {
    const unsigned bit = 52 * j, word = bit / 64, shift = bit % 64;
    w[word] |= digits[j] << shift;
    if (shift > 12) w[word + 1] |= digits[j] >> (64 - shift);
  }
  return w;
}

}  // namespace

bool cpu_has_ifma() {
  static const bool has = detect_ifma();
  return has;
}

bool enabled() { return cpu_has_ifma() && switched_on().load(std::memory_order_relaxed); }

void set_enabled(bool on) { switched_on().store(on, std::memory_order_relaxed); }

bool supports(const BigInt& m) {
  return m.sign() > 0 && mpz_size(m.get()) <= kMaxModulusLimbs && ct::pub(m.is_odd()) && m != BigInt(1);
}

bool preferred(const BigInt& m) { return enabled() && supports(m) && mpz_size(m.get()) > 16; }

Field::Field(const BigInt& m, Impl impl) : m_(m), impl_(impl) {
  if (!supports(m) || (impl == Impl::ifma && !cpu_has_ifma())) std::abort();
  vectors_ = vectors_for(m);
  words_ = 8 * size_t(vectors_);
  const unsigned d = static_cast<unsigned>(words_);
  digits_.assign(words_, 0);
  r2_.assign(words_, 0);
  one_.assign(words_, 0);
  to_digits(digits_.data(), m, d);
  to_digits(r2_.data(), secint::mod(BigInt::power_of_two(2 * 52 * d), m), d);
  uint64_t inv = digits_[0];  // m⁻¹ mod 2^64 by Newton's iteration: 3, 6, 12, … correct bits
  for (int i = 0; i < 6; ++i) inv *= 2 - digits_[0] * inv;
  k0_ = (0 - inv) & kDigitMask;
  Words unit(words_, 0);
  unit[0] = 1;
  mul(one_.data(), r2_.data(), unit.data());  // R²/R: R mod m, below 2m like every element
}

void Field::mul(uint64_t* r, const uint64_t* a, const uint64_t* b) const {
  const Mul work{r, a, b, digits_.data(), k0_};
  if (impl_ == Impl::ifma) {
    amm_ifma(vectors_, work);
  } else {
    dispatch<PortableLanes>(vectors_, work);
  }
}

void Field::select(uint64_t* out, const uint64_t* table, size_t entries, size_t index) const {
  const Select work{out, table, entries, index};
  if (impl_ == Impl::ifma) {
    select_ifma(vectors_, work);
  } else {
    dispatch<PortableLanes>(vectors_, work);
  }
}

void Field::load(uint64_t* out, const BigInt& x) const {
  if (mpz_size(x.get()) > mpz_size(m_.get())) std::abort();  // limb counts are public
  to_digits(out, x, static_cast<unsigned>(words_));
}

BigInt Field::reduce_out(const uint64_t* a) const {
  Words unit(words_, 0), r(words_);
  unit[0] = 1;
  mul(r.data(), a, unit.data());  // a/R mod m, in [0, m]: (a + y·m)/R < 2m/R + m
  return residue(r.data());
}

BigInt Field::residue(const uint64_t* r) const {
  // r < 2m may need one bit more than m: subtract over n + 1 limbs.
  const size_t n = mpz_size(m_.get());
  Words w = from_digits(r, static_cast<unsigned>(words_), n + 1), t(n + 1), mm(n + 1, 0);
  for (size_t i = 0; i < n; ++i) mm[i] = mpz_getlimbn(m_.get(), static_cast<mp_size_t>(i));
  const mp_limb_t borrow = mpn_sub_n(t.data(), w.data(), mm.data(), static_cast<mp_size_t>(n + 1));
  mpn_cnd_swap(1 - borrow, w.data(), t.data(), static_cast<mp_size_t>(n + 1));  // r ≥ m: take r − m
  BigInt out;
  mp_limb_t* dst = mpz_limbs_write(out.get_mut(), static_cast<mp_size_t>(n));
  for (size_t i = 0; i < n; ++i) dst[i] = w[i];
  finish_secret_limbs(out, n);
  return out;
}

BigInt Field::pow(const BigInt* const* bases, const BigInt* const* exps, unsigned count) const {
  if (count == 0 || count > kMaxBases) std::abort();
  size_t exp_words = 0;
  for (unsigned i = 0; i < count; ++i) {
    if (bases[i]->sign() < 0 || !ct::pub(secint::less_than(*bases[i], m_)) || exps[i]->sign() < 0) std::abort();
    exp_words = std::max(exp_words, mpz_size(exps[i]->get()));
  }
  Words base_digits(count * words_), table(count * kEntries * words_), scratch(2 * words_), out(words_);
  Words exp_limbs[kMaxBases];
  Job job{};
  job.m = digits_.data();
  job.k0 = k0_;
  job.r2 = r2_.data();
  job.bases = count;
  for (unsigned i = 0; i < count; ++i) {
    load(base_digits.data() + i * words_, *bases[i]);
    job.base[i] = base_digits.data() + i * words_;
    exp_limbs[i] = limbs_of(*exps[i], exp_words + 1);
    job.exp[i] = exp_limbs[i].data();
  }
  // Every limb of the exponents counts (as in BN_mod_exp_mont_consttime): the running time reveals
  // the limb count, never the bit length.
  job.exp_bits = static_cast<unsigned>(64 * exp_words);
  job.table = table.data();
  job.scratch = scratch.data();
  job.out = out.data();
  if (impl_ == Impl::ifma) {
    pow_ifma(vectors_, job);
  } else {
    dispatch<PortableLanes>(vectors_, job);
  }
  return residue(out.data());  // the kernel leaves the result in [0, m]
}

BigInt pow(const BigInt& base, const BigInt& e, const BigInt& m, Impl impl) {
  const BigInt* b[] = {&base};
  const BigInt* x[] = {&e};
  return Field(m, impl).pow(b, x, 1);
}

BigInt pow2(const BigInt& a, const BigInt& x, const BigInt& b, const BigInt& y, const BigInt& m, Impl impl) {
  const BigInt* bases[] = {&a, &b};
  const BigInt* exps[] = {&x, &y};
  return Field(m, impl).pow(bases, exps, 2);
}

}  // namespace custos::modexp52
