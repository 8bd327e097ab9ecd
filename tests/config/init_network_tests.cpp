// `custos init-network`, run in-process: the written network is complete, every
// config loads, peers pin each other's real keys, secrets are 0600, and a
// second run never touches an existing network.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "config/identity.h"
#include "config/loader.h"
#include "config/validate.h"
#include "node/cli/commands.h"
#include "node/storage/kek.h"
#include "tests/config/config_test_util.h"

namespace custos::config {
namespace {

using testing::TempDir;

struct Run {
  int rc;
  std::string out, err;
};

Run run_init(std::vector<std::string> args) {
  args.insert(args.begin(), "init-network");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int rc = cli::init_network_command(static_cast<int>(argv.size()), argv.data(), out, err);
  return Run{rc, out.str(), err.str()};
}

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

TEST_CASE("init-network: 5 nodes, threshold 3, cross-wired and loadable", "[config][cli]") {
  TempDir tmp;
  const auto dir = tmp.path() / "net";
  const Run run = run_init({"--nodes", "5", "--threshold", "3", "--dir", dir.string(), "--base-port", "17100"});
  INFO(run.out << run.err);
  REQUIRE(run.rc == 0);
  CHECK(run.out.find("3-of-5") != std::string::npos);

  std::vector<NodeConfig> configs;
  std::vector<IdentityPublicKeys> identities;
  for (uint32_t i = 1; i <= 5; ++i) {
    const auto node_dir = dir / ("node-" + std::to_string(i));
    auto cfg = load_node_config((node_dir / "node.yaml").string());
    INFO("node " << i << ": " << cfg.status().message());
    REQUIRE(cfg.ok());
    CHECK(cfg->node_id == i);
    CHECK(cfg->network.size == 5);
    CHECK(cfg->network.threshold == 3);
    CHECK(cfg->listen == "tcp://127.0.0.1:" + std::to_string(17100 + i));
    CHECK(cfg->api.listen == "127.0.0.1:" + std::to_string(17200 + i));
    CHECK(cfg->peers.size() == 4);
    CHECK(cfg->find_peer(i) == nullptr);
    CHECK(cfg->data_dir == (node_dir / "data").string());
    CHECK(std::filesystem::is_directory(cfg->data_dir));
    CHECK(cfg->webauthn.rp_id == "localhost");
    CHECK(cfg->webauthn.origins == std::vector<std::string>{"http://localhost:8080"});
    // Secrets: 0600, and usable by the code that reads them.
    for (const char* f : {"curve.key", "ed25519.key", "kek.key"}) {
      INFO(f);
      CHECK(mode_of(node_dir / f) == 0600);
    }
    CHECK(node::read_key_file(cfg->kek.key_file).ok());
    auto identity = load_node_identity(cfg->identity);
    REQUIRE(identity.ok());
    identities.push_back(identity->public_keys);
    configs.push_back(std::move(*cfg));
  }
  // Every node pins exactly the keys derived from every other node's secret files.
  for (const auto& cfg : configs) {
    for (uint32_t j = 1; j <= 5; ++j) {
      if (j == cfg.node_id) continue;
      const PeerConfig* peer = cfg.find_peer(j);
      REQUIRE(peer != nullptr);
      CHECK(peer->endpoint == configs[j - 1].listen);
      CHECK(peer->curve_public_key == identities[j - 1].curve_public_key);
      CHECK(peer->ed25519_public_key == identities[j - 1].ed25519_public_key);
    }
  }
  // No two nodes share a key.
  for (size_t a = 0; a < identities.size(); ++a)
    for (size_t b = a + 1; b < identities.size(); ++b) {
      CHECK(identities[a].curve_public_key != identities[b].curve_public_key);
      CHECK(identities[a].ed25519_public_key != identities[b].ed25519_public_key);
    }
  // No secret is in a config file.
  const std::string yaml = testing::read_text(dir / "node-1" / "node.yaml");
  CHECK(yaml.find("secret_key:") == std::string::npos);

  SECTION("a second run into the same directory is refused and changes nothing") {
    const std::string before = testing::read_text(dir / "node-2" / "curve.key");
    const Run again = run_init({"--nodes", "5", "--threshold", "3", "--dir", dir.string()});
    CHECK(again.rc == 1);
    CHECK(again.err.find("not empty") != std::string::npos);
    CHECK(testing::read_text(dir / "node-2" / "curve.key") == before);
    CHECK_FALSE(std::filesystem::exists(dir / "node-6"));
  }
}

TEST_CASE("init-network: JSON summary and options", "[config][cli]") {
  TempDir tmp;
  const auto dir = tmp.path() / "json-net";
  const Run run = run_init({"--nodes", "3", "--threshold", "2", "--dir", dir.string(), "--json", "--rp-id", "example.com",
                            "--origin", "https://wallet.example.com", "--origin", "https://approve.example.com"});
  INFO(run.out << run.err);
  REQUIRE(run.rc == 0);
  const auto j = nlohmann::json::parse(run.out);
  CHECK(j["size"] == 3);
  CHECK(j["threshold"] == 2);
  REQUIRE(j["nodes"].size() == 3);
  CHECK(j["origins"].size() == 2);
  auto cfg = load_node_config(j["nodes"][1]["config"].get<std::string>());
  REQUIRE(cfg.ok());
  CHECK(cfg->webauthn.rp_id == "example.com");
  CHECK(cfg->webauthn.origins.size() == 2);
  // Node 1's view of node 2 matches what the summary printed for node 2.
  CHECK(curve_key_to_z85(cfg->find_peer(1)->curve_public_key) == j["nodes"][0]["curve_public_key"].get<std::string>());
  CHECK(hex32(cfg->find_peer(3)->ed25519_public_key) == j["nodes"][2]["ed25519_public_key"].get<std::string>());
}

TEST_CASE("init-network: bad arguments are refused before anything is written", "[config][cli]") {
  TempDir tmp;
  const auto dir = tmp.path() / "bad";
  CHECK(run_init({"--nodes", "5", "--threshold", "6", "--dir", dir.string()}).rc == 2);
  CHECK(run_init({"--nodes", "5", "--threshold", "0", "--dir", dir.string()}).rc == 2);
  CHECK(run_init({"--nodes", "3", "--threshold", "2"}).rc == 2);
  const Run bad_origin = run_init({"--nodes", "3", "--threshold", "2", "--dir", dir.string(), "--origin", "http://evil.example"});
  CHECK(bad_origin.rc == 2);
  CHECK(bad_origin.err.find("--origin") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir));

  // A directory with anything in it is refused.
  std::filesystem::create_directory(dir);
  testing::write_text(dir / "notes.txt", "mine");
  const Run non_empty = run_init({"--nodes", "3", "--threshold", "2", "--dir", dir.string()});
  CHECK(non_empty.rc == 1);
  CHECK(non_empty.err.find("not empty") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "node-1"));

  const Run help = run_init({"--help"});
  CHECK(help.rc == 0);
  CHECK(help.out.find("--threshold") != std::string::npos);
}

}  // namespace
}  // namespace custos::config
