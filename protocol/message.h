// Protocol messages as rounds see them, and their protobuf envelope codec.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace custos::protocol {

using PartyIndex = uint32_t;  // 1-based; also the Shamir evaluation point

enum class Kind : uint8_t { kBroadcast = 0, kP2P = 1, kEcho = 2, kComplaint = 3 };
const char* kind_name(Kind k);

inline constexpr uint32_t kEnvelopeVersion = 1;
inline constexpr size_t kMaxPayloadBytes = 4 << 20;  // 4 MiB; the largest CGGMP21 message is ~100 KiB

struct Message {
  std::string protocol;
  Digest32 session_id{};
  uint32_t round = 0;
  Kind kind = Kind::kBroadcast;
  PartyIndex from = 0;
  PartyIndex to = 0;  // 0 unless kind == kP2P
  uint64_t seq = 0;
  WipedBytes payload;  // may carry a secret (keygen and refresh shares): wiped when freed
  std::vector<uint8_t> signature;

  // Same content (ignores seq and signature).
  bool same_content(const Message& o) const {
    return protocol == o.protocol && session_id == o.session_id && round == o.round && kind == o.kind &&
           from == o.from && to == o.to && payload == o.payload;
  }
  std::string describe() const;  // "cggmp21/presign round 2 p2p from 3 to 1"
};

// Both encodings contain the payload, so they are wiped when freed as well.
WipedBytes encode_envelope(const Message& m);
// Validates version, sizes, kind/recipient consistency.
Result<Message> decode_envelope(std::span<const uint8_t> bytes);
// The bytes a transport signs: the envelope with an empty signature and seq 0.
WipedBytes signing_bytes(const Message& m);

struct EchoEntry {
  PartyIndex from = 0;
  WipedBytes payload;
  std::vector<uint8_t> signature;
};
WipedBytes encode_echo(const std::vector<EchoEntry>& entries);
Result<std::vector<EchoEntry>> decode_echo(std::span<const uint8_t> bytes);

// A complaint: the accused and the signed envelopes it sent the complainer.
struct Complaint {
  PartyIndex accused = 0;
  std::vector<Message> evidence;
};
inline constexpr size_t kMaxComplaintEvidence = 2;  // the accused's broadcast and p2p message of one round
WipedBytes encode_complaint(const Complaint& c);
// Decodes and validates every quoted envelope (decode_envelope); at most kMaxComplaintEvidence.
Result<Complaint> decode_complaint(std::span<const uint8_t> bytes);

}  // namespace custos::protocol
