// custos-passkey verify-assertion and challenge, called in-process through node/passkey_cli/commands.h
// with real files: output text, JSON output and exit codes (0 accept, 1 reject, 2 usage/input error).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/passkey/base64url.h"
#include "node/passkey_cli/commands.h"
#include "sim/soft_authenticator.h"
#include "tests/passkey/passkey_test_util.h"

namespace custos::passkey_cli {
namespace {

namespace fs = std::filesystem;

struct Run {
  int code;
  std::string out, err;
};

Run run(int (*command)(int, const char* const*, std::ostream&, std::ostream&), std::vector<std::string> args) {
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = command(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("custos-passkey-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

struct Fixture {
  TempDir dir;
  std::vector<uint8_t> challenge = std::vector<uint8_t>(32, 0x41);
  sim::SoftAuthenticator auth;
  std::string credential;

  Fixture() : auth(make()) { credential = dir.write("cred.json", auth.credential_record_json()); }
  static sim::SoftAuthenticator make() {
    DeterministicRng rng(21);
    auto a = sim::SoftAuthenticator::create(sim::SoftKeyType::kES256, &rng);
    REQUIRE(a.ok());
    return std::move(a).value();
  }
  std::vector<std::string> args(const std::string& response, std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"verify-assertion", "--response", response, "--credential", credential,
                                  "--challenge", passkey::base64url_encode(challenge), "--origin", "https://other.example",
                                  "--origin", "https://custos.example", "--rp-id", "custos.example"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
};

}  // namespace

TEST_CASE("verify-assertion accepts and prints the new state", "[passkey][cli]") {
  Fixture f;
  const std::string resp = f.dir.write("a.json", f.auth.assertion_json(f.challenge));
  Run r = run(verify_assertion_command, f.args(resp));
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.out == "accept sign_count=1 uv=1 be=0 bs=0\n");
  r = run(verify_assertion_command, f.args(resp, {"--json"}));
  CHECK(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["verdict"] == "accept");
  CHECK(j["sign_count"] == 1);
  CHECK(j["uv"] == true);
  CHECK(j["credential_id"] == passkey::base64url_encode(f.auth.credential_id()));
}

TEST_CASE("verify-assertion explains rejections with exit 1", "[passkey][cli]") {
  Fixture f;
  f.auth.options().origin = "https://evil.example";
  const std::string resp = f.dir.write("evil.json", f.auth.assertion_json(f.challenge));
  Run r = run(verify_assertion_command, f.args(resp));
  CHECK(r.code == 1);
  CHECK(r.out == "reject: origin_not_allowed: origin https://evil.example is not allowed\n");
  r = run(verify_assertion_command, f.args(resp, {"--json"}));
  CHECK(r.code == 1);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["verdict"] == "reject");
  CHECK(j["reason"] == "origin_not_allowed");

  Fixture g;
  g.auth.options().user_verified = false;
  const std::string no_uv = g.dir.write("nouv.json", g.auth.assertion_json(g.challenge));
  r = run(verify_assertion_command, g.args(no_uv));
  CHECK(r.code == 1);
  CHECK(r.out.rfind("reject: user_not_verified: ", 0) == 0);
  r = run(verify_assertion_command, g.args(no_uv, {"--no-require-uv"}));
  CHECK(r.code == 0);
  CHECK(r.out == "accept sign_count=1 uv=0 be=0 bs=0\n");

  // --alg takes negative numbers; ES256 is not in {EdDSA}.
  Fixture h;
  const std::string ok = h.dir.write("ok.json", h.auth.assertion_json(h.challenge));
  r = run(verify_assertion_command, h.args(ok, {"--alg", "-8"}));
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.out.rfind("reject: algorithm_not_allowed: ", 0) == 0);
  r = run(verify_assertion_command, h.args(ok, {"--alg", "-7", "--alg", "-257"}));
  CHECK(r.code == 0);
  // Same response again: counter no longer advances against a record updated to 1.
  h.auth.set_sign_count(0);
  auto rec = h.auth.credential_record();
  rec.sign_count = 1;
  h.credential = h.dir.write("cred2.json", passkey::credential_record_to_json(rec));
  r = run(verify_assertion_command, h.args(ok));
  CHECK(r.code == 1);
  CHECK(r.out.rfind("reject: sign_count_rollback: ", 0) == 0);
}

TEST_CASE("verify-assertion usage and input errors exit 2", "[passkey][cli]") {
  Fixture f;
  const std::string resp = f.dir.write("a.json", f.auth.assertion_json(f.challenge));
  Run r = run(verify_assertion_command, f.args(f.dir.path("missing.json")));
  CHECK(r.code == 2);
  CHECK(r.err.find("cannot read response") != std::string::npos);
  r = run(verify_assertion_command, {"verify-assertion", "--response", resp});  // required options missing
  CHECK(r.code == 2);
  CHECK_FALSE(r.err.empty());
  auto bad_challenge = f.args(resp);
  bad_challenge[6] = "not base64!";
  r = run(verify_assertion_command, bad_challenge);
  CHECK(r.code == 2);
  CHECK(r.err.find("--challenge") != std::string::npos);
  r = run(verify_assertion_command, f.args(resp, {"--alg", "-35"}));
  CHECK(r.code == 2);
  r = run(verify_assertion_command, f.args(resp, {"--allow-cross-origin"}));
  CHECK(r.code == 2);
  f.credential = f.dir.write("bad-cred.json", "{\"id\":1}");
  r = run(verify_assertion_command, f.args(resp));
  CHECK(r.code == 2);
  CHECK(r.err.find("credential record") != std::string::npos);
  r = run(verify_assertion_command, {"verify-assertion", "--help"});
  CHECK(r.code == 0);
  CHECK(r.out.find("--response") != std::string::npos);
}

TEST_CASE("challenge prints the intent challenge", "[passkey][cli][intent]") {
  TempDir dir;
  const std::string intent = dir.write("intent.json", R"({
  "key_id": "treasury-btc-1", "derivation_path": [0, 7], "chain": "bitcoin",
  "digest": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  "amount": "0.25", "asset": "BTC", "destination": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
  "request_nonce": "AAECAwQFBgcICQoLDA0ODw", "created_at_unix": 1767225600, "expires_at_unix": 1767226200,
  "initiator": "alice@custos.example"})");
  Run r = run(challenge_command, {"challenge", "--intent", intent});
  CHECK(r.code == 0);
  CHECK(r.out == "-E6ij9thmnP9UMaVvc51rwcuvmVY_ww4rwWUuQ6BsSU\n");  // docs/passkey.md worked example
  r = run(challenge_command, {"challenge", "--intent", intent, "--json"});
  CHECK(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["challenge"] == "-E6ij9thmnP9UMaVvc51rwcuvmVY_ww4rwWUuQ6BsSU");
  CHECK(j["canonical_hex"].get<std::string>().rfind("00000018637573746f732f", 0) == 0);

  const std::string expired = dir.write("bad.json", R"({"key_id":"k","chain":"c","digest":"00","request_nonce":"AAECAwQFBgcICQoLDA0ODw","created_at_unix":5,"expires_at_unix":6,"initiator":"i"})");
  r = run(challenge_command, {"challenge", "--intent", expired});
  CHECK(r.code == 2);
  CHECK(r.err.find("digest is 1 bytes, must be 32") != std::string::npos);
  r = run(challenge_command, {"challenge", "--intent", dir.path("nope.json")});
  CHECK(r.code == 2);
  r = run(challenge_command, {"challenge"});
  CHECK(r.code == 2);
}

}  // namespace custos::passkey_cli
