// Node-to-node control messages (protocol "custos/control"), carried by the
// transport like protocol envelopes (signed, acknowledged): a node that takes a
// client request tells the other participants to start the same flow. The
// envelope's session id is the request id. Decoded strictly (bounded Reader).
#pragma once

#include <cstdint>
#include <span>
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

// The control envelope for a request, from `self` to every peer.
protocol::Message control_message(protocol::PartyIndex self, const Digest32& request_id, std::vector<uint8_t> payload);

}  // namespace custos::node
