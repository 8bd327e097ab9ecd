// Integers modulo the secp256k1 group order q, with constant-time arithmetic
// (GMP's mpn_sec_* and mpn_cnd_* functions) because most scalars are secrets.
// Scalars wipe themselves on destruction and have no printing operator.
#pragma once

#include <gmp.h>

#include <array>
#include <cstdint>
#include <span>

#include "crypto/status.h"

namespace custos {

class BigInt;
class Rng;

class Scalar {
 public:
  static constexpr size_t kBytes = 32;
  static constexpr size_t kLimbs = 4;

  Scalar() = default;  // zero
  Scalar(const Scalar& o) = default;
  Scalar& operator=(const Scalar& o) = default;
  ~Scalar();

  static Scalar from_u64(uint64_t v);
  // Canonical 32-byte big-endian encoding; rejects values >= q.
  static Result<Scalar> from_bytes(std::span<const uint8_t> be32);
  // Reduces any 32-byte string mod q (for hashes, e.g. the ECDSA message).
  static Scalar from_bytes_reduced(std::span<const uint8_t> be32);
  // x mod q for any signed integer, constant time in the value for a given limb count.
  static Scalar from_bigint(const BigInt& x);
  static Scalar random(Rng& rng);          // uniform in [0, q)
  static Scalar random_nonzero(Rng& rng);  // uniform in [1, q)
  static const BigInt& order();            // q

  std::array<uint8_t, 32> to_bytes() const;
  BigInt to_bigint() const;

  bool is_zero() const;  // constant time
  // Constant-time equality.
  friend bool operator==(const Scalar& a, const Scalar& b);
  // Larger than q/2 (for low-s normalisation; public values only).
  bool is_high() const;

  friend Scalar operator+(const Scalar& a, const Scalar& b);
  friend Scalar operator-(const Scalar& a, const Scalar& b);
  friend Scalar operator*(const Scalar& a, const Scalar& b);
  friend Scalar operator-(const Scalar& a);
  Scalar& operator+=(const Scalar& b) { return *this = *this + b; }
  Scalar& operator-=(const Scalar& b) { return *this = *this - b; }
  Scalar& operator*=(const Scalar& b) { return *this = *this * b; }
  // Inverse modulo q (constant time); zero has no inverse.
  Result<Scalar> inverse() const;

  const mp_limb_t* limbs() const { return limbs_.data(); }

 private:
  std::array<mp_limb_t, kLimbs> limbs_{};  // little-endian limbs, value < q
};

}  // namespace custos
