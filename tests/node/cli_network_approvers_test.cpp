// `custos init-network --approver ID=RECORD_FILE --quorum K`: the generated configs load with those
// approvers and a default quorum of K of them, and an approval made with `custos approve` passes the gate
// built from a loaded config (the approvers' rp id and origin are the ones the configs allow). Bad
// approver arguments are refused before anything is written.
#include <catch2/catch.hpp>

#include <ctime>
#include <nlohmann/json.hpp>

#include "config/loader.h"
#include "node/gate/approval_gate.h"
#include "protocol/intent.h"
#include "tests/node/cli_fixture.h"
#include "tests/node/store_fixture.h"

using namespace custos;
using custos::testing::CliRun;
using custos::testing::has;
using custos::testing::TempDir;

namespace {

CliRun init_network(std::vector<std::string> args) {
  return testing::run_cli(cli::init_network_command, "init-network", std::move(args));
}

std::string make_record(const TempDir& dir, const std::string& id) {
  const std::string rec = dir.file(id + ".record.json");
  const CliRun r = testing::run_cli(cli::approver_command, "approver",
                                    {"create", "--id", id, "--out", dir.file(id + ".cred.json"), "--record-out", rec});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  return rec;
}

// The node's gate settings, as a node builds them from its config.
node::GateConfig gate_config_of(const config::NodeConfig& c) {
  node::GateConfig g;
  g.origins.allowed_origins = c.webauthn.origins;
  g.rp_id = c.webauthn.rp_id;
  g.require_user_verification = c.webauthn.require_user_verification;
  for (const auto& a : c.approvers) g.approvers[a.id] = node::Approver{a.id, a.credential};
  return g;
}

}  // namespace

TEST_CASE("init-network: --approver and --quorum produce configs that list them and approve with them", "[cli][config]") {
  TempDir dir;
  const std::string alice = make_record(dir, "alice"), bob = make_record(dir, "bob"), carol = make_record(dir, "carol");
  const std::string net = dir.file("net");
  const CliRun r = init_network({"--nodes", "3", "--threshold", "2", "--dir", net, "--base-port", "17400", "--approver",
                                 "alice=" + alice, "--approver", "bob=" + bob, "--approver", "carol=" + carol, "--quorum", "2"});
  INFO(r.out << r.err);
  REQUIRE(r.rc == 0);
  CHECK(has(r.out, "2 of 3 approvals"));
  CHECK(has(r.out, "relying party localhost"));

  std::vector<config::NodeConfig> configs;
  for (int i = 1; i <= 3; ++i) {
    auto c = config::load_node_config(net + "/node-" + std::to_string(i) + "/node.yaml");
    INFO(c.status().message());
    REQUIRE(c.ok());
    REQUIRE(c->approvers.size() == 3);
    CHECK(c->approvers[0].id == "alice");
    CHECK(c->approvers[0].credential_file == std::filesystem::path(net + "/approvers/alice.json").lexically_normal().string());
    auto rec = passkey::parse_credential_record(testing::slurp_file(alice));
    REQUIRE(rec.ok());
    CHECK(passkey::credential_record_to_json(c->approvers[0].credential) == passkey::credential_record_to_json(*rec));
    REQUIRE(c->approval_policy.has_value());
    CHECK(c->approval_policy->default_quorum.k == 2);
    CHECK(c->approval_policy->default_quorum.of == std::vector<std::string>{"alice", "bob", "carol"});
    configs.push_back(std::move(*c));
  }
  CHECK(testing::file_mode(net + "/approvers/bob.json") == 0644);
  // The records are copied into the network: the originals can go.
  std::filesystem::remove(bob);
  CHECK(config::load_node_config(net + "/node-2/node.yaml").ok());

  // Two approvals from the command line pass node 2's gate, built from its loaded config.
  const std::string in = dir.file("intent.json");
  REQUIRE(testing::run_cli(cli::intent_command, "intent",
                           {"create", "--key", "treasury-1", "--digest", std::string(64, 'e'), "--out", in}).rc == 0);
  for (const char* who : {"alice", "carol"}) {
    const CliRun a = testing::run_cli(cli::approve_command, "approve",
                                      {"--credential", dir.file(std::string(who) + ".cred.json"), "--intent", in, "--out",
                                       dir.file(std::string(who) + ".approval")});
    INFO(a.err);
    REQUIRE(a.rc == 0);
  }
  std::vector<node::Approval> approvals;
  for (const char* who : {"alice", "carol"}) {
    const auto j = nlohmann::json::parse(testing::slurp_file(dir.file(std::string(who) + ".approval")));
    approvals.push_back(node::Approval{j["approver"].get<std::string>(), j["assertion"].dump()});
  }
  const config::NodeConfig& c = configs[1];
  node::ApprovalPolicy policy{c.approval_policy->default_quorum.k, c.approval_policy->default_quorum.of};
  auto intent = protocol::intent_from_json(testing::slurp_file(in));
  REQUIRE(intent.ok());
  TempDir store_dir;
  auto store = custos::testing::open_store(store_dir.file("node.db"), custos::testing::make_key_file(store_dir));
  auto d = node::check_approvals(gate_config_of(c), policy, *intent, approvals, static_cast<int64_t>(std::time(nullptr)), *store);
  REQUIRE(d.ok());
  INFO(d->reason);
  CHECK(d->approved);
  CHECK(d->counted == 2);
}

