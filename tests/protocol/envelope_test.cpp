// The envelope, echo and complaint codecs (protocol/message.h): every field limit and shape rule
// decode_envelope enforces refuses its input with a named error, and the values just inside each
// limit are accepted (security.md, "DoS through huge integers").
#include <catch2/catch.hpp>

#include <string>

#include "protocol/message.h"
#include "protocol/proto/envelope.pb.h"
#include "protocol/wire.h"

using namespace custos;
using namespace custos::protocol;

namespace {

// A valid broadcast envelope, as the proto, to damage one field at a time.
wire::Envelope valid_envelope() {
  wire::Envelope e;
  e.set_version(kEnvelopeVersion);
  e.set_session_id(std::string(32, '\x07'));
  e.set_protocol("cggmp21/presign");
  e.set_round(2);
  e.set_kind(wire::MESSAGE_KIND_BROADCAST);
  e.set_from(3);
  e.set_seq(41);
  e.set_payload("payload");
  e.set_signature(std::string(64, '\x01'));
  return e;
}

Result<Message> decode(const wire::Envelope& e) {
  const WipedBytes bytes = serialize_deterministic(e);
  return decode_envelope(bytes);
}

// The decode fails with `code` and a message that contains `words`.
void check_refused(const wire::Envelope& e, Code code, const std::string& words) {
  auto r = decode(e);
  REQUIRE_FALSE(r.ok());
  INFO(r.status().to_string());
  CHECK(r.status().code() == code);
  CHECK(r.status().message().find(words) != std::string::npos);
}

// A keygen p2p message from `from` to `to`.
Message p2p_message(PartyIndex from, PartyIndex to, WipedBytes payload) {
  Message m;
  m.protocol = "cggmp21/keygen";
  m.session_id.fill(9);
  m.round = 2;
  m.kind = Kind::kP2P;
  m.from = from;
  m.to = to;
  m.payload = std::move(payload);
  return m;
}

}  // namespace

TEST_CASE("envelope: a valid envelope round-trips field for field", "[envelope]") {
  Message m = p2p_message(2, 5, WipedBytes{1, 2, 3});
  m.seq = 77;
  m.signature.assign(64, 4);
  auto d = decode_envelope(encode_envelope(m));
  REQUIRE(d.ok());
  CHECK(d->same_content(m));
  CHECK(d->seq == 77);
  CHECK(d->signature == m.signature);
  REQUIRE(decode(valid_envelope()).ok());
}

TEST_CASE("envelope: size limits on the whole, the payload and the signature", "[envelope]") {
  SECTION("a payload of exactly the limit is accepted, one byte more is refused") {
    wire::Envelope e = valid_envelope();
    e.set_payload(std::string(kMaxPayloadBytes, 'x'));
    auto r = decode(e);
    REQUIRE(r.ok());
    CHECK(r->payload.size() == kMaxPayloadBytes);
    e.mutable_payload()->push_back('x');
    check_refused(e, Code::kOutOfRange, "payload larger than the size limit");
  }
  SECTION("an envelope over the limit is refused before it is parsed") {
    // Not even a protobuf: the size check comes first, so no parsing work is spent on it.
    std::vector<uint8_t> huge(kMaxPayloadBytes + 1024 + 1, 0xff);
    auto r = decode_envelope(huge);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kOutOfRange);
    CHECK(r.status().message().find("envelope larger than the size limit") != std::string::npos);
  }
  SECTION("a signature of 512 bytes is accepted, 513 refused") {
    wire::Envelope e = valid_envelope();
    e.set_signature(std::string(512, 's'));
    REQUIRE(decode(e).ok());
    e.set_signature(std::string(513, 's'));
    check_refused(e, Code::kOutOfRange, "signature too long");
  }
}

