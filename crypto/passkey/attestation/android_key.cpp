#include "crypto/passkey/attestation/android_key.h"

#include <openssl/asn1.h>

#include <algorithm>
#include <set>

#include "crypto/passkey/attestation/certificate.h"
#include "crypto/passkey/attestation/signature.h"

namespace custos::passkey {
namespace {

constexpr const char* kKeyDescriptionOid = "1.3.6.1.4.1.11129.2.1.17";
constexpr int kTagPurpose = 1;
constexpr int kTagAllApplications = 600;
constexpr int kTagOrigin = 702;
constexpr int64_t kPurposeSign = 2;     // KM_PURPOSE_SIGN
constexpr int64_t kOriginGenerated = 0; // KM_ORIGIN_GENERATED

struct AuthorizationList {
  std::set<int64_t> purposes;
  bool has_purpose = false;
  bool all_applications = false;
  std::optional<int64_t> origin;
};

struct KeyDescription {
  std::vector<uint8_t> attestation_challenge;
  AuthorizationList software_enforced;
  AuthorizationList tee_enforced;
};

Rejection bad(const std::string& message) {
  return reject(Reason::kAttestationCertificateInvalid,
                std::string("android key description (") + kKeyDescriptionOid + "): " + message);
}

Verdict<AuthorizationList> parse_authorization_list(const DerElement& element, const std::string& name) {
  if (element.tag != V_ASN1_SEQUENCE || element.tag_class != V_ASN1_UNIVERSAL || !element.constructed) {
    return bad(name + " is not a SEQUENCE");
  }
  AuthorizationList list;
  std::set<int> seen;
  std::span<const uint8_t> cursor = element.content;
  while (!cursor.empty()) {
    auto entry = read_der(cursor);
    if (!entry || entry->tag_class != V_ASN1_CONTEXT_SPECIFIC || !entry->constructed) {
      return bad(name + " has an entry that is not an explicitly tagged field");
    }
    if (!seen.insert(entry->tag).second) return bad(name + " repeats tag [" + std::to_string(entry->tag) + "]");
    std::span<const uint8_t> inner = entry->content;
    auto value = read_der(inner);
    if (!value || !inner.empty()) return bad(name + " tag [" + std::to_string(entry->tag) + "] is malformed");
    if (entry->tag == kTagPurpose) {
      if (value->tag != V_ASN1_SET || !value->constructed) return bad(name + " purpose is not a SET OF INTEGER");
      list.has_purpose = true;
      std::span<const uint8_t> members = value->content;
      while (!members.empty()) {
        auto member = read_der(members);
        if (!member || member->tag != V_ASN1_INTEGER) return bad(name + " purpose holds a non-INTEGER");
        auto number = der_small_integer(*member);
        if (!number) return bad(name + " purpose holds an out-of-range INTEGER");
        list.purposes.insert(*number);
      }
    } else if (entry->tag == kTagAllApplications) {
      list.all_applications = true;
    } else if (entry->tag == kTagOrigin) {
      if (value->tag != V_ASN1_INTEGER) return bad(name + " origin is not an INTEGER");
      auto number = der_small_integer(*value);
      if (!number) return bad(name + " origin is an out-of-range INTEGER");
      list.origin = *number;
    }
  }
  return list;
}

Verdict<KeyDescription> parse_key_description(std::span<const uint8_t> der) {
  std::span<const uint8_t> outer = der;
  auto sequence = read_der(outer);
  if (!sequence || !outer.empty() || sequence->tag != V_ASN1_SEQUENCE || !sequence->constructed) {
    return bad("not a DER SEQUENCE");
  }
  std::span<const uint8_t> cursor = sequence->content;
  std::vector<DerElement> fields;
  while (!cursor.empty()) {
    auto field = read_der(cursor);
    if (!field) return bad("field " + std::to_string(fields.size()) + " is malformed");
    fields.push_back(*field);
  }
  // attestationVersion, attestationSecurityLevel, keymasterVersion, keymasterSecurityLevel,
  // attestationChallenge, uniqueId, softwareEnforced, teeEnforced.
  if (fields.size() != 8) return bad("expected 8 fields, found " + std::to_string(fields.size()));
  const int expected_tags[6] = {V_ASN1_INTEGER, V_ASN1_ENUMERATED, V_ASN1_INTEGER,
                                V_ASN1_ENUMERATED, V_ASN1_OCTET_STRING, V_ASN1_OCTET_STRING};
  for (int i = 0; i < 6; ++i) {
    if (fields[i].tag != expected_tags[i] || fields[i].tag_class != V_ASN1_UNIVERSAL || fields[i].constructed) {
      return bad("field " + std::to_string(i) + " has the wrong type");
    }
  }
  KeyDescription out;
  out.attestation_challenge.assign(fields[4].content.begin(), fields[4].content.end());
  PASSKEY_ASSIGN_OR_REJECT(out.software_enforced, parse_authorization_list(fields[6], "softwareEnforced"));
  PASSKEY_ASSIGN_OR_REJECT(out.tee_enforced, parse_authorization_list(fields[7], "teeEnforced"));
  return out;
}

}  // namespace

Verdict<AttestationOutcome> verify_android_key_attestation(const AttestationInput& in) {
  for (const auto& [key, value] : in.statement.fields()) {
    if (key != "alg" && key != "sig" && key != "x5c") {
      return reject(Reason::kAttestationStatementInvalid, "android-key attStmt has an unexpected key \"" + key + "\"");
    }
  }
  PASSKEY_ASSIGN_OR_REJECT(const int64_t alg, in.statement.integer("alg"));
  PASSKEY_ASSIGN_OR_REJECT(const std::vector<uint8_t> sig, in.statement.bytes("sig"));
  PASSKEY_ASSIGN_OR_REJECT(const auto x5c_der, in.statement.byte_strings("x5c"));
  PASSKEY_ASSIGN_OR_REJECT(const auto x5c, parse_x5c(x5c_der));
  X509* leaf = x5c.front().get();
  const std::string what = "android-key credential certificate";

  // §8.4 step 2: signature over authenticatorData ‖ clientDataHash.
  std::vector<uint8_t> message(in.auth_data.raw);
  message.insert(message.end(), in.client_data_hash.begin(), in.client_data_hash.end());
  if (auto r = verify_statement_signature(X509_get0_pubkey(leaf), alg, message, sig, in.policy,
                                          "android-key attestation signature")) {
    return *r;
  }
  // §8.4 step 3: the certificate key is the credential key.
  if (!same_public_key(X509_get0_pubkey(leaf), in.auth_data.attested->public_key.pkey.get())) {
    return reject(Reason::kAttestationStatementInvalid, what + " key is not the credential public key");
  }
  // §8.4 step 4: attestationChallenge.
  PASSKEY_ASSIGN_OR_REJECT(const auto extension, find_extension(leaf, kKeyDescriptionOid, what));
  if (!extension) return reject(Reason::kAttestationCertificateInvalid, what + " lacks the key description extension");
  PASSKEY_ASSIGN_OR_REJECT(const KeyDescription description, parse_key_description(extension->der));
  if (description.attestation_challenge.size() != in.client_data_hash.size() ||
      !std::equal(in.client_data_hash.begin(), in.client_data_hash.end(), description.attestation_challenge.begin())) {
    return reject(Reason::kAttestationStatementInvalid,
                  what + ": attestationChallenge is not the hash of this clientDataJSON");
  }
  // §8.4 step 5: authorization lists.
  const AuthorizationList& sw = description.software_enforced;
  const AuthorizationList& tee = description.tee_enforced;
  if (sw.all_applications || tee.all_applications) {
    return reject(Reason::kAttestationStatementInvalid, what + ": the key is usable by all applications (allApplications)");
  }
  if (!sw.origin && !tee.origin) return reject(Reason::kAttestationStatementInvalid, what + ": no key origin recorded");
  for (const auto* origin : {&sw.origin, &tee.origin}) {
    if (*origin && **origin != kOriginGenerated) {
      return reject(Reason::kAttestationStatementInvalid,
                    what + ": key origin is " + std::to_string(**origin) + ", not KM_ORIGIN_GENERATED");
    }
  }
  if (sw.purposes.count(kPurposeSign) == 0 && tee.purposes.count(kPurposeSign) == 0) {
    return reject(Reason::kAttestationStatementInvalid, what + ": key purpose does not include KM_PURPOSE_SIGN");
  }
  PASSKEY_ASSIGN_OR_REJECT(const ChainVerification chain,
                           verify_certificate_chain(x5c, in.roots, in.verification_time,
                                                    in.policy.require_trust_anchor));
  AttestationOutcome out;
  out.type = AttestationType::kBasic;
  out.trust_path = x5c_der;
  out.chain_anchored = chain.anchored;
  return out;
}

}  // namespace custos::passkey
