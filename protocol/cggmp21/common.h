// Small helpers shared by the CGGMP21 rounds (private to protocol/cggmp21).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/codec.h"
#include "crypto/transcript.h"
#include "crypto/vss.h"
#include "protocol/message.h"
#include "protocol/wire.h"

namespace custos::cggmp21 {

using protocol::PartyIndex;

inline std::vector<Scalar> index_scalars(const std::vector<PartyIndex>& parties) {
  std::vector<Scalar> out;
  for (PartyIndex p : parties) out.push_back(Scalar::from_u64(p));
  return out;
}

// Party indices: non-empty, non-zero, pairwise distinct (also mod q, trivially
// for 32-bit indices), `self` among them.
inline Status check_parties(const std::vector<PartyIndex>& parties, PartyIndex self) {
  if (parties.empty()) return invalid_argument("no parties");
  auto idx = index_scalars(parties);
  RETURN_IF_ERROR(check_indices(idx));
  if (std::find(parties.begin(), parties.end(), self) == parties.end()) {
    return invalid_argument("own index " + std::to_string(self) + " is not among the parties");
  }
  return ok_status();
}

inline std::vector<PartyIndex> sorted(std::vector<PartyIndex> v) {
  std::sort(v.begin(), v.end());
  return v;
}

inline std::string to_string(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }

inline Result<Digest32> read_digest(const std::string& field, const char* what) {
  if (field.size() != 32) return malformed(std::string(what) + " must be 32 bytes");
  Digest32 d;
  std::copy(field.begin(), field.end(), d.begin());
  return d;
}

// Copies a fixed-size byte field (rid, chain code, nonce), rejecting any other length.
template <size_t N>
Status copy_fixed(const std::string& f, std::array<uint8_t, N>& out, const char* what) {
  if (f.size() != N) return malformed(std::string(what) + " must be " + std::to_string(N) + " bytes");
  std::copy(f.begin(), f.end(), out.begin());
  return ok_status();
}

inline Result<Scalar> read_scalar(const std::string& field, const char* what) {
  auto s = Scalar::from_bytes(protocol::field_bytes(field));
  if (!s.ok()) return s.status().with_context(what);
  return s;
}

inline Result<Point> read_point(const std::string& field, const char* what) {
  auto p = Point::decode(protocol::field_bytes(field));
  if (!p.ok()) return p.status().with_context(what);
  return p;
}

inline Result<BigInt> read_int(const std::string& field, unsigned max_bits, const char* what) {
  auto v = BigInt::from_canonical_bytes(protocol::field_bytes(field), max_bits);
  if (!v.ok()) return v.status().with_context(what);
  return v;
}

inline std::string point_field(const Point& p) {
  auto b = p.encode();
  return std::string(b.begin(), b.end());
}
// Wipes its stack copy: the scalar may be a share (keygen, refresh).
inline std::string scalar_field(const Scalar& s) {
  auto b = s.to_bytes();
  std::string f(b.begin(), b.end());
  secure_wipe(b.data(), b.size());
  return f;
}
inline std::string int_field(const BigInt& v) {
  auto b = v.to_bytes();
  return std::string(b.begin(), b.end());
}

}  // namespace custos::cggmp21
