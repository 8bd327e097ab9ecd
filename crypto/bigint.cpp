#include "crypto/bigint.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "crypto/ct.h"
#include "crypto/rng.h"
#include "crypto/sec_int.h"
#include "crypto/secret.h"

namespace custos {
namespace {

void* wiping_alloc(size_t n) {
  void* p = std::malloc(n);
  if (!p) std::abort();
  return p;
}
void wiping_free(void* p, size_t n) {
  if (!p) return;
  secure_wipe(p, n);
  std::free(p);
}
void* wiping_realloc(void* p, size_t old_n, size_t new_n) {
  void* q = wiping_alloc(new_n);
  if (p) {
    std::memcpy(q, p, old_n < new_n ? old_n : new_n);
    wiping_free(p, old_n);
  }
  return q;
}

struct AllocatorInstaller {
  AllocatorInstaller() { mp_set_memory_functions(wiping_alloc, wiping_realloc, wiping_free); }
};

}  // namespace

void install_gmp_wiping_allocator() { static AllocatorInstaller once; }

namespace {
struct EarlyInstall {
  EarlyInstall() { install_gmp_wiping_allocator(); }
} early_install;
}  // namespace

BigInt::BigInt() { mpz_init(v_); }
BigInt::BigInt(long v) { mpz_init_set_si(v_, v); }
BigInt::BigInt(const BigInt& o) { mpz_init_set(v_, o.v_); }
BigInt::BigInt(BigInt&& o) noexcept {
  mpz_init(v_);
  mpz_swap(v_, o.v_);
}
BigInt& BigInt::operator=(const BigInt& o) {
  if (this != &o) mpz_set(v_, o.v_);
  return *this;
}
BigInt& BigInt::operator=(BigInt&& o) noexcept {
  mpz_swap(v_, o.v_);
  return *this;
}
BigInt::~BigInt() { mpz_clear(v_); }

BigInt BigInt::from_bytes(std::span<const uint8_t> be) {
  BigInt r;
  if (!be.empty()) mpz_import(r.v_, be.size(), 1, 1, 1, 0, be.data());
  return r;
}

BigInt BigInt::from_limbs(std::span<const mp_limb_t> le) {
  BigInt r;
  if (le.empty()) return r;
  std::memcpy(mpz_limbs_write(r.v_, static_cast<mp_size_t>(le.size())), le.data(), le.size() * sizeof(mp_limb_t));
  finish_secret_limbs(r, le.size());
  return r;
}

void finish_secret_limbs(BigInt& x, size_t n) {
  mpz_limbs_finish(x.get_mut(), static_cast<mp_size_t>(n));  // its trimming branch: tests/ct/ct.supp
  ct::declassify(&x.get_mut()->_mp_size, sizeof(x.get()->_mp_size));
}

void declare_public(const BigInt& x) {
  ct::declassify(x.get(), sizeof(*x.get()));
  ct::declassify(mpz_limbs_read(x.get()), mpz_size(x.get()) * sizeof(mp_limb_t));
}

BigInt BigInt::from_hex(std::string_view hex) {
  BigInt r;
  std::string s(hex);
  if (mpz_set_str(r.v_, s.c_str(), 16) != 0) std::abort();
  return r;
}

BigInt BigInt::from_dec(std::string_view dec) {
  BigInt r;
  std::string s(dec);
  if (mpz_set_str(r.v_, s.c_str(), 10) != 0) std::abort();
  return r;
}

BigInt BigInt::power_of_two(unsigned bits) {
  BigInt r;
  mpz_setbit(r.v_, bits);
  return r;
}

std::vector<uint8_t> BigInt::to_bytes() const {
  size_t n = (mpz_sizeinbase(v_, 2) + 7) / 8;
  if (is_zero()) return {};
  std::vector<uint8_t> out(n);
  size_t written = 0;
  mpz_export(out.data(), &written, 1, 1, 1, 0, v_);
  out.resize(written);
  return out;
}

std::vector<uint8_t> BigInt::to_bytes_padded(size_t len) const {
  std::vector<uint8_t> mag = to_bytes();
  if (mag.size() > len) std::abort();
  std::vector<uint8_t> out(len - mag.size(), 0);
  out.insert(out.end(), mag.begin(), mag.end());
  return out;
}

std::string BigInt::to_hex() const {
  char* s = mpz_get_str(nullptr, 16, v_);
  std::string r(s);
  void (*freefn)(void*, size_t);
  mp_get_memory_functions(nullptr, nullptr, &freefn);
  freefn(s, std::strlen(s) + 1);
  return r;
}

std::string BigInt::to_dec() const {
  char* s = mpz_get_str(nullptr, 10, v_);
  std::string r(s);
  void (*freefn)(void*, size_t);
  mp_get_memory_functions(nullptr, nullptr, &freefn);
  freefn(s, std::strlen(s) + 1);
  return r;
}

std::vector<uint8_t> BigInt::to_signed_bytes() const {
  std::vector<uint8_t> out;
  out.push_back(sign() < 0 ? 1 : 0);
  std::vector<uint8_t> mag = to_bytes();
  out.insert(out.end(), mag.begin(), mag.end());
  return out;
}

Result<BigInt> BigInt::from_signed_bytes(std::span<const uint8_t> in, unsigned max_bits) {
  if (in.empty()) return malformed("empty integer encoding");
  if (in[0] > 1) return malformed("integer sign byte must be 0 or 1");
  auto mag = in.subspan(1);
  if (!mag.empty() && mag[0] == 0) return malformed("integer has a leading zero byte (non-canonical)");
  if (mag.size() > (max_bits + 7) / 8 + 0) {
    return out_of_range("integer longer than " + std::to_string(max_bits) + " bits");
  }
  BigInt r = from_bytes(mag);
  if (r.bit_length() > max_bits) return out_of_range("integer longer than " + std::to_string(max_bits) + " bits");
  if (in[0] == 1) {
    if (r.is_zero()) return malformed("negative zero");
    mpz_neg(r.v_, r.v_);
  }
  return r;
}

Result<BigInt> BigInt::from_canonical_bytes(std::span<const uint8_t> in, unsigned max_bits) {
  if (!in.empty() && in[0] == 0) return malformed("integer has a leading zero byte (non-canonical)");
  if (in.size() > (max_bits + 7) / 8) return out_of_range("integer longer than " + std::to_string(max_bits) + " bits");
  BigInt r = from_bytes(in);
  if (r.bit_length() > max_bits) return out_of_range("integer longer than " + std::to_string(max_bits) + " bits");
  return r;
}

unsigned BigInt::bit_length() const { return is_zero() ? 0 : static_cast<unsigned>(mpz_sizeinbase(v_, 2)); }

BigInt BigInt::abs() const {
  BigInt r;
  mpz_abs(r.v_, v_);
  return r;
}

uint64_t BigInt::low_u64() const {
  uint64_t lo = 0;
  size_t n = mpz_size(v_);
  if (n > 0) lo = mpz_getlimbn(v_, 0);
  return lo;
}

BigInt operator+(const BigInt& a, const BigInt& b) {
  BigInt r;
  mpz_add(r.v_, a.v_, b.v_);
  return r;
}
BigInt operator-(const BigInt& a, const BigInt& b) {
  BigInt r;
  mpz_sub(r.v_, a.v_, b.v_);
  return r;
}
BigInt operator*(const BigInt& a, const BigInt& b) {
  BigInt r;
  mpz_mul(r.v_, a.v_, b.v_);
  return r;
}
BigInt operator-(const BigInt& a) {
  BigInt r;
  mpz_neg(r.v_, a.v_);
  return r;
}
BigInt& BigInt::operator+=(const BigInt& b) {
  mpz_add(v_, v_, b.v_);
  return *this;
}
BigInt& BigInt::operator-=(const BigInt& b) {
  mpz_sub(v_, v_, b.v_);
  return *this;
}
BigInt& BigInt::operator*=(const BigInt& b) {
  mpz_mul(v_, v_, b.v_);
  return *this;
}
BigInt BigInt::operator<<(unsigned n) const {
  BigInt r;
  mpz_mul_2exp(r.v_, v_, n);
  return r;
}
BigInt BigInt::operator>>(unsigned n) const {
  BigInt r;
  mpz_fdiv_q_2exp(r.v_, v_, n);
  return r;
}

BigInt BigInt::mod(const BigInt& m) const {
  BigInt r;
  mpz_mod(r.v_, v_, m.v_);
  return r;
}
BigInt BigInt::div_floor(const BigInt& d) const {
  BigInt r;
  mpz_fdiv_q(r.v_, v_, d.v_);
  return r;
}
uint64_t BigInt::mod_u64(uint64_t m) const { return mpz_fdiv_ui(v_, m); }

std::optional<BigInt> BigInt::powm(const BigInt& base, const BigInt& exp, const BigInt& m) {
  BigInt r;
  if (exp.sign() < 0) {
    auto inv = invert(base, m);
    if (!inv) return std::nullopt;
    BigInt e = exp.abs();
    mpz_powm(r.v_, inv->v_, e.v_, m.v_);
    return r;
  }
  mpz_powm(r.v_, base.v_, exp.v_, m.v_);
  return r;
}

BigInt BigInt::powm_unit(const BigInt& base, const BigInt& exp, const BigInt& m) {
  auto r = powm(base, exp, m);
  if (!r) std::abort();
  return std::move(*r);
}

BigInt BigInt::powm_sec(const BigInt& base, const BigInt& exp, const BigInt& m) {
  if (exp.sign() < 0 || !m.is_odd()) std::abort();
  if (exp.is_zero()) return BigInt(1).mod(m);
  BigInt r;
  mpz_powm_sec(r.v_, base.v_, exp.v_, m.v_);
  return r;
}

std::optional<BigInt> BigInt::invert(const BigInt& a, const BigInt& m) {
  BigInt r;
  if (mpz_invert(r.v_, a.v_, m.v_) == 0) return std::nullopt;
  return r;
}

BigInt BigInt::gcd(const BigInt& a, const BigInt& b) {
  BigInt r;
  mpz_gcd(r.v_, a.v_, b.v_);
  return r;
}

BigInt BigInt::lcm(const BigInt& a, const BigInt& b) {
  BigInt r;
  mpz_lcm(r.v_, a.v_, b.v_);
  return r;
}

int BigInt::jacobi(const BigInt& a, const BigInt& n) { return mpz_jacobi(a.v_, n.v_); }

BigInt BigInt::sqrt_floor() const {
  BigInt r;
  mpz_sqrt(r.v_, v_);
  return r;
}

bool BigInt::is_probable_prime(int reps) const { return mpz_probab_prime_p(v_, reps) != 0; }

bool BigInt::is_unit_mod(const BigInt& m) const {
  if (sign() <= 0 || *this >= m) return false;
  return gcd(*this, m) == BigInt(1);
}

bool BigInt::in_symmetric_range(const BigInt& bound) const { return mpz_cmpabs(v_, bound.v_) <= 0; }

BigInt BigInt::random_bits(Rng& rng, unsigned bits) {
  std::vector<uint8_t> buf((bits + 7) / 8);
  rng.fill(buf);
  if (bits % 8) buf[0] &= static_cast<uint8_t>((1u << (bits % 8)) - 1);
  // Big-endian bytes into limbs by hand, not mpz_import: the draw may be secret (a mask or a nonce).
  std::vector<mp_limb_t> limbs((buf.size() + sizeof(mp_limb_t) - 1) / sizeof(mp_limb_t), 0);
  for (size_t i = 0; i < buf.size(); ++i) {
    const size_t from_end = buf.size() - 1 - i;
    limbs[from_end / sizeof(mp_limb_t)] |= mp_limb_t{buf[i]} << (8 * (from_end % sizeof(mp_limb_t)));
  }
  BigInt r = from_limbs(limbs);
  secure_wipe(buf.data(), buf.size());
  secure_wipe(limbs.data(), limbs.size() * sizeof(mp_limb_t));
  return r;
}

BigInt BigInt::random_below(Rng& rng, const BigInt& n) {
  if (n.sign() <= 0) std::abort();
  const unsigned bits = ct::pub(n.bit_length());  // n may be secret (φ); its length is not
  for (;;) {
    BigInt r = random_bits(rng, bits);
    if (secint::less_than(r, n)) return r;  // the draw may be secret: a fixed-width comparison
  }
}

BigInt BigInt::random_symmetric(Rng& rng, const BigInt& bound) {
  // Uniform in [0, 2*bound] shifted down by bound.
  BigInt width = (bound << 1) + BigInt(1);
  return secint::affine(random_below(rng, width), BigInt(-1), bound);  // fixed width: the draw may be secret
}

BigInt BigInt::random_unit(Rng& rng, const BigInt& n) {
  // The candidate r may be secret (a proof's mask), and a gcd's time depends on its input. So the gcd
  // runs on t = r·b mod n for a second uniform draw b: a common factor of r and n divides t, so
  // gcd(t, n) = 1 proves r a unit; and when r and b are units, t is uniform in Z*_n whatever r is,
  // so it is declared public. t shares a factor with n only when r or b does: then both are drawn again.
  for (;;) {
    BigInt r = random_below(rng, n);
    const BigInt t = secint::mul_mod(r, random_below(rng, n), n);
    declare_public(t);
    if (t.is_unit_mod(n)) return r;
  }
}

}  // namespace custos
