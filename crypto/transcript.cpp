#include "crypto/transcript.h"

#include <cstring>

#include "crypto/point.h"
#include "crypto/scalar.h"
#include "crypto/secret.h"

namespace custos {
namespace {
void put_u64(Sha256& h, uint64_t v) {
  uint8_t b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  h.update(std::span<const uint8_t>(b, 8));
}
}  // namespace

Transcript::Transcript(std::string_view domain) { append_str("custos/transcript/domain", domain); }

Transcript& Transcript::frame(std::string_view label, Tag tag, std::span<const uint8_t> data) {
  put_u64(h_, label.size());
  h_.update(label);
  uint8_t t = tag;
  h_.update(std::span<const uint8_t>(&t, 1));
  put_u64(h_, data.size());
  h_.update(data);
  return *this;
}

Transcript& Transcript::append(std::string_view label, std::span<const uint8_t> data) {
  return frame(label, kBytes, data);
}
Transcript& Transcript::append_str(std::string_view label, std::string_view s) {
  return frame(label, kString, as_bytes(s));
}
Transcript& Transcript::append_u64(std::string_view label, uint64_t v) {
  uint8_t b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  return frame(label, kU64, b);
}
Transcript& Transcript::append_int(std::string_view label, const BigInt& v) {
  auto b = v.to_signed_bytes();
  return frame(label, kInt, b);
}
Transcript& Transcript::append_point(std::string_view label, const Point& p) {
  auto b = p.encode();
  return frame(label, kPoint, b);
}
Transcript& Transcript::append_scalar(std::string_view label, const Scalar& s) {
  auto b = s.to_bytes();
  frame(label, kScalar, b);
  secure_wipe(b.data(), b.size());
  return *this;
}

Digest32 Transcript::digest() const { return h_.finish(); }

ChallengeStream::ChallengeStream(const Digest32& seed, std::string_view label) : seed_(seed), label_(label) {}

void ChallengeStream::read(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    if (used_ == block_.size()) {
      std::vector<uint8_t> in(seed_.begin(), seed_.end());
      uint64_t n = label_.size();
      for (int i = 7; i >= 0; --i) in.push_back(static_cast<uint8_t>(n >> (8 * i)));
      in.insert(in.end(), label_.begin(), label_.end());
      for (int i = 7; i >= 0; --i) in.push_back(static_cast<uint8_t>(counter_ >> (8 * i)));
      ++counter_;
      block_ = sha512(in);
      used_ = 0;
    }
    size_t take = std::min(out.size() - done, block_.size() - used_);
    std::memcpy(out.data() + done, block_.data() + used_, take);
    used_ += take;
    done += take;
  }
}

BigInt ChallengeStream::below(const BigInt& n) {
  unsigned bits = n.bit_length();
  std::vector<uint8_t> buf((bits + 7) / 8);
  for (;;) {
    read(buf);
    if (bits % 8) buf[0] &= static_cast<uint8_t>((1u << (bits % 8)) - 1);
    BigInt r = BigInt::from_bytes(buf);
    if (r < n) return r;
  }
}

Scalar ChallengeStream::scalar() { return Scalar::from_bigint(below(Scalar::order())); }

BigInt ChallengeStream::signed_below_q() {
  static const BigInt width = (Scalar::order() << 1) + BigInt(1);
  return below(width) - Scalar::order();
}

bool ChallengeStream::bit() {
  uint8_t b;
  read(std::span<uint8_t>(&b, 1));
  return b & 1;
}

}  // namespace custos
