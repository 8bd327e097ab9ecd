// CGGMP21 sessions between three nodes over real ZeroMQ CURVE transports on
// loopback, driven by SessionRunner: keygen, presign and sign complete with
// matching outputs and a verifying signature; a node that goes silent makes the
// others' sessions time out naming it, and only it.
#include <catch2/catch.hpp>

#include "crypto/ecdsa.h"
#include "node/session/session_runner.h"
#include "protocol/cggmp21/keygen.h"
#include "protocol/cggmp21/presign.h"
#include "protocol/cggmp21/sign.h"
#include "sim/harness.h"
#include "sim/key_pool.h"
#include "tests/node/transport_fixture.h"

using namespace custos;
using namespace custos::testing;
using namespace std::chrono_literals;

namespace {

struct Net {
  LogCapture log;
  std::vector<NodeKeys> keys;
  std::vector<std::unique_ptr<node::Transport>> transports;
  std::vector<std::unique_ptr<node::SessionRunner>> runners;

  explicit Net(size_t n, uint64_t seed) {
    for (size_t i = 1; i <= n; ++i) keys.push_back(make_node(static_cast<PartyIndex>(i), seed));
    std::map<PartyIndex, node::Key32> eds;
    for (const NodeKeys& k : keys) eds[k.id] = k.ed_public;
    for (const NodeKeys& k : keys) {
      std::vector<const NodeKeys*> peers;
      for (const NodeKeys& o : keys)
        if (o.id != k.id) peers.push_back(&o);
      transports.push_back(make_transport(k, peers, quiet_options(log)));
      REQUIRE(transports.back()->start().ok());
      runners.push_back(std::make_unique<node::SessionRunner>(*transports.back(), eds));
      runners.back()->start();
    }
  }
  ~Net() {
    for (auto& r : runners) r->stop();
    for (auto& t : transports) t->stop();
  }
  node::SessionRunner& runner(PartyIndex p) { return *runners.at(p - 1); }
};

template <class Out>
std::map<PartyIndex, node::SessionOutcome<Out>> wait_all(std::map<PartyIndex, std::future<node::SessionOutcome<Out>>>& fs) {
  std::map<PartyIndex, node::SessionOutcome<Out>> out;
  for (auto& [p, f] : fs) {
    REQUIRE(f.wait_for(60s) == std::future_status::ready);
    out.emplace(p, f.get());
  }
  return out;
}

Digest32 sid(const char* what) { return sha256(as_bytes(std::string("session-runner-test/") + what)); }

}  // namespace

TEST_CASE("session runner: keygen between three nodes over CURVE", "[node][session]") {
  Net net(3, 41);
  const std::vector<PartyIndex> parties{1, 2, 3};
  std::map<PartyIndex, std::future<node::SessionOutcome<cggmp21::KeyShare>>> fs;
  for (PartyIndex p : parties) {
    OsRng rng;
    auto s = cggmp21::make_keygen_session(cggmp21::KeygenConfig{sid("keygen"), p, parties, 2}, rng);
    REQUIRE(s.ok());
    auto f = net.runner(p).run(std::move(s).value(), node::Clock::now() + 30s);
    REQUIRE(f.ok());
    fs.emplace(p, std::move(f).value());
  }
  auto out = wait_all(fs);
  for (PartyIndex p : parties) {
    INFO("party " << p << (out.at(p).abort ? ": " + out.at(p).abort->to_string() : ""));
    REQUIRE(out.at(p).output.has_value());
    CHECK(out.at(p).output->public_key == out.at(1).output->public_key);
  }
  // Finished sessions are unregistered.
  CHECK(net.runner(1).running() == 0);
}

