#include "node/flows/control.h"

#include "crypto/codec.h"

namespace custos::node {
namespace {
constexpr uint8_t kKeygenType = 1;
constexpr uint32_t kMaxParticipants = 255;
}  // namespace

std::vector<uint8_t> encode_keygen_request(const KeygenRequest& r) {
  Writer w;
  w.u8(kKeygenType).bytes(r.request_id).u32(r.threshold).u32(static_cast<uint32_t>(r.participants.size()));
  for (protocol::PartyIndex p : r.participants) w.u32(p);
  return w.take();
}

Result<KeygenRequest> decode_keygen_request(std::span<const uint8_t> payload) {
  Reader in(payload, "keygen request");
  ASSIGN_OR_RETURN(uint8_t type, in.u8());
  if (type != kKeygenType) return malformed("control message type " + std::to_string(type) + " is not a keygen request");
  KeygenRequest r;
  ASSIGN_OR_RETURN(std::vector<uint8_t> id, in.bytes(32));
  if (id.size() != 32) return malformed("keygen request id must be 32 bytes");
  std::copy(id.begin(), id.end(), r.request_id.begin());
  ASSIGN_OR_RETURN(r.threshold, in.u32());
  ASSIGN_OR_RETURN(uint32_t n, in.u32());
  if (n == 0 || n > kMaxParticipants) return malformed("keygen request with " + std::to_string(n) + " participants");
  for (uint32_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(uint32_t p, in.u32());
    if (p == 0 || (!r.participants.empty() && p <= r.participants.back())) {
      return malformed("keygen request participants must be non-zero, sorted and distinct");
    }
    r.participants.push_back(p);
  }
  if (r.threshold == 0 || r.threshold > n) return malformed("keygen request threshold out of range");
  RETURN_IF_ERROR(in.finish());
  return r;
}

protocol::Message control_message(protocol::PartyIndex self, const Digest32& request_id, std::vector<uint8_t> payload) {
  protocol::Message m;
  m.protocol = kControlProtocol;
  m.session_id = request_id;
  m.round = 1;
  m.kind = protocol::Kind::kBroadcast;
  m.from = self;
  m.payload = std::move(payload);
  return m;
}

}  // namespace custos::node
