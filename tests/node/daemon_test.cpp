// custos-node as real processes on 127.0.0.1: a network written by
// `custos init-network` starts, every node's CURVE mesh connects, /healthz and
// /metrics answer, SIGTERM stops every node cleanly; a broken config or a
// missing database makes the node refuse to start, saying why.
#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "tests/node/process_fixture.h"
#include "tests/node/store_fixture.h"

namespace {

using namespace std::chrono_literals;
using custos::testing::Processes;
using custos::testing::run;
using custos::testing::slurp;
using custos::testing::spawn;
using custos::testing::wait_exit;

const std::string kBin = custos::testing::kBinDir;

}  // namespace

TEST_CASE("custos-node: three processes connect, run a distributed keygen through the API, and stop on SIGTERM", "[node][daemon]") {
  custos::testing::TempDir dir;
  const std::string net = dir.file("net");
  const int base = 7800 + static_cast<int>(getpid() % 150) * 3;
  REQUIRE(run({kBin + "/custos", "init-network", "--nodes", "3", "--threshold", "2", "--dir", net, "--base-port",
               std::to_string(base)},
              dir.file("init.log")) == 0);
  Processes procs;
  for (int i = 1; i <= 3; ++i) {
    procs.pids.push_back(spawn({kBin + "/custos-node", "--config", net + "/node-" + std::to_string(i) + "/node.yaml",
                                "--create-store"},
                               dir.file("node" + std::to_string(i) + ".log")));
  }
  // Every node's API answers and reports both peers connected (CURVE handshakes with pinned keys).
  for (int i = 1; i <= 3; ++i) {
    httplib::Client api("127.0.0.1", base + 100 + i);
    api.set_connection_timeout(1);
    std::string body;
    const auto end = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < end) {
      auto res = api.Get("/healthz");
      if (res && res->status == 200 && res->body.find("\"peers_connected\":2") != std::string::npos) {
        body = res->body;
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    INFO("node " << i << " log:\n" << slurp(dir.file("node" + std::to_string(i) + ".log")));
    CHECK(body.find("\"node\":" + std::to_string(i)) != std::string::npos);
    auto metrics = api.Get("/metrics");
    REQUIRE(metrics);
    CHECK(metrics->body.find("custos_up 1") != std::string::npos);
    CHECK(metrics->body.find("custos_peers_connected 2") != std::string::npos);
  }
  // Distributed key generation through node 1's API: every node ends with the same public key.
  httplib::Client coordinator("127.0.0.1", base + 101);
  coordinator.set_read_timeout(120);
  auto kg = coordinator.Post("/v1/keygen", "{}", "application/json");
  REQUIRE(kg);
  INFO("node 1 log:\n" << slurp(dir.file("node1.log")));
  REQUIRE(kg->status == 200);
  const auto key = nlohmann::json::parse(kg->body);
  const std::string key_id = key.at("key_id");
  CHECK(key.at("threshold") == 2);
  CHECK(key.at("participants") == nlohmann::json::array({1, 2, 3}));
  for (int i = 2; i <= 3; ++i) {
    httplib::Client api("127.0.0.1", base + 100 + i);
    std::string body;
    const auto end = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < end) {  // the others store their share a moment later
      auto res = api.Get(("/v1/keys/" + key_id).c_str());
      if (res && res->status == 200) {
        body = res->body;
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    INFO("node " << i << " log:\n" << slurp(dir.file("node" + std::to_string(i) + ".log")));
    REQUIRE(!body.empty());
    CHECK(nlohmann::json::parse(body).at("public_key") == key.at("public_key"));
  }
  // The CLI on top: `custos key show` computes addresses and the xpub from what node 2 returns, and
  // `custos status` reports the node's peers.
  REQUIRE(run({kBin + "/custos", "key", "show", key_id, "--node", "127.0.0.1:" + std::to_string(base + 102), "--json"},
              dir.file("show.json")) == 0);
  const auto shown = nlohmann::json::parse(slurp(dir.file("show.json")));
  CHECK(shown.at("public_key") == key.at("public_key"));
  CHECK(shown.at("xpub").get<std::string>().rfind("xpub", 0) == 0);
  CHECK(shown.at("bitcoin_p2wpkh").get<std::string>().rfind("bc1q", 0) == 0);
  CHECK(shown.at("ethereum").get<std::string>().size() == 42);
  REQUIRE(run({kBin + "/custos", "status", "--node", "127.0.0.1:" + std::to_string(base + 103)}, dir.file("status.txt")) == 0);
  CHECK(slurp(dir.file("status.txt")) == "node 3: ok, 2 of 2 peers connected\n");
  // A node that is not there: a clear error and status 1.
  CHECK(run({kBin + "/custos", "status", "--node", "127.0.0.1:1"}, dir.file("down.txt")) == 1);
  CHECK(slurp(dir.file("down.txt")).find("cannot reach node at 127.0.0.1:1") != std::string::npos);

  httplib::Client api3("127.0.0.1", base + 103);
  auto missing = api3.Get(("/v1/keys/" + std::string(64, '0')).c_str());
  REQUIRE(missing);
  CHECK(missing->status == 404);

  for (pid_t p : procs.pids) kill(p, SIGTERM);
  for (pid_t p : procs.pids) CHECK(wait_exit(p, 5s) == 0);
  procs.pids.clear();
  CHECK(slurp(dir.file("node1.log")).find("stopped") != std::string::npos);
}

TEST_CASE("custos-node: refuses to start on a config problem or a missing database, saying why", "[node][daemon]") {
  custos::testing::TempDir dir;
  const std::string net = dir.file("net");
  const int base = 8300 + static_cast<int>(getpid() % 150) * 3;
  REQUIRE(run({kBin + "/custos", "init-network", "--nodes", "2", "--threshold", "2", "--dir", net, "--base-port",
               std::to_string(base)},
              dir.file("init.log")) == 0);
  // No database yet and no --create-store: refused, with the hint.
  CHECK(run({kBin + "/custos-node", "--config", net + "/node-1/node.yaml"}, dir.file("a.log")) == 2);
  CHECK(slurp(dir.file("a.log")).find("--create-store") != std::string::npos);
  // A typo in the config: refused, naming file, line and key.
  const std::string yaml = net + "/node-1/node.yaml";
  std::string text = slurp(yaml);
  const size_t at = text.find("threshold:");
  REQUIRE(at != std::string::npos);
  text.replace(at, 10, "threshhold:");
  std::ofstream(yaml, std::ios::trunc) << text;
  CHECK(run({kBin + "/custos-node", "--config", yaml, "--create-store"}, dir.file("b.log")) == 2);
  const std::string err = slurp(dir.file("b.log"));
  INFO(err);
  CHECK(err.find("node.yaml:") != std::string::npos);
  CHECK(err.find("threshhold") != std::string::npos);
}
