// Registration ceremony verification (WebAuthn Level 3 §7.1 "Registering a New Credential").
//
// Input: the browser's PublicKeyCredential.toJSON() for navigator.credentials.create(), i.e.
//   {"id", "rawId", "type": "public-key", "response": {"clientDataJSON", "attestationObject",
//    "transports"?, ...}, ...}   (byte fields unpadded base64url)
// Output: the credential record to store (crypto/passkey/credential_record.h) plus what the attestation
// established. Every check runs in the order of §7.1 and the first failure is returned.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/passkey/attestation/cert_chain.h"
#include "crypto/passkey/attestation/types.h"
#include "crypto/passkey/client_data.h"
#include "crypto/passkey/credential_record.h"
#include "crypto/passkey/verdict.h"

namespace custos::passkey {

// Largest response JSON accepted (a 256 KiB attestationObject is ~342 KiB of base64url).
inline constexpr size_t kMaxRegistrationResponseBytes = 512 * 1024;

struct RegistrationOptions {
  std::vector<uint8_t> expected_challenge;  // the bytes sent in PublicKeyCredentialCreationOptions
  OriginPolicy origins;
  std::vector<std::string> rp_ids;          // rpIdHash must be SHA-256 of one of these (§7.1 step 13)
  bool require_user_presence = true;        // §7.1 step 14 (false only for conditional create)
  bool require_user_verification = true;    // §7.1 step 15
  // COSE algorithms offered in pubKeyCredParams (§7.1 step 18): ES256, EdDSA, RS256 by default.
  std::vector<int64_t> allowed_algorithms = {-7, -8, -257};
  TrustRootsByFormat trust_roots;           // per attestation format; formats without roots verify unanchored
  AttestationPolicy attestation;
  std::optional<int64_t> verification_time; // unix seconds for certificate validity; default: now
};

struct RegisteredCredential {
  CredentialRecord record;                  // id, publicKey, signCount, backupEligible, ... (user_handle unset)
  int64_t algorithm = 0;                    // COSE alg of the credential key
  std::string attestation_format;           // fmt
  AttestationType attestation_type = AttestationType::kNone;
  bool attestation_chain_anchored = false;  // x5c verified to a configured root
  std::vector<std::vector<uint8_t>> attestation_trust_path;  // x5c DER, leaf first
  std::array<uint8_t, 16> aaguid{};
  std::string rp_id;                        // the configured RP ID the rpIdHash matched
  bool user_present = false;
  bool user_verified = false;
  bool backup_state = false;
};

// Verifies a registration response (JSON text) against the options.
Verdict<RegisteredCredential> verify_registration(std::string_view response_json, const RegistrationOptions& options);

// The same with the response fields already decoded from base64url.
struct RegistrationResponse {
  std::vector<uint8_t> raw_id;
  std::vector<uint8_t> client_data_json;
  std::vector<uint8_t> attestation_object;
  std::vector<std::string> transports;
};
Verdict<RegisteredCredential> verify_registration(const RegistrationResponse& response,
                                                  const RegistrationOptions& options);

// Decodes the JSON envelope: type "public-key", id == rawId, base64url fields (kMalformedResponse /
// kCredentialIdMismatch).
Verdict<RegistrationResponse> parse_registration_response(std::string_view response_json);

// The record as the JSON credential_record.h parses: {"id","publicKey","signCount","userHandle"?,
// "backupEligible", ...}.
std::string registration_record_json(const RegisteredCredential& credential);

// A summary with the attestation facts, for `custos-passkey verify-registration --json`:
// {"record":{...},"algorithm":-7,"attestation":{"format":"packed","type":"basic","chainAnchored":false,
//  "aaguid":"...","trustPath":["<b64url DER>",...]},"rpId":"...","userVerified":true}
std::string registration_summary_json(const RegisteredCredential& credential);

}  // namespace custos::passkey
