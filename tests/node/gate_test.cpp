// The passkey gate against real WebAuthn assertions (software authenticator)
// and a real SQLite store: quorum, wrong origin, replay, expiry, another
// intent's approval, duplicate and foreign approvers, and counters that survive
// across approvals.
#include <catch2/catch.hpp>

#include "crypto/passkey/challenge.h"
#include "node/gate/approval_gate.h"
#include "sim/soft_authenticator.h"
#include "tests/node/store_fixture.h"

using namespace custos;
using custos::testing::TempDir;

namespace {

constexpr int64_t kNow = 1767225700;

SigningIntent make_intent(uint8_t nonce_byte, const std::string& digest_seed = "tx") {
  SigningIntent in;
  in.set_key_id("treasury-1");
  in.set_chain("bitcoin");
  Digest32 d = sha256(as_bytes(digest_seed));
  in.set_digest(std::string(d.begin(), d.end()));
  in.set_request_nonce(std::string(16, static_cast<char>(nonce_byte)));
  in.set_created_at_unix(kNow - 100);
  in.set_expires_at_unix(kNow + 500);
  in.set_initiator("ops@custos.example");
  return in;
}

std::vector<uint8_t> challenge_of(const SigningIntent& in) {
  auto bytes = protocol::intent_canonical_bytes(in);
  REQUIRE(bytes.ok());
  Digest32 c = passkey::intent_challenge(*bytes);
  return std::vector<uint8_t>(c.begin(), c.end());
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<node::NodeStore> store;
  sim::SoftAuthenticator alice, bob, carol;
  node::GateConfig config;
  node::ApprovalPolicy policy{2, {"alice", "bob"}};

  static sim::SoftAuthenticator make(uint64_t seed) {
    DeterministicRng rng(seed);
    auto a = sim::SoftAuthenticator::create(sim::SoftKeyType::kES256, &rng);
    REQUIRE(a.ok());
    return std::move(a).value();
  }

  Fixture() : alice(make(1)), bob(make(2)), carol(make(3)) {
    store = custos::testing::open_store(dir.file("node.db"), custos::testing::make_key_file(dir));
    REQUIRE(store);
    config.origins.allowed_origins = {alice.options().origin};
    config.rp_id = alice.options().rp_id;
    config.approvers["alice"] = {"alice", alice.credential_record()};
    config.approvers["bob"] = {"bob", bob.credential_record()};
    config.approvers["carol"] = {"carol", carol.credential_record()};
  }

  node::Approval approve(const std::string& who, sim::SoftAuthenticator& a, const SigningIntent& in) {
    return node::Approval{who, a.assertion_json(challenge_of(in))};
  }

  node::GateDecision check(const SigningIntent& in, const std::vector<node::Approval>& approvals,
                           int64_t now = kNow) {
    auto d = node::check_approvals(config, policy, in, approvals, now, *store);
    REQUIRE(d.ok());
    return *d;
  }
};

bool mentions(const node::GateDecision& d, const std::string& s) { return d.reason.find(s) != std::string::npos; }

}  // namespace

TEST_CASE("gate: two valid approvals of a 2-of-2 policy approve, and the nonce is spent", "[gate]") {
  Fixture f;
  auto in = make_intent(1);
  auto d = f.check(in, {f.approve("alice", f.alice, in), f.approve("bob", f.bob, in)});
  INFO(d.reason);
  CHECK(d.approved);
  CHECK(d.counted == 2);
  // The same intent again (even with fresh assertions) is a replay.
  auto again = f.check(in, {f.approve("alice", f.alice, in), f.approve("bob", f.bob, in)});
  CHECK_FALSE(again.approved);
  CHECK(mentions(again, "replay"));
}

TEST_CASE("gate: a missing approval refuses and names what was counted", "[gate]") {
  Fixture f;
  auto in = make_intent(2);
  auto d = f.check(in, {f.approve("alice", f.alice, in)});
  CHECK_FALSE(d.approved);
  CHECK(d.counted == 1);
  CHECK(mentions(d, "1 of 2 required"));
  CHECK(mentions(d, "alice: accepted"));
  // Not spent: the nonce stays usable once the second approval arrives.
  auto ok = f.check(in, {f.approve("alice", f.alice, in), f.approve("bob", f.bob, in)});
  CHECK(ok.approved);
}

