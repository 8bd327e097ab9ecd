// WebAuthn L3 §7.2 assertion verification: one valid response from the software authenticator, then a
// table of single tampering steps, each of which must be rejected with its own reason.
#include <catch2/catch.hpp>

#include <functional>

#include "crypto/passkey/assertion.h"
#include "crypto/passkey/base64url.h"
#include "crypto/passkey/challenge.h"
#include "protocol/intent.h"
#include "sim/soft_authenticator.h"
#include "tests/passkey/passkey_test_util.h"
#include "tests/test_support.h"

namespace custos::passkey {
namespace {

using testing::bytes_of;
using sim::SoftAssertionParts;

struct Setup {
  sim::SoftAuthenticator auth;
  CredentialRecord record;
  AssertionExpectations expect;
};

Setup make_setup(sim::SoftKeyType type = sim::SoftKeyType::kES256, uint64_t seed = 1) {
  DeterministicRng rng(seed);
  auto auth = sim::SoftAuthenticator::create(type, &rng);
  REQUIRE(auth.ok());
  Setup s{std::move(auth).value(), {}, {}};
  s.record = s.auth.credential_record();
  s.expect.challenge = std::vector<uint8_t>(32, 0x5c);
  s.expect.origins.allowed_origins = {"https://custos.example"};
  s.expect.rp_id = "custos.example";
  return s;
}

// Builds an assertion, lets `tamper` change its parts, re-signs them with the credential key (so the
// signature is valid and only the tampered check can fail) and verifies.
Verdict<AssertionResult> tampered(Setup& s, const std::function<void(SoftAssertionParts&)>& tamper) {
  auto parts = s.auth.assertion_parts(s.expect.challenge);
  tamper(parts);
  parts.signature = s.auth.sign(parts.authenticator_data, bytes_of(parts.client_data_json));
  return verify_assertion(s.auth.assertion_json_from(parts), s.record, s.expect);
}

Reason reason_of(const Verdict<AssertionResult>& v) {
  REQUIRE_FALSE(v.ok());
  return v.rejection().reason;
}

}  // namespace

TEST_CASE("valid ES256 and EdDSA assertions are accepted", "[passkey][assertion]") {
  for (auto type : {sim::SoftKeyType::kES256, sim::SoftKeyType::kEdDSA}) {
    Setup s = make_setup(type);
    auto v = verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect);
    INFO((v.ok() ? std::string("ok") : v.rejection().to_string()));
    REQUIRE(v.ok());
    CHECK(v->sign_count == 1);
    CHECK(v->user_verified);
    CHECK_FALSE(v->backup_eligible);
    CHECK_FALSE(v->backup_state);
    CHECK(v->credential_id == s.auth.credential_id());
  }
}

TEST_CASE("clientDataJSON tampering: type, challenge, origin, crossOrigin", "[passkey][assertion]") {
  Setup s = make_setup();
  CHECK(reason_of(tampered(s, [&](SoftAssertionParts& p) {
          p.client_data_json = s.auth.client_data_json("webauthn.create", s.expect.challenge);
        })) == Reason::kWrongType);
  CHECK(reason_of(tampered(s, [&](SoftAssertionParts& p) {
          p.client_data_json = s.auth.client_data_json("webauthn.get", std::vector<uint8_t>(32, 0x5d));
        })) == Reason::kChallengeMismatch);
  for (const std::string& origin : std::vector<std::string>{"https://evil.example", "https://custos.example.evil.example", "http://custos.example",
                                   "https://custos.example:443", "https://custos.example/", "https://Custos.example",
                                   "https://login.custos.example"}) {
    Setup o = make_setup();
    o.auth.options().origin = origin;
    auto v = verify_assertion(o.auth.assertion_json(o.expect.challenge), o.record, o.expect);
    REQUIRE_FALSE(v.ok());
    CHECK(v.rejection().reason == Reason::kOriginNotAllowed);
    CHECK(v.rejection().to_string() == "reject: origin_not_allowed: origin " + origin + " is not allowed");
  }
  Setup c = make_setup();
  c.auth.options().cross_origin = true;
  c.auth.options().top_origin = "https://shop.example";
  CHECK(reason_of(verify_assertion(c.auth.assertion_json(c.expect.challenge), c.record, c.expect)) ==
        Reason::kCrossOriginNotAllowed);
  c.expect.origins.allow_cross_origin = true;
  c.expect.origins.allowed_top_origins = {"https://other.example"};
  CHECK(reason_of(verify_assertion(c.auth.assertion_json(c.expect.challenge), c.record, c.expect)) ==
        Reason::kTopOriginNotAllowed);
  c.expect.origins.allowed_top_origins = {"https://shop.example"};
  CHECK(verify_assertion(c.auth.assertion_json(c.expect.challenge), c.record, c.expect).ok());
}

