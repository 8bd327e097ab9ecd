// Signatures inside attestation statements, made by an attestation certificate's key with the COSE
// algorithm named in attStmt.alg (WebAuthn Level 3 §8.2, §8.3, §8.4).
//
// Accepted algorithms: ES256 (-7, P-256), ES384 (-35, P-384), ES512 (-36, P-521), EdDSA (-8, Ed25519),
// RS256/RS384/RS512 (-257/-258/-259, PKCS#1 v1.5), PS256/PS384/PS512 (-37/-38/-39, PSS with MGF1 of the
// same hash and salt length equal to the hash length), and RS1 (-65535, PKCS#1 v1.5 with SHA-1) only when
// AttestationPolicy::allow_sha1 is set. RSA keys must have at least AttestationPolicy::min_rsa_bits.
// ECDSA signatures must be strict DER. The key type and curve must match the algorithm.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include <openssl/evp.h>

#include "crypto/passkey/attestation/types.h"
#include "crypto/passkey/verdict.h"

namespace custos::passkey {

// "ES256", "RS1", ... or "COSE alg <n>".
std::string attestation_alg_name(int64_t alg);

// Hash used by a COSE signature algorithm (for TPM extraData), or null when unknown or for EdDSA.
const EVP_MD* cose_alg_digest(int64_t alg);

std::optional<Rejection> verify_statement_signature(EVP_PKEY* key, int64_t alg, std::span<const uint8_t> message,
                                                    std::span<const uint8_t> signature,
                                                    const AttestationPolicy& policy, const std::string& what);

}  // namespace custos::passkey
