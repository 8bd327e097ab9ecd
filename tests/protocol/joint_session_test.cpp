// Jointly derived session ids (protocol/joint_session.h): every participant
// derives the same id, which depends on every participant's nonce (no party
// chooses it), on the request and on the participant set; an equivocated nonce
// is named by the echo; signer selection is deterministic and excludes the
// unavailable.
#include <catch2/catch.hpp>

#include <set>

#include "protocol/joint_session.h"
#include "sim/adversary.h"
#include "sim/harness.h"
#include "sim/runner.h"

using namespace custos;
using protocol::PartyIndex;

namespace {

sim::RunResult<Digest32> run_joint(const std::vector<PartyIndex>& parties, const Digest32& request, uint64_t seed,
                                   const std::map<PartyIndex, sim::Tamper>& adversaries = {}) {
  std::map<PartyIndex, DeterministicRng> rngs = sim::party_rngs(seed, parties, "joint");
  std::map<PartyIndex, protocol::Session<Digest32>> sessions;
  for (PartyIndex p : parties) {
    auto s = protocol::make_joint_session({"cggmp21/sign", request, p, parties}, rngs.at(p));
    REQUIRE(s.ok());
    sessions.emplace(p, std::move(s).value());
  }
  return sim::run_sessions(sessions, rngs, sim::SchedulerOptions{seed, true, 0.1, true}, adversaries);
}

}  // namespace

TEST_CASE("joint session: every participant derives the same id, fresh per run", "[protocol][joint]") {
  const Digest32 request = sha256(as_bytes("intent"));
  std::set<Digest32> ids;
  for (uint64_t seed : {1, 2, 3}) {
    auto res = run_joint({1, 3, 4}, request, seed);
    REQUIRE(res.aborts.empty());
    REQUIRE(res.outputs.size() == 3);
    for (auto& [p, sid] : res.outputs) CHECK(sid == res.outputs.at(1));
    ids.insert(res.outputs.at(1));
  }
  CHECK(ids.size() == 3);  // nonces differ per run: no two runs share a session id
}

TEST_CASE("joint session: the setup id binds protocol, request and participants", "[protocol][joint]") {
  protocol::JointSessionConfig a{"cggmp21/sign", sha256(as_bytes("r1")), 1, {1, 2}};
  auto b = a;
  b.request = sha256(as_bytes("r2"));
  auto c = a;
  c.participants = {1, 3};
  auto d = a;
  d.protocol = "cggmp21/presign";
  auto e = a;
  e.self = 2;  // the setup id is the same for every participant
  CHECK(protocol::setup_session_id(a) != protocol::setup_session_id(b));
  CHECK(protocol::setup_session_id(a) != protocol::setup_session_id(c));
  CHECK(protocol::setup_session_id(a) != protocol::setup_session_id(d));
  CHECK(protocol::setup_session_id(a) == protocol::setup_session_id(e));
  DeterministicRng rng(1);
  CHECK_FALSE(protocol::make_joint_session({"x", {}, 5, {1, 2}}, rng).ok());  // self not a participant
  CHECK_FALSE(protocol::make_joint_session({"x", {}, 1, {2, 1}}, rng).ok());  // unsorted
  CHECK_FALSE(protocol::make_joint_session({"", {}, 1, {1}}, rng).ok());
}

TEST_CASE("joint session: a nonce sent differently to two parties is named by the echo", "[protocol][joint]") {
  sim::Tamper equivocate = [](const protocol::Message& m, PartyIndex r) -> std::vector<protocol::Message> {
    if (m.kind != protocol::Kind::kBroadcast || r != 3) return {m};
    protocol::Message x = m;
    x.payload[0] ^= 1;
    return {x};
  };
  auto res = run_joint({1, 2, 3}, sha256(as_bytes("eq")), 9, {{2, equivocate}});
  for (PartyIndex h : {PartyIndex{1}, PartyIndex{3}}) {
    INFO("party " << h);
    REQUIRE(res.aborts.count(h) == 1);
    CHECK(res.aborts.at(h).culprits == std::vector<PartyIndex>{2});
  }
}

TEST_CASE("joint session: a nonce of the wrong size blames its sender", "[protocol][joint]") {
  sim::Tamper shorten = [](const protocol::Message& m, PartyIndex) -> std::vector<protocol::Message> {
    if (m.kind != protocol::Kind::kBroadcast) return {m};
    protocol::Message x = m;
    x.payload.pop_back();
    return {x};
  };
  auto res = run_joint({1, 2, 3}, sha256(as_bytes("short")), 10, {{3, shorten}});
  for (PartyIndex h : {PartyIndex{1}, PartyIndex{2}}) {
    REQUIRE(res.aborts.count(h) == 1);
    CHECK(res.aborts.at(h).culprits == std::vector<PartyIndex>{3});
  }
}

TEST_CASE("signer selection: deterministic, t of the available, spread over requests", "[protocol][joint]") {
  const std::vector<PartyIndex> all{1, 2, 3, 4, 5};
  const Digest32 r = sha256(as_bytes("req"));
  auto a = protocol::select_signers(r, all, 3);
  REQUIRE(a.ok());
  CHECK(a->size() == 3);
  CHECK(std::is_sorted(a->begin(), a->end()));
  auto again = protocol::select_signers(r, {5, 4, 3, 2, 1, 1}, 3);  // order and duplicates do not matter
  REQUIRE(again.ok());
  CHECK(*again == *a);
  // A retry without a silent signer keeps the others that are still ranked first and adds the next.
  std::vector<PartyIndex> without;
  for (PartyIndex p : all)
    if (p != a->front()) without.push_back(p);
  auto retry = protocol::select_signers(r, without, 3);
  REQUIRE(retry.ok());
  CHECK(std::find(retry->begin(), retry->end(), a->front()) == retry->end());
  CHECK_FALSE(protocol::select_signers(r, {1, 2}, 3).ok());
  CHECK_FALSE(protocol::select_signers(r, all, 0).ok());
  // Different requests spread the load: over 50 requests every node is chosen at least once.
  std::set<PartyIndex> used;
  for (int i = 0; i < 50; ++i) {
    auto s = protocol::select_signers(sha256(as_bytes("req" + std::to_string(i))), all, 3);
    REQUIRE(s.ok());
    used.insert(s->begin(), s->end());
  }
  CHECK(used.size() == 5);
}
