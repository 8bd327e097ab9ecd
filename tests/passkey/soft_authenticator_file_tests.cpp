// The software authenticator's credential file (sim/soft_authenticator.h): a reloaded authenticator is
// the same passkey (its assertions verify against the original credential record, the counter carries
// on), and every tampered or misspelt file is rejected with the member named.
#include <catch2/catch.hpp>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include <functional>

#include <nlohmann/json.hpp>

#include "crypto/passkey/assertion.h"
#include "crypto/passkey/base64url.h"
#include "sim/soft_authenticator.h"
#include "sim/soft_keys.h"

namespace custos::sim {
namespace {

const std::vector<uint8_t> kChallenge(32, 0x5a);

SoftAuthenticator make(SoftKeyType type, uint64_t seed) {
  DeterministicRng rng(seed);
  auto a = SoftAuthenticator::create(type, &rng);
  REQUIRE(a.ok());
  a->set_user_name("alice");
  return std::move(a).value();
}

std::string file_of(const SoftAuthenticator& a) {
  auto text = a.to_file_json();
  REQUIRE(text.ok());
  return *text;
}

passkey::AssertionExpectations expectations(const SoftAuthenticator& a) {
  passkey::AssertionExpectations e;
  e.challenge = kChallenge;
  e.origins.allowed_origins = {a.options().origin};
  e.rp_id = a.options().rp_id;
  return e;
}

// The message of loading `j`, which must fail.
std::string rejection(const nlohmann::json& j) {
  auto a = SoftAuthenticator::from_file_json(j.dump());
  REQUIRE_FALSE(a.ok());
  return a.status().message();
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("credential file: round trip keeps the passkey, its counter and its options", "[passkey][soft_authenticator]") {
  for (SoftKeyType type : {SoftKeyType::kES256, SoftKeyType::kEdDSA}) {
    SoftAuthenticator a = make(type, 11);
    a.options().rp_id = "localhost";
    a.options().origin = "http://localhost:8080";
    a.options().cross_origin = true;
    a.options().top_origin = "https://top.example";
    a.options().backup_eligible = true;
    a.options().include_user_handle = false;
    a.options().aaguid[3] = 0xab;
    a.options().attachment = "cross-platform";
    a.set_sign_count(41);
    const std::string text = file_of(a);
    auto b = SoftAuthenticator::from_file_json(text);
    INFO(text);
    REQUIRE(b.ok());
    CHECK(file_of(*b) == text);
    CHECK(b->credential_record_json() == a.credential_record_json());
    CHECK(b->sign_count() == 41);
    CHECK(b->user_name() == "alice");
    CHECK(b->alg() == a.alg());
    CHECK(b->options().top_origin == std::optional<std::string>("https://top.example"));
    CHECK(b->options().attachment == "cross-platform");
    CHECK(b->options().aaguid == a.options().aaguid);
    CHECK(contains(text, type == SoftKeyType::kES256 ? "\"key_type\": \"es256\"" : "\"key_type\": \"eddsa\""));
  }
}

TEST_CASE("credential file: a reloaded authenticator's assertions verify against the original record",
          "[passkey][soft_authenticator]") {
  for (SoftKeyType type : {SoftKeyType::kES256, SoftKeyType::kEdDSA}) {
    SoftAuthenticator original = make(type, 12);
    const passkey::CredentialRecord record = original.credential_record();  // registered with signCount 0
    auto first = SoftAuthenticator::from_file_json(file_of(original));
    REQUIRE(first.ok());
    auto v1 = passkey::verify_assertion(first->assertion_json(kChallenge), record, expectations(original));
    INFO((v1.ok() ? std::string() : v1.rejection().to_string()));
    REQUIRE(v1.ok());
    CHECK(v1->sign_count == 1);
    // Saved and loaded again, the counter goes on from where it was.
    auto second = SoftAuthenticator::from_file_json(file_of(*first));
    REQUIRE(second.ok());
    passkey::CredentialRecord after = record;
    after.sign_count = v1->sign_count;
    auto v2 = passkey::verify_assertion(second->assertion_json(kChallenge), after, expectations(original));
    REQUIRE(v2.ok());
    CHECK(v2->sign_count == 2);
  }
}

TEST_CASE("credential file: tampered and misspelt files are rejected, naming the member", "[passkey][soft_authenticator]") {
  SoftAuthenticator a = make(SoftKeyType::kES256, 13);
  const nlohmann::json good = nlohmann::json::parse(file_of(a));

  // Every member is required.
  for (const auto& [name, value] : good.items()) {
    nlohmann::json j = good;
    j.erase(name);
    CHECK(contains(rejection(j), "missing member \"" + name + "\""));
  }
  for (const auto& [name, value] : good["options"].items()) {
    nlohmann::json j = good;
    j["options"].erase(name);
    CHECK(contains(rejection(j), "missing member \"options." + name + "\""));
  }
  // Unknown members are errors, not ignored.
  {
    nlohmann::json j = good;
    j["public_key"] = "AAAA";
    CHECK(contains(rejection(j), "unknown member \"public_key\""));
    j = good;
    j["options"]["user_verifed"] = true;
    CHECK(contains(rejection(j), "unknown member \"options.user_verifed\""));
  }
  struct Case {
    const char* what;
    std::function<void(nlohmann::json&)> tamper;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"other format", [](nlohmann::json& j) { j["format"] = "webauthn"; }, "\"format\""},
      {"future version", [](nlohmann::json& j) { j["version"] = 2; }, "\"version\""},
      {"unknown key type", [](nlohmann::json& j) { j["key_type"] = "rs256"; }, "\"key_type\""},
      {"key type does not match the key", [](nlohmann::json& j) { j["key_type"] = "eddsa"; }, "Ed25519"},
      {"truncated private key",
       [](nlohmann::json& j) {
         std::string k = j["private_key_pkcs8"];
         j["private_key_pkcs8"] = k.substr(0, k.size() - 8);
       },
       "\"private_key_pkcs8\""},
      {"private key not base64url", [](nlohmann::json& j) { j["private_key_pkcs8"] = "not base64!"; }, "\"private_key_pkcs8\""},
      {"empty credential id", [](nlohmann::json& j) { j["credential_id"] = ""; }, "\"credential_id\""},
      {"padded user handle", [](nlohmann::json& j) { j["user_handle"] = "AAAA=="; }, "\"user_handle\""},
      {"negative counter", [](nlohmann::json& j) { j["sign_count"] = -1; }, "\"sign_count\""},
      {"counter above 2^32-1", [](nlohmann::json& j) { j["sign_count"] = 4294967296ull; }, "\"sign_count\""},
      {"counter as text", [](nlohmann::json& j) { j["sign_count"] = "5"; }, "\"sign_count\""},
      {"flag as text", [](nlohmann::json& j) { j["options"]["user_verified"] = "true"; }, "\"options.user_verified\""},
      {"bad aaguid", [](nlohmann::json& j) { j["options"]["aaguid"] = std::string(32, 'g'); }, "\"options.aaguid\""},
      {"bad attachment", [](nlohmann::json& j) { j["options"]["attachment"] = "usb"; }, "\"options.attachment\""},
      {"empty rp id", [](nlohmann::json& j) { j["options"]["rp_id"] = ""; }, "\"options.rp_id\""},
      {"options not an object", [](nlohmann::json& j) { j["options"] = nlohmann::json::array(); }, "\"options\""},
      {"control character in user name", [](nlohmann::json& j) { j["user_name"] = "al\x1b[2Jice"; }, "\"user_name\""},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    nlohmann::json j = good;
    c.tamper(j);
    const std::string message = rejection(j);
    INFO(message);
    CHECK(contains(message, c.expect));
  }
  // Not JSON, not an object, a duplicated member.
  CHECK_FALSE(SoftAuthenticator::from_file_json("{").ok());
  CHECK_FALSE(SoftAuthenticator::from_file_json("[]").ok());
  std::string dup = good.dump();
  dup.insert(1, "\"sign_count\":0,");
  auto d = SoftAuthenticator::from_file_json(dup);
  REQUIRE_FALSE(d.ok());
  CHECK(contains(d.status().message(), "duplicate"));
}

TEST_CASE("credential file: a key on another curve or another passkey's key is not this passkey",
          "[passkey][soft_authenticator]") {
  SoftAuthenticator a = make(SoftKeyType::kES256, 14);
  const nlohmann::json good = nlohmann::json::parse(file_of(a));

  // A P-384 key where a P-256 key belongs.
  EVP_PKEY* raw = EVP_EC_gen("P-384");
  REQUIRE(raw != nullptr);
  passkey::EvpPkeyPtr p384(raw, passkey::EvpPkeyDeleter{});
  auto der = private_key_pkcs8(p384.get());
  REQUIRE(der.ok());
  nlohmann::json j = good;
  j["private_key_pkcs8"] = passkey::base64url_encode(der->expose());
  CHECK(contains(rejection(j), "P-256"));

  // Another valid P-256 key loads, but its public key is computed from it: it is a different passkey,
  // and its assertions do not verify against the original record.
  SoftAuthenticator other = make(SoftKeyType::kES256, 15);
  j = good;
  j["private_key_pkcs8"] = nlohmann::json::parse(file_of(other))["private_key_pkcs8"];
  auto swapped = SoftAuthenticator::from_file_json(j.dump());
  REQUIRE(swapped.ok());
  CHECK(swapped->public_key_cose() == other.public_key_cose());
  CHECK(swapped->public_key_cose() != a.public_key_cose());
  auto v = passkey::verify_assertion(swapped->assertion_json(kChallenge), a.credential_record(), expectations(a));
  REQUIRE_FALSE(v.ok());
  CHECK(v.rejection().reason == passkey::Reason::kSignatureInvalid);
}

}  // namespace custos::sim
