// The software authenticator must produce exactly what a browser produces, or the other tests prove
// nothing about real approvals: member order, compact JSON, clientDataJSON layout, CBOR structure.
#include <catch2/catch.hpp>

#include "crypto/hash.h"
#include "crypto/passkey/authenticator_data.h"
#include "crypto/passkey/base64url.h"
#include "crypto/passkey/cbor_strict.h"
#include "crypto/passkey/client_data.h"
#include "crypto/passkey/credential_record.h"
#include "sim/soft_authenticator.h"
#include "tests/passkey/passkey_test_util.h"

namespace custos::sim {
namespace {

using passkey::testing::b64url;

const std::vector<uint8_t> kChallenge(32, 0xc7);

std::string text_key(const cbor_item_t* k) {
  return std::string(reinterpret_cast<const char*>(cbor_string_handle(k)), cbor_string_length(k));
}

}  // namespace

TEST_CASE("assertion JSON is byte-for-byte browser toJSON() output", "[passkey][soft_authenticator]") {
  DeterministicRng rng(3);
  auto a = SoftAuthenticator::create(SoftKeyType::kES256, &rng);
  REQUIRE(a.ok());
  const std::string text = a->assertion_json(kChallenge);
  // WebIDL dictionary members serialise in lexicographic order, compact, no padding.
  CHECK(text.rfind("{\"authenticatorAttachment\":\"platform\",\"clientExtensionResults\":{},\"id\":\"", 0) == 0);
  const auto j = nlohmann::json::parse(text);
  CHECK(j.dump() == text);  // sorted members, no whitespace
  CHECK(j["id"] == j["rawId"]);
  CHECK(j["type"] == "public-key");
  const std::vector<std::string> members = {"authenticatorData", "clientDataJSON", "signature", "userHandle"};
  std::vector<std::string> got;
  for (const auto& [k, v] : j["response"].items()) {
    got.push_back(k);
    CHECK(v.get<std::string>().find('=') == std::string::npos);
  }
  CHECK(got == members);
  const auto cdj = b64url(j["response"]["clientDataJSON"].get<std::string>());
  CHECK(std::string(cdj.begin(), cdj.end()) ==
        "{\"type\":\"webauthn.get\",\"challenge\":\"" + passkey::base64url_encode(kChallenge) +
            "\",\"origin\":\"https://custos.example\",\"crossOrigin\":false}");
  auto ad = passkey::parse_authenticator_data(b64url(j["response"]["authenticatorData"].get<std::string>()));
  REQUIRE(ad.ok());
  CHECK(ad->sign_count == 1);
  CHECK(ad->flags.raw == 0x05);  // UP | UV
  const Digest32 rp = sha256(as_bytes("custos.example"));
  CHECK(std::equal(rp.begin(), rp.end(), ad->rp_id_hash.begin()));

  a->options().cross_origin = true;
  a->options().top_origin = "https://shop.example";
  const auto cross = a->client_data_json("webauthn.get", kChallenge);
  CHECK(cross.find(",\"crossOrigin\":true,\"topOrigin\":\"https://shop.example\"}") != std::string::npos);
}

TEST_CASE("registration JSON: none and packed self attestation", "[passkey][soft_authenticator]") {
  for (auto type : {SoftKeyType::kES256, SoftKeyType::kEdDSA}) {
    for (auto fmt : {SoftAttestation::kNone, SoftAttestation::kPacked}) {
      DeterministicRng rng(4);
      auto a = SoftAuthenticator::create(type, &rng);
      REQUIRE(a.ok());
      const std::string text = a->registration_json(kChallenge, fmt);
      const auto j = nlohmann::json::parse(text);
      CHECK(j.dump() == text);
      CHECK(j["response"]["publicKeyAlgorithm"] == static_cast<int64_t>(a->alg()));
      const auto cdj = b64url(j["response"]["clientDataJSON"].get<std::string>());
      auto cd = passkey::parse_client_data(cdj);
      REQUIRE(cd.ok());
      CHECK(cd->type == "webauthn.create");
      const auto att = b64url(j["response"]["attestationObject"].get<std::string>());
      std::string error;
      passkey::CborItemPtr obj = passkey::decode_cbor_strict(att, passkey::CborLimits{}, nullptr, &error);
      INFO(error);
      REQUIRE(obj);
      REQUIRE(cbor_map_size(obj.get()) == 3);
      const cbor_pair* p = cbor_map_handle(obj.get());
      // CTAP2 canonical order: "fmt", "attStmt", "authData".
      CHECK(text_key(p[0].key) == "fmt");
      CHECK(text_key(p[1].key) == "attStmt");
      CHECK(text_key(p[2].key) == "authData");
      CHECK(text_key(p[0].value) == (fmt == SoftAttestation::kPacked ? "packed" : "none"));
      const auto auth_data = passkey::cbor_bytes(p[2].value);
      CHECK(auth_data == b64url(j["response"]["authenticatorData"].get<std::string>()));
      auto ad = passkey::parse_authenticator_data(auth_data);
      REQUIRE(ad.ok());
      REQUIRE(ad->attested.has_value());
      CHECK(ad->attested->credential_id == a->credential_id());
      CHECK(ad->attested->public_key_cose == a->public_key_cose());
      if (fmt == SoftAttestation::kPacked) {
        REQUIRE(cbor_map_size(p[1].value) == 2);
        const cbor_pair* s = cbor_map_handle(p[1].value);
        int64_t alg = 0;
        REQUIRE(passkey::cbor_int_value(s[0].value, &alg));
        CHECK(alg == static_cast<int64_t>(a->alg()));
        std::vector<uint8_t> signed_data = auth_data;
        const Digest32 h = sha256(cdj);
        signed_data.insert(signed_data.end(), h.begin(), h.end());
        CHECK_FALSE(passkey::verify_signature(ad->attested->public_key, signed_data, passkey::cbor_bytes(s[1].value)).has_value());
      } else {
        CHECK(cbor_map_size(p[1].value) == 0);
      }
    }
  }
}

TEST_CASE("keys come from the injected RNG; counters and records", "[passkey][soft_authenticator]") {
  DeterministicRng r1(9), r2(9), r3(10);
  auto a = SoftAuthenticator::create(SoftKeyType::kES256, &r1);
  auto b = SoftAuthenticator::create(SoftKeyType::kES256, &r2);
  auto c = SoftAuthenticator::create(SoftKeyType::kES256, &r3);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(a->public_key_cose() == b->public_key_cose());
  CHECK(a->credential_id() == b->credential_id());
  CHECK(a->public_key_cose() != c->public_key_cose());
  auto unseeded = SoftAuthenticator::create(SoftKeyType::kEdDSA);
  REQUIRE(unseeded.ok());
  CHECK(passkey::parse_cose_key(unseeded->public_key_cose()).ok());

  (void)a->assertion_json(kChallenge);
  (void)a->assertion_json(kChallenge);
  CHECK(a->sign_count() == 2);
  a->options().counter_enabled = false;
  (void)a->assertion_json(kChallenge);
  CHECK(a->sign_count() == 2);

  auto rec = passkey::parse_credential_record(a->credential_record_json());
  REQUIRE(rec.ok());
  CHECK(rec->sign_count == 2);
  CHECK(rec->id == a->credential_id());
  CHECK(rec->public_key_cose == a->public_key_cose());
}

}  // namespace custos::sim
