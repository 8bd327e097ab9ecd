// Attestation statement formats (WebAuthn L3 §8): tampered fixture statements, certificate-path
// handling, and the signature-algorithm policy.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "crypto/passkey/attestation/cert_chain.h"
#include "crypto/passkey/attestation/signature.h"
#include "crypto/passkey/attestation_object.h"
#include "crypto/passkey/registration.h"
#include "tests/passkey/registration_builder.h"
#include "tests/passkey/registration_vectors.h"

namespace custos::passkey::testing {
namespace {

std::vector<RegistrationCase> fixtures() {
  std::vector<RegistrationCase> all;
  for (auto& c : load_py_webauthn_cases()) all.push_back(std::move(c));
  for (auto& c : load_simplewebauthn_cases()) all.push_back(std::move(c));
  for (auto& c : load_webauthn_rs_cases()) all.push_back(std::move(c));
  return all;
}

RegistrationCase fixture(const std::string& name) {
  for (auto& rc : fixtures()) {
    if (rc.name == name) return rc;
  }
  FAIL("fixture " << name << " not found");
  return {};
}

std::vector<uint8_t> attestation_object_of(const RegistrationCase& rc) {
  auto ao = base64url_decode(rc.response["response"]["attestationObject"].get<std::string>());
  REQUIRE(ao.has_value());
  return *ao;
}

// Verdict for `rc` with its attestationObject replaced.
Verdict<RegisteredCredential> verify_with(RegistrationCase rc, const std::vector<uint8_t>& attestation_object) {
  rc.response["response"]["attestationObject"] = base64url_encode(attestation_object);
  return verify_registration(response_text(rc), rc.options);
}

void expect_reject(const Verdict<RegisteredCredential>& v, Reason reason, const std::string& fragment) {
  REQUIRE_FALSE(v.ok());
  INFO(v.rejection().to_string());
  CHECK(v.rejection().reason == reason);
  CHECK(v.rejection().message.find(fragment) != std::string::npos);
}

TEST_CASE("fido-u2f with two certificates in x5c is rejected", "[passkey][attestation]") {
  auto rc = fixture("should verify FIDO U2F attestation");
  const auto ao = attestation_object_of(rc);
  REQUIRE(verify_with(rc, ao).ok());
  auto cert = statement_member(ao, "x5c");
  CborItemPtr doubled(cbor_new_definite_array(2));
  CborItemPtr first(cbor_array_get(cert.get(), 0));
  cbor_array_push(doubled.get(), first.get());
  cbor_array_push(doubled.get(), first.get());
  expect_reject(verify_with(rc, rewrite_attestation_object(ao, "x5c", cbor_incref(doubled.get()), true)),
                Reason::kAttestationStatementInvalid, "exactly one certificate");
}

TEST_CASE("fido-u2f with a tampered signature is rejected", "[passkey][attestation]") {
  auto rc = fixture("should verify FIDO U2F attestation");
  const auto ao = attestation_object_of(rc);
  auto sig = statement_member(ao, "sig");
  std::vector<uint8_t> bytes(cbor_bytestring_handle(sig.get()), cbor_bytestring_handle(sig.get()) + cbor_bytestring_length(sig.get()));
  bytes[bytes.size() - 1] ^= 0x01;
  expect_reject(verify_with(rc, rewrite_attestation_object(ao, "sig", bytes_item(bytes), true)),
                Reason::kAttestationStatementInvalid, "does not verify");
}

TEST_CASE("TPM certInfo with a wrong magic or type is rejected", "[passkey][attestation]") {
  auto rc = fixture("should validate TPM RSA response (SHA256)");
  const auto ao = attestation_object_of(rc);
  REQUIRE(verify_with(rc, ao).ok());
  auto cert_info = statement_member(ao, "certInfo");
  const std::vector<uint8_t> original(cbor_bytestring_handle(cert_info.get()),
                                      cbor_bytestring_handle(cert_info.get()) + cbor_bytestring_length(cert_info.get()));
  SECTION("magic") {
    auto bytes = original;
    bytes[0] ^= 0x01;
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "certInfo", bytes_item(bytes), true)),
                  Reason::kAttestationStatementInvalid, "TPM_GENERATED_VALUE");
  }
  SECTION("type") {
    auto bytes = original;
    bytes[5] ^= 0x01;
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "certInfo", bytes_item(bytes), true)),
                  Reason::kAttestationStatementInvalid, "TPM_ST_ATTEST_CERTIFY");
  }
  SECTION("truncated") {
    auto bytes = original;
    bytes.resize(bytes.size() - 3);
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "certInfo", bytes_item(bytes), true)),
                  Reason::kAttestationStatementInvalid, "truncated");
  }
  SECTION("trailing bytes") {
    auto bytes = original;
    bytes.push_back(0);
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "certInfo", bytes_item(bytes), true)),
                  Reason::kAttestationStatementInvalid, "trailing");
  }
  SECTION("pubArea that is not the credential key") {
    auto pub_area = statement_member(ao, "pubArea");
    std::vector<uint8_t> bytes(cbor_bytestring_handle(pub_area.get()),
                               cbor_bytestring_handle(pub_area.get()) + cbor_bytestring_length(pub_area.get()));
    bytes[bytes.size() - 1] ^= 0x01;  // last byte of the RSA modulus
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "pubArea", bytes_item(bytes), true)),
                  Reason::kAttestationStatementInvalid, "modulus");
  }
  SECTION("ver other than 2.0") {
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "ver", cbor_build_string("1.2"), true)),
                  Reason::kAttestationStatementInvalid, "2.0");
  }
}