TEST_CASE("an assertion for intent A is rejected for intent B", "[passkey][assertion][intent]") {
  custos::SigningIntent a;
  a.set_key_id("treasury-1");
  a.set_chain("bitcoin");
  a.set_digest(std::string(32, '\x01'));
  a.set_request_nonce(std::string(16, '\x02'));
  a.set_created_at_unix(1700000000);
  a.set_expires_at_unix(1700000600);
  a.set_initiator("alice");
  custos::SigningIntent b = a;
  b.set_digest(std::string(32, '\x03'));  // same request, other payload
  auto ca = protocol::intent_canonical_bytes(a);
  auto cb = protocol::intent_canonical_bytes(b);
  REQUIRE(ca.ok());
  REQUIRE(cb.ok());
  const Digest32 challenge_a = intent_challenge(*ca), challenge_b = intent_challenge(*cb);

  Setup s = make_setup();
  const std::string approval_of_a = s.auth.assertion_json(challenge_a);
  s.expect.challenge.assign(challenge_b.begin(), challenge_b.end());
  auto v = verify_assertion(approval_of_a, s.record, s.expect);
  REQUIRE_FALSE(v.ok());
  CHECK(v.rejection().reason == Reason::kChallengeMismatch);
  s.expect.challenge.assign(challenge_a.begin(), challenge_a.end());
  CHECK(verify_assertion(approval_of_a, s.record, s.expect).ok());
}

TEST_CASE("authenticatorData tampering: rpId, flags, structure", "[passkey][assertion]") {
  {
    Setup s = make_setup();
    s.auth.options().rp_id = "evil.example";
    auto v = verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect);
    REQUIRE_FALSE(v.ok());
    CHECK(v.rejection().reason == Reason::kRpIdHashMismatch);
    CHECK(v.rejection().message.find("custos.example") != std::string::npos);
  }
  for (const std::string& rp : std::vector<std::string>{"custos.example.", "CUSTOS.EXAMPLE", "example", "sub.custos.example"}) {
    Setup s = make_setup();
    s.auth.options().rp_id = rp;
    CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
          Reason::kRpIdHashMismatch);
  }
  {
    Setup s = make_setup();
    s.auth.options().user_present = false;
    CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
          Reason::kUserNotPresent);
  }
  {
    Setup s = make_setup();
    s.auth.options().user_verified = false;
    CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
          Reason::kUserNotVerified);
    s.expect.require_user_verification = false;
    auto v = verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect);
    REQUIRE(v.ok());
    CHECK_FALSE(v->user_verified);
  }
  {
    Setup s = make_setup();
    s.auth.options().backup_state = true;  // BS without BE
    CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
          Reason::kBackupStateInvalid);
  }
  {
    Setup s = make_setup();
    s.auth.options().backup_eligible = true;  // BE now, but registered without
    CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
          Reason::kBackupStateInvalid);
    s.record.backup_eligible = true;
    s.auth.options().backup_state = true;
    auto v = verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect);
    REQUIRE(v.ok());
    CHECK(v->backup_eligible);
    CHECK(v->backup_state);
  }
  Setup s = make_setup();
  CHECK(reason_of(tampered(s, [](SoftAssertionParts& p) { p.authenticator_data.resize(36); })) ==
        Reason::kAuthenticatorDataMalformed);
  CHECK(reason_of(tampered(s, [](SoftAssertionParts& p) { p.authenticator_data.push_back(0); })) ==
        Reason::kAuthenticatorDataMalformed);
  CHECK(reason_of(tampered(s, [&](SoftAssertionParts& p) { p.authenticator_data = s.auth.authenticator_data(true); })) ==
        Reason::kAuthenticatorDataMalformed);  // AT in an assertion
  CHECK(reason_of(tampered(s, [](SoftAssertionParts& p) { p.authenticator_data[32] |= 0x80; })) ==
        Reason::kAuthenticatorDataMalformed);  // ED without extensions
  CHECK(reason_of(tampered(s, [](SoftAssertionParts& p) {
          p.authenticator_data.insert(p.authenticator_data.end(), {0xa1, 0x01, 0x02});
        })) == Reason::kAuthenticatorDataMalformed);  // extensions without ED
  auto ext = tampered(s, [](SoftAssertionParts& p) {
    p.authenticator_data[32] |= 0x80;
    p.authenticator_data.insert(p.authenticator_data.end(), {0xa1, 0x01, 0x02});
  });
  REQUIRE(ext.ok());
  CHECK(ext->extensions_cbor == std::vector<uint8_t>{0xa1, 0x01, 0x02});
}

