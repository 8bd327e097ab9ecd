// The transport's frames: what one ZeroMQ message part carries between a
// DEALER (ours) and a peer's ROUTER. The first byte names the frame type;
// a future format gets a new type byte, never a reinterpretation.
//
//   data (DEALER -> ROUTER): 0x01 ‖ envelope      (protocol::encode_envelope, signed)
//   ack  (ROUTER -> DEALER): 0x02 ‖ u32 n ‖ n × u64 seq   (big-endian, 1 ≤ n ≤ kMaxAckSeqs)
//
// Acks are not signed: an ack only makes the sender stop retransmitting, it
// is never evidence, and it can only arrive on our DEALER, whose one CURVE
// connection is to the server holding the peer's pinned key. A forged ack
// would need that key.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/status.h"
#include "protocol/message.h"

namespace custos::node {

enum class FrameType : uint8_t { kData = 1, kAck = 2 };

inline constexpr size_t kMaxAckSeqs = 1024;
// The largest data frame decode accepts: the type byte plus the envelope
// limit of protocol::decode_envelope.
inline constexpr size_t kMaxDataFrameBytes = 1 + protocol::kMaxPayloadBytes + 1024;
// ZMQ_MAXMSGSIZE on every socket: larger messages make libzmq drop the
// connection before we ever see them. The slack above kMaxDataFrameBytes lets
// moderately oversized frames reach our decoder, which counts them.
inline constexpr int64_t kZmqMaxMsgSize = static_cast<int64_t>(protocol::kMaxPayloadBytes) + 64 * 1024;

WipedBytes encode_data_frame(const protocol::Message& m);  // wiped when freed: may carry a share
// The type byte and then decode_envelope (its version, size and field checks).
Result<protocol::Message> decode_data_frame(std::span<const uint8_t> frame);

// `seqs` must hold 1…kMaxAckSeqs non-zero sequence numbers (callers chunk).
std::vector<uint8_t> encode_ack_frame(std::span<const uint64_t> seqs);
Result<std::vector<uint64_t>> decode_ack_frame(std::span<const uint8_t> frame);

}  // namespace custos::node