TEST_CASE("apple attestation with a nonce that does not match is rejected", "[passkey][attestation]") {
  auto bad = fixture("test_touchid_attest_apple_anonymous_fails_with_invalid_nonce_extension");
  bad.options.verification_time = 1607472000;
  expect_reject(verify_registration(response_text(bad), bad.options), Reason::kAttestationCertificateInvalid,
                "1.2.840.113635.100.8.2");
  // The valid Apple response with another client data hash: the nonce no longer matches.
  auto rc = fixture("test_verify_attestation_apple_passkey");
  REQUIRE(verify_registration(response_text(rc), rc.options).ok());
  auto cd = base64url_decode(rc.response["response"]["clientDataJSON"].get<std::string>());
  std::string text(cd->begin(), cd->end());
  text.insert(text.size() - 1, ",\"extra\":1");
  rc.response["response"]["clientDataJSON"] = base64url_encode(byte_vector_of(text));
  expect_reject(verify_registration(response_text(rc), rc.options), Reason::kAttestationCertificateInvalid,
                "is not SHA-256(authenticatorData || clientDataHash)");
}

TEST_CASE("packed x5c: signature and certificate requirements", "[passkey][attestation]") {
  auto rc = fixture("test_verify_attestation_from_yubikey_firefox#2");
  const auto ao = attestation_object_of(rc);
  auto v = verify_with(rc, ao);
  REQUIRE(v.ok());
  CHECK(v->attestation_type == AttestationType::kBasic);
  CHECK(v->attestation_trust_path.size() == 1);
  CHECK_FALSE(v->attestation_chain_anchored);
  SECTION("alg that does not match the certificate key") {
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "alg", cbor_build_int(-257), true)),
                  Reason::kAttestationStatementInvalid, "needs an RSA key");
  }
  SECTION("unknown attStmt member") {
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "foo", cbor_build_int(1), true)),
                  Reason::kAttestationStatementInvalid, "unexpected key");
  }
  SECTION("ECDAA") {
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "ecdaaKeyId", bytes_item({1}), true)),
                  Reason::kAttestationFormatUnsupported, "ECDAA");
  }
  SECTION("a leaf that is not a packed attestation certificate (Apple credential certificate)") {
    auto apple = attestation_object_of(fixture("test_verify_attestation_apple_passkey"));
    auto apple_x5c = statement_member(apple, "x5c");
    CborItemPtr leaf_only(cbor_new_definite_array(1));
    CborItemPtr leaf(cbor_array_get(apple_x5c.get(), 0));
    cbor_array_push(leaf_only.get(), leaf.get());
    // The signature check runs first and fails: the Apple key did not sign this data.
    expect_reject(verify_with(rc, rewrite_attestation_object(ao, "x5c", cbor_incref(leaf_only.get()), true)),
                  Reason::kAttestationStatementInvalid, "does not verify");
  }
}

TEST_CASE("android-key with a signature over other data is rejected", "[passkey][attestation]") {
  auto rc = fixture("should validate Android-Key response");
  const auto ao = attestation_object_of(rc);
  REQUIRE(verify_with(rc, ao).ok());
  auto sig = statement_member(ao, "sig");
  std::vector<uint8_t> bytes(cbor_bytestring_handle(sig.get()), cbor_bytestring_handle(sig.get()) + cbor_bytestring_length(sig.get()));
  bytes[bytes.size() - 2] ^= 0x10;
  expect_reject(verify_with(rc, rewrite_attestation_object(ao, "sig", bytes_item(bytes), true)),
                Reason::kAttestationStatementInvalid, "signature");
}

TEST_CASE("unsupported formats: android-safetynet and unknown identifiers", "[passkey][attestation]") {
  // SimpleWebAuthn accepts SafetyNet when its CTS check is disabled; we, like webauthn-rs, do not support
  // the format at all (a Google service verdict, deprecated by Google).
  auto rc = fixture("should skip CTS check when enforcement option is false");
  expect_reject(verify_registration(response_text(rc), rc.options), Reason::kAttestationFormatUnsupported,
                "android-safetynet");
  auto none = fixture("test_verifies_none_attestation_response");
  expect_reject(verify_with(none, rewrite_attestation_object(attestation_object_of(none), "fmt", cbor_build_string("None"))),
                Reason::kAttestationFormatUnsupported, "\"None\"");  // case-sensitive (§7.1 step 20)
}

