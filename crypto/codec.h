// Bounds-checked binary codec for proofs and key material. Every field is
// length-prefixed (u32 big-endian); integers use the sign-magnitude form of
// BigInt and are bounded in bits at decode, before any arithmetic, so an
// oversized value (DoS) or a truncated encoding is rejected up front.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/point.h"
#include "crypto/scalar.h"
#include "crypto/status.h"

namespace custos {

class Writer {
 public:
  Writer& u8(uint8_t v);
  Writer& u32(uint32_t v);
  Writer& u64(uint64_t v);
  Writer& bytes(std::span<const uint8_t> b);  // u32 length + bytes
  Writer& integer(const BigInt& v);           // bytes(sign-magnitude)
  Writer& point(const Point& p);              // 33 raw bytes (O as 33 zeros)
  Writer& scalar(const Scalar& s);            // 32 raw bytes
  const std::vector<uint8_t>& data() const { return out_; }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in, std::string what = "input") : in_(in), what_(std::move(what)) {}

  Result<uint8_t> u8();
  Result<uint32_t> u32();
  Result<uint64_t> u64();
  // Length-prefixed bytes of at most max_len.
  Result<std::vector<uint8_t>> bytes(size_t max_len);
  // Signed integer of at most max_bits bits (canonical sign-magnitude).
  Result<BigInt> integer(unsigned max_bits);
  // Non-negative integer of at most max_bits bits (a residue on the wire; membership is the verifier's check).
  Result<BigInt> residue(unsigned max_bits, const char* name);
  // Point that must not be O.
  Result<Point> point();
  Result<Point> point_allow_identity();
  // Canonical scalar < q.
  Result<Scalar> scalar();
  // A count prefix (u32) that must equal `expected` exactly.
  Status expect_count(size_t expected, const char* field);
  // Fails unless every byte was consumed.
  Status finish() const;
  size_t remaining() const { return in_.size() - pos_; }

 private:
  Result<std::span<const uint8_t>> take(size_t n);
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  std::string what_;
};

}  // namespace custos
