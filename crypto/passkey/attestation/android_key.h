// "android-key" attestation (WebAuthn Level 3 §8.4): the leaf certificate's key signs
// authData ‖ clientDataHash, is the credential key, and its Android key description extension
// (1.3.6.1.4.1.11129.2.1.17) binds attestationChallenge = clientDataHash, with no allApplications tag and,
// over the union of softwareEnforced and teeEnforced, origin = GENERATED and purpose ∋ SIGN.
#pragma once
#include "crypto/passkey/attestation/types.h"
namespace custos::passkey {
Verdict<AttestationOutcome> verify_android_key_attestation(const AttestationInput& in);
}  // namespace custos::passkey
