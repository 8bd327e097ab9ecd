// load_node_config / parse_node_config: a valid config loads; every problem is
// reported with its file, line and path; each field rule rejects what it must.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>

#include "config/loader.h"
#include "config/validate.h"
#include "config/writer.h"
#include "tests/config/config_test_util.h"

namespace custos::config {
namespace {

using namespace custos::config::testing;

TEST_CASE("config: the base test config loads with defaults filled in", "[config]") {
  const auto parsed = parse(base_config());
  INFO(dump(parsed.problems));
  REQUIRE(parsed.problems.empty());
  REQUIRE(parsed.config.has_value());
  const NodeConfig& c = *parsed.config;
  CHECK(c.node_id == 1);
  CHECK(c.name == "node-1");
  CHECK(c.listen == "tcp://127.0.0.1:7101");
  CHECK(c.api.listen == "127.0.0.1:7200");
  CHECK(c.data_dir == "/srv/custos/data");  // relative paths resolve against the config's directory
  CHECK(c.kek.kind == KekSourceKind::kKeyFile);
  CHECK(c.kek.key_file == "/srv/custos/kek.key");
  CHECK(c.identity.curve_secret_key_file == "/srv/custos/curve.key");
  CHECK(c.network.size == 3);
  CHECK(c.network.threshold == 2);
  REQUIRE(c.peers.size() == 2);
  CHECK(c.peers[0].id == 2);
  CHECK(c.peers[0].name == "node-2");
  CHECK(curve_key_to_z85(c.peers[0].curve_public_key) == kCurve2);
  CHECK(hex32(c.peers[1].ed25519_public_key) == kEd3);
  CHECK(c.webauthn.require_user_verification);
  CHECK(c.approvers.empty());
  CHECK_FALSE(c.approval_policy.has_value());  // default deny
  CHECK(c.timeouts.session_deadline_seconds == 120);
}

TEST_CASE("config: the shipped example config loads", "[config]") {
  const std::string path = std::string(CUSTOS_SOURCE_DIR) + "/config/examples/node.example.yaml";
  auto r = load_node_config(path);
  INFO(r.status().message());
  REQUIRE(r.ok());
  const NodeConfig& c = *r;
  CHECK(c.name == "frankfurt-1");
  CHECK(c.network.size == 3);
  CHECK(c.peers.size() == 2);
  CHECK(c.webauthn.rp_id == "wallet.example.com");
  CHECK(c.webauthn.origins.size() == 2);
  REQUIRE(c.approvers.size() == 3);
  CHECK(c.approvers[1].id == "bob");
  CHECK(c.approvers[1].credential.sign_count == 7);
  CHECK(c.approvers[1].credential.backup_eligible);
  CHECK(c.approvers[1].credential.transports == std::vector<std::string>{"internal", "hybrid"});
  REQUIRE(c.approval_policy.has_value());
  CHECK(c.approval_policy->default_quorum.k == 2);
  Key32 cold{};
  auto cold_id = parse_hex32("7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a1c3e5b7d9f2a4c6e8b0d1f3a");
  REQUIRE(std::holds_alternative<Key32>(cold_id));
  cold = std::get<Key32>(cold_id);
  CHECK(c.approval_policy->quorum_for(cold).k == 3);
  Key32 other{};
  CHECK(c.approval_policy->quorum_for(other).k == 2);
}

TEST_CASE("config: every problem is reported with its line, in file order", "[config]") {
  const std::string text =
      "version: 1\n"                                   // 1
      "node:\n"                                        // 2
      "  id: 1\n"                                      // 3
      "  listen: \"tcp://127.0.0.1:7101\"\n"           // 4
      "  data_dir: data\n"                             // 5
      "  kek:\n"                                       // 6
      "    key_file: kek.key\n"                        // 7
      "  identity:\n"                                  // 8
      "    curve_secret_key_file: curve.key\n"         // 9
      "    ed25519_secret_key_file: ed25519.key\n"     // 10
      "  lisen: \"tcp://127.0.0.1:7101\"\n"            // 11  typo
      "network:\n"                                     // 12
      "  size: 3\n"                                    // 13
      "  threshold: 4\n"                               // 14  t > n
      "peers:\n"                                       // 15  peer 3 missing
      "  - id: 2\n"                                    // 16
      "    endpoint: \"tcp://127.0.0.1:7102\"\n"       // 17
      "    curve_public_key: \"tooshort\"\n"           // 18
      "    ed25519_public_key: \"" + std::string(kEd2) + "\"\n"  // 19
      "  - id: 1\n"                                    // 20  self as peer
      "    endpoint: \"tcp://127.0.0.1:7101\"\n"       // 21
      "    curve_public_key: \"" + std::string(kCurve3) + "\"\n"  // 22
      "    ed25519_public_key: \"not-hex\"\n"          // 23
      "webauthn:\n"                                    // 24  rp_id missing
      "  origins: [\"https://localhost/\"]\n";         // 25
  const auto parsed = parse(text);
  INFO(dump(parsed.problems));
  REQUIRE_FALSE(parsed.config.has_value());
  struct Expect {
    int line;
    const char* path;
    const char* needle;
  };
  const std::vector<Expect> expected = {
      {11, "node.lisen", "unknown key (did you mean 'listen'?)"},
      {14, "network.threshold", "more than network.size (3)"},
      {15, "peers", "no peer with id 3"},
      {18, "peers[0].curve_public_key", "not 40 Z85 characters"},
      {20, "peers[1].id", "own id"},
      {23, "peers[1].ed25519_public_key", "not 64 hex characters"},
      {24, "webauthn.rp_id", "required key is missing"},
      {25, "webauthn.origins[0]", "trailing slash"},
  };
  REQUIRE(parsed.problems.size() == expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    INFO("problem " << i);
    CHECK(parsed.problems[i].line == expected[i].line);
    CHECK(parsed.problems[i].path == expected[i].path);
    CHECK(parsed.problems[i].message.find(expected[i].needle) != std::string::npos);
  }
  CHECK(parsed.problems[3].column == 23);  // the value's column, 1-based
  CHECK(parsed.problems[3].to_string() == "test.yaml:18:23: peers[0].curve_public_key: not 40 Z85 characters (has 8)");

  // Through the file API the Status lists the same problems, one per line, prefixed with the file path.
  TempDir dir;
  const auto file = dir.path() / "node.yaml";
  write_text(file, text);
  auto r = load_node_config(file.string());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  std::vector<std::string> lines;
  std::stringstream ss(r.status().message());
  for (std::string line; std::getline(ss, line);) lines.push_back(line);
  REQUIRE(lines.size() == expected.size());
  CHECK(lines[0].rfind(file.string() + ":11:3: node.lisen: unknown key", 0) == 0);
  CHECK(lines[7].rfind(file.string() + ":25:13: webauthn.origins[0]: ", 0) == 0);
}

TEST_CASE("config: missing required keys name the key and the line of the parent map", "[config]") {
  require_single_problem(with(base_config(), "  listen: \"tcp://127.0.0.1:7101\"\n", ""), 2, "node.listen",
                         "required key is missing");
  require_single_problem(with(base_config(), "    endpoint: \"tcp://127.0.0.1:7103\"\n", ""), 19, "peers[1].endpoint",
                         "required key is missing");
  require_single_problem(with(base_config(), "version: 1\n", ""), 1, "version", "required key is missing");
  const auto no_network = parse(with(base_config(), "network:\n  size: 3\n  threshold: 2\n", ""));
  INFO(dump(no_network.problems));
  REQUIRE(no_network.problems.size() == 1);  // the peers check does not cascade without a size
  CHECK(no_network.problems[0].path == "network");
}

TEST_CASE("config: wrong types are errors", "[config]") {
  require_single_problem(with(base_config(), "  size: 3\n", "  size: three\n"), 12, "network.size", "expected an integer");
  require_single_problem(with(base_config(), "  size: 3\n", "  size: \"3\"\n"), 12, "network.size", "quoted string");
  require_single_problem(with(base_config(), "  kek:\n    key_file: kek.key\n", "  kek: kek.key\n"), 6, "node.kek",
                         "expected a map, got a scalar");
  require_single_problem(with(base_config(), "  origins: [\"http://localhost:8080\"]\n", "  origins: \"http://localhost:8080\"\n"),
                         25, "webauthn.origins", "expected a list");
  require_single_problem(base_config() + "  require_user_verification: 1\n", 26, "webauthn.require_user_verification",
                         "expected true or false");
  require_single_problem(with(base_config(), "  listen: \"tcp://127.0.0.1:7101\"\n", "  listen: [a]\n"), 4, "node.listen",
                         "expected a string, got a list");
}

TEST_CASE("config: unknown keys and duplicate keys are errors", "[config]") {
  require_single_problem(base_config() + "timeout:\n  session_deadline_seconds: 30\n", 26, "timeout",
                         "did you mean 'timeouts'?");
  require_single_problem(base_config() + "frobnicate: true\n", 26, "frobnicate", "unknown key (allowed here:");
  require_single_problem(with(base_config(), "  size: 3\n", "  size: 3\n  size: 4\n"), 13, "network.size",
                         "duplicate key (first given on line 12)");
}

TEST_CASE("config: malformed YAML is reported with its line", "[config]") {
  const auto parsed = parse("version: 1\nnode: [1, 2\nnetwork: {}\n");
  REQUIRE(parsed.problems.size() == 1);
  CHECK(parsed.problems[0].line == 3);
  CHECK(parsed.problems[0].message.find("malformed YAML") != std::string::npos);
  const auto two_docs = parse(base_config() + "---\nversion: 1\n");
  REQUIRE(two_docs.problems.size() == 1);
  CHECK(two_docs.problems[0].message.find("only one YAML document") != std::string::npos);
  const auto empty = parse("");
  REQUIRE(empty.problems.size() == 1);
  CHECK(empty.problems[0].line == 1);
  require_single_problem("- 1\n- 2\n", 1, "(document)", "expected a map, got a list");
}

TEST_CASE("config: peer key validators", "[config]") {
  SECTION("CURVE key of the wrong length") {
    require_single_problem(with(base_config(), kCurve2, std::string(kCurve2).substr(1)), 17, "peers[0].curve_public_key",
                           "not 40 Z85 characters (has 39)");
  }
  SECTION("CURVE key with a character outside Z85") {
    require_single_problem(with(base_config(), kCurve2, "S<=$RQl0]1tVb?t>6J52mi+9m^F0}0WBX.}yH<g~"), 17,
                           "peers[0].curve_public_key", "outside the Z85 alphabet");
  }
  SECTION("CURVE key whose Z85 groups do not decode") {
    // "#####" is 84·(85^4+…+1) > 2^32 - 1.
    require_single_problem(with(base_config(), kCurve2, "#####" + std::string(kCurve2).substr(5)), 17,
                           "peers[0].curve_public_key", "does not decode");
  }
  SECTION("Ed25519 key that is not hex") {
    require_single_problem(with(base_config(), kEd2, std::string(63, 'a') + "g"), 18, "peers[0].ed25519_public_key",
                           "not 64 hex characters");
  }
  SECTION("Ed25519 key of the wrong length") {
    require_single_problem(with(base_config(), kEd2, std::string(kEd2).substr(2)), 18, "peers[0].ed25519_public_key",
                           "not 64 hex characters (has 62)");
  }
  SECTION("Ed25519 key that is not a curve point") {
    require_single_problem(with(base_config(), kEd2, "02" + std::string(62, '0')), 18, "peers[0].ed25519_public_key",
                           "not a point on the Ed25519 curve");
  }
  SECTION("Ed25519 key of small order") {
    require_single_problem(with(base_config(), kEd2, "01" + std::string(62, '0')), 18, "peers[0].ed25519_public_key",
                           "small order");
  }
  SECTION("the same key pinned for two peers") {
    require_single_problem(with(base_config(), kCurve3, kCurve2), 21, "peers[1].curve_public_key", "same CURVE key as peers[0]");
  }
}

TEST_CASE("config: peer roster rules", "[config]") {
  SECTION("duplicate peer id") {
    // Both entries claim id 2, so id 3 is missing as well: two problems.
    const auto parsed = parse(with(base_config(), "  - id: 3\n", "  - id: 2\n"));
    INFO(dump(parsed.problems));
    REQUIRE(parsed.problems.size() == 2);
    CHECK(parsed.problems[0].line == 14);
    CHECK(parsed.problems[0].message.find("no peer with id 3") != std::string::npos);
    CHECK(parsed.problems[1].line == 19);
    CHECK(parsed.problems[1].path == "peers[1].id");
    CHECK(parsed.problems[1].message.find("duplicate peer id 2 (also peers[0])") != std::string::npos);
  }
  SECTION("self listed as a peer") {
    const auto parsed = parse(with(base_config(), "  - id: 3\n", "  - id: 1\n"));
    INFO(dump(parsed.problems));
    REQUIRE(parsed.problems.size() == 2);
    CHECK(parsed.problems[1].path == "peers[1].id");
    CHECK(parsed.problems[1].line == 19);
    CHECK(parsed.problems[1].message.find("own id") != std::string::npos);
  }
  SECTION("missing peer") {
    require_single_problem(with(base_config(), "  size: 3\n", "  size: 4\n"), 14, "peers", "no peer with id 4");
  }
  SECTION("peer id beyond the network size") {
    const auto parsed = parse(with(base_config(), "  - id: 3\n", "  - id: 9\n"));
    REQUIRE(parsed.problems.size() == 2);
    CHECK(parsed.problems[1].message.find("outside 1..3") != std::string::npos);
  }
  SECTION("node id beyond the network size") {
    const auto parsed = parse(with(base_config(), "  id: 1\n", "  id: 4\n"));
    INFO(dump(parsed.problems));
    REQUIRE_FALSE(parsed.problems.empty());
    CHECK(parsed.problems[0].line == 3);
    CHECK(parsed.problems[0].path == "node.id");
  }
  SECTION("peer endpoint with wildcard host") {
    require_single_problem(with(base_config(), "tcp://127.0.0.1:7102", "tcp://*:7102"), 16, "peers[0].endpoint", "concrete host");
  }
  SECTION("two peers on one endpoint") {
    require_single_problem(with(base_config(), "tcp://127.0.0.1:7103", "tcp://127.0.0.1:7102"), 20, "peers[1].endpoint",
                           "same endpoint as peers[0]");
  }
}

TEST_CASE("config: threshold must satisfy 1 <= t <= n", "[config]") {
  require_single_problem(with(base_config(), "  threshold: 2\n", "  threshold: 4\n"), 13, "network.threshold",
                         "more than network.size");
  require_single_problem(with(base_config(), "  threshold: 2\n", "  threshold: 0\n"), 13, "network.threshold", "at least 1");
  require_single_problem(with(base_config(), "  threshold: 2\n", "  threshold: -1\n"), 13, "network.threshold",
                         "must be an integer from 0");
  const auto ok = parse(with(base_config(), "  threshold: 2\n", "  threshold: 3\n"));
  CHECK(ok.problems.empty());
}

TEST_CASE("config: WebAuthn origins and rp_id", "[config]") {
  const std::string origins_line = "  origins: [\"http://localhost:8080\"]\n";
  auto origin = [&](const std::string& o) { return with(base_config(), origins_line, "  origins: [\"" + o + "\"]\n"); };
  require_single_problem(origin("https://localhost/app"), 25, "webauthn.origins[0]", "must not have a path");
  require_single_problem(origin("https://localhost/"), 25, "webauthn.origins[0]", "trailing slash");
  require_single_problem(origin("http://wallet.localhost.example"), 25, "webauthn.origins[0]", "only for localhost");
  require_single_problem(origin("https://evil.example"), 25, "webauthn.origins[0]", "nor a subdomain of it");
  require_single_problem(origin("https://LOCALHOST"), 25, "webauthn.origins[0]", "lowercase");
  require_single_problem(origin("https://localhost:443"), 25, "webauthn.origins[0]", "default port 443");
  require_single_problem(origin("ftp://localhost"), 25, "webauthn.origins[0]", "must start with https://");
  require_single_problem(with(base_config(), origins_line, "  origins: []\n"), 25, "webauthn.origins", "at least one");
  require_single_problem(with(base_config(), origins_line, "  origins: [\"http://localhost:8080\", \"http://localhost:8080\"]\n"),
                         25, "webauthn.origins[1]", "duplicate origin");
  // A bad rp_id is reported once; origins are then only checked on their own.
  require_single_problem(with(base_config(), "  rp_id: localhost\n", "  rp_id: https://localhost\n"), 24, "webauthn.rp_id",
                         "not an origin");
  CHECK(parse(origin("https://localhost:8443")).problems.empty());
  CHECK(parse(origin("http://127.0.0.1:8080")).problems.size() == 1);  // allowed scheme, but not on rp_id localhost
}

TEST_CASE("config: a passphrase or secret key in the file is rejected", "[config]") {
  const auto parsed = parse(with(base_config(), "    key_file: kek.key\n", "    passphrase: \"correct horse battery\"\n"));
  INFO(dump(parsed.problems));
  REQUIRE(parsed.problems.size() == 1);
  CHECK(parsed.problems[0].line == 7);
  CHECK(parsed.problems[0].path == "node.kek.passphrase");
  CHECK(parsed.problems[0].message.find("passphrase_env") != std::string::npos);
  CHECK(dump(parsed.problems).find("correct horse") == std::string::npos);  // the secret is never echoed

  require_single_problem(with(base_config(), "    curve_secret_key_file: curve.key\n",
                              "    curve_secret_key_file: curve.key\n    curve_secret_key: \"abc\"\n"),
                         10, "node.identity.curve_secret_key", "never written in the config");
  require_single_problem(with(base_config(), "    key_file: kek.key\n", "    key_file: kek.key\n    passphrase_env: PW\n"), 6,
                         "node.kek", "not both");
  require_single_problem(with(base_config(), "    key_file: kek.key\n", "    passphrase_env: \"1PW\"\n"), 7,
                         "node.kek.passphrase_env", "environment variable name");

  const auto env = parse(with(base_config(), "    key_file: kek.key\n", "    passphrase_env: CUSTOS_KEK_PASSPHRASE\n"));
  REQUIRE(env.config.has_value());
  CHECK(env.config->kek.kind == KekSourceKind::kPassphraseEnv);
  CHECK(env.config->kek.passphrase_env == "CUSTOS_KEK_PASSPHRASE");
}

TEST_CASE("config: the API listens on loopback unless TLS is configured", "[config]") {
  const std::string api = "  api:\n    listen: \"0.0.0.0:7201\"\n";
  require_single_problem(with(base_config(), "  data_dir: data\n", api + "  data_dir: data\n"), 6, "node.api.listen", "needs TLS");
  const auto tls = parse(with(base_config(), "  data_dir: data\n",
                              api + "    tls_cert_file: api.crt\n    tls_key_file: api.key\n  data_dir: data\n"));
  INFO(dump(tls.problems));
  REQUIRE(tls.config.has_value());
  CHECK(tls.config->api.tls_key_file == "/srv/custos/api.key");
  require_single_problem(with(base_config(), "  data_dir: data\n", api + "    tls_cert_file: api.crt\n  data_dir: data\n"), 5,
                         "node.api", "given together");
}

// Approvers need credential records; these build them inline.
std::string approvers_block(const std::string& policy) {
  return std::string("approvers:\n") +                          // 26
         "  - id: alice\n"                                        // 27
         "    credential:\n"                                      // 28
         "      id: \"aqap-JyPuADdJp5kECIefA\"\n"                 // 29
         "      publicKey: \"" + kCoseKeyA + "\"\n" +             // 30
         "      signCount: 0\n"                                   // 31
         "      backupEligible: false\n"                          // 32
         "  - id: bob\n"                                          // 33
         "    credential:\n"                                      // 34
         "      id: \"fEsBOodYtCnrY1A4TAGsBw\"\n"                 // 35
         "      publicKey: \"" + kCoseKeyB + "\"\n" +             // 36
         "      signCount: 3\n"                                   // 37
         "      backupEligible: true\n" +                         // 38
         policy;                                                  // 39...
}

TEST_CASE("config: approvers and approval quorums", "[config]") {
  const std::string good_policy = "approval_policy:\n  default:\n    k: 2\n    of: [alice, bob]\n";
  const auto ok = parse(base_config() + approvers_block(good_policy));
  INFO(dump(ok.problems));
  REQUIRE(ok.config.has_value());
  REQUIRE(ok.config->approvers.size() == 2);
  CHECK(ok.config->approvers[1].credential.sign_count == 3);
  CHECK(ok.config->approval_policy->default_quorum == Quorum{2, {"alice", "bob"}});

  SECTION("k greater than m") {
    require_single_problem(base_config() + approvers_block("approval_policy:\n  default:\n    k: 3\n    of: [alice, bob]\n"), 41,
                           "approval_policy.default.k", "k = 3 exceeds the 2 approvers");
  }
  SECTION("k of zero") {
    require_single_problem(base_config() + approvers_block("approval_policy:\n  default:\n    k: 0\n    of: [alice]\n"), 41,
                           "approval_policy.default.k", "at least 1");
  }
  SECTION("unknown approver") {
    require_single_problem(base_config() + approvers_block("approval_policy:\n  default:\n    k: 1\n    of: [alice, mallory]\n"),
                           42, "approval_policy.default.of[1]", "unknown approver 'mallory'");
  }
  SECTION("approver listed twice in a quorum") {
    require_single_problem(base_config() + approvers_block("approval_policy:\n  default:\n    k: 2\n    of: [alice, alice]\n"),
                           42, "approval_policy.default.of[1]", "listed twice");
  }
  SECTION("per-key override with a bad key id") {
    require_single_problem(base_config() + approvers_block(good_policy + "  keys:\n    \"abcd\":\n      k: 1\n      of: [bob]\n"), 44,
                           "approval_policy.keys.abcd", "not 64 hex characters");
  }
  SECTION("per-key override applies") {
    const std::string key_id(64, 'a');
    const auto parsed =
        parse(base_config() + approvers_block(good_policy + "  keys:\n    \"" + key_id + "\":\n      k: 1\n      of: [bob]\n"));
    INFO(dump(parsed.problems));
    REQUIRE(parsed.config.has_value());
    Key32 id{};
    id.fill(0xaa);
    CHECK(parsed.config->approval_policy->quorum_for(id) == Quorum{1, {"bob"}});
  }
  SECTION("duplicate approver id") {
    const auto parsed = parse(with(base_config() + approvers_block(good_policy), "  - id: bob\n", "  - id: alice\n"));
    INFO(dump(parsed.problems));
    REQUIRE_FALSE(parsed.problems.empty());
    CHECK(parsed.problems[0].line == 33);
    CHECK(parsed.problems[0].message.find("duplicate approver id 'alice'") != std::string::npos);
  }
  SECTION("one passkey for two approvers") {
    require_single_problem(with(base_config() + approvers_block(good_policy), "fEsBOodYtCnrY1A4TAGsBw", "aqap-JyPuADdJp5kECIefA"),
                           35, "approvers[1].credential", "same credential id as approvers[0]");
  }
  SECTION("credential record that does not parse") {
    require_single_problem(with(base_config() + approvers_block(good_policy), kCoseKeyB, "AAAA"), 35,
                           "approvers[1].credential", "invalid credential record: COSE key");
  }
  SECTION("unknown credential member") {
    require_single_problem(with(base_config() + approvers_block(good_policy), "      signCount: 3\n",
                                "      signCount: 3\n      signcount: 3\n"),
                           38, "approvers[1].credential.signcount", "did you mean 'signCount'?");
  }
}

TEST_CASE("config: credential records from files", "[config]") {
  TempDir dir;
  write_text(dir.path() / "alice.json",
             std::string("{\"id\":\"aqap-JyPuADdJp5kECIefA\",\"publicKey\":\"") + kCoseKeyA +
                 "\",\"signCount\":5,\"backupEligible\":false}");
  const std::string text = base_config() +
                           "approvers:\n"                            // 26
                           "  - id: alice\n"                         // 27
                           "    credential_file: alice.json\n"       // 28
                           "  - id: bob\n"                           // 29
                           "    credential_file: missing.json\n";    // 30
  const auto parsed = parse_node_config(text, "node.yaml", dir.path().string());
  INFO(dump(parsed.problems));
  REQUIRE(parsed.problems.size() == 1);
  CHECK(parsed.problems[0].line == 30);
  CHECK(parsed.problems[0].path == "approvers[1].credential_file");
  CHECK(parsed.problems[0].message.find("cannot open") != std::string::npos);

  const auto fixed = parse_node_config(with(text, "  - id: bob\n    credential_file: missing.json\n", ""), "node.yaml",
                                       dir.path().string());
  REQUIRE(fixed.config.has_value());
  CHECK(fixed.config->approvers[0].credential_file == (dir.path() / "alice.json").string());
  CHECK(fixed.config->approvers[0].credential.sign_count == 5);
}

TEST_CASE("config: timeouts have sane ranges", "[config]") {
  require_single_problem(base_config() + "timeouts:\n  session_deadline_seconds: 1\n", 27, "timeouts.session_deadline_seconds",
                         "from 5 to 3600");
  require_single_problem(base_config() + "timeouts:\n  presign_pool_depth: 100000\n", 27, "timeouts.presign_pool_depth",
                         "from 0 to 4096");
  const auto ok = parse(base_config() + "timeouts:\n  session_deadline_seconds: 30\n  presign_pool_depth: 0\n");
  REQUIRE(ok.config.has_value());
  CHECK(ok.config->timeouts.session_deadline_seconds == 30);
  CHECK(ok.config->timeouts.presign_pool_depth == 0);
  require_single_problem(base_config() + "timeouts:\n  sign_deadline_seconds: 0\n", 27, "timeouts.sign_deadline_seconds",
                         "from 1 to 600");
  CHECK(parse(base_config() + "timeouts:\n  sign_deadline_seconds: 3\n").config->timeouts.sign_deadline_seconds == 3);
}

TEST_CASE("config: a missing file is an error naming the path", "[config]") {
  auto r = load_node_config("/nonexistent/custos/node.yaml");
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kNotFound);
  CHECK(r.status().message().find("/nonexistent/custos/node.yaml") != std::string::npos);
}

TEST_CASE("config: render then load gives back an equal config", "[config]") {
  const std::string example = std::string(CUSTOS_SOURCE_DIR) + "/config/examples/node.example.yaml";
  auto first = load_node_config(example);
  REQUIRE(first.ok());
  const std::string rendered = render_node_config(*first);
  const auto again = parse_node_config(rendered, "rendered.yaml", "/elsewhere");
  INFO(rendered << "\n" << dump(again.problems));
  REQUIRE(again.config.has_value());
  CHECK(*again.config == *first);
  CHECK(render_node_config(*again.config) == rendered);

  // Variants the example does not cover: passphrase KEK, TLS, no approvers, credential from a file.
  TempDir dir;
  write_text(dir.path() / "alice.json",
             std::string("{\"id\":\"aqap-JyPuADdJp5kECIefA\",\"publicKey\":\"") + kCoseKeyA +
                 "\",\"signCount\":5,\"userHandle\":\"AQID\",\"backupEligible\":true,\"backupState\":true}");
  std::string text = with(base_config(), "    key_file: kek.key\n", "    passphrase_env: CUSTOS_PW\n");
  text = with(text, "  data_dir: data\n",
              "  name: \"node one\"\n  api:\n    listen: \"[::]:7201\"\n    tls_cert_file: c.pem\n    tls_key_file: k.pem\n"
              "  data_dir: data\n");
  text += "  require_user_verification: false\napprovers:\n  - id: alice\n    credential_file: alice.json\n"
          "approval_policy:\n  default: {k: 1, of: [alice]}\ntimeouts: {session_deadline_seconds: 600}\n";
  const auto variant = parse_node_config(text, "v.yaml", dir.path().string());
  INFO(dump(variant.problems));
  REQUIRE(variant.config.has_value());
  CHECK_FALSE(variant.config->webauthn.require_user_verification);
  const auto variant_again = parse_node_config(render_node_config(*variant.config), "v2.yaml", "/elsewhere");
  INFO(dump(variant_again.problems));
  REQUIRE(variant_again.config.has_value());
  CHECK(*variant_again.config == *variant.config);

  // Equality is not vacuous: a changed field makes the configs differ.
  NodeConfig changed = *variant.config;
  changed.peers[1].ed25519_public_key[0] ^= 1;
  CHECK_FALSE(changed == *variant.config);
}

}  // namespace
}  // namespace custos::config

