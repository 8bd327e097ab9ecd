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
