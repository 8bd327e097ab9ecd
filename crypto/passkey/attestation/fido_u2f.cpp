#include "crypto/passkey/attestation/fido_u2f.h"

#include "crypto/passkey/attestation/certificate.h"
#include "crypto/passkey/attestation/signature.h"

namespace custos::passkey {

Verdict<AttestationOutcome> verify_fido_u2f_attestation(const AttestationInput& in) {
  for (const auto& [key, value] : in.statement.fields()) {
    if (key != "sig" && key != "x5c") {
      return reject(Reason::kAttestationStatementInvalid, "fido-u2f attStmt has an unexpected key \"" + key + "\"");
    }
  }
  PASSKEY_ASSIGN_OR_REJECT(const std::vector<uint8_t> sig, in.statement.bytes("sig"));
  PASSKEY_ASSIGN_OR_REJECT(const auto x5c_der, in.statement.byte_strings("x5c"));
  // §8.6 step 2: x5c has exactly one element.
  if (x5c_der.size() != 1) {
    return reject(Reason::kAttestationStatementInvalid,
                  "fido-u2f attStmt.x5c must hold exactly one certificate, found " + std::to_string(x5c_der.size()));
  }
  PASSKEY_ASSIGN_OR_REJECT(const auto x5c, parse_x5c(x5c_der));
  EVP_PKEY* cert_key = X509_get0_pubkey(x5c.front().get());
  const auto cert_point = ec_public_point(cert_key, 32);
  if (!cert_point || cert_point->group != "prime256v1") {
    return reject(Reason::kAttestationCertificateInvalid,
                  "fido-u2f attestation certificate key is not an EC P-256 key");
  }
  // §8.6 step 4: the credential key must be EC2 P-256; take its x and y.
  const AttestedCredential& credential = *in.auth_data.attested;
  const auto point = ec_public_point(credential.public_key.pkey.get(), 32);
  if (!point || point->group != "prime256v1") {
    return reject(Reason::kAttestationStatementInvalid, "fido-u2f requires an EC2 P-256 credential public key");
  }
  // §8.6 step 5: verificationData.
  std::vector<uint8_t> data;
  data.push_back(0x00);
  data.insert(data.end(), in.auth_data.rp_id_hash.begin(), in.auth_data.rp_id_hash.end());
  data.insert(data.end(), in.client_data_hash.begin(), in.client_data_hash.end());
  data.insert(data.end(), credential.credential_id.begin(), credential.credential_id.end());
  data.push_back(0x04);
  data.insert(data.end(), point->x.begin(), point->x.end());
  data.insert(data.end(), point->y.begin(), point->y.end());
  // §8.6 step 6: ECDSA P-256 / SHA-256 by the certificate key.
  if (auto r = verify_statement_signature(cert_key, -7, data, sig, in.policy, "fido-u2f attestation signature")) {
    return *r;
  }
  PASSKEY_ASSIGN_OR_REJECT(const ChainVerification chain,
                           verify_certificate_chain(x5c, in.roots, in.verification_time,
                                                    in.policy.require_trust_anchor));
  AttestationOutcome out;
  out.type = AttestationType::kBasic;  // basic or AttCA (§8.6 step 7)
  out.trust_path = x5c_der;
  out.chain_anchored = chain.anchored;
  return out;
}

}  // namespace custos::passkey
