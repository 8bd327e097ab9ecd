// Arbitrary-precision integers over GMP with RAII. All GMP memory goes through
// a wiping allocator (installed on first use), so limbs of secret values are
// zeroed when freed. Secret exponents must use powm_sec (mpz_powm_sec).
#pragma once

#include <gmp.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/status.h"

namespace custos {

class Rng;

class BigInt {
 public:
  BigInt();
  BigInt(long v);  // NOLINT: implicit from small integers is convenient
  BigInt(const BigInt& o);
  BigInt(BigInt&& o) noexcept;
  BigInt& operator=(const BigInt& o);
  BigInt& operator=(BigInt&& o) noexcept;
  ~BigInt();

  // Unsigned big-endian magnitude.
  static BigInt from_bytes(std::span<const uint8_t> be);
  // The non-negative value of little-endian limbs that may be secret. Leading zero limbs are trimmed,
  // and the resulting limb count is declared public (crypto/ct.h): the length every BigInt reveals.
  static BigInt from_limbs(std::span<const mp_limb_t> le);
  static BigInt from_hex(std::string_view hex);  // optional leading '-'; aborts on bad input (for constants/tests)
  static BigInt from_dec(std::string_view dec);
  static BigInt power_of_two(unsigned bits);
  // Minimal big-endian magnitude (empty for zero). The sign is not included.
  std::vector<uint8_t> to_bytes() const;
  // Big-endian magnitude left-padded to exactly `len` bytes; aborts if it does not fit.
  std::vector<uint8_t> to_bytes_padded(size_t len) const;
  std::string to_hex() const;
  std::string to_dec() const;

  // Sign-magnitude wire form: one byte 0x00 (>= 0) or 0x01 (< 0), then the minimal magnitude.
  std::vector<uint8_t> to_signed_bytes() const;
  // Rejects: empty input, a sign byte other than 0/1, a leading zero byte in the
  // magnitude (non-canonical), "-0", and magnitudes over max_bits bits.
  static Result<BigInt> from_signed_bytes(std::span<const uint8_t> in, unsigned max_bits);
  // Unsigned canonical form (no leading zero bytes), at most max_bits.
  static Result<BigInt> from_canonical_bytes(std::span<const uint8_t> in, unsigned max_bits);

  int sign() const { return mpz_sgn(v_); }
  bool is_zero() const { return sign() == 0; }
  bool is_odd() const { return mpz_odd_p(v_); }
  unsigned bit_length() const;  // of |x|; 0 for zero
  bool bit(unsigned i) const { return mpz_tstbit(v_, i); }
  BigInt abs() const;
  uint64_t low_u64() const;  // low 64 bits of |x|

  friend BigInt operator+(const BigInt& a, const BigInt& b);
  friend BigInt operator-(const BigInt& a, const BigInt& b);
  friend BigInt operator*(const BigInt& a, const BigInt& b);
  friend BigInt operator-(const BigInt& a);
  BigInt& operator+=(const BigInt& b);
  BigInt& operator-=(const BigInt& b);
  BigInt& operator*=(const BigInt& b);
  BigInt operator<<(unsigned n) const;
  BigInt operator>>(unsigned n) const;  // floor division by 2^n

  friend bool operator==(const BigInt& a, const BigInt& b) { return mpz_cmp(a.v_, b.v_) == 0; }
  friend auto operator<=>(const BigInt& a, const BigInt& b) {
    int c = mpz_cmp(a.v_, b.v_);
    return c < 0 ? std::strong_ordering::less : c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal;
  }

  // Non-negative residue in [0, m).
  BigInt mod(const BigInt& m) const;
  // Floor quotient.
  BigInt div_floor(const BigInt& d) const;
  bool divisible_by(const BigInt& d) const { return mpz_divisible_p(v_, d.v_); }
  uint64_t mod_u64(uint64_t m) const;

  // base^exp mod m for public values; a negative exponent inverts first.
  // Returns nullopt only when exp < 0 and base is not invertible.
  static std::optional<BigInt> powm(const BigInt& base, const BigInt& exp, const BigInt& m);
  // Same but aborts if the inverse does not exist (callers have checked units).
  static BigInt powm_unit(const BigInt& base, const BigInt& exp, const BigInt& m);
  // Constant-time in the exponent (mpz_powm_sec): exp >= 0, m odd.
  static BigInt powm_sec(const BigInt& base, const BigInt& exp, const BigInt& m);
  static std::optional<BigInt> invert(const BigInt& a, const BigInt& m);
  static BigInt gcd(const BigInt& a, const BigInt& b);
  static BigInt lcm(const BigInt& a, const BigInt& b);
  static int jacobi(const BigInt& a, const BigInt& n);
  BigInt sqrt_floor() const;
  bool is_probable_prime(int reps = 40) const;

  // 1 <= v < m, gcd(v, m) = 1.
  bool is_unit_mod(const BigInt& m) const;
  // -bound <= v <= bound (closed interval, bound >= 0).
  bool in_symmetric_range(const BigInt& bound) const;

  // Uniform in [0, n).
  static BigInt random_below(Rng& rng, const BigInt& n);
  // Uniform in [0, 2^bits).
  static BigInt random_bits(Rng& rng, unsigned bits);
  // Uniform in the closed interval [-bound, bound].
  static BigInt random_symmetric(Rng& rng, const BigInt& bound);
  // Uniform unit of Z*_n.
  static BigInt random_unit(Rng& rng, const BigInt& n);

  mpz_srcptr get() const { return v_; }
  mpz_ptr get_mut() { return v_; }

 private:
  mpz_t v_;
};

// Completes a write of n limbs through mpz_limbs_write(x, n) when the value may be secret: as
// BigInt::from_limbs, the limb count after trimming is declared public.
void finish_secret_limbs(BigInt& x, size_t n);

// Declares a value computed from secrets public because it is published (a proof's commitment or
// response), for the constant-time test (crypto/ct.h). A no-op outside valgrind.
void declare_public(const BigInt& x);

// Installs the wiping allocator. Called automatically by BigInt constructors;
// exposed so a program can install it before any other GMP use.
void install_gmp_wiping_allocator();

}  // namespace custos
