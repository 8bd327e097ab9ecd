// The stored form of a registered passkey (WebAuthn L3 §4 "credential record"), as kept by the node
// and printed by `custos-passkey verify-registration`. JSON with base64url byte fields:
//   {"id": "<b64url credential id>", "publicKey": "<b64url COSE key>", "signCount": 0,
//    "userHandle": "<b64url>", "backupEligible": false,
//    optional: "backupState": bool, "uvInitialized": bool, "transports": ["usb", ...],
//              "aaguid": "<32 hex digits>", "attestationFormat": "none"}
// Unknown members are rejected so that a misspelt field is an error, not a silently ignored policy.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/passkey/verdict.h"

namespace custos::passkey {

struct CredentialRecord {
  std::vector<uint8_t> id;                       // 1..1023 bytes
  std::vector<uint8_t> public_key_cose;          // validated by parse_credential_record
  uint32_t sign_count = 0;
  std::optional<std::vector<uint8_t>> user_handle;  // 1..64 bytes when known
  bool backup_eligible = false;                  // BE at registration; §6.1.3 says it never changes
  std::optional<bool> backup_state;
  std::optional<bool> uv_initialized;
  std::vector<std::string> transports;
  std::optional<std::array<uint8_t, 16>> aaguid;
  std::optional<std::string> attestation_format;
};

// Largest record text accepted.
inline constexpr size_t kMaxCredentialRecordBytes = 64 * 1024;

// Parses a record; the public key must be a COSE key parse_cose_key accepts (kCoseKeyInvalid or
// kAlgorithmNotAllowed otherwise); other errors are kMalformedResponse.
Verdict<CredentialRecord> parse_credential_record(std::string_view json_text);

// The record as JSON text (the format above, members in that order, one line).
std::string credential_record_to_json(const CredentialRecord& record);

}  // namespace custos::passkey