TEST_CASE("init-network: without --quorum every approver must approve, and the JSON lists them", "[cli][config]") {
  TempDir dir;
  const std::string alice = make_record(dir, "alice"), bob = make_record(dir, "bob");
  const CliRun r = init_network({"--nodes", "2", "--threshold", "2", "--dir", dir.file("net"), "--json", "--approver",
                                 "alice=" + alice, "--approver", "bob=" + bob});
  INFO(r.err);
  REQUIRE(r.rc == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["quorum"] == 2);
  REQUIRE(j["approvers"].size() == 2);
  CHECK(j["approvers"][1]["id"] == "bob");
  auto c = config::load_node_config(dir.file("net/node-1/node.yaml"));
  REQUIRE(c.ok());
  CHECK(c->approval_policy->default_quorum.k == 2);

  // And without approvers, none and no policy (default deny), as before.
  const CliRun none = init_network({"--nodes", "2", "--threshold", "1", "--dir", dir.file("bare")});
  REQUIRE(none.rc == 0);
  CHECK(has(none.out, "no approvers are configured yet"));
  auto bare = config::load_node_config(dir.file("bare/node-1/node.yaml"));
  REQUIRE(bare.ok());
  CHECK(bare->approvers.empty());
  CHECK_FALSE(bare->approval_policy.has_value());
}

TEST_CASE("init-network: bad --approver and --quorum arguments are refused before anything is written", "[cli][config]") {
  TempDir dir;
  const std::string alice = make_record(dir, "alice"), bob = make_record(dir, "bob");
  testing::write_file(dir.file("garbage.json"), R"({"id": "AA"})");
  const std::string net = dir.file("net");
  const std::vector<std::string> base = {"--nodes", "3", "--threshold", "2", "--dir", net};
  struct Case {
    std::vector<std::string> extra;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--approver", "alice=" + alice, "--quorum", "2"}, "--quorum 2 exceeds the 1 approvers"},
      {{"--quorum", "1"}, "--quorum needs --approver"},
      {{"--approver", "alice=" + alice, "--quorum", "0"}, "--quorum"},
      {{"--approver", alice}, "expected ID=RECORD_FILE"},
      {{"--approver", "bad id=" + alice}, "approver id"},
      {{"--approver", "alice=" + alice, "--approver", "alice=" + bob}, "already given"},
      {{"--approver", "alice=" + alice, "--approver", "bob=" + alice}, "the same passkey as approver alice"},
      {{"--approver", "alice=" + dir.file("missing.json")}, "cannot read credential record " + dir.file("missing.json")},
      {{"--approver", "alice=" + dir.file("garbage.json")}, dir.file("garbage.json") + ": credential record"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = base;
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const CliRun r = init_network(args);
    INFO(r.err);
    CHECK(r.rc == 2);
    CHECK(has(r.err, c.message));
    CHECK_FALSE(std::filesystem::exists(net));
  }
}
