#include "crypto/passkey/attestation/packed.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include "crypto/passkey/attestation/certificate.h"
#include "crypto/passkey/attestation/signature.h"
#include "crypto/passkey/cose_key.h"

namespace custos::passkey {
namespace {

std::optional<std::string> name_entry(X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) return std::nullopt;
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  ERR_clear_error();
  if (length < 0 || utf8 == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

// §8.2.1 Certificate Requirements for Packed Attestation Statements.
std::optional<Rejection> check_packed_certificate(X509* cert, const std::array<uint8_t, 16>& aaguid) {
  const std::string what = "packed attestation certificate";
  if (auto r = check_version_3(cert, what)) return r;
  X509_NAME* subject = X509_get_subject_name(cert);
  const auto country = name_entry(subject, NID_countryName);
  if (!country || country->size() != 2 || !std::isupper(static_cast<unsigned char>((*country)[0])) ||
      !std::isupper(static_cast<unsigned char>((*country)[1]))) {
    return reject(Reason::kAttestationCertificateInvalid, what + ": subject C must be a two-letter ISO 3166 code");
  }
  const auto organization = name_entry(subject, NID_organizationName);
  if (!organization || organization->empty()) {
    return reject(Reason::kAttestationCertificateInvalid, what + ": subject O (authenticator vendor) is missing");
  }
  const auto unit = name_entry(subject, NID_organizationalUnitName);
  if (!unit || *unit != "Authenticator Attestation") {
    return reject(Reason::kAttestationCertificateInvalid,
                  what + ": subject OU must be \"Authenticator Attestation\"" +
                      (unit ? ", found \"" + *unit + "\"" : std::string(", found none")));
  }
  const auto common_name = name_entry(subject, NID_commonName);
  if (!common_name || common_name->empty()) {
    return reject(Reason::kAttestationCertificateInvalid, what + ": subject CN is missing");
  }
  if (auto r = check_not_ca(cert, what)) return r;
  if (auto r = check_aaguid_extension(cert, aaguid, what)) return r;
  return std::nullopt;
}

std::vector<uint8_t> signed_data(const AttestationInput& in) {
  std::vector<uint8_t> data(in.auth_data.raw);
  data.insert(data.end(), in.client_data_hash.begin(), in.client_data_hash.end());
  return data;
}

}  // namespace

Verdict<AttestationOutcome> verify_packed_attestation(const AttestationInput& in) {
  for (const auto& [key, value] : in.statement.fields()) {
    if (key == "ecdaaKeyId") {
      return reject(Reason::kAttestationFormatUnsupported, "packed ECDAA attestation (ecdaaKeyId) is not supported");
    }
    if (key != "alg" && key != "sig" && key != "x5c") {
      return reject(Reason::kAttestationStatementInvalid, "packed attStmt has an unexpected key \"" + key + "\"");
    }
  }
  PASSKEY_ASSIGN_OR_REJECT(const int64_t alg, in.statement.integer("alg"));
  PASSKEY_ASSIGN_OR_REJECT(const std::vector<uint8_t> sig, in.statement.bytes("sig"));
  const AttestedCredential& credential = *in.auth_data.attested;
  const std::vector<uint8_t> message = signed_data(in);

  if (!in.statement.has("x5c")) {
    // Self attestation: the credential key signs with its own algorithm.
    const int64_t credential_alg = static_cast<int64_t>(credential.public_key.alg);
    if (alg != credential_alg) {
      return reject(Reason::kAttestationStatementInvalid,
                    "packed self attestation: attStmt.alg " + attestation_alg_name(alg) +
                        " differs from the credential key's algorithm " + attestation_alg_name(credential_alg));
    }
    if (auto r = verify_signature(credential.public_key, message, sig)) {
      return reject(Reason::kAttestationStatementInvalid, "packed self attestation: " + r->message);
    }
    AttestationOutcome out;
    out.type = AttestationType::kSelf;
    return out;
  }

  PASSKEY_ASSIGN_OR_REJECT(const auto x5c_der, in.statement.byte_strings("x5c"));
  PASSKEY_ASSIGN_OR_REJECT(const auto x5c, parse_x5c(x5c_der));
  X509* leaf = x5c.front().get();
  if (auto r = verify_statement_signature(X509_get0_pubkey(leaf), alg, message, sig, in.policy,
                                          "packed attestation signature")) {
    return *r;
  }
  if (auto r = check_packed_certificate(leaf, credential.aaguid)) return *r;
  PASSKEY_ASSIGN_OR_REJECT(const ChainVerification chain,
                           verify_certificate_chain(x5c, in.roots, in.verification_time,
                                                    in.policy.require_trust_anchor));
  AttestationOutcome out;
  out.type = AttestationType::kBasic;  // basic or AttCA: indistinguishable without metadata (§8.2 step 2)
  out.trust_path = x5c_der;
  out.chain_anchored = chain.anchored;
  return out;
}

}  // namespace custos::passkey