TEST_CASE("signCount must advance unless both counts are zero", "[passkey][assertion]") {
  Setup s = make_setup();
  s.record.sign_count = 5;
  s.auth.set_sign_count(4);  // next assertion carries 5: equal
  auto v = verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect);
  REQUIRE_FALSE(v.ok());
  CHECK(v.rejection().reason == Reason::kSignCountRollback);
  CHECK(v.rejection().message.find("signCount 5 is not greater than the stored 5") != std::string::npos);
  s.auth.set_sign_count(1);  // lower
  CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
        Reason::kSignCountRollback);
  s.auth.set_sign_count(5);  // 6 > 5
  CHECK(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect).ok());

  Setup z = make_setup();
  z.auth.options().counter_enabled = false;  // authenticator without a counter: 0 and 0
  auto zero = verify_assertion(z.auth.assertion_json(z.expect.challenge), z.record, z.expect);
  REQUIRE(zero.ok());
  CHECK(zero->sign_count == 0);
  z.record.sign_count = 3;  // stored non-zero, new zero: a rollback
  CHECK(reason_of(verify_assertion(z.auth.assertion_json(z.expect.challenge), z.record, z.expect)) ==
        Reason::kSignCountRollback);
}

TEST_CASE("credential identity: id, rawId, record, userHandle", "[passkey][assertion]") {
  Setup s = make_setup();
  s.record.id[0] ^= 1;
  CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
        Reason::kCredentialIdMismatch);
  s.record.id[0] ^= 1;
  auto j = nlohmann::json::parse(s.auth.assertion_json(s.expect.challenge));
  j["id"] = base64url_encode(std::vector<uint8_t>(32, 9));
  CHECK(reason_of(verify_assertion(j.dump(), s.record, s.expect)) == Reason::kCredentialIdMismatch);
  s.record.user_handle = std::vector<uint8_t>{1, 2, 3};
  CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
        Reason::kUserHandleMismatch);
  s.auth.options().include_user_handle = false;  // no userHandle sent: nothing to compare
  CHECK(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect).ok());
}

