#include "crypto/passkey/attestation/tpm.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

#include "crypto/passkey/attestation/certificate.h"
#include "crypto/passkey/attestation/signature.h"
#include "crypto/passkey/attestation/tpm_structures.h"

namespace custos::passkey {
namespace {

constexpr const char* kOidTpmManufacturer = "2.23.133.2.1";
constexpr const char* kOidTpmModel = "2.23.133.2.2";
constexpr const char* kOidTpmVersion = "2.23.133.2.3";
constexpr const char* kOidAikCertificate = "2.23.133.8.3";  // tcg-kp-AIKCertificate

struct GeneralNamesDeleter {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};
struct EkuDeleter {
  void operator()(EXTENDED_KEY_USAGE* eku) const { EXTENDED_KEY_USAGE_free(eku); }
};

std::string dotted(const ASN1_OBJECT* object) {
  char buffer[128] = {0};
  const int n = OBJ_obj2txt(buffer, sizeof(buffer), object, 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(std::min<int>(n, sizeof(buffer) - 1))) : std::string();
}

std::vector<uint8_t> strip_leading_zeros(std::span<const uint8_t> bytes) {
  size_t i = 0;
  while (i < bytes.size() && bytes[i] == 0) ++i;
  return std::vector<uint8_t>(bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.end());
}

const EVP_MD* tpm_digest(uint16_t alg) {
  switch (alg) {
    case kTpmAlgSha1: return EVP_sha1();
    case kTpmAlgSha256: return EVP_sha256();
    case kTpmAlgSha384: return EVP_sha384();
    case kTpmAlgSha512: return EVP_sha512();
    default: return nullptr;
  }
}

std::optional<std::vector<uint8_t>> digest(const EVP_MD* md, std::span<const uint8_t> data) {
  std::vector<uint8_t> out(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, md, nullptr) != 1) {
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(length);
  return out;
}

const char* tpm_curve_group(uint16_t curve) {
  switch (curve) {
    case kTpmEccNistP256: return "prime256v1";
    case kTpmEccNistP384: return "secp384r1";
    case kTpmEccNistP521: return "secp521r1";
    default: return nullptr;
  }
}

// §8.3 step 2: the key in pubArea is the credential public key.
std::optional<Rejection> check_pub_area_key(const TpmtPublic& pub, EVP_PKEY* credential) {
  if (pub.type == kTpmAlgRsa) {
    const auto rsa = rsa_public_key(credential);
    if (!rsa) return reject(Reason::kAttestationStatementInvalid, "pubArea holds an RSA key, the credential key is not RSA");
    const uint32_t exponent = pub.rsa_exponent == 0 ? 65537u : pub.rsa_exponent;
    std::vector<uint8_t> e_bytes = {static_cast<uint8_t>(exponent >> 24), static_cast<uint8_t>(exponent >> 16),
                                    static_cast<uint8_t>(exponent >> 8), static_cast<uint8_t>(exponent)};
    if (strip_leading_zeros(pub.rsa_modulus) != strip_leading_zeros(rsa->n)) {
      return reject(Reason::kAttestationStatementInvalid, "pubArea RSA modulus differs from the credential key");
    }
    if (strip_leading_zeros(e_bytes) != strip_leading_zeros(rsa->e)) {
      return reject(Reason::kAttestationStatementInvalid, "pubArea RSA exponent differs from the credential key");
    }
    return std::nullopt;
  }
  const char* group = tpm_curve_group(pub.ecc_curve);
  if (group == nullptr) {
    return reject(Reason::kAttestationStatementInvalid,
                  "pubArea ECC curve " + std::to_string(pub.ecc_curve) + " is not a NIST curve");
  }
  const auto point = ec_public_point(credential, 0);
  if (!point) return reject(Reason::kAttestationStatementInvalid, "pubArea holds an ECC key, the credential key is not EC");
  if (point->group != group) {
    return reject(Reason::kAttestationStatementInvalid,
                  std::string("pubArea curve ") + group + " differs from the credential key's curve " + point->group);
  }
  if (strip_leading_zeros(pub.ecc_x) != strip_leading_zeros(point->x) ||
      strip_leading_zeros(pub.ecc_y) != strip_leading_zeros(point->y)) {
    return reject(Reason::kAttestationStatementInvalid, "pubArea ECC point differs from the credential key");
  }
  return std::nullopt;
}

// §8.3.1 TPM Attestation Statement Certificate Requirements.
std::optional<Rejection> check_aik_certificate(X509* cert, const std::array<uint8_t, 16>& aaguid) {
  const std::string what = "TPM AIK certificate";
  if (auto r = check_version_3(cert, what)) return r;
  if (X509_NAME_entry_count(X509_get_subject_name(cert)) != 0) {
    return reject(Reason::kAttestationCertificateInvalid, what + ": the subject must be empty");
  }
  // Subject Alternative Name: a directoryName with TPM manufacturer, model and version. Both layouts seen
  // in the field (one attribute per RDN as the EK profile says, or all in one multi-valued RDN) flatten to
  // the same X509_NAME entries.
  int critical = 0;
  std::unique_ptr<GENERAL_NAMES, GeneralNamesDeleter> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, &critical, nullptr)));
  ERR_clear_error();
  if (!names) return reject(Reason::kAttestationCertificateInvalid, what + ": subjectAltName is missing or unreadable");
  bool manufacturer = false, model = false, version = false;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_DIRNAME) continue;
    X509_NAME* directory = name->d.directoryName;
    for (int j = 0; j < X509_NAME_entry_count(directory); ++j) {
      X509_NAME_ENTRY* entry = X509_NAME_get_entry(directory, j);
      const std::string oid = dotted(X509_NAME_ENTRY_get_object(entry));
      const bool non_empty = ASN1_STRING_length(X509_NAME_ENTRY_get_data(entry)) > 0;
      if (oid == kOidTpmManufacturer) manufacturer = non_empty;
      if (oid == kOidTpmModel) model = non_empty;
      if (oid == kOidTpmVersion) version = non_empty;
    }
  }
  if (!manufacturer || !model || !version) {
    return reject(Reason::kAttestationCertificateInvalid,
                  what + ": subjectAltName lacks tcg-at-tpmManufacturer, tcg-at-tpmModel or tcg-at-tpmVersion");
  }
  std::unique_ptr<EXTENDED_KEY_USAGE, EkuDeleter> eku(
      static_cast<EXTENDED_KEY_USAGE*>(X509_get_ext_d2i(cert, NID_ext_key_usage, &critical, nullptr)));
  ERR_clear_error();
  bool aik_usage = false;
  if (eku) {
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
      if (dotted(sk_ASN1_OBJECT_value(eku.get(), i)) == kOidAikCertificate) aik_usage = true;
    }
  }
  if (!aik_usage) {
    return reject(Reason::kAttestationCertificateInvalid,
                  what + ": extendedKeyUsage does not contain tcg-kp-AIKCertificate (2.23.133.8.3)");
  }
  if (auto r = check_not_ca(cert, what)) return r;
  if (auto r = check_aaguid_extension(cert, aaguid, what)) return r;
  return std::nullopt;
}

}  // namespace