TEST_CASE("gate: a wrong-origin approval is not counted and its reason is reported", "[gate]") {
  Fixture f;
  auto in = make_intent(3);
  f.bob.options().origin = "https://evil.example";
  auto d = f.check(in, {f.approve("alice", f.alice, in), f.approve("bob", f.bob, in)});
  CHECK_FALSE(d.approved);
  CHECK(mentions(d, "bob: reject: origin_not_allowed: origin https://evil.example is not allowed"));
}

TEST_CASE("gate: an approval of another intent does not count", "[gate]") {
  Fixture f;
  auto in = make_intent(4, "pay 1 BTC");
  auto other = make_intent(4, "pay 100 BTC");
  auto d = f.check(other, {f.approve("alice", f.alice, in), f.approve("bob", f.bob, in)});
  CHECK_FALSE(d.approved);
  CHECK(mentions(d, "challenge_mismatch"));
}

TEST_CASE("gate: duplicate and foreign approvers are counted once or not at all", "[gate]") {
  Fixture f;
  auto in = make_intent(5);
  auto d = f.check(in, {f.approve("alice", f.alice, in), f.approve("alice", f.alice, in),
                        f.approve("carol", f.carol, in), f.approve("mallory", f.carol, in)});
  CHECK_FALSE(d.approved);
  CHECK(d.counted == 1);
  CHECK(mentions(d, "same approver"));
  CHECK(mentions(d, "carol: not an approver of this key"));
  CHECK(mentions(d, "mallory: not an enrolled approver"));
}

TEST_CASE("gate: expired, future and over-long intents are refused", "[gate]") {
  Fixture f;
  auto in = make_intent(6);
  auto approvals = std::vector<node::Approval>{f.approve("alice", f.alice, in), f.approve("bob", f.bob, in)};
  CHECK(mentions(f.check(in, approvals, kNow + 500), "expired"));
  CHECK(mentions(f.check(in, approvals, kNow - 100 - f.config.max_clock_skew_s - 1), "in the future"));
  auto longer = make_intent(7);
  longer.set_expires_at_unix(longer.created_at_unix() + 7200);
  auto d = f.check(longer, {f.approve("alice", f.alice, longer), f.approve("bob", f.bob, longer)});
  CHECK(mentions(d, "lifetime"));
}

TEST_CASE("gate: counters persist, so an older assertion is refused after a newer one was approved", "[gate]") {
  Fixture f;
  auto first = make_intent(8);
  auto second = make_intent(9);
  // Bob signs the second intent first (counter n), then the first (counter n+1) — but the first is
  // approved before the second: the second's counter is then behind the stored one.
  auto bob_second = f.approve("bob", f.bob, second);
  auto bob_first = f.approve("bob", f.bob, first);
  REQUIRE(f.check(first, {f.approve("alice", f.alice, first), bob_first}).approved);
  auto d = f.check(second, {f.approve("alice", f.alice, second), bob_second});
  CHECK_FALSE(d.approved);
  CHECK(mentions(d, "bob: reject: sign_count_rollback"));
  auto stored = f.store->approver_sign_count("bob", f.bob.credential_id());
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK(**stored == f.bob.sign_count());
}

TEST_CASE("gate: a misconfigured policy is an error, not an approval", "[gate]") {
  Fixture f;
  auto in = make_intent(10);
  f.policy = node::ApprovalPolicy{0, {"alice"}};
  CHECK_FALSE(node::check_approvals(f.config, f.policy, in, {}, kNow, *f.store).ok());
  f.policy = node::ApprovalPolicy{3, {"alice", "bob"}};
  CHECK_FALSE(node::check_approvals(f.config, f.policy, in, {}, kNow, *f.store).ok());
  f.policy = node::ApprovalPolicy{1, {"zed"}};
  CHECK_FALSE(node::check_approvals(f.config, f.policy, in, {}, kNow, *f.store).ok());
}
