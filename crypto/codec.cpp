#include "crypto/codec.h"

namespace custos {

Writer& Writer::u8(uint8_t v) {
  out_.push_back(v);
  return *this;
}
Writer& Writer::u32(uint32_t v) {
  for (int i = 3; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return *this;
}
Writer& Writer::u64(uint64_t v) {
  for (int i = 7; i >= 0; --i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return *this;
}
Writer& Writer::bytes(std::span<const uint8_t> b) {
  u32(static_cast<uint32_t>(b.size()));
  out_.insert(out_.end(), b.begin(), b.end());
  return *this;
}
Writer& Writer::integer(const BigInt& v) { return bytes(v.to_signed_bytes()); }
Writer& Writer::point(const Point& p) {
  auto b = p.encode();
  out_.insert(out_.end(), b.begin(), b.end());
  return *this;
}
Writer& Writer::scalar(const Scalar& s) {
  auto b = s.to_bytes();
  out_.insert(out_.end(), b.begin(), b.end());
  return *this;
}

Result<std::span<const uint8_t>> Reader::take(size_t n) {
  if (n > remaining()) {
    return malformed(what_ + " is truncated (needed " + std::to_string(n) + " more bytes at offset " +
                     std::to_string(pos_) + ")");
  }
  auto s = in_.subspan(pos_, n);
  pos_ += n;
  return s;
}

Result<uint8_t> Reader::u8() {
  ASSIGN_OR_RETURN(auto s, take(1));
  return s[0];
}
Result<uint32_t> Reader::u32() {
  ASSIGN_OR_RETURN(auto s, take(4));
  uint32_t v = 0;
  for (uint8_t b : s) v = (v << 8) | b;
  return v;
}
Result<uint64_t> Reader::u64() {
  ASSIGN_OR_RETURN(auto s, take(8));
  uint64_t v = 0;
  for (uint8_t b : s) v = (v << 8) | b;
  return v;
}
Result<std::vector<uint8_t>> Reader::bytes(size_t max_len) {
  ASSIGN_OR_RETURN(uint32_t n, u32());
  if (n > max_len) {
    return out_of_range(what_ + ": field of " + std::to_string(n) + " bytes exceeds the limit of " +
                        std::to_string(max_len));
  }
  ASSIGN_OR_RETURN(auto s, take(n));
  return std::vector<uint8_t>(s.begin(), s.end());
}
Result<BigInt> Reader::integer(unsigned max_bits) {
  ASSIGN_OR_RETURN(auto b, bytes(1 + (max_bits + 7) / 8));
  auto r = BigInt::from_signed_bytes(b, max_bits);
  if (!r.ok()) return r.status().with_context(what_);
  return r;
}
Result<BigInt> Reader::residue(unsigned max_bits, const char* name) {
  ASSIGN_OR_RETURN(BigInt v, integer(max_bits));
  if (v.sign() < 0) return out_of_range(what_ + ": " + name + " is negative");
  return v;
}

Result<Point> Reader::point() {
  ASSIGN_OR_RETURN(auto s, take(Point::kCompressedBytes));
  auto p = Point::decode(s);
  if (!p.ok()) return p.status().with_context(what_);
  return p;
}
Result<Point> Reader::point_allow_identity() {
  ASSIGN_OR_RETURN(auto s, take(Point::kCompressedBytes));
  auto p = Point::decode_allow_identity(s);
  if (!p.ok()) return p.status().with_context(what_);
  return p;
}
Result<Scalar> Reader::scalar() {
  ASSIGN_OR_RETURN(auto s, take(Scalar::kBytes));
  auto r = Scalar::from_bytes(s);
  if (!r.ok()) return r.status().with_context(what_);
  return r;
}
Status Reader::expect_count(size_t expected, const char* field) {
  ASSIGN_OR_RETURN(uint32_t n, u32());
  if (n != expected) {
    return out_of_range(what_ + ": " + field + " has " + std::to_string(n) + " elements, expected exactly " +
                        std::to_string(expected));
  }
  return ok_status();
}
Status Reader::finish() const {
  if (remaining() != 0) return malformed(what_ + " has " + std::to_string(remaining()) + " trailing bytes");
  return ok_status();
}

}  // namespace custos
