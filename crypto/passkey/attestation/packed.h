// "packed" attestation (WebAuthn Level 3 §8.2): self attestation (no x5c; signed by the credential key
// with the credential's algorithm) or basic/AttCA (x5c; signed by the attestation certificate, whose
// requirements are §8.2.1). ECDAA (ecdaaKeyId) was removed in Level 3 and is rejected as unsupported.
#pragma once
#include "crypto/passkey/attestation/types.h"
namespace custos::passkey {
Verdict<AttestationOutcome> verify_packed_attestation(const AttestationInput& in);
}  // namespace custos::passkey
