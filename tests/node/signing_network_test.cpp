// Passkey-gated signing across real custos-node processes on 127.0.0.1 (issue 4): approved intents
// are signed (and verify under the BIP-32 derived key), an intent without its quorum or with a
// wrong-origin approval is refused by every node with the reason, a replay is refused, and a node
// stopped (SIGSTOP) during signing is named by the deadline while the retry with other signers succeeds.
#include <signal.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "node/flows/signing_service.h"
#include "tests/node/network_fixture.h"

using namespace custos;
using namespace custos::testing;

namespace {

nlohmann::json parse_ok(const httplib::Result& res, LocalNetwork& net, int node) {
  REQUIRE(res);
  INFO("answer: " << res->body << "\nnode " << node << " log:\n" << net.log(node));
  REQUIRE(res->status == 200);
  return nlohmann::json::parse(res->body);
}

// The refusal list of a 403 answer as node -> reason.
std::map<int, std::string> refusals_of(const httplib::Result& res) {
  REQUIRE(res);
  INFO(res->body);
  REQUIRE(res->status == 403);
  std::map<int, std::string> out;
  const auto answer = nlohmann::json::parse(res->body);
  for (const auto& r : answer.at("refusals")) out[r.at("node").get<int>()] = r.at("reason");
  return out;
}

}  // namespace

