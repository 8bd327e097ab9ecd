// `custos sign` against a stand-in node (an httplib server in the test answering POST /v1/sign the way
// the contract says): the request carries the intent and approvals as JSON objects; a valid signature is
// printed; a signature that does not verify, or signs another digest, is refused; a 403 prints every
// node's refusal; and argument errors and an unreachable node give exit 2 and 1. The real network is
// exercised by the daemon tests.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "crypto/ecdsa.h"
#include "crypto/hex.h"
#include "protocol/intent.h"
#include "tests/node/cli_fixture.h"
#include "tests/node/store_fixture.h"

using namespace custos;
using custos::testing::CliRun;
using custos::testing::has;
using custos::testing::TempDir;

namespace {

const std::string kDigestHex = "5f1c7a9e0b3d2c4f6a8e1b3d5f7a9c0e2b4d6f8a1c3e5b7d9f0a2c4e6b8d0f12";

// A node that answers every POST /v1/sign with `status` and `body`, and keeps the last request body.
class FakeNode {
 public:
  FakeNode(int status, std::string body) : status_(status), body_(std::move(body)) {
    server_.Post("/v1/sign", [this](const httplib::Request& req, httplib::Response& res) {
      last_request_ = req.body;
      res.status = status_;
      res.set_content(body_, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    // The socket already listens: a request made before the accept loop runs just waits in the backlog.
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeNode() {
    // stop() is a no-op until the loop runs, and the join would then wait forever.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    server_.stop();
    thread_.join();
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& last_request() const { return last_request_; }

 private:
  httplib::Server server_;
  int status_;
  std::string body_;
  int port_ = 0;
  std::thread thread_;
  std::string last_request_;
};

std::vector<uint8_t> digest_bytes() { return *custos::from_hex(kDigestHex); }

// A low-s ECDSA signature of the digest under a fresh key, in the node's answer format.
nlohmann::json signature_answer(uint64_t seed) {
  DeterministicRng rng(seed);
  const Scalar x = Scalar::random_nonzero(rng), k = Scalar::random_nonzero(rng);
  const Point pk = Point::base_mul(x), R = Point::base_mul(k);
  EcdsaSignature sig;
  sig.r = R.x_mod_q();
  sig.s = *k.inverse() * (Scalar::from_bytes_reduced(digest_bytes()) + sig.r * x);
  sig.recovery_id = R.y_is_odd() ? 1 : 0;
  normalize_low_s(sig);
  REQUIRE(ecdsa_verify(pk, digest_bytes(), sig));
  const auto pk_bytes = pk.encode();
  const auto r = sig.r.to_bytes(), s = sig.s.to_bytes();
  return {{"request_id", std::string(32, 'a')},
          {"key_id", std::string(64, 'b')},
          {"public_key", custos::to_hex(pk_bytes)},
          {"digest", kDigestHex},
          {"r", custos::to_hex(r)},
          {"s", custos::to_hex(s)},
          {"recovery_id", sig.recovery_id},
          {"der", custos::to_hex(sig.der())},
          {"signers", nlohmann::json::array({1, 3})},
          {"attempts", 1}};
}

struct Files {
  TempDir dir;
  std::string intent, alice, bob;
  Files() {
    SigningIntent in;
    in.set_key_id("treasury-1");
    in.set_chain("bitcoin");
    const auto d = digest_bytes();
    in.set_digest(std::string(d.begin(), d.end()));
    in.set_request_nonce(std::string(32, '\x07'));
    const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
    in.set_created_at_unix(now);
    in.set_expires_at_unix(now + 600);
    in.set_initiator("ops");
    intent = dir.file("intent.json");
    testing::write_file(intent, *protocol::intent_to_json(in));
    alice = dir.file("alice.approval");
    bob = dir.file("bob.approval");
    // The stand-in node does not check the assertions; the shape is what the CLI checks.
    testing::write_file(alice, R"({"approver": "alice", "assertion": {"id": "AA", "type": "public-key"}})");
    testing::write_file(bob, R"({"approver": "bob", "assertion": {"id": "AQ", "type": "public-key"}})");
  }
};

CliRun sign(std::vector<std::string> args) { return testing::run_cli(cli::sign_command, "sign", std::move(args)); }

}  // namespace

TEST_CASE("cli sign: a valid signature is verified locally and printed", "[cli][sign]") {
  Files f;
  const nlohmann::json answer = signature_answer(1);
  FakeNode node(200, answer.dump());
  const CliRun r = sign({"--intent", f.intent, "--approval", f.alice, "--approval", f.bob, "--node", node.address()});
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  CHECK(has(r.out, "signed by nodes 1, 3"));
  CHECK(has(r.out, answer["r"].get<std::string>()));
  CHECK(has(r.out, answer["der"].get<std::string>()));
  CHECK(has(r.out, "verified locally"));
  // The request: the intent and each approval as JSON objects.
  const auto request = nlohmann::json::parse(node.last_request());
  CHECK(request["intent"]["key_id"] == "treasury-1");
  CHECK(request["intent"]["digest"] == kDigestHex);
  REQUIRE(request["approvals"].size() == 2);
  CHECK(request["approvals"][0]["approver"] == "alice");
  CHECK(request["approvals"][1]["assertion"].is_object());

  const CliRun json = sign({"--intent", f.intent, "--approval", f.alice, "--node", node.address(), "--json"});
  REQUIRE(json.rc == 0);
  CHECK(nlohmann::json::parse(json.out) == answer);
}

TEST_CASE("cli sign: a signature that does not check out is refused", "[cli][sign]") {
  Files f;
  const nlohmann::json good = signature_answer(2);
  struct Case {
    const char* what;
    std::function<void(nlohmann::json&)> tamper;
    const char* message;
  };
  const std::vector<Case> cases = {
      {"another digest", [](nlohmann::json& j) { j["digest"] = std::string(64, '1'); }, "not the intent's digest"},
      {"another key", [](nlohmann::json& j) { j["public_key"] = signature_answer(3)["public_key"]; }, "does not verify"},
      {"high s",
       [](nlohmann::json& j) {
         auto s = Scalar::from_bytes(*custos::from_hex(j["s"].get<std::string>()));
         j["s"] = custos::to_hex((-*s).to_bytes());
       },
       "does not verify"},
      {"der of something else", [](nlohmann::json& j) { j["der"] = "3006020101020101"; }, "der"},
      {"missing r", [](nlohmann::json& j) { j.erase("r"); }, "r (32 bytes hex)"},
      {"recovery id 2", [](nlohmann::json& j) { j["recovery_id"] = 2; }, "recovery_id"},
      {"no signers", [](nlohmann::json& j) { j.erase("signers"); }, "signers"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    nlohmann::json answer = good;
    c.tamper(answer);
    FakeNode node(200, answer.dump());
    const CliRun r = sign({"--intent", f.intent, "--approval", f.alice, "--node", node.address()});
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK(has(r.err, c.message));
    CHECK(r.out.empty());
  }
}

TEST_CASE("cli sign: a refusal prints each node's reason and exits 1", "[cli][sign]") {
  Files f;
  const nlohmann::json refusal = {
      {"error", "approval quorum not met"},
      {"request_id", std::string(32, 'c')},
      {"refusals", nlohmann::json::array({
                       nlohmann::json{{"node", 2}, {"reason", "1 of 2 required approvals; bob: reject: challenge_mismatch: wrong intent"}},
                       nlohmann::json{{"node", 3}, {"reason", "intent expired"}}})}};
  FakeNode node(403, refusal.dump());
  const CliRun r = sign({"--intent", f.intent, "--approval", f.alice, "--node", node.address()});
  CHECK(r.rc == 1);
  CHECK(has(r.err, "refused to sign: approval quorum not met"));
  CHECK(has(r.err, "node 2 refused: 1 of 2 required approvals; bob: reject: challenge_mismatch"));
  CHECK(has(r.err, "node 3 refused: intent expired"));
  const CliRun json = sign({"--intent", f.intent, "--approval", f.alice, "--node", node.address(), "--json"});
  CHECK(json.rc == 1);
  CHECK(nlohmann::json::parse(json.out) == refusal);

  FakeNode broken(502, R"({"error": "signing session failed: node 4 timed out"})");
  const CliRun failed = sign({"--intent", f.intent, "--approval", f.alice, "--node", broken.address()});
  CHECK(failed.rc == 1);
  CHECK(has(failed.err, "answered 502: signing session failed: node 4 timed out"));
}

TEST_CASE("cli sign: argument errors exit 2, an unreachable node exits 1", "[cli][sign]") {
  Files f;
  CHECK(sign({"--intent", f.intent}).rc == 2);                     // no approval
  CHECK(sign({"--approval", f.alice}).rc == 2);                    // no intent
  CHECK(sign({"--intent", f.intent, "--approval", f.alice, "--node", "nowhere"}).rc == 2);
  CHECK(sign({"--intent", f.intent, "--approval", f.alice, "--timeout", "0"}).rc == 2);
  const CliRun missing = sign({"--intent", f.intent, "--approval", f.dir.file("nope.json")});
  CHECK(missing.rc == 2);
  CHECK(has(missing.err, "cannot read approval " + f.dir.file("nope.json")));
  testing::write_file(f.dir.file("extra.json"), R"({"approver": "carol", "assertion": {}, "note": "x"})");
  const CliRun extra = sign({"--intent", f.intent, "--approval", f.dir.file("extra.json")});
  CHECK(extra.rc == 2);
  CHECK(has(extra.err, "unknown member \"note\""));
  testing::write_file(f.dir.file("string.json"), R"({"approver": "carol", "assertion": "{}"})");
  CHECK(has(sign({"--intent", f.intent, "--approval", f.dir.file("string.json")}).err, "\"assertion\" is missing or not an object"));
  const CliRun twice = sign({"--intent", f.intent, "--approval", f.alice, "--approval", f.alice});
  CHECK(twice.rc == 2);
  CHECK(has(twice.err, "both approvals by alice"));
  const CliRun bad_intent = sign({"--intent", f.alice, "--approval", f.alice});
  CHECK(bad_intent.rc == 2);
  CHECK(has(bad_intent.err, "intent " + f.alice + " is invalid"));

  const CliRun down = sign({"--intent", f.intent, "--approval", f.alice, "--node", "127.0.0.1:1", "--timeout", "2"});
  CHECK(down.rc == 1);
  CHECK(has(down.err, "cannot reach node at 127.0.0.1:1"));
  CHECK(sign({"--help"}).rc == 0);
}
