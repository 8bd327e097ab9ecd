// Attestation statement format dispatch (WebAuthn Level 3 §7.1 steps 20-21): the fmt identifier is
// matched case-sensitively against the supported formats. android-safetynet is deliberately unsupported
// (its JWS trusts a Google service verdict, deprecated by Google; the same policy as webauthn-rs), as is
// any unregistered identifier: both are kAttestationFormatUnsupported.
#pragma once

#include <string>

#include "crypto/passkey/attestation/types.h"

namespace custos::passkey {

// True for "none", "packed", "tpm", "android-key", "apple", "fido-u2f".
bool attestation_format_supported(const std::string& fmt);

Verdict<AttestationOutcome> verify_attestation_statement(const std::string& fmt, const AttestationInput& in);

}  // namespace custos::passkey
