// Fiat-Shamir transcripts. Every field is framed as
//   len(label) || label || type tag || len(data) || data
// with 8-byte big-endian lengths, so two different sequences of fields can
// never hash to the same input (TSSHOCK's ambiguous-encoding attack).
// A transcript can be copied to fork it (one per proof / per recipient).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/bigint.h"
#include "crypto/hash.h"

namespace custos {

class Point;
class Scalar;

// Deterministic byte stream from a transcript digest: SHA-512(digest || label || counter) blocks.
// Challenge elements are drawn from one stream by rejection sampling, so
// successive elements are independent (the stream is never restarted).
class ChallengeStream {
 public:
  ChallengeStream(const Digest32& seed, std::string_view label);
  void read(std::span<uint8_t> out);
  Scalar scalar();                    // uniform in [0, q)
  BigInt signed_below_q();            // uniform in the closed interval [-q, q]
  BigInt below(const BigInt& n);      // uniform in [0, n)
  bool bit();

 private:
  Digest32 seed_;
  std::string label_;
  uint64_t counter_ = 0;
  Digest64 block_{};
  size_t used_ = 64;
};

class Transcript {
 public:
  explicit Transcript(std::string_view domain);

  Transcript& append(std::string_view label, std::span<const uint8_t> data);
  Transcript& append_str(std::string_view label, std::string_view s);
  Transcript& append_u64(std::string_view label, uint64_t v);
  Transcript& append_int(std::string_view label, const BigInt& v);  // sign-magnitude
  Transcript& append_point(std::string_view label, const Point& p);
  Transcript& append_scalar(std::string_view label, const Scalar& s);

  Digest32 digest() const;
  ChallengeStream stream(std::string_view label) const { return ChallengeStream(digest(), label); }

 private:
  enum Tag : uint8_t { kBytes = 1, kString = 2, kU64 = 3, kInt = 4, kPoint = 5, kScalar = 6 };
  Transcript& frame(std::string_view label, Tag tag, std::span<const uint8_t> data);
  Sha256 h_;
};

}  // namespace custos
