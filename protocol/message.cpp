#include "protocol/message.h"

#include "protocol/proto/envelope.pb.h"
#include "protocol/wire.h"

namespace custos::protocol {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::kBroadcast: return "broadcast";
    case Kind::kP2P: return "p2p";
    case Kind::kEcho: return "echo";
    case Kind::kComplaint: return "complaint";
  }
  return "?";
}

std::string Message::describe() const {
  std::string s = protocol + " round " + std::to_string(round) + " " + kind_name(kind) + " from " +
                  std::to_string(from);
  if (kind == Kind::kP2P) s += " to " + std::to_string(to);
  return s;
}

namespace {
wire::Envelope to_proto(const Message& m, bool with_signature) {
  wire::Envelope e;
  e.set_version(kEnvelopeVersion);
  e.set_session_id(m.session_id.data(), m.session_id.size());
  e.set_protocol(m.protocol);
  e.set_round(m.round);
  e.set_kind(static_cast<wire::MessageKind>(m.kind));
  e.set_from(m.from);
  e.set_to(m.to);
  e.set_seq(m.seq);
  // Not set_payload(data, size): protobuf 3.21 builds a temporary string from them and frees it unwiped.
  e.mutable_payload()->assign(reinterpret_cast<const char*>(m.payload.data()), m.payload.size());
  if (with_signature) e.set_signature(m.signature.data(), m.signature.size());
  return e;
}

// The protobuf copy of the payload is wiped before the envelope is freed.
WipedBytes serialize_envelope(wire::Envelope e) {
  WipedBytes out = serialize_deterministic(e);
  wipe_string(*e.mutable_payload());
  return out;
}
}  // namespace

WipedBytes encode_envelope(const Message& m) { return serialize_envelope(to_proto(m, true)); }
WipedBytes signing_bytes(const Message& m) {
  // seq is per-link transport state (acks, retransmission), not content: it is
  // excluded so a broadcast signed once can be quoted verbatim in an echo.
  Message unsequenced = m;
  unsequenced.seq = 0;
  return serialize_envelope(to_proto(unsequenced, false));
}

Result<Message> decode_envelope(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxPayloadBytes + 1024) return out_of_range("envelope larger than the size limit");
  wire::Envelope e;
  WipeFieldOnExit wipe_payload(e.mutable_payload());
  RETURN_IF_ERROR(parse_strict(e, bytes));  // no unknown fields, canonical encoding
  if (e.version() != kEnvelopeVersion) return malformed("unsupported envelope version " + std::to_string(e.version()));
  if (e.session_id().size() != 32) return malformed("session id must be 32 bytes");
  if (e.protocol().empty() || e.protocol().size() > 64) return malformed("protocol name missing or too long");
  if (e.kind() != wire::MESSAGE_KIND_BROADCAST && e.kind() != wire::MESSAGE_KIND_P2P &&
      e.kind() != wire::MESSAGE_KIND_ECHO && e.kind() != wire::MESSAGE_KIND_COMPLAINT)
    return malformed("unknown message kind");
  if (e.from() == 0) return malformed("sender index 0");
  if ((e.kind() == wire::MESSAGE_KIND_P2P) != (e.to() != 0)) {
    return malformed("recipient must be set exactly for p2p messages");
  }
  if (e.payload().size() > kMaxPayloadBytes) return out_of_range("payload larger than the size limit");
  if (e.signature().size() > 512) return out_of_range("signature too long");
  Message m;
  std::copy(e.session_id().begin(), e.session_id().end(), m.session_id.begin());
  m.protocol = e.protocol();
  m.round = e.round();
  m.kind = static_cast<Kind>(e.kind());
  m.from = e.from();
  m.to = e.to();
  m.seq = e.seq();
  m.payload.assign(e.payload().begin(), e.payload().end());
  m.signature.assign(e.signature().begin(), e.signature().end());
  return m;
}

WipedBytes encode_echo(const std::vector<EchoEntry>& entries) {
  wire::Echo echo;
  for (const auto& en : entries) {
    auto* e = echo.add_entries();
    e->set_from(en.from);
    e->set_payload(en.payload.data(), en.payload.size());
    e->set_signature(en.signature.data(), en.signature.size());
  }
  return serialize_deterministic(echo);
}

Result<std::vector<EchoEntry>> decode_echo(std::span<const uint8_t> bytes) {
  wire::Echo echo;
  RETURN_IF_ERROR(parse_strict(echo, bytes));
  std::vector<EchoEntry> out;
  for (const auto& e : echo.entries()) {
    out.push_back(EchoEntry{e.from(), WipedBytes(e.payload().begin(), e.payload().end()),
                            std::vector<uint8_t>(e.signature().begin(), e.signature().end())});
  }
  return out;
}

WipedBytes encode_complaint(const Complaint& c) {
  wire::Complaint w;
  w.set_accused(c.accused);
  for (const Message& m : c.evidence) {
    WipedBytes env = encode_envelope(m);
    w.add_evidence(env.data(), env.size());
  }
  // Evidence may quote a p2p message that carries a share.
  WipedBytes out = serialize_deterministic(w);
  for (std::string& env : *w.mutable_evidence()) wipe_string(env);
  return out;
}

Result<Complaint> decode_complaint(std::span<const uint8_t> bytes) {
  wire::Complaint w;
  struct WipeEvidence {
    wire::Complaint& w;
    ~WipeEvidence() {
      for (std::string& env : *w.mutable_evidence()) wipe_string(env);
    }
  } wipe_on_exit{w};
  RETURN_IF_ERROR(parse_strict(w, bytes));
  if (w.accused() == 0) return malformed("complaint names party 0");
  if (w.evidence_size() == 0) return malformed("complaint without evidence");
  if (static_cast<size_t>(w.evidence_size()) > kMaxComplaintEvidence) return malformed("complaint with too much evidence");
  Complaint c;
  c.accused = w.accused();
  for (const std::string& env : w.evidence()) {
    auto m = decode_envelope(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(env.data()), env.size()));
    if (!m.ok()) return m.status().with_context("complaint evidence");
    c.evidence.push_back(std::move(*m));
  }
  return c;
}

}  // namespace custos::protocol