TEST_CASE("session runner: presign and sign over CURVE produce a verifying signature", "[node][session]") {
  static const auto keys = sim::setup_keys(2, 3, sim::test_paillier_keys(), 4242);
  Net net(3, 42);
  const std::vector<PartyIndex> signers{1, 3};
  std::map<PartyIndex, std::future<node::SessionOutcome<cggmp21::Presignature>>> pf;
  for (PartyIndex p : signers) {
    OsRng rng;
    auto s = cggmp21::make_presign_session(cggmp21::PresignConfig{sid("presign"), keys.at(p).share, keys.at(p).aux, signers}, rng);
    REQUIRE(s.ok());
    auto f = net.runner(p).run(std::move(s).value(), node::Clock::now() + 60s);
    REQUIRE(f.ok());
    pf.emplace(p, std::move(f).value());
  }
  auto pre = wait_all(pf);
  for (PartyIndex p : signers) {
    INFO("party " << p << (pre.at(p).abort ? ": " + pre.at(p).abort->to_string() : ""));
    REQUIRE(pre.at(p).output.has_value());
  }
  const Digest32 digest = sha256(as_bytes("session runner"));
  std::map<PartyIndex, std::future<node::SessionOutcome<cggmp21::SignOutput>>> sf;
  for (PartyIndex p : signers) {
    OsRng rng;
    cggmp21::SignConfig cfg{sid("sign"), keys.at(p).share,
                            std::make_shared<const cggmp21::Presignature>(*pre.at(p).output), digest, Scalar()};
    auto s = cggmp21::make_sign_session(cfg, rng);
    REQUIRE(s.ok());
    auto f = net.runner(p).run(std::move(s).value(), node::Clock::now() + 30s);
    REQUIRE(f.ok());
    sf.emplace(p, std::move(f).value());
  }
  auto sig = wait_all(sf);
  for (PartyIndex p : signers) {
    INFO("party " << p << (sig.at(p).abort ? ": " + sig.at(p).abort->to_string() : ""));
    REQUIRE(sig.at(p).output.has_value());
    CHECK(ecdsa_verify(sig.at(p).output->public_key, digest, sig.at(p).output->signature));
    CHECK(sig.at(p).output->signature.compact() == sig.at(1).output->signature.compact());
  }
}

TEST_CASE("session runner: a silent node makes the others time out naming it", "[node][session]") {
  Net net(3, 43);
  const std::vector<PartyIndex> parties{1, 2, 3};
  net.runners.at(2)->stop();  // node 3 is up (its transport acks) but runs no session
  std::map<PartyIndex, std::future<node::SessionOutcome<cggmp21::KeyShare>>> fs;
  for (PartyIndex p : {PartyIndex{1}, PartyIndex{2}}) {
    OsRng rng;
    auto s = cggmp21::make_keygen_session(cggmp21::KeygenConfig{sid("silent"), p, parties, 2}, rng);
    REQUIRE(s.ok());
    auto f = net.runner(p).run(std::move(s).value(), node::Clock::now() + 1500ms);
    REQUIRE(f.ok());
    fs.emplace(p, std::move(f).value());
  }
  auto out = wait_all(fs);
  for (PartyIndex p : {PartyIndex{1}, PartyIndex{2}}) {
    const auto& o = out.at(p);
    REQUIRE_FALSE(o.output.has_value());
    REQUIRE(o.abort.has_value());
    CHECK(o.timed_out);
    CHECK(o.abort->culprits == std::vector<PartyIndex>{3});
    CHECK(o.abort->reason.find("no answer from party 3") != std::string::npos);
  }
}

TEST_CASE("session runner: stop ends unfinished sessions instead of leaving callers waiting", "[node][session]") {
  Net net(2, 44);
  OsRng rng;
  auto s = cggmp21::make_keygen_session(cggmp21::KeygenConfig{sid("stop"), 1, {1, 2}, 2}, rng);
  REQUIRE(s.ok());
  net.runners.at(1)->stop();  // the peer never answers
  auto f = net.runner(1).run(std::move(s).value(), node::Clock::now() + 60s);
  REQUIRE(f.ok());
  net.runner(1).stop();
  REQUIRE(f->wait_for(2s) == std::future_status::ready);
  auto o = f->get();
  REQUIRE(o.abort.has_value());
  CHECK(o.abort->reason.find("node stopping") != std::string::npos);
  CHECK(o.abort->culprits.empty());  // our own stop blames no peer
}
