// The node control message codec: round trip, and every malformed form refused.
#include <catch2/catch.hpp>

#include "node/flows/control.h"

using namespace custos;

TEST_CASE("control: keygen request round trip and strict decoding", "[node][control]") {
  node::KeygenRequest r;
  r.request_id.fill(7);
  r.threshold = 2;
  r.participants = {1, 2, 5};
  auto bytes = node::encode_keygen_request(r);
  auto back = node::decode_keygen_request(bytes);
  REQUIRE(back.ok());
  CHECK(back->request_id == r.request_id);
  CHECK(back->threshold == 2);
  CHECK(back->participants == r.participants);

  auto refused = [](node::KeygenRequest x) { return !node::decode_keygen_request(node::encode_keygen_request(x)).ok(); };
  auto bad = r;
  bad.participants = {2, 1, 5};
  CHECK(refused(bad));  // unsorted
  bad.participants = {1, 1, 5};
  CHECK(refused(bad));  // duplicate
  bad.participants = {0, 1};
  CHECK(refused(bad));  // index 0
  bad = r;
  bad.threshold = 4;
  CHECK(refused(bad));  // t > n
  bad.threshold = 0;
  CHECK(refused(bad));
  bad = r;
  bad.participants.clear();
  CHECK(refused(bad));

  auto trailing = bytes;
  trailing.push_back(0);
  CHECK_FALSE(node::decode_keygen_request(trailing).ok());
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    CHECK_FALSE(node::decode_keygen_request(std::span<const uint8_t>(bytes.data(), cut)).ok());
  }
  auto other_type = bytes;
  other_type[0] = 9;
  CHECK_FALSE(node::decode_keygen_request(other_type).ok());

  auto m = node::control_message(3, r.request_id, bytes);
  CHECK(m.protocol == node::kControlProtocol);
  CHECK(m.from == 3);
  CHECK(m.kind == protocol::Kind::kBroadcast);
  CHECK(m.session_id == r.request_id);
}

namespace {
// Every strict prefix and one trailing byte are refused.
template <class Decode>
void check_truncations(const std::vector<uint8_t>& bytes, Decode decode) {
  for (size_t cut = 0; cut < bytes.size(); ++cut) CHECK_FALSE(decode(std::span<const uint8_t>(bytes.data(), cut)).ok());
  auto trailing = bytes;
  trailing.push_back(0);
  CHECK_FALSE(decode(trailing).ok());
}
}  // namespace

TEST_CASE("control: sign request, reply and presign request round trip and strict decoding", "[node][control]") {
  node::SignRequest r;
  r.request_id.fill(3);
  r.intent = {1, 2, 3, 4};
  r.approvals = {{"alice", "{\"id\":\"x\"}"}, {"bob", "{}"}};
  r.attempt = 2;
  r.signers = {1, 4, 5};
  r.presignature_id.fill(9);
  const auto bytes = node::encode_sign_request(r);
  auto back = node::decode_sign_request(bytes);
  REQUIRE(back.ok());
  CHECK(back->request_id == r.request_id);
  CHECK(back->intent == r.intent);
  REQUIRE(back->approvals.size() == 2);
  CHECK(back->approvals[1].approver == "bob");
  CHECK(back->approvals[0].assertion_json == "{\"id\":\"x\"}");
  CHECK(back->attempt == 2);
  CHECK(back->signers == r.signers);
  CHECK(back->presignature_id == r.presignature_id);
  check_truncations(bytes, [](auto b) { return node::decode_sign_request(b); });
  auto bad = r;
  bad.signers = {4, 1, 5};
  CHECK_FALSE(node::decode_sign_request(node::encode_sign_request(bad)).ok());
  bad = r;
  bad.approvals.assign(node::kMaxApprovals + 1, {"a", "{}"});
  CHECK_FALSE(node::decode_sign_request(node::encode_sign_request(bad)).ok());
  bad = r;
  bad.approvals = {{std::string(65, 'a'), "{}"}};
  CHECK_FALSE(node::decode_sign_request(node::encode_sign_request(bad)).ok());
  CHECK(node::control_type(bytes).value() == node::ControlType::kSign);
  CHECK_FALSE(node::decode_keygen_request(bytes).ok());  // the type byte keeps the codecs apart

  node::ControlReply reply{r.request_id, 1, node::ReplyStatus::kRefused, "approvals: 1 of 2"};
  const auto rb = node::encode_reply(reply);
  auto rback = node::decode_reply(rb);
  REQUIRE(rback.ok());
  CHECK(rback->status == node::ReplyStatus::kRefused);
  CHECK(rback->detail == reply.detail);
  CHECK(rback->attempt == 1);
  check_truncations(rb, [](auto b) { return node::decode_reply(b); });
  auto bad_status = rb;
  bad_status[1 + 4 + 32 + 4] = 9;  // type, id length, id, attempt, then the status byte
  CHECK_FALSE(node::decode_reply(bad_status).ok());
  // An over-long detail is cut to the bound when encoded, never sent whole.
  reply.detail.assign(node::kMaxReplyDetail + 100, 'x');
  CHECK(node::decode_reply(node::encode_reply(reply)).value().detail.size() == node::kMaxReplyDetail);

  node::PresignRequest p{r.request_id, r.presignature_id, {2, 3}};
  const auto pb = node::encode_presign_request(p);
  auto pback = node::decode_presign_request(pb);
  REQUIRE(pback.ok());
  CHECK(pback->key_id == p.key_id);
  CHECK(pback->signers == p.signers);
  check_truncations(pb, [](auto b) { return node::decode_presign_request(b); });
  p.signers.clear();
  CHECK_FALSE(node::decode_presign_request(node::encode_presign_request(p)).ok());

  CHECK_FALSE(node::control_type({}).ok());
  const std::vector<uint8_t> unknown{7, 0};
  CHECK_FALSE(node::control_type(unknown).ok());
  auto p2p = node::control_message(2, r.request_id, pb, 5);
  CHECK(p2p.kind == protocol::Kind::kP2P);
  CHECK(p2p.to == 5);
}
