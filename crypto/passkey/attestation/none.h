// "none" attestation (WebAuthn Level 3 §8.7): attStmt is an empty map.
#pragma once
#include "crypto/passkey/attestation/types.h"
namespace custos::passkey {
Verdict<AttestationOutcome> verify_none_attestation(const AttestationInput& in);
}  // namespace custos::passkey