namespace custos::config {
namespace {

using namespace custos::config::testing;

TEST_CASE("config: damaged input never escapes as an exception and always locates its problems", "[config]") {
  const std::string base = base_config();
  const int lines = static_cast<int>(std::count(base.begin(), base.end(), '\n'));
  size_t configs = 0, rejected = 0;
  auto check_one = [&](const std::string& text) {
    const auto parsed = parse(text);
    if (parsed.config) {
      ++configs;
      CHECK(parsed.problems.empty());
      return;
    }
    ++rejected;
    REQUIRE_FALSE(parsed.problems.empty());
    for (const auto& p : parsed.problems) {
      INFO(p.to_string());
      CHECK(p.line >= 1);
      CHECK(p.line <= lines + 2);
      CHECK(p.column >= 1);
      CHECK_FALSE(p.path.empty());
    }
  };
  for (size_t i = 0; i < base.size(); ++i) {
    std::string deleted = base;
    deleted.erase(i, 1);
    check_one(deleted);
    for (char c : {'[', '{', ':', '"', '\'', '&', '*', '\t', '-'}) {
      std::string inserted = base;
      inserted.insert(i, 1, c);
      check_one(inserted);
    }
  }
  // Most damage is caught; some (a deleted comment character, an extra '-' in a key) is harmless or caught.
  CHECK(rejected > configs);
  // Deep nesting is refused by yaml-cpp, and reported.
  const auto deep = parse("version: " + std::string(100000, '[') + "\n");
  CHECK_FALSE(deep.problems.empty());
}

}  // namespace
}  // namespace custos::config
