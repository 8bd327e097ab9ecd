// "fido-u2f" attestation (WebAuthn Level 3 §8.6): exactly one certificate with a P-256 key, which signs
// 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ 0x04 ‖ x ‖ y with ECDSA/SHA-256. The credential key
// must be EC2 P-256.
#pragma once
#include "crypto/passkey/attestation/types.h"
namespace custos::passkey {
Verdict<AttestationOutcome> verify_fido_u2f_attestation(const AttestationInput& in);
}  // namespace custos::passkey
