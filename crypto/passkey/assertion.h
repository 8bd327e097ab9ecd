// Server-side verification of a WebAuthn authentication assertion (WebAuthn Level 3 §7.2
// "Verifying an Authentication Assertion"), as every Custos node runs it on each approval
// (DESIGN §5 step 3). Input is the browser's PublicKeyCredential.toJSON() text; output is the
// accepted facts (new signCount, UV/BE/BS) or the first rejection in specification order.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/passkey/authenticator_data.h"
#include "crypto/passkey/client_data.h"
#include "crypto/passkey/cose_key.h"
#include "crypto/passkey/credential_record.h"
#include "crypto/passkey/verdict.h"

namespace custos::passkey {

// Largest response JSON accepted (clientDataJSON + authenticatorData at their limits, base64url).
inline constexpr size_t kMaxAssertionResponseBytes = 192 * 1024;

// The decoded envelope of an assertion: PublicKeyCredential.toJSON() with
// response = AuthenticatorAssertionResponseJSON (§5.1.4 / §5.2.2). Byte fields are strict base64url.
struct AssertionResponse {
  std::vector<uint8_t> raw_id;  // == base64url-decoded id
  std::vector<uint8_t> client_data_json;
  std::vector<uint8_t> authenticator_data;
  std::vector<uint8_t> signature;
  // Absent when the member is missing, null or "" (the webauthn-rs proxy data writes "" for none).
  std::optional<std::vector<uint8_t>> user_handle;
};

Verdict<AssertionResponse> parse_assertion_response(std::string_view json_text);

struct AssertionExpectations {
  std::vector<uint8_t> challenge;    // the bytes we issued (for approvals: the intent challenge)
  OriginPolicy origins;
  std::string rp_id;                 // rpIdHash must equal SHA-256(rp_id)
  bool require_user_verification = true;
  std::vector<CoseAlg> allowed_algorithms = {CoseAlg::kES256, CoseAlg::kEdDSA, CoseAlg::kRS256};
};

struct AssertionResult {
  std::vector<uint8_t> credential_id;
  uint32_t sign_count = 0;      // store this as the record's new signCount (§7.2 step 22)
  bool user_verified = false;
  bool backup_eligible = false;
  bool backup_state = false;    // store as the record's backupState
  std::vector<uint8_t> extensions_cbor;  // authenticator extension outputs, unchecked
};

// Runs §7.2 steps 5-22 against `record`. Checks, each with its own Reason: id == rawId == record id;
// userHandle (if sent) == record's; clientDataJSON type/challenge/origin/crossOrigin/topOrigin;
// authenticatorData structure (no AT in an assertion); rpIdHash; UP; UV (unless not required);
// BS ⇒ BE and BE == record's; algorithm allowed; signature over authData ‖ SHA-256(clientDataJSON);
// signCount: when either count is non-zero the new one must be greater (kSignCountRollback).
Verdict<AssertionResult> verify_assertion(std::string_view response_json, const CredentialRecord& record,
                                          const AssertionExpectations& expect);
// The same on an already decoded envelope.
Verdict<AssertionResult> verify_assertion(const AssertionResponse& response, const CredentialRecord& record,
                                          const AssertionExpectations& expect);

}  // namespace custos::passkey
