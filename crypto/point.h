// Points of secp256k1 through libsecp256k1. A Point may be the identity O,
// which libsecp256k1's public API cannot hold, so it is tracked explicitly.
// Decoding from untrusted bytes validates the point: on the curve, canonical
// coordinates, and not O unless the caller explicitly allows it.
#pragma once

#include <secp256k1.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/status.h"

namespace custos {

class Scalar;

// The shared, randomized libsecp256k1 context (thread-safe for const use).
const secp256k1_context* secp_context();

class Point {
 public:
  static constexpr size_t kCompressedBytes = 33;

  Point() = default;  // the identity O
  static Point identity() { return Point(); }
  static const Point& generator();

  // x*G; constant time in x (libsecp256k1 ecmult_gen). Zero gives O.
  static Point base_mul(const Scalar& x);
  // Sum of many points.
  static Point sum(std::span<const Point> points);

  bool is_identity() const { return infinity_; }

  // Constant time in k (libsecp256k1's ecmult_const, through the ECDH module).
  // Use for secret scalars. The product itself is treated as public (it is parsed
  // with branches; tests/ct declassifies it): not for a secret point such as an
  // ECDH shared secret.
  Point mul(const Scalar& k) const;
  // Variable time (libsecp256k1 ecmult): only for public scalars, e.g. in verifiers.
  Point mul_vartime(const Scalar& k) const;
  friend Point operator+(const Point& a, const Point& b);
  friend Point operator-(const Point& a);
  friend Point operator-(const Point& a, const Point& b) { return a + (-b); }
  friend bool operator==(const Point& a, const Point& b);

  // 33-byte SEC1 compressed form; O encodes as 33 zero bytes (never accepted by decode()).
  std::array<uint8_t, 33> encode() const;
  // 65-byte uncompressed SEC1 form (aborts for O).
  std::array<uint8_t, 65> encode_uncompressed() const;
  // Strict decode of a 33-byte compressed point: rejects O, off-curve, x >= p, bad prefix.
  static Result<Point> decode(std::span<const uint8_t> in);
  // As decode() but also accepts the 33-zero-byte encoding of O.
  static Result<Point> decode_allow_identity(std::span<const uint8_t> in);
  // Accepts 33-byte compressed or 65-byte uncompressed SEC1 (public keys from outside).
  static Result<Point> decode_sec1(std::span<const uint8_t> in);

  // x-coordinate reduced mod q (the ECDSA r); aborts for O.
  Scalar x_mod_q() const;
  // Parity of y (for the recovery id); aborts for O.
  bool y_is_odd() const;

  const secp256k1_pubkey* raw() const { return infinity_ ? nullptr : &pk_; }
  static Point from_raw(const secp256k1_pubkey& pk);

 private:
  bool infinity_ = true;
  secp256k1_pubkey pk_{};
};

}  // namespace custos
