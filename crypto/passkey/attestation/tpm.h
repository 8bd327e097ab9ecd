// "tpm" attestation (WebAuthn Level 3 §8.3): pubArea (TPMT_PUBLIC) must be the credential key; certInfo
// (TPMS_ATTEST) must be a TPM_ST_ATTEST_CERTIFY made by the TPM (TPM_GENERATED_VALUE) over
// extraData = hash_alg(authData ‖ clientDataHash) and name = nameAlg ‖ H_nameAlg(pubArea); the AIK
// certificate (§8.3.1) signs certInfo with attStmt.alg. ECDAA is not supported.
#pragma once
#include "crypto/passkey/attestation/types.h"
namespace custos::passkey {
Verdict<AttestationOutcome> verify_tpm_attestation(const AttestationInput& in);
}  // namespace custos::passkey
