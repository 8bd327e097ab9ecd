// Registration ceremony (WebAuthn L3 §7.1): negative tests on responses built with libcbor/OpenSSL, the
// py_webauthn postconditions, trust-root handling, and the fixture cases re-run with a corrected rawId.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "crypto/passkey/attestation_object.h"
#include "node/passkey_cli/commands.h"
#include "crypto/passkey/registration.h"
#include "tests/passkey/registration_builder.h"
#include "tests/passkey/registration_vectors.h"

namespace custos::passkey::testing {
namespace {

Reason reason_of(const Verdict<RegisteredCredential>& v) {
  REQUIRE_FALSE(v.ok());
  INFO(v.rejection().to_string());
  return v.rejection().reason;
}

TEST_CASE("a software none registration is accepted and recorded", "[passkey][registration]") {
  auto key = generate_p256();
  BuildSpec spec;
  spec.auth.sign_count = 7;
  spec.auth.flags = 0x45 | 0x08;  // UP UV AT BE
  spec.auth.aaguid[0] = 0xab;
  auto built = build_registration(spec, key.get());
  auto v = verify_registration(built.response_json, built.options);
  REQUIRE(v.ok());
  CHECK(v->record.id == built.credential_id);
  CHECK(v->record.sign_count == 7);
  CHECK(v->record.backup_eligible);
  CHECK(v->attestation_type == AttestationType::kNone);
  CHECK(v->aaguid[0] == 0xab);
  CHECK(v->algorithm == -7);
  CHECK(v->rp_id == "custos.example");
  auto record = parse_credential_record(registration_record_json(*v));
  REQUIRE(record.ok());
  CHECK(record->public_key_cose == v->record.public_key_cose);
  CHECK_FALSE(record->user_handle.has_value());
}

TEST_CASE("packed self attestation is accepted and reported as self", "[passkey][registration]") {
  auto key = generate_p256();
  BuildSpec spec;
  spec.fmt = "packed";
  auto built = build_registration(spec, key.get());
  auto v = verify_registration(built.response_json, built.options);
  REQUIRE(v.ok());
  CHECK(v->attestation_type == AttestationType::kSelf);
  CHECK(v->attestation_trust_path.empty());
}

TEST_CASE("packed self attestation with an alg other than the credential's is rejected", "[passkey][registration]") {
  auto key = generate_p256();
  BuildSpec spec;
  spec.fmt = "packed";
  spec.statement_alg = -257;
  auto built = build_registration(spec, key.get());
  auto v = verify_registration(built.response_json, built.options);
  CHECK(reason_of(v) == Reason::kAttestationStatementInvalid);
  CHECK(v.rejection().message.find("differs from the credential key's algorithm") != std::string::npos);
}

TEST_CASE("packed self attestation signed over other data is rejected", "[passkey][registration]") {
  auto key = generate_p256();
  auto other = generate_p256();
  BuildSpec spec;
  spec.fmt = "packed";
  spec.auth.cose_key = cose_ec2(other.get());  // the credential key is not the signer
  auto built = build_registration(spec, key.get());
  CHECK(reason_of(verify_registration(built.response_json, built.options)) == Reason::kAttestationStatementInvalid);
}

TEST_CASE("a registration without the AT flag is rejected", "[passkey][registration]") {
  auto key = generate_p256();
  BuildSpec spec;
  spec.auth.flags = 0x05;  // UP UV, no attested credential data
  auto built = build_registration(spec, key.get());
  CHECK(reason_of(verify_registration(built.response_json, built.options)) == Reason::kAttestedCredentialMissing);
}

TEST_CASE("rawId must be the credential id of authenticatorData, and id must equal rawId", "[passkey][registration]") {
  auto key = generate_p256();
  BuildSpec spec;
  spec.raw_id_override = std::vector<uint8_t>(16, 0xc2);
  auto built = build_registration(spec, key.get());
  CHECK(reason_of(verify_registration(built.response_json, built.options)) == Reason::kCredentialIdMismatch);

  auto good = build_registration(BuildSpec{}, key.get());
  auto json = nlohmann::json::parse(good.response_json);
  json["id"] = base64url_encode(std::vector<uint8_t>(16, 0xc3));
  CHECK(reason_of(verify_registration(json.dump(), good.options)) == Reason::kCredentialIdMismatch);
}

TEST_CASE("a credential algorithm outside the allowed list is rejected", "[passkey][registration]") {
  auto key = generate_p256();
  auto built = build_registration(BuildSpec{}, key.get());
  built.options.allowed_algorithms = {-8, -257};
  auto v = verify_registration(built.response_json, built.options);
  CHECK(reason_of(v) == Reason::kAlgorithmNotAllowed);
  built.options.allowed_algorithms = {-7};
  CHECK(verify_registration(built.response_json, built.options).ok());
}

TEST_CASE("none attestation with a non-empty attStmt is rejected", "[passkey][registration]") {
  auto key = generate_p256();
  BuildSpec spec;
  spec.extra_statement_member = true;
  auto built = build_registration(spec, key.get());
  auto v = verify_registration(built.response_json, built.options);
  CHECK(reason_of(v) == Reason::kAttestationStatementInvalid);
  CHECK(v.rejection().message.find("empty attStmt") != std::string::npos);
}

TEST_CASE("UP and UV flags follow the options", "[passkey][registration]") {
  auto key = generate_p256();
  BuildSpec spec;
  spec.auth.flags = 0x41;  // UP AT, no UV
  auto built = build_registration(spec, key.get());
  CHECK(reason_of(verify_registration(built.response_json, built.options)) == Reason::kUserNotVerified);
  built.options.require_user_verification = false;
  CHECK(verify_registration(built.response_json, built.options).ok());

  spec.auth.flags = 0x40;  // AT only: conditional create
  auto silent = build_registration(spec, key.get());
  silent.options.require_user_verification = false;
  CHECK(reason_of(verify_registration(silent.response_json, silent.options)) == Reason::kUserNotPresent);
  silent.options.require_user_presence = false;
  CHECK(verify_registration(silent.response_json, silent.options).ok());
}

TEST_CASE("client data and RP ID mismatches are rejected before the attestation", "[passkey][registration]") {
  auto key = generate_p256();
  BuildSpec spec;
  spec.type = "webauthn.get";
  auto built = build_registration(spec, key.get());
  CHECK(reason_of(verify_registration(built.response_json, built.options)) == Reason::kWrongType);

  auto good = build_registration(BuildSpec{}, key.get());
  auto options = good.options;
  options.rp_ids = {"evil.example"};
  CHECK(reason_of(verify_registration(good.response_json, options)) == Reason::kRpIdHashMismatch);
  options = good.options;
  options.expected_challenge[0] ^= 1;
  CHECK(reason_of(verify_registration(good.response_json, options)) == Reason::kChallengeMismatch);
  options = good.options;
  options.origins.allowed_origins = {"https://other.example"};
  CHECK(reason_of(verify_registration(good.response_json, options)) == Reason::kOriginNotAllowed);
  options = good.options;
  options.rp_ids.clear();
  CHECK(reason_of(verify_registration(good.response_json, options)) == Reason::kRpIdHashMismatch);
}

TEST_CASE("malformed response envelopes are rejected", "[passkey][registration]") {
  auto key = generate_p256();
  auto good = build_registration(BuildSpec{}, key.get());
  auto json = nlohmann::json::parse(good.response_json);
  auto without = [&](const char* member) {
    auto j = json;
    j.erase(member);
    return j.dump();
  };
  CHECK(reason_of(verify_registration(without("type"), good.options)) == Reason::kMalformedResponse);
  CHECK(reason_of(verify_registration(without("rawId"), good.options)) == Reason::kMalformedResponse);
  CHECK(reason_of(verify_registration(without("response"), good.options)) == Reason::kMalformedResponse);
  CHECK(reason_of(verify_registration("not json", good.options)) == Reason::kMalformedResponse);
  auto padded = json;
  padded["response"]["attestationObject"] = padded["response"]["attestationObject"].get<std::string>() + "=";
  CHECK(reason_of(verify_registration(padded.dump(), good.options)) == Reason::kMalformedResponse);
  auto trailing = json;
  auto ao = base64url_decode(json["response"]["attestationObject"].get<std::string>());
  ao->push_back(0x00);
  trailing["response"]["attestationObject"] = base64url_encode(*ao);
  CHECK(reason_of(verify_registration(trailing.dump(), good.options)) == Reason::kAttestationObjectMalformed);
}

const RegistrationCase& fixture(const std::vector<RegistrationCase>& cases, const std::string& name) {
  for (const auto& rc : cases) {
    if (rc.name == name) return rc;
  }
  FAIL("fixture " << name << " not found");
  return cases.front();
}

std::vector<RegistrationCase> fixtures() {
  std::vector<RegistrationCase> all;
  for (auto& c : load_py_webauthn_cases()) all.push_back(std::move(c));
  for (auto& c : load_simplewebauthn_cases()) all.push_back(std::move(c));
  for (auto& c : load_webauthn_rs_cases()) all.push_back(std::move(c));
  return all;
}

TEST_CASE("py_webauthn none registration: the upstream postconditions hold", "[passkey][registration][vectors]") {
  const auto cases = fixtures();
  const auto& rc = fixture(cases, "test_verifies_none_attestation_response");
  auto v = verify_registration(response_text(rc), rc.options);
  REQUIRE(v.ok());
  CHECK(v->attestation_format == "none");
  CHECK(v->aaguid == std::array<uint8_t, 16>{});
  CHECK(base64url_encode(v->record.id) ==
        "9y1xA8Tmg1FEmT-c7_fvWZ_uoTuoih3OvR45_oAK-cwHWhAbXrl2q62iLVTjiyEZ7O7n-CROOY494k7Q3xrs_w");
  CHECK(base64url_encode(v->record.public_key_cose) ==
        "pQECAyYgASFYIEhW1CRfuNlIN6XTPKw0RbvzeaIlRMrDwwep-uq_-3WQIlgg1FZwd_RZRsqS_qgKCDvcVh7ScoKNo3w5h5fv3ihUSww");
  CHECK(v->record.sign_count == 23);
  CHECK_FALSE(v->backup_state);
  CHECK_FALSE(v->record.backup_eligible);  // "single_device"
}

// Upstream responses whose rawId is not the credential id: with rawId corrected, the attestation verifies.
Verdict<RegisteredCredential> with_corrected_raw_id(const RegistrationCase& rc, const RegistrationOptions& options) {
  auto parsed = parse_registration_response(response_text(rc));
  REQUIRE(parsed.ok() == (rc.response["rawId"].get<std::string>().size() > 3));
  auto ao = base64url_decode(rc.response["response"]["attestationObject"].get<std::string>());
  REQUIRE(ao.has_value());
  auto object = parse_attestation_object(*ao);
  REQUIRE(object.ok());
  auto ad = parse_authenticator_data(object->auth_data);
  REQUIRE(ad.ok());
  RegistrationResponse response;
  response.raw_id = ad->attested->credential_id;
  // SimpleWebAuthn's Packed (X5C) fixture also pads clientDataJSON with '='; this repair helper accepts it.
  auto client_data = base64_any_decode(rc.response["response"]["clientDataJSON"].get<std::string>());
  REQUIRE(client_data.has_value());
  response.client_data_json = *client_data;
  response.attestation_object = *ao;
  return verify_registration(response, options);
}

TEST_CASE("fixtures with a wrong rawId verify once rawId is the credential id", "[passkey][registration][vectors]") {
  const auto cases = fixtures();
  SECTION("webauthn-rs Android software key, anchored at the Android software root in the vector") {
    const auto& rc = fixture(cases, "test_google_android_key");
    auto options = rc.options;
    // The x5c ends in "Android Keystore Software Attestation Root", the root webauthn-rs passes
    // (ANDROID_SOFTWARE_ROOT_CA); take it from the vector as the configured root.
    auto ao = base64url_decode(rc.response["response"]["attestationObject"].get<std::string>());
    auto x5c = parse_attestation_object(*ao)->statement.byte_strings("x5c").value();
    auto root = parse_certificate_der(x5c.back(), "android software root");
    REQUIRE(root.ok());
    TrustRoots roots;
    roots.add(root.value());
    options.trust_roots["android-key"] = roots;
    auto v = with_corrected_raw_id(rc, options);
    if (!v.ok()) INFO(v.rejection().to_string());
    REQUIRE(v.ok());
    CHECK(v->attestation_format == "android-key");
    CHECK(v->attestation_chain_anchored);
  }
  SECTION("SimpleWebAuthn Packed (X5C) and Packed (EC2)") {
    auto x5c = with_corrected_raw_id(fixture(cases, "should verify Packed (X5C) attestation"),
                                     fixture(cases, "should verify Packed (X5C) attestation").options);
    if (!x5c.ok()) INFO(x5c.rejection().to_string());
    REQUIRE(x5c.ok());
    CHECK(x5c->attestation_type == AttestationType::kBasic);
    auto ec2 = with_corrected_raw_id(fixture(cases, "should verify Packed (EC2) attestation"),
                                     fixture(cases, "should verify Packed (EC2) attestation").options);
    if (!ec2.ok()) INFO(ec2.rejection().to_string());
    REQUIRE(ec2.ok());
    CHECK(ec2->attestation_type == AttestationType::kSelf);
  }
}

TEST_CASE("webauthn-rs iPadOS 5Ci: trust-root policy cases", "[passkey][registration][vectors]") {
  const auto cases = fixtures();
  const auto& rc = fixture(cases, "test_registration_ipados_5ci");
  SECTION("no root configured and one required (webauthn-rs MissingAttestationCaList)") {
    auto options = rc.options;
    options.attestation.require_trust_anchor = true;
    CHECK(reason_of(verify_registration(response_text(rc), options)) == Reason::kAttestationTrustRootMissing);
  }
  SECTION("a root that does not issue the chain (webauthn-rs AttestationChainNotTrusted)") {
    auto options = rc.options;
    const auto& apple = fixture(cases, "test_verify_attestation_apple_passkey");
    auto ao = base64url_decode(apple.response["response"]["attestationObject"].get<std::string>());
    auto der = parse_attestation_object(*ao)->statement.byte_strings("x5c").value().at(1);
    TrustRoots roots;
    roots.add(parse_certificate_der(der, "Apple WebAuthn CA 1").value());
    options.trust_roots["packed"] = roots;
    CHECK(reason_of(verify_registration(response_text(rc), options)) == Reason::kAttestationChainInvalid);
  }
  SECTION("no root configured, none required: verified unanchored") {
    auto v = verify_registration(response_text(rc), rc.options);
    REQUIRE(v.ok());
    CHECK_FALSE(v->attestation_chain_anchored);
    CHECK(v->attestation_trust_path.size() == 1);
  }
}

TEST_CASE("an anchored chain reports chain_anchored", "[passkey][registration][vectors]") {
  const auto cases = fixtures();
  const auto& rc = fixture(cases, "test_verify_attestation_android_key_hardware_authority");
  auto options = rc.options;
  auto ao = base64url_decode(rc.response["response"]["attestationObject"].get<std::string>());
  auto x5c = parse_attestation_object(*ao)->statement.byte_strings("x5c").value();
  TrustRoots roots;
  roots.add(parse_certificate_der(x5c.back(), "google hardware root").value());  // self-signed top of the path
  options.trust_roots["android-key"] = roots;
  auto v = verify_registration(response_text(rc), options);
  REQUIRE(v.ok());
  CHECK(v->attestation_chain_anchored);
}

TEST_CASE("a pinned time outside the certificate validity is rejected", "[passkey][registration][vectors]") {
  const auto cases = fixtures();
  const auto& rc = fixture(cases, "test_verify_attestation_apple_passkey");
  auto options = rc.options;
  REQUIRE(verify_registration(response_text(rc), options).ok());
  options.verification_time = 1640995200;  // 2022-01-01: the credential certificate expired 2021-09-03
  auto v = verify_registration(response_text(rc), options);
  CHECK(reason_of(v) == Reason::kAttestationChainInvalid);
  CHECK(v.rejection().message.find("expired") != std::string::npos);
  options.verification_time = 1609459200;  // 2021-01-01: not yet valid
  CHECK(reason_of(verify_registration(response_text(rc), options)) == Reason::kAttestationChainInvalid);
}

TEST_CASE("custos-passkey verify-registration: exit codes and output", "[passkey][registration][cli]") {
  auto key = generate_p256();
  auto built = build_registration(BuildSpec{}, key.get());
  const auto path = std::filesystem::temp_directory_path() / ("custos-reg-" + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << built.response_json;
  const std::string challenge = base64url_encode(built.options.expected_challenge);
  auto run = [&](std::vector<std::string> args, std::string* out_text, std::string* err_text) {
    std::vector<const char*> argv = {"verify-registration"};
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int rc = custos::passkey_cli::verify_registration_command(static_cast<int>(argv.size()), argv.data(), out, err);
    *out_text = out.str();
    *err_text = err.str();
    return rc;
  };
  std::string out, err;
  CHECK(run({"--response", path.string(), "--challenge", challenge, "--origin", "https://custos.example", "--rp-id",
             "custos.example", "--at", "1735689600"},
            &out, &err) == 0);
  auto record = parse_credential_record(out);
  REQUIRE(record.ok());
  CHECK(record->id == built.credential_id);
  CHECK(run({"--response", path.string(), "--challenge", challenge, "--origin", "https://custos.example", "--rp-id",
             "other.example"},
            &out, &err) == 1);
  CHECK(out.rfind("reject: rp_id_hash_mismatch: ", 0) == 0);
  CHECK(run({"--response", path.string(), "--challenge", challenge, "--origin", "https://custos.example", "--rp-id",
             "custos.example", "--alg", "-8", "--json"},
            &out, &err) == 1);
  CHECK(nlohmann::json::parse(out)["reason"] == "algorithm_not_allowed");
  CHECK(run({"--response", "/nonexistent/response.json", "--challenge", challenge, "--origin", "o", "--rp-id", "r"},
            &out, &err) == 2);
  CHECK(err.find("cannot read response") != std::string::npos);
  CHECK(run({"--response", path.string(), "--challenge", "!!", "--origin", "o", "--rp-id", "r"}, &out, &err) == 2);
  CHECK(run({"--response", path.string(), "--challenge", challenge, "--origin", "o", "--rp-id", "r", "--alg", "-37"},
            &out, &err) == 2);
  CHECK(run({"--challenge", challenge}, &out, &err) == 2);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace custos::passkey::testing
