// Private-key plumbing of the software authenticator (sim/soft_authenticator.h): building OpenSSL keys
// from raw secrets, and PKCS#8 DER in and out for its credential file. Keys are always rebuilt from the
// raw secret so that the public key is computed here, never taken from a (possibly tampered) file.
//
// Test/demo code: it lives in sim/ and must never be linked into a node binary.
#pragma once

#include <cstdint>
#include <span>

#include "crypto/passkey/cose_key.h"
#include "crypto/secret.h"
#include "crypto/status.h"
#include "sim/soft_authenticator.h"

namespace custos::sim {

// The P-256 key with private scalar d (32 bytes, big-endian) and public key d·G.
// kOutOfRange when d is not in [1, n-1]; kInternal when OpenSSL fails.
Result<passkey::EvpPkeyPtr> p256_key_from_scalar(std::span<const uint8_t> d);

// The Ed25519 key with this 32-byte seed (RFC 8032: any 32 bytes are a private key).
Result<passkey::EvpPkeyPtr> ed25519_key_from_seed(std::span<const uint8_t> seed);

// PKCS#8 PrivateKeyInfo DER of `key`.
Result<SecretBytes> private_key_pkcs8(EVP_PKEY* key);

// Decodes PKCS#8 DER (exactly, no trailing bytes) holding a key of `type` and returns its raw secret:
// the P-256 scalar d as 32 big-endian bytes, or the Ed25519 seed. Any public key inside is ignored.
Result<SecretBytes> private_key_secret_from_pkcs8(std::span<const uint8_t> der, SoftKeyType type);

// The key of `type` rebuilt from a raw secret as returned above.
Result<passkey::EvpPkeyPtr> key_from_secret(std::span<const uint8_t> secret, SoftKeyType type);

}  // namespace custos::sim
