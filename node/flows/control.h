// Node-to-node control messages (protocol "custos/control"), carried by the
// transport like protocol envelopes (signed, acknowledged): a node that takes a
// client request tells the other participants to start the same flow. The
// envelope's session id is the request id. Decoded strictly (bounded Reader).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/status.h"
#include "protocol/message.h"

namespace custos::node {

inline constexpr const char* kControlProtocol = "custos/control";

// Run distributed key generation and aux-info among `participants` with threshold t.
struct KeygenRequest {
  Digest32 request_id{};
  uint32_t threshold = 0;
  std::vector<protocol::PartyIndex> participants;  // sorted, distinct
};

std::vector<uint8_t> encode_keygen_request(const KeygenRequest& r);
Result<KeygenRequest> decode_keygen_request(std::span<const uint8_t> payload);

// The type byte every control payload starts with.
enum class ControlType : uint8_t { kKeygen = 1, kSign = 2, kReply = 3, kPresign = 4 };
Result<ControlType> control_type(std::span<const uint8_t> payload);

// A client's signing request, relayed by the node that took it (the coordinator) to every node: each
// runs the passkey gate on it itself. `signers` (empty: gate only) are to sign in this attempt, with the
// pooled presignature `presignature_id` (all zero: run a fresh presignature first). The request id is
// the intent's WebAuthn challenge, so it names exactly one intent.
struct SignRequest {
  Digest32 request_id{};
  std::vector<uint8_t> intent;  // canonical bytes (protocol/intent.h)
  struct Approval {
    std::string approver;
    std::string assertion_json;
  };
  std::vector<Approval> approvals;
  uint32_t attempt = 0;
  std::vector<protocol::PartyIndex> signers;  // sorted, distinct; empty or exactly t
  Digest32 presignature_id{};
};
inline constexpr size_t kMaxIntentBytes = 72 * 1024;
inline constexpr size_t kMaxApprovals = 32;
inline constexpr size_t kMaxAssertionBytes = 64 * 1024;

std::vector<uint8_t> encode_sign_request(const SignRequest& r);
Result<SignRequest> decode_sign_request(std::span<const uint8_t> payload);

// A node's answer to the coordinator about a request or one attempt of it.
enum class ReplyStatus : uint8_t {
  kApproved = 1,        // the gate approved the request at this node
  kRefused = 2,         // the gate refused it; detail says why
  kAttemptFailed = 3,   // approved, but this node cannot sign in this attempt (e.g. presignature gone)
  kDeclined = 4,        // a presigning request declined (pool full, unknown key, ...)
};
struct ControlReply {
  Digest32 request_id{};
  uint32_t attempt = 0;
  ReplyStatus status = ReplyStatus::kApproved;
  std::string detail;  // at most kMaxReplyDetail bytes
};
inline constexpr size_t kMaxReplyDetail = 4096;

std::vector<uint8_t> encode_reply(const ControlReply& r);
Result<ControlReply> decode_reply(std::span<const uint8_t> payload);

// Background pool filling: the sender asks `signers` (itself included) to presign once for a key.
struct PresignRequest {
  Digest32 request_id{};
  Digest32 key_id{};
  std::vector<protocol::PartyIndex> signers;  // sorted, distinct
};
std::vector<uint8_t> encode_presign_request(const PresignRequest& r);
Result<PresignRequest> decode_presign_request(std::span<const uint8_t> payload);

// The control envelope for a request, from `self` to every peer, or to `to` alone when non-zero.
protocol::Message control_message(protocol::PartyIndex self, const Digest32& request_id, std::vector<uint8_t> payload,
                                  protocol::PartyIndex to = 0);

}  // namespace custos::node
