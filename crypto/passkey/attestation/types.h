// Shared inputs and outputs of the attestation statement verifiers (WebAuthn Level 3 §8). Each format
// lives in its own file pair and exposes one function taking an AttestationInput.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/passkey/attestation/cert_chain.h"
#include "crypto/passkey/attestation_object.h"
#include "crypto/passkey/authenticator_data.h"
#include "crypto/passkey/verdict.h"

namespace custos::passkey {

// §6.5.4 attestation types.
enum class AttestationType { kNone, kSelf, kBasic, kAttCA, kAnonCA };

// "none", "self", "basic", "attca", "anonca".
const char* attestation_type_name(AttestationType type);

struct AttestationPolicy {
  // SHA-1 signatures (COSE RS1, -65535) in attestation statements. Off by default: a custody system
  // should not rely on SHA-1 (chosen-prefix collisions are practical). Some Windows Hello TPM
  // statements use it; turn this on only to interoperate with them.
  bool allow_sha1 = false;
  // When true, a format that carries a certificate path (packed x5c, fido-u2f, tpm, android-key, apple)
  // is rejected with kAttestationTrustRootMissing unless roots are configured for it. When false, the path
  // is verified without an anchor and the result says chain_anchored = false.
  bool require_trust_anchor = false;
  // RSA keys in attestation certificates below this size are rejected (kAttestationInsecureCryptography).
  int min_rsa_bits = 2048;
};

struct AttestationInput {
  const AuthenticatorData& auth_data;       // parsed; auth_data.attested is present
  const AttestationStatement& statement;
  Digest32 client_data_hash;
  const TrustRoots* roots;                  // roots for this format, or null
  int64_t verification_time;                // unix seconds
  const AttestationPolicy& policy;
};

struct AttestationOutcome {
  AttestationType type = AttestationType::kNone;
  std::vector<std::vector<uint8_t>> trust_path;  // x5c DER, leaf first (empty for none/self)
  bool chain_anchored = false;                   // path verified up to a configured root
};

}  // namespace custos::passkey