TEST_CASE("attestation types reported per format", "[passkey][attestation]") {
  struct Row {
    const char* name;
    AttestationType type;
    int64_t time;
  };
  const Row rows[] = {
      {"should validate TPM RSA response (SHA256)", AttestationType::kAttCA, 1738281599},
      {"test_verify_attestation_apple_passkey", AttestationType::kAnonCA, 1630454400},
      {"test_verify_attestation_from_fido_conformance", AttestationType::kBasic, kDefaultPinnedTime},
      {"test_edge_touchid_rk_verified", AttestationType::kSelf, kDefaultPinnedTime},
      {"test_win_hello_attest_none", AttestationType::kNone, kDefaultPinnedTime},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto rc = fixture(row.name);
    rc.options.verification_time = row.time;
    auto v = verify_registration(response_text(rc), rc.options);
    REQUIRE(v.ok());
    CHECK(v->attestation_type == row.type);
  }
}

TEST_CASE("trust roots load from PEM text and from a directory per format", "[passkey][attestation]") {
  CHECK_FALSE(TrustRoots::from_pem("no certificate here").ok());
  // A PEM made from a certificate in the vectors (Apple WebAuthn CA 1).
  auto apple = attestation_object_of(fixture("test_verify_attestation_apple_passkey"));
  auto x5c = parse_attestation_object(apple)->statement.byte_strings("x5c").value();
  auto cert = parse_certificate_der(x5c.at(1), "Apple WebAuthn CA 1");
  REQUIRE(cert.ok());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert.value().get());
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  const std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  auto roots = TrustRoots::from_pem(pem + pem);
  REQUIRE(roots.ok());
  CHECK(roots->size() == 2);

  const auto dir = std::filesystem::temp_directory_path() / ("custos-roots-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "apple");
  std::ofstream(dir / "apple" / "ca.pem") << pem;
  auto by_format = load_trust_roots_directory(dir.string());
  REQUIRE(by_format.ok());
  CHECK(by_format->count("apple") == 1);
  CHECK(by_format->count("packed") == 0);
  std::ofstream(dir / "all.pem") << pem;
  by_format = load_trust_roots_directory(dir.string());
  REQUIRE(by_format.ok());
  CHECK(by_format->at("packed").size() == 1);
  CHECK(by_format->at("apple").size() == 2);
  std::filesystem::remove_all(dir);
  CHECK_FALSE(load_trust_roots_directory(dir.string()).ok());
}

TEST_CASE("verify_certificate_chain: anchor policy and parse errors", "[passkey][attestation]") {
  auto apple = attestation_object_of(fixture("test_verify_attestation_apple_passkey"));
  auto der = parse_attestation_object(apple)->statement.byte_strings("x5c").value();
  std::vector<X509Ptr> path;
  for (const auto& d : der) path.push_back(parse_certificate_der(d, "cert").value());
  const int64_t when = 1630454400;  // 2021-09-01
  auto unanchored = verify_certificate_chain(path, nullptr, when, false);
  REQUIRE(unanchored.ok());
  CHECK_FALSE(unanchored->anchored);
  auto required = verify_certificate_chain(path, nullptr, when, true);
  REQUIRE_FALSE(required.ok());
  CHECK(required.rejection().reason == Reason::kAttestationTrustRootMissing);
  TrustRoots ca;
  ca.add(path.back());
  auto anchored = verify_certificate_chain({path.front()}, &ca, when, true);
  REQUIRE(anchored.ok());
  CHECK(anchored->anchored);
  auto der_with_trailing = der.front();
  der_with_trailing.push_back(0);
  CHECK_FALSE(parse_certificate_der(der_with_trailing, "leaf").ok());
}

TEST_CASE("attestation signature policy: algorithms, SHA-1 and RSA size", "[passkey][attestation]") {
  auto key = generate_p256();
  const std::vector<uint8_t> message = {1, 2, 3};
  const auto sig = sign_es256(key.get(), message);
  AttestationPolicy policy;
  CHECK_FALSE(verify_statement_signature(key.get(), -7, message, sig, policy, "t").has_value());
  auto wrong_curve = verify_statement_signature(key.get(), -35, message, sig, policy, "t");
  REQUIRE(wrong_curve.has_value());
  CHECK(wrong_curve->message.find("secp384r1") != std::string::npos);
  auto unknown = verify_statement_signature(key.get(), -999, message, sig, policy, "t");
  REQUIRE(unknown.has_value());
  CHECK(unknown->reason == Reason::kAttestationStatementInvalid);
  auto sha1 = verify_statement_signature(key.get(), -65535, message, sig, policy, "t");
  REQUIRE(sha1.has_value());
  CHECK(sha1->reason == Reason::kAttestationInsecureCryptography);
  Pkey rsa(EVP_RSA_gen(1024));
  auto small = verify_statement_signature(rsa.get(), -257, message, sig, policy, "t");
  REQUIRE(small.has_value());
  CHECK(small->reason == Reason::kAttestationInsecureCryptography);
  CHECK(small->message.find("1024") != std::string::npos);
}

}  // namespace
}  // namespace custos::passkey::testing