Verdict<AttestationOutcome> verify_tpm_attestation(const AttestationInput& in) {
  for (const auto& [key, value] : in.statement.fields()) {
    if (key == "ecdaaKeyId") {
      return reject(Reason::kAttestationFormatUnsupported, "TPM ECDAA attestation (ecdaaKeyId) is not supported");
    }
    if (key != "ver" && key != "alg" && key != "x5c" && key != "sig" && key != "certInfo" && key != "pubArea") {
      return reject(Reason::kAttestationStatementInvalid, "tpm attStmt has an unexpected key \"" + key + "\"");
    }
  }
  PASSKEY_ASSIGN_OR_REJECT(const std::string ver, in.statement.text("ver"));
  if (ver != "2.0") return reject(Reason::kAttestationStatementInvalid, "tpm attStmt.ver is \"" + ver + "\", not \"2.0\"");
  PASSKEY_ASSIGN_OR_REJECT(const int64_t alg, in.statement.integer("alg"));
  PASSKEY_ASSIGN_OR_REJECT(const std::vector<uint8_t> sig, in.statement.bytes("sig"));
  PASSKEY_ASSIGN_OR_REJECT(const std::vector<uint8_t> cert_info_bytes, in.statement.bytes("certInfo"));
  PASSKEY_ASSIGN_OR_REJECT(const std::vector<uint8_t> pub_area_bytes, in.statement.bytes("pubArea"));
  PASSKEY_ASSIGN_OR_REJECT(const auto x5c_der, in.statement.byte_strings("x5c"));

  // §8.3 step 2.
  PASSKEY_ASSIGN_OR_REJECT(const TpmtPublic pub_area, parse_tpmt_public(pub_area_bytes));
  if (auto r = check_pub_area_key(pub_area, in.auth_data.attested->public_key.pkey.get())) return *r;

  // §8.3 step 4: certInfo.
  PASSKEY_ASSIGN_OR_REJECT(const TpmsAttest cert_info, parse_tpms_attest(cert_info_bytes));
  if (cert_info.magic != kTpmGeneratedValue) {
    return reject(Reason::kAttestationStatementInvalid, "certInfo.magic is not TPM_GENERATED_VALUE (0xff544347)");
  }
  if (cert_info.type != kTpmStAttestCertify) {
    return reject(Reason::kAttestationStatementInvalid, "certInfo.type is not TPM_ST_ATTEST_CERTIFY (0x8017)");
  }
  const EVP_MD* extra_md = cose_alg_digest(alg);
  if (extra_md == nullptr) {
    return reject(Reason::kAttestationStatementInvalid,
                  "tpm attStmt.alg " + attestation_alg_name(alg) + " has no hash algorithm for extraData");
  }
  if (alg == -65535 && !in.policy.allow_sha1) {
    return reject(Reason::kAttestationInsecureCryptography,
                  "tpm attestation uses RS1 (SHA-1 extraData and signature), which this policy does not accept");
  }
  std::vector<uint8_t> to_be_signed(in.auth_data.raw);
  to_be_signed.insert(to_be_signed.end(), in.client_data_hash.begin(), in.client_data_hash.end());
  const auto expected_extra = digest(extra_md, to_be_signed);
  if (!expected_extra || *expected_extra != cert_info.extra_data) {
    return reject(Reason::kAttestationStatementInvalid,
                  "certInfo.extraData is not the " + attestation_alg_name(alg) + " hash of authenticatorData || clientDataHash");
  }
  const EVP_MD* name_md = tpm_digest(pub_area.name_alg);
  if (name_md == nullptr) {
    return reject(Reason::kAttestationStatementInvalid,
                  "pubArea.nameAlg " + std::to_string(pub_area.name_alg) + " is not a supported hash");
  }
  if (pub_area.name_alg == kTpmAlgSha1 && !in.policy.allow_sha1) {
    return reject(Reason::kAttestationInsecureCryptography, "pubArea.nameAlg is SHA-1, which this policy does not accept");
  }
  const auto name_digest = digest(name_md, pub_area_bytes);
  std::vector<uint8_t> expected_name = {static_cast<uint8_t>(pub_area.name_alg >> 8),
                                        static_cast<uint8_t>(pub_area.name_alg & 0xff)};
  if (name_digest) expected_name.insert(expected_name.end(), name_digest->begin(), name_digest->end());
  if (!name_digest || expected_name != cert_info.attested_name) {
    return reject(Reason::kAttestationStatementInvalid, "certInfo.attested.name is not the Name of pubArea");
  }

  // §8.3 step 5: AIK certificate.
  PASSKEY_ASSIGN_OR_REJECT(const auto x5c, parse_x5c(x5c_der));
  X509* aik = x5c.front().get();
  if (auto r = verify_statement_signature(X509_get0_pubkey(aik), alg, cert_info_bytes, sig, in.policy,
                                          "tpm certInfo signature")) {
    return *r;
  }
  if (auto r = check_aik_certificate(aik, in.auth_data.attested->aaguid)) return *r;
  PASSKEY_ASSIGN_OR_REJECT(const ChainVerification chain,
                           verify_certificate_chain(x5c, in.roots, in.verification_time,
                                                    in.policy.require_trust_anchor));
  AttestationOutcome out;
  out.type = AttestationType::kAttCA;
  out.trust_path = x5c_der;
  out.chain_anchored = chain.anchored;
  return out;
}

}  // namespace custos::passkey
