// Signing intents (DESIGN §5 steps 1-2): validation, canonical bytes, JSON form, and the challenge
// derived from them. The worked example of docs/passkey.md ("Signing intent encoding") is checked here.
#include <catch2/catch.hpp>

#include <functional>
#include <regex>
#include <set>

#include "crypto/passkey/base64url.h"
#include "crypto/passkey/challenge.h"
#include "protocol/intent.h"
#include "protocol/wire.h"
#include "tests/passkey/passkey_test_util.h"

namespace custos {
namespace {

SigningIntent base_intent() {
  SigningIntent i;
  i.set_key_id("treasury-btc-1");
  i.add_derivation_path(0);
  i.add_derivation_path(7);
  i.set_chain("bitcoin");
  i.set_digest(std::string(32, '\x11'));
  i.set_amount("0.25");
  i.set_asset("BTC");
  i.set_destination("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq");
  i.set_request_nonce(std::string(16, '\x22'));
  i.set_created_at_unix(1767225600);
  i.set_expires_at_unix(1767226200);
  i.set_initiator("alice@custos.example");
  return i;
}

std::string challenge_of(const SigningIntent& i) {
  auto bytes = protocol::intent_canonical_bytes(i);
  INFO(bytes.status().to_string());
  REQUIRE(bytes.ok());
  return passkey::intent_challenge_b64url(*bytes);
}

std::string invalid_message(const SigningIntent& i) {
  Status s = protocol::validate_intent(i);
  REQUIRE_FALSE(s.ok());
  CHECK_FALSE(protocol::intent_canonical_bytes(i).ok());
  return s.message();
}

}  // namespace

TEST_CASE("intent validation names the offending field", "[passkey][intent]") {
  REQUIRE(protocol::validate_intent(base_intent()).ok());
  const std::vector<std::pair<std::function<void(SigningIntent&)>, std::string>> cases = {
      {[](SigningIntent& i) { i.set_digest(std::string(31, 'x')); }, "digest is 31 bytes, must be 32"},
      {[](SigningIntent& i) { i.set_digest(std::string(33, 'x')); }, "digest is 33 bytes, must be 32"},
      {[](SigningIntent& i) { i.clear_payload(); }, "payload is missing"},
      {[](SigningIntent& i) { i.set_raw_transaction(""); }, "raw_transaction is empty"},
      {[](SigningIntent& i) { i.set_raw_transaction(std::string(65537, 'x')); }, "raw_transaction is 65537 bytes"},
      {[](SigningIntent& i) { i.set_request_nonce(std::string(15, 'n')); }, "request_nonce is 15 bytes, must be 16..64"},
      {[](SigningIntent& i) { i.set_request_nonce(std::string(65, 'n')); }, "request_nonce is 65 bytes"},
      {[](SigningIntent& i) { i.set_expires_at_unix(i.created_at_unix()); }, "is not after created_at_unix"},
      {[](SigningIntent& i) { i.set_expires_at_unix(i.created_at_unix() - 1); }, "is not after created_at_unix"},
      {[](SigningIntent& i) { i.set_created_at_unix(0); }, "created_at_unix is missing"},
      {[](SigningIntent& i) { i.set_derivation_path(1, 0x80000000u); }, "derivation_path[1] = 2147483648 is hardened"},
      {[](SigningIntent& i) { for (int k = 0; k < 15; ++k) i.add_derivation_path(1); }, "at most 16"},
      {[](SigningIntent& i) { i.set_key_id(""); }, "key_id is empty"},
      {[](SigningIntent& i) { i.set_key_id("treasury 1"); }, "key_id must be printable ASCII"},
      {[](SigningIntent& i) { i.set_chain(std::string(65, 'c')); }, "chain is 65 bytes"},
      {[](SigningIntent& i) { i.set_asset("B\xc3\x9fTC"); }, "asset must be printable ASCII"},
      {[](SigningIntent& i) { i.set_destination(""); }, "destination is empty"},
      {[](SigningIntent& i) { i.set_initiator(""); }, "initiator is empty"},
  };
  for (const auto& [edit, expected] : cases) {
    SigningIntent i = base_intent();
    edit(i);
    const std::string message = invalid_message(i);
    INFO(message);
    CHECK(message.find(expected) != std::string::npos);
  }
  for (const std::string& bad : std::vector<std::string>{"", "01", "1.", ".5", "-1", "+1", "1e3", "1,5", "0x10", " 1", "1.2.3"}) {
    SigningIntent i = base_intent();
    i.set_amount(bad);
    INFO("amount " << bad);
    CHECK(invalid_message(i).find("amount") != std::string::npos);
  }
  for (const std::string& good : std::vector<std::string>{"0", "10", "0.000001", "123456789.5"}) {
    SigningIntent i = base_intent();
    i.set_amount(good);
    CHECK(protocol::validate_intent(i).ok());
  }
}

TEST_CASE("canonical bytes are tag ‖ deterministic protobuf and parse back strictly", "[passkey][intent]") {
  const SigningIntent i = base_intent();
  auto bytes = protocol::intent_canonical_bytes(i);
  REQUIRE(bytes.ok());
  const std::string tag = "custos/signing-intent/v1";
  REQUIRE(bytes->size() > 4 + tag.size());
  CHECK((*bytes)[0] == 0);
  CHECK((*bytes)[3] == tag.size());
  CHECK(std::string(bytes->begin() + 4, bytes->begin() + 4 + static_cast<long>(tag.size())) == tag);
  const auto body = protocol::serialize_deterministic(i);
  CHECK(WipedBytes(bytes->begin() + 4 + static_cast<long>(tag.size()), bytes->end()) == body);

  auto back = protocol::parse_intent_canonical(*bytes);
  REQUIRE(back.ok());
  CHECK(back->SerializeAsString() == i.SerializeAsString());

  auto wrong_tag = *bytes;
  wrong_tag[10] ^= 1;
  CHECK_FALSE(protocol::parse_intent_canonical(wrong_tag).ok());
  auto unknown_field = *bytes;
  unknown_field.insert(unknown_field.end(), {0xf8, 0x01, 0x01});  // field 31, varint 1
  CHECK_FALSE(protocol::parse_intent_canonical(unknown_field).ok());
  auto truncated = *bytes;
  truncated.pop_back();
  CHECK_FALSE(protocol::parse_intent_canonical(truncated).ok());
  // Same message, fields out of order: valid protobuf, not canonical.
  SigningIntent only_chain;
  only_chain.set_chain("x");
  SigningIntent only_key;
  only_key.set_key_id("k");
  auto swapped = std::vector<uint8_t>(bytes->begin(), bytes->begin() + 4 + static_cast<long>(tag.size()));
  const std::string a = only_chain.SerializeAsString(), b = only_key.SerializeAsString();
  swapped.insert(swapped.end(), a.begin(), a.end());
  swapped.insert(swapped.end(), b.begin(), b.end());
  auto reordered = protocol::parse_intent_canonical(swapped);
  REQUIRE_FALSE(reordered.ok());
  CHECK(reordered.status().message().find("canonical") != std::string::npos);
}

TEST_CASE("changing any single field changes the challenge", "[passkey][intent]") {
  // One edit per field of SigningIntent; the descriptor check below fails when a field is added
  // without an edit here.
  const std::vector<std::pair<std::string, std::function<void(SigningIntent&)>>> edits = {
      {"key_id", [](SigningIntent& i) { i.set_key_id("treasury-btc-2"); }},
      {"derivation_path", [](SigningIntent& i) { i.set_derivation_path(1, 8); }},
      {"derivation_path", [](SigningIntent& i) { i.add_derivation_path(0); }},
      {"derivation_path", [](SigningIntent& i) { i.mutable_derivation_path()->RemoveLast(); }},
      {"chain", [](SigningIntent& i) { i.set_chain("bitcoin-testnet"); }},
      {"digest", [](SigningIntent& i) { i.mutable_digest()->at(31) ^= 1; }},
      {"raw_transaction", [](SigningIntent& i) { i.set_raw_transaction(std::string(32, '\x11')); }},
      {"amount", [](SigningIntent& i) { i.set_amount("0.26"); }},
      {"amount", [](SigningIntent& i) { i.clear_amount(); }},
      {"asset", [](SigningIntent& i) { i.set_asset("tBTC"); }},
      {"asset", [](SigningIntent& i) { i.clear_asset(); }},
      {"destination", [](SigningIntent& i) { i.set_destination("bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"); }},
      {"destination", [](SigningIntent& i) { i.clear_destination(); }},
      {"request_nonce", [](SigningIntent& i) { i.mutable_request_nonce()->at(0) ^= 1; }},
      {"created_at_unix", [](SigningIntent& i) { i.set_created_at_unix(i.created_at_unix() - 1); }},
      {"expires_at_unix", [](SigningIntent& i) { i.set_expires_at_unix(i.expires_at_unix() + 1); }},
      {"initiator", [](SigningIntent& i) { i.set_initiator("bob@custos.example"); }},
  };
  std::set<std::string> covered;
  std::set<std::string> challenges = {challenge_of(base_intent())};
  for (const auto& [field, edit] : edits) {
    SigningIntent i = base_intent();
    edit(i);
    INFO("field " << field);
    CHECK(challenges.insert(challenge_of(i)).second);  // differs from the base and from every other edit
    covered.insert(field);
  }
  const auto* d = SigningIntent::descriptor();
  for (int f = 0; f < d->field_count(); ++f) {
    INFO("field without a single-field edit: " << d->field(f)->name());
    CHECK(covered.count(d->field(f)->name()) == 1);
  }
}

TEST_CASE("intent JSON form round-trips and is strict", "[passkey][intent]") {
  const SigningIntent i = base_intent();
  auto text = protocol::intent_to_json(i);
  REQUIRE(text.ok());
  auto back = protocol::intent_from_json(*text);
  INFO(*text);
  REQUIRE(back.ok());
  CHECK(back->SerializeAsString() == i.SerializeAsString());
  const auto good = nlohmann::json::parse(*text);
  CHECK(good["digest"] == std::string(64, '1'));
  CHECK(good["request_nonce"] == passkey::base64url_encode(std::vector<uint8_t>(16, 0x22)));

  const std::vector<std::pair<std::function<void(nlohmann::json&)>, std::string>> bad = {
      {[](nlohmann::json& j) { j["surprise"] = 1; }, "unknown member"},
      {[](nlohmann::json& j) { j["raw_transaction"] = "00"; }, "exactly one"},
      {[](nlohmann::json& j) { j.erase("digest"); }, "exactly one"},
      {[](nlohmann::json& j) { j["digest"] = std::string(63, 'a'); }, "odd number"},
      {[](nlohmann::json& j) { j["digest"] = std::string(64, 'g'); }, "not hex"},
      {[](nlohmann::json& j) { j["request_nonce"] = j["request_nonce"].get<std::string>() + "=="; }, "base64url"},
      {[](nlohmann::json& j) { j["created_at_unix"] = -5; }, "non-negative integer"},
      {[](nlohmann::json& j) { j["derivation_path"] = {1, "2"}; }, "derivation_path"},
      {[](nlohmann::json& j) { j["derivation_path"] = {4294967296ull}; }, "derivation_path"},
      {[](nlohmann::json& j) { j["amount"] = 0.25; }, "not a string"},
      {[](nlohmann::json& j) { j.erase("initiator"); }, "initiator"},
  };
  for (const auto& [edit, expected] : bad) {
    auto j = good;
    edit(j);
    auto r = protocol::intent_from_json(j.dump());
    REQUIRE_FALSE(r.ok());
    INFO(r.status().message());
    CHECK(r.status().message().find(expected) != std::string::npos);
  }
  std::string dup = good.dump();
  dup.insert(dup.size() - 1, ",\"chain\":\"ethereum\"");
  CHECK_FALSE(protocol::intent_from_json(dup).ok());
  // Upper-case hex is accepted and written back in lower case.
  auto upper = good;
  upper["digest"] = std::string(64, 'A');
  auto u = protocol::intent_from_json(upper.dump());
  REQUIRE(u.ok());
  CHECK(nlohmann::json::parse(*protocol::intent_to_json(*u))["digest"] == std::string(64, 'a'));
}

TEST_CASE("the worked example in docs/passkey.md has the challenge the document states", "[passkey][intent]") {
  const std::string doc = passkey::testing::read_text(std::string(CUSTOS_SOURCE_DIR) + "/docs/passkey.md");
  const auto section = doc.find("## Signing intent encoding");
  REQUIRE(section != std::string::npos);
  const std::regex block(R"(```json\n([\s\S]*?)\n```)");
  std::smatch m;
  const std::string rest = doc.substr(section);
  REQUIRE(std::regex_search(rest, m, block));
  const std::string example = m[1].str();
  std::smatch c, h;
  REQUIRE(std::regex_search(rest, c, std::regex(R"(challenge: `([A-Za-z0-9_-]{43})`)")));
  REQUIRE(std::regex_search(rest, h, std::regex(R"(canonical bytes \(hex\): `([0-9a-f]+)`)")));

  auto intent = protocol::intent_from_json(example);
  INFO(intent.status().to_string());
  REQUIRE(intent.ok());
  auto bytes = protocol::intent_canonical_bytes(*intent);
  REQUIRE(bytes.ok());
  CHECK(passkey::testing::hex_string(*bytes) == h[1].str());
  CHECK(passkey::intent_challenge_b64url(*bytes) == c[1].str());
  // Known answer, independent of the document, so that an edit of both cannot go unnoticed.
  CHECK(c[1].str() == "-E6ij9thmnP9UMaVvc51rwcuvmVY_ww4rwWUuQ6BsSU");
}

}  // namespace custos
