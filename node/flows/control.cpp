#include "node/flows/control.h"

#include "crypto/codec.h"

namespace custos::node {
namespace {
constexpr uint32_t kMaxParticipants = 255;

Result<Digest32> digest(Reader& in, const char* what) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> b, in.bytes(32));
  if (b.size() != 32) return malformed(std::string(what) + " must be 32 bytes");
  Digest32 d{};
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

Result<std::string> text(Reader& in, size_t max_len) {
  ASSIGN_OR_RETURN(std::vector<uint8_t> b, in.bytes(max_len));
  return std::string(b.begin(), b.end());
}

Status expect_type(Reader& in, ControlType want, const char* what) {
  ASSIGN_OR_RETURN(uint8_t type, in.u8());
  if (type != static_cast<uint8_t>(want)) {
    return malformed("control message type " + std::to_string(type) + " is not a " + what);
  }
  return ok_status();
}

void write_parties(Writer& w, const std::vector<protocol::PartyIndex>& parties) {
  w.u32(static_cast<uint32_t>(parties.size()));
  for (protocol::PartyIndex p : parties) w.u32(p);
}

// Sorted, distinct, non-zero, at most kMaxParticipants (empty allowed; callers check the size they need).
Result<std::vector<protocol::PartyIndex>> read_parties(Reader& in, const char* what) {
  ASSIGN_OR_RETURN(uint32_t n, in.u32());
  if (n > kMaxParticipants) return malformed(std::string(what) + ": " + std::to_string(n) + " parties");
  std::vector<protocol::PartyIndex> out;
  for (uint32_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(uint32_t p, in.u32());
    if (p == 0 || (!out.empty() && p <= out.back())) {
      return malformed(std::string(what) + " must be non-zero, sorted and distinct");
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace

Result<ControlType> control_type(std::span<const uint8_t> payload) {
  if (payload.empty()) return malformed("empty control message");
  const uint8_t t = payload[0];
  if (t < 1 || t > 4) return malformed("unknown control message type " + std::to_string(t));
  return static_cast<ControlType>(t);
}

std::vector<uint8_t> encode_keygen_request(const KeygenRequest& r) {
  Writer w;
  w.u8(static_cast<uint8_t>(ControlType::kKeygen)).bytes(r.request_id).u32(r.threshold);
  write_parties(w, r.participants);
  return w.take();
}

Result<KeygenRequest> decode_keygen_request(std::span<const uint8_t> payload) {
  Reader in(payload, "keygen request");
  RETURN_IF_ERROR(expect_type(in, ControlType::kKeygen, "keygen request"));
  KeygenRequest r;
  ASSIGN_OR_RETURN(r.request_id, digest(in, "keygen request id"));
  ASSIGN_OR_RETURN(r.threshold, in.u32());
  ASSIGN_OR_RETURN(r.participants, read_parties(in, "keygen request participants"));
  if (r.participants.empty()) return malformed("keygen request with 0 participants");
  if (r.threshold == 0 || r.threshold > r.participants.size()) return malformed("keygen request threshold out of range");
  RETURN_IF_ERROR(in.finish());
  return r;
}

std::vector<uint8_t> encode_sign_request(const SignRequest& r) {
  Writer w;
  w.u8(static_cast<uint8_t>(ControlType::kSign)).bytes(r.request_id).bytes(r.intent);
  w.u32(static_cast<uint32_t>(r.approvals.size()));
  for (const SignRequest::Approval& a : r.approvals) {
    w.bytes(std::span(reinterpret_cast<const uint8_t*>(a.approver.data()), a.approver.size()));
    w.bytes(std::span(reinterpret_cast<const uint8_t*>(a.assertion_json.data()), a.assertion_json.size()));
  }
  w.u32(r.attempt);
  write_parties(w, r.signers);
  w.bytes(r.presignature_id);
  return w.take();
}

Result<SignRequest> decode_sign_request(std::span<const uint8_t> payload) {
  Reader in(payload, "sign request");
  RETURN_IF_ERROR(expect_type(in, ControlType::kSign, "sign request"));
  SignRequest r;
  ASSIGN_OR_RETURN(r.request_id, digest(in, "sign request id"));
  ASSIGN_OR_RETURN(r.intent, in.bytes(kMaxIntentBytes));
  ASSIGN_OR_RETURN(uint32_t n, in.u32());
  if (n > kMaxApprovals) return malformed("sign request with " + std::to_string(n) + " approvals");
  for (uint32_t i = 0; i < n; ++i) {
    SignRequest::Approval a;
    ASSIGN_OR_RETURN(a.approver, text(in, 64));
    ASSIGN_OR_RETURN(a.assertion_json, text(in, kMaxAssertionBytes));
    r.approvals.push_back(std::move(a));
  }
  ASSIGN_OR_RETURN(r.attempt, in.u32());
  ASSIGN_OR_RETURN(r.signers, read_parties(in, "sign request signers"));
  ASSIGN_OR_RETURN(r.presignature_id, digest(in, "presignature id"));
  RETURN_IF_ERROR(in.finish());
  return r;
}

std::vector<uint8_t> encode_reply(const ControlReply& r) {
  Writer w;
  w.u8(static_cast<uint8_t>(ControlType::kReply)).bytes(r.request_id).u32(r.attempt).u8(static_cast<uint8_t>(r.status));
  const std::string detail = r.detail.substr(0, kMaxReplyDetail);
  w.bytes(std::span(reinterpret_cast<const uint8_t*>(detail.data()), detail.size()));
  return w.take();
}

Result<ControlReply> decode_reply(std::span<const uint8_t> payload) {
  Reader in(payload, "control reply");
  RETURN_IF_ERROR(expect_type(in, ControlType::kReply, "control reply"));
  ControlReply r;
  ASSIGN_OR_RETURN(r.request_id, digest(in, "reply request id"));
  ASSIGN_OR_RETURN(r.attempt, in.u32());
  ASSIGN_OR_RETURN(uint8_t status, in.u8());
  if (status < 1 || status > 4) return malformed("control reply status " + std::to_string(status));
  r.status = static_cast<ReplyStatus>(status);
  ASSIGN_OR_RETURN(r.detail, text(in, kMaxReplyDetail));
  RETURN_IF_ERROR(in.finish());
  return r;
}

std::vector<uint8_t> encode_presign_request(const PresignRequest& r) {
  Writer w;
  w.u8(static_cast<uint8_t>(ControlType::kPresign)).bytes(r.request_id).bytes(r.key_id);
  write_parties(w, r.signers);
  return w.take();
}

Result<PresignRequest> decode_presign_request(std::span<const uint8_t> payload) {
  Reader in(payload, "presign request");
  RETURN_IF_ERROR(expect_type(in, ControlType::kPresign, "presign request"));
  PresignRequest r;
  ASSIGN_OR_RETURN(r.request_id, digest(in, "presign request id"));
  ASSIGN_OR_RETURN(r.key_id, digest(in, "presign key id"));
  ASSIGN_OR_RETURN(r.signers, read_parties(in, "presign request signers"));
  if (r.signers.empty()) return malformed("presign request without signers");
  RETURN_IF_ERROR(in.finish());
  return r;
}

protocol::Message control_message(protocol::PartyIndex self, const Digest32& request_id, std::vector<uint8_t> payload,
                                  protocol::PartyIndex to) {
  protocol::Message m;
  m.protocol = kControlProtocol;
  m.session_id = request_id;
  m.round = 1;
  m.kind = to == 0 ? protocol::Kind::kBroadcast : protocol::Kind::kP2P;
  m.from = self;
  m.to = to;
  m.payload.assign(payload.begin(), payload.end());
  return m;
}

}  // namespace custos::node