TEST_CASE("envelope: every header rule refuses its violation by name", "[envelope]") {
  wire::Envelope e = valid_envelope();
  SECTION("version") {
    e.set_version(kEnvelopeVersion + 1);
    check_refused(e, Code::kMalformed, "unsupported envelope version 2");
  }
  SECTION("session id of 31 and 33 bytes") {
    e.set_session_id(std::string(31, 'a'));
    check_refused(e, Code::kMalformed, "session id must be 32 bytes");
    e.set_session_id(std::string(33, 'a'));
    check_refused(e, Code::kMalformed, "session id must be 32 bytes");
  }
  SECTION("protocol name empty, or longer than 64 bytes") {
    e.set_protocol("");
    check_refused(e, Code::kMalformed, "protocol name missing or too long");
    e.set_protocol(std::string(64, 'p'));
    REQUIRE(decode(e).ok());
    e.set_protocol(std::string(65, 'p'));
    check_refused(e, Code::kMalformed, "protocol name missing or too long");
  }
  SECTION("unknown kind") {
    e.set_kind(static_cast<wire::MessageKind>(9));
    check_refused(e, Code::kMalformed, "unknown message kind");
  }
  SECTION("sender 0") {
    e.set_from(0);
    check_refused(e, Code::kMalformed, "sender index 0");
  }
  SECTION("a recipient on a broadcast, none on a p2p message") {
    e.set_to(4);
    check_refused(e, Code::kMalformed, "recipient must be set exactly for p2p messages");
    e.set_to(0);
    e.set_kind(wire::MESSAGE_KIND_P2P);
    check_refused(e, Code::kMalformed, "recipient must be set exactly for p2p messages");
    e.set_to(4);
    REQUIRE(decode(e).ok());
  }
}

TEST_CASE("envelope: unknown fields, non-canonical encodings and truncations are refused", "[envelope]") {
  const WipedBytes good = serialize_deterministic(valid_envelope());
  SECTION("an unknown field") {
    WipedBytes t = good;
    t.insert(t.end(), {0x98, 0x06, 0x01});  // field 99, varint 1
    auto r = decode_envelope(t);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("unknown fields") != std::string::npos);
  }
  SECTION("a field repeated (the last one wins in protobuf, so two encodings would decode alike)") {
    WipedBytes t = good;
    t.insert(t.end(), {0x30, 0x03});  // from = 3 again
    auto r = decode_envelope(t);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().message().find("not canonically encoded") != std::string::npos);
  }
  SECTION("every truncation fails, or at a field boundary loses the fields after it") {
    // Protobuf cannot tell a cut between two fields from an envelope without them; such an envelope
    // differs from the one that was signed, so its signature does not verify (transport_codec_test).
    auto original = decode_envelope(good);
    REQUIRE(original.ok());
    size_t parsed_cuts = 0;
    for (size_t cut = 0; cut < good.size(); ++cut) {
      INFO("cut at " << cut);
      auto r = decode_envelope(std::span<const uint8_t>(good.data(), cut));
      if (!r.ok()) continue;
      ++parsed_cuts;
      CHECK_FALSE((r->same_content(*original) && r->seq == original->seq && r->signature == original->signature));
    }
    CHECK(parsed_cuts <= 3);  // before seq, payload and signature (the header fields are required)
  }
}

TEST_CASE("complaint: accused 0, no evidence and too much evidence are refused", "[envelope][complaint]") {
  const Message quoted = p2p_message(3, 1, WipedBytes{5, 6});
  auto round_trip = decode_complaint(encode_complaint(Complaint{3, {quoted}}));
  REQUIRE(round_trip.ok());
  CHECK(round_trip->accused == 3);
  REQUIRE(round_trip->evidence.size() == 1);
  CHECK(round_trip->evidence[0].same_content(quoted));

  auto refused = [](const Complaint& c, const std::string& words) {
    auto r = decode_complaint(encode_complaint(c));
    REQUIRE_FALSE(r.ok());
    INFO(r.status().to_string());
    CHECK(r.status().message().find(words) != std::string::npos);
  };
  refused(Complaint{0, {quoted}}, "complaint names party 0");
  refused(Complaint{3, {}}, "complaint without evidence");
  refused(Complaint{3, std::vector<Message>(kMaxComplaintEvidence + 1, quoted)}, "complaint with too much evidence");
  Message bad = quoted;
  bad.from = 0;  // evidence is decoded with every envelope rule
  refused(Complaint{3, {bad}}, "complaint evidence");
}