TEST_CASE("signing network: approved intents are signed, unapproved or wrong-origin ones refused by every node",
          "[node][daemon][signing]") {
  TempDir dir;
  LocalNetwork net(dir, NetworkOptions{}, 20000);
  net.start_all();
  net.keygen();

  // Approved by alice and bob (quorum 2 of 2): signed, through every node as coordinator.
  for (int round = 0; round < 4; ++round) {
    const int node = 1 + round % 3;
    const SigningIntent in = net.intent({0, static_cast<uint32_t>(round)});
    const std::string body = net.sign_body(in, {"alice", "bob"});
    const auto answer = parse_ok(net.post_sign(node, body), net, node);
    net.check_signature(answer, in);
    CHECK(answer.at("signers").size() == 2);
    if (round == 0) {
      // The same request again at its coordinator: refused as already submitted.
      auto again = net.post_sign(node, body);
      REQUIRE(again);
      CHECK(again->status == 409);
      CHECK(again->body.find("already submitted") != std::string::npos);
      // At any other node: never signed twice. A node that only judged the request gets it after the
      // signers are done, so a resubmission racing that relay is refused by the signers (403, replay)
      // instead; once the relay is in, every node answers 409.
      for (int to = 1; to <= 3; ++to) {
        if (to == node) continue;
        bool known = false;
        for (int tries = 0; tries < 50 && !known; ++tries) {
          auto other = net.post_sign(to, body);
          REQUIRE(other);
          INFO("node " << to << ": " << other->status << " " << other->body);
          REQUIRE(other->status != 200);
          known = other->status == 409;
          if (!known) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        CHECK(known);
      }
    }
  }

  // Approved by one approver only: every node refuses, each saying why. A refusal records nothing: the
  // same intent, sent again with both approvals, is signed.
  {
    const SigningIntent in = net.intent();
    const auto refused = refusals_of(net.post_sign(2, net.sign_body(in, {"alice"})));
    REQUIRE(refused.size() == 3);
    for (const auto& [node, reason] : refused) {
      INFO("node " << node << ": " << reason);
      CHECK(reason.find("1 of 2") != std::string::npos);
    }
    net.check_signature(parse_ok(net.post_sign(2, net.sign_body(in, {"alice", "bob"})), net, 2), in);
  }
  // An approval made on another origin: every node refuses it.
  {
    sim::SoftAuthenticator& bob = net.approver("bob");
    bob.options().origin = "https://evil.example";
    const auto refused = refusals_of(net.post_sign(1, net.sign_body(net.intent(), {"alice", "bob"})));
    bob.options().origin = "https://custos.example";
    REQUIRE(refused.size() == 3);
    for (const auto& [node, reason] : refused) {
      INFO("node " << node << ": " << reason);
      CHECK(reason.find("origin") != std::string::npos);
    }
  }

  for (int i = 1; i <= 3; ++i) kill(net.pid(i), SIGTERM);
  for (int i = 1; i <= 3; ++i) CHECK(wait_exit(net.pid(i), std::chrono::seconds(10)) == 0);
  net.processes().pids.clear();

  // No node printed a secret of any node (its own or one that travelled to it) in its log, after a
  // keygen, aux-info, presigning, signing and refusals.
  std::string logs;
  for (int i = 1; i <= 3; ++i) logs += net.log(i);
  REQUIRE(logs.size() > 1000);  // the nodes did log
  for (int i = 1; i <= 3; ++i) {
    const auto fragments = net.secret_fragments(i);
    REQUIRE(fragments.size() > 400);
    size_t found = 0;
    for (const std::string& f : fragments) found += logs.find(f) != std::string::npos;
    INFO("node " << i << ": " << found << " of " << fragments.size() << " secret fragments appear in the logs");
    CHECK(found == 0);
  }
}

TEST_CASE("signing network: a signer stopped (SIGSTOP) during signing is named by the deadline and the retry signs",
          "[node][daemon][signing]") {
  TempDir dir;
  NetworkOptions opt;
  opt.pool_depth = 0;  // fresh presignatures: the first signer set is then a known function of the request
  LocalNetwork net(dir, opt, 21000);
  net.start_all();
  net.keygen();

  // An intent whose first attempt at coordinator 1 includes node 3.
  SigningIntent in;
  for (;;) {
    in = net.intent();
    auto canonical = protocol::intent_canonical_bytes(in);
    REQUIRE(canonical.ok());
    auto first = node::fresh_signers(passkey::intent_challenge(*canonical), 0, 1, {2, 3}, 2);
    REQUIRE(first.ok());
    if (*first == std::vector<protocol::PartyIndex>{1, 3}) break;
  }
  REQUIRE(kill(net.pid(3), SIGSTOP) == 0);
  const auto started = std::chrono::steady_clock::now();
  const auto answer = parse_ok(net.post_sign(1, net.sign_body(in, {"alice", "bob"})), net, 1);
  const auto took = std::chrono::steady_clock::now() - started;
  kill(net.pid(3), SIGCONT);
  net.check_signature(answer, in);
  CHECK(answer.at("signers") == nlohmann::json::array({1, 2}));
  CHECK(answer.at("attempts") == 2);
  const std::string why = answer.at("failed_attempts").at(0);
  INFO(why);
  CHECK(why.find("no answer from party 3") != std::string::npos);
  CHECK(took >= std::chrono::seconds(opt.sign_deadline_s));  // the first attempt waited for its deadline
  CHECK(took < std::chrono::seconds(opt.sign_deadline_s + 20));

  // Node 3 is back: it signs again.
  const SigningIntent next = net.intent();
  net.check_signature(parse_ok(net.post_sign(3, net.sign_body(next, {"alice", "bob"})), net, 3), next);

  for (int i = 1; i <= 3; ++i) kill(net.pid(i), SIGTERM);
  for (int i = 1; i <= 3; ++i) CHECK(wait_exit(net.pid(i), std::chrono::seconds(10)) == 0);
  net.processes().pids.clear();
}

TEST_CASE("signing network: a request its coordinator refuses while the signers approve is withdrawn at once",
          "[node][daemon][signing]") {
  TempDir dir;
  NetworkOptions opt;
  opt.sign_deadline_s = 20;  // a signer that missed the withdrawal would wait this long
  LocalNetwork net(dir, opt, 25000);
  net.start_all();
  net.keygen();
  const std::string pool_series = "custos_presign_pool_depth{key=\"" + net.key().at("key_id").get<std::string>() + "\"}";
  auto wait_pool = [&](int node) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (net.metric(node, pool_series) < opt.pool_depth && std::chrono::steady_clock::now() < end) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(net.metric(node, pool_series) >= opt.pool_depth);
  };

  // Node 1 restarted with another WebAuthn origin: it refuses every approval; nodes 2 and 3 accept them.
  // The coordinator relays a plausible request to its first signers before its own gate has decided, so
  // a signer has joined the attempt (and taken its presignature) by the time node 1 refuses.
  net.stop_node(1);
  net.edit_config(1, "https://custos.example", "https://pay.custos.example");
  net.start(1);
  net.wait_connected(1, 2);
  wait_pool(1);
  // Approvals every node refuses (made on a foreign origin) reach the signers first too; they refuse,
  // so nobody took the presignature the attempt named and node 1 keeps it: a refused request costs no
  // presignature, however many approvals it carries.
  {
    const double depth = net.metric(1, pool_series);
    for (const char* name : {"alice", "bob"}) net.approver(name).options().origin = "https://evil.example";
    const auto refused = refusals_of(net.post_sign(1, net.sign_body(net.intent(), {"alice", "bob"})));
    for (const char* name : {"alice", "bob"}) net.approver(name).options().origin = "https://custos.example";
    CHECK(refused.size() == 3);
    CHECK(net.metric(1, pool_series) >= depth);
  }
  const auto started = std::chrono::steady_clock::now();
  const auto refused = refusals_of(net.post_sign(1, net.sign_body(net.intent(), {"alice", "bob"})));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(opt.sign_deadline_s / 2));
  REQUIRE(refused.size() == 1);
  CHECK(refused.begin()->first == 1);
  CHECK(refused.begin()->second.find("origin") != std::string::npos);
  // The signer of that attempt gives it up when told, not at its deadline (or, if the withdrawal
  // overtook the relay, never joins it).
  bool withdrawn = false;
  for (int tries = 0; tries < 50 && !withdrawn; ++tries) {
    for (int node : {2, 3}) withdrawn = withdrawn || net.log(node).find("withdrawn by coordinator 1") != std::string::npos;
    if (!withdrawn) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO("node 2 log:\n" << net.log(2) << "\nnode 3 log:\n" << net.log(3));
  CHECK(withdrawn);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(opt.sign_deadline_s / 2));

  // Node 1 back on the right origin: the presignature the withdrawn attempt named is gone from its pool
  // too (its signer burned its share of it), so no later request picks it and fails its first attempt.
  net.stop_node(1);
  net.edit_config(1, "https://pay.custos.example", "https://custos.example");
  net.start(1);
  net.wait_connected(1, 2);
  wait_pool(1);
  for (int i = 0; i < 2 * opt.pool_depth; ++i) {
    const SigningIntent in = net.intent();
    const auto answer = parse_ok(net.post_sign(1, net.sign_body(in, {"alice", "bob"})), net, 1);
    net.check_signature(answer, in);
    INFO(answer.dump());
    CHECK(answer.at("attempts") == 1);
  }
  net.stop_all();
}
