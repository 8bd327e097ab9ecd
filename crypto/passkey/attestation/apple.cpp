#include "crypto/passkey/attestation/apple.h"

#include <openssl/asn1.h>

#include <algorithm>

#include "crypto/passkey/attestation/certificate.h"
#include "crypto/passkey/attestation/signature.h"

namespace custos::passkey {
namespace {

constexpr const char* kNonceOid = "1.2.840.113635.100.8.2";

// The extension value: SEQUENCE { [1] EXPLICIT OCTET STRING (32 bytes) }.
std::optional<std::vector<uint8_t>> nonce_from_extension(std::span<const uint8_t> der) {
  std::span<const uint8_t> cursor = der;
  auto sequence = read_der(cursor);
  if (!sequence || !cursor.empty() || sequence->tag != V_ASN1_SEQUENCE || sequence->tag_class != V_ASN1_UNIVERSAL ||
      !sequence->constructed) {
    return std::nullopt;
  }
  std::span<const uint8_t> inside = sequence->content;
  auto tagged = read_der(inside);
  if (!tagged || !inside.empty() || tagged->tag != 1 || tagged->tag_class != V_ASN1_CONTEXT_SPECIFIC ||
      !tagged->constructed) {
    return std::nullopt;
  }
  std::span<const uint8_t> explicit_content = tagged->content;
  auto octets = read_der(explicit_content);
  if (!octets || !explicit_content.empty() || octets->tag != V_ASN1_OCTET_STRING ||
      octets->tag_class != V_ASN1_UNIVERSAL || octets->constructed) {
    return std::nullopt;
  }
  return std::vector<uint8_t>(octets->content.begin(), octets->content.end());
}

}  // namespace

Verdict<AttestationOutcome> verify_apple_attestation(const AttestationInput& in) {
  for (const auto& [key, value] : in.statement.fields()) {
    if (key != "x5c" && key != "alg") {
      return reject(Reason::kAttestationStatementInvalid, "apple attStmt has an unexpected key \"" + key + "\"");
    }
  }
  PASSKEY_ASSIGN_OR_REJECT(const auto x5c_der, in.statement.byte_strings("x5c"));
  PASSKEY_ASSIGN_OR_REJECT(const auto x5c, parse_x5c(x5c_der));
  X509* leaf = x5c.front().get();
  const std::string what = "apple credential certificate";
  if (auto r = check_version_3(leaf, what)) return *r;

  // §8.8 steps 2-4.
  Sha256 hasher;
  hasher.update(std::span<const uint8_t>(in.auth_data.raw));
  hasher.update(std::span<const uint8_t>(in.client_data_hash));
  const Digest32 nonce = hasher.finish();
  PASSKEY_ASSIGN_OR_REJECT(const auto extension, find_extension(leaf, kNonceOid, what));
  if (!extension) {
    return reject(Reason::kAttestationCertificateInvalid, what + " lacks the nonce extension " + kNonceOid);
  }
  const auto found = nonce_from_extension(extension->der);
  if (!found) {
    return reject(Reason::kAttestationCertificateInvalid,
                  what + ": extension " + kNonceOid + " is not SEQUENCE { [1] OCTET STRING }");
  }
  if (found->size() != nonce.size() || !std::equal(nonce.begin(), nonce.end(), found->begin())) {
    return reject(Reason::kAttestationCertificateInvalid,
                  what + ": the nonce in extension " + std::string(kNonceOid) +
                      " is not SHA-256(authenticatorData || clientDataHash)");
  }
  // §8.8 step 5.
  if (!same_public_key(X509_get0_pubkey(leaf), in.auth_data.attested->public_key.pkey.get())) {
    return reject(Reason::kAttestationStatementInvalid, what + " key is not the credential public key");
  }
  if (in.statement.has("alg")) {
    PASSKEY_ASSIGN_OR_REJECT(const int64_t alg, in.statement.integer("alg"));
    const int64_t credential_alg = static_cast<int64_t>(in.auth_data.attested->public_key.alg);
    if (alg != credential_alg) {
      return reject(Reason::kAttestationStatementInvalid,
                    "apple attStmt.alg " + attestation_alg_name(alg) + " differs from the credential algorithm " +
                        attestation_alg_name(credential_alg));
    }
  }
  PASSKEY_ASSIGN_OR_REJECT(const ChainVerification chain,
                           verify_certificate_chain(x5c, in.roots, in.verification_time,
                                                    in.policy.require_trust_anchor));
  AttestationOutcome out;
  out.type = AttestationType::kAnonCA;
  out.trust_path = x5c_der;
  out.chain_anchored = chain.anchored;
  return out;
}

}  // namespace custos::passkey
