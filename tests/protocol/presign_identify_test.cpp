// A signer that lies about δ_j (consistently to everyone, so the echo does not
// catch it) passes every round-3 proof; the δ check fails and identification
// (Πmul + Πdec over the published MtA ciphertexts) must name exactly that signer.
#include <catch2/catch.hpp>

#include "protocol/proto/cggmp21.pb.h"
#include "protocol/wire.h"
#include "sim/harness.h"
#include "tests/test_support.h"

using namespace custos;

TEST_CASE("presign: a wrong δ_j is identified through Πmul/Πdec", "[presign][identify]") {
  uint64_t seed = testing::test_seed(31);
  auto keys = sim::setup_keys(3, 3, sim::test_paillier_keys(), seed);
  const protocol::PartyIndex adversary = 3;
  auto bump = [](const WipedBytes& payload) {
    auto b = protocol::parse_payload<wire::PresignR3Broadcast>(payload);
    REQUIRE(b.ok());
    auto delta = Scalar::from_bytes(protocol::field_bytes(b->delta()));
    REQUIRE(delta.ok());
    auto bumped = (*delta + Scalar::from_u64(1)).to_bytes();
    b->set_delta(std::string(bumped.begin(), bumped.end()));
    return protocol::serialize_deterministic(*b);
  };
  // The adversary tells everyone δ_3 + 1 and repeats that lie in its own echo,
  // so only the δ check can catch it. To make the adversary take part in the
  // identification too (a silent adversary would just time out), its view of
  // δ_1 is also bumped, and its echo quotes party 1's true broadcast.
  WipedBytes party1_round3;
  sim::Tamper adversary_hook = [&](const protocol::Message& m, protocol::PartyIndex) {
    protocol::Message out = m;
    if (m.protocol == "cggmp21/presign" && m.round == 3 && m.kind == protocol::Kind::kBroadcast) {
      out.payload = bump(m.payload);
    } else if (m.protocol == "cggmp21/presign" && m.round == 3 && m.kind == protocol::Kind::kEcho) {
      auto entries = protocol::decode_echo(m.payload);
      REQUIRE(entries.ok());
      for (auto& e : *entries) {
        if (e.from == adversary) e.payload = bump(e.payload);
        if (e.from == 1) e.payload = party1_round3;
      }
      out.payload = protocol::encode_echo(*entries);
    }
    return std::vector<protocol::Message>{out};
  };
  sim::Tamper adversary_view_of_party1 = [&](const protocol::Message& m, protocol::PartyIndex to) {
    protocol::Message out = m;
    if (m.protocol == "cggmp21/presign" && m.round == 3 && m.kind == protocol::Kind::kBroadcast) {
      party1_round3 = m.payload;
      if (to == adversary) out.payload = bump(m.payload);
    }
    return std::vector<protocol::Message>{out};
  };
  auto res = sim::run_presign(keys, {1, 2, 3}, seed, sim::SchedulerOptions{seed, false, 0.0},
                              {{adversary, adversary_hook}, {1, adversary_view_of_party1}});
  CHECK(res.outputs.empty());
  CHECK(res.stalled.empty());
  for (protocol::PartyIndex honest : {1u, 2u}) {
    REQUIRE(res.aborts.count(honest));
    const auto& a = res.aborts.at(honest);
    INFO(a.to_string());
    CHECK(a.culprits == std::vector<protocol::PartyIndex>{adversary});
    CHECK(a.reason.find("δ") != std::string::npos);
  }
}