TEST_CASE("signature and algorithm checks", "[passkey][assertion]") {
  Setup s = make_setup();
  auto parts = s.auth.assertion_parts(s.expect.challenge);
  parts.signature[parts.signature.size() - 3] ^= 1;
  auto v = verify_assertion(s.auth.assertion_json_from(parts), s.record, s.expect);
  REQUIRE_FALSE(v.ok());
  CHECK((v.rejection().reason == Reason::kSignatureInvalid || v.rejection().reason == Reason::kSignatureMalformed));
  // A valid signature over other clientDataJSON bytes (the signature binds the exact bytes).
  parts = s.auth.assertion_parts(s.expect.challenge);
  parts.client_data_json.insert(parts.client_data_json.size() - 1, ",\"x\":1");
  CHECK(reason_of(verify_assertion(s.auth.assertion_json_from(parts), s.record, s.expect)) == Reason::kSignatureInvalid);
  // Non-DER signature: raw r‖s.
  parts = s.auth.assertion_parts(s.expect.challenge);
  parts.signature = std::vector<uint8_t>(64, 0x11);
  CHECK(reason_of(verify_assertion(s.auth.assertion_json_from(parts), s.record, s.expect)) == Reason::kSignatureMalformed);
  s.expect.allowed_algorithms = {CoseAlg::kEdDSA};
  CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
        Reason::kAlgorithmNotAllowed);
  s.expect.allowed_algorithms = {CoseAlg::kES256};
  s.record.public_key_cose.pop_back();
  CHECK(reason_of(verify_assertion(s.auth.assertion_json(s.expect.challenge), s.record, s.expect)) ==
        Reason::kCoseKeyInvalid);
}

TEST_CASE("malformed response envelopes", "[passkey][assertion]") {
  Setup s = make_setup();
  const auto good = nlohmann::json::parse(s.auth.assertion_json(s.expect.challenge));
  std::vector<std::function<void(nlohmann::json&)>> edits = {
      [](nlohmann::json& j) { j["type"] = "password"; },
      [](nlohmann::json& j) { j.erase("rawId"); },
      [](nlohmann::json& j) { j["response"].erase("signature"); },
      [](nlohmann::json& j) { j["response"]["signature"] = 7; },
      [](nlohmann::json& j) { j["response"]["authenticatorData"] = j["response"]["authenticatorData"].get<std::string>() + "=="; },
      [](nlohmann::json& j) { j["response"]["clientDataJSON"] = "not base64!"; },
      [](nlohmann::json& j) { j["response"]["signature"] = std::string(2000, 'A'); },
      [](nlohmann::json& j) { j["response"]["clientDataJSON"] = std::string(90000, 'A'); },
      [](nlohmann::json& j) { j.erase("response"); },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    auto j = good;
    edits[i](j);
    INFO("edit " << i);
    CHECK(reason_of(verify_assertion(j.dump(), s.record, s.expect)) == Reason::kMalformedResponse);
  }
  CHECK(reason_of(verify_assertion("not json", s.record, s.expect)) == Reason::kMalformedResponse);
  CHECK(reason_of(verify_assertion("[]", s.record, s.expect)) == Reason::kMalformedResponse);
  // Duplicate member: which "signature" would count?
  std::string dup = good.dump();
  dup.insert(dup.size() - 1, ",\"type\":\"public-key\"");
  CHECK(reason_of(verify_assertion(dup, s.record, s.expect)) == Reason::kMalformedResponse);
}

TEST_CASE("credential records round-trip through JSON", "[passkey][assertion][record]") {
  Setup s = make_setup();
  const std::string text = s.auth.credential_record_json();
  auto rec = parse_credential_record(text);
  REQUIRE(rec.ok());
  CHECK(rec->id == s.record.id);
  CHECK(rec->public_key_cose == s.record.public_key_cose);
  CHECK(rec->user_handle == s.record.user_handle);
  CHECK(credential_record_to_json(*rec) == text);
  auto j = nlohmann::json::parse(text);
  j["signCount"] = -1;
  CHECK_FALSE(parse_credential_record(j.dump()).ok());
  j = nlohmann::json::parse(text);
  j["sign_count"] = 1;  // misspelt member
  CHECK_FALSE(parse_credential_record(j.dump()).ok());
  j = nlohmann::json::parse(text);
  j["publicKey"] = base64url_encode(std::vector<uint8_t>{0xa0});
  auto bad_key = parse_credential_record(j.dump());
  REQUIRE_FALSE(bad_key.ok());
  CHECK(bad_key.rejection().reason == Reason::kCoseKeyInvalid);
}

}  // namespace custos::passkey
