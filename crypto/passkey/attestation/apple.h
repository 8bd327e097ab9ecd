// "apple" anonymous attestation (WebAuthn Level 3 §8.8): the leaf certificate's extension
// 1.2.840.113635.100.8.2 holds SHA-256(authData ‖ clientDataHash), and the leaf key is the credential key.
#pragma once
#include "crypto/passkey/attestation/types.h"
namespace custos::passkey {
Verdict<AttestationOutcome> verify_apple_attestation(const AttestationInput& in);
}  // namespace custos::passkey
