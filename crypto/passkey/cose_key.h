// COSE_Key (RFC 9052 §7, RFC 9053) credential public keys, decoded strictly with libcbor:
// definite-length canonical map, no duplicate labels, no trailing bytes, bounded size; kty, crv and alg
// must agree; EC2 P-256 points must be on the curve with 32-byte x and y; OKP Ed25519 x is 32 bytes;
// RSA n ≥ 2048 bits with e odd. The key is turned into an OpenSSL EVP_PKEY for verification.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <openssl/evp.h>

#include "crypto/passkey/verdict.h"

namespace custos::passkey {

// COSE algorithm identifiers we support.
enum class CoseAlg : int64_t {
  kES256 = -7,
  kEdDSA = -8,
  kRS256 = -257,
};

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using EvpPkeyPtr = std::shared_ptr<EVP_PKEY>;  // shared: CoseKey is copyable and the key is immutable

struct CoseKey {
  CoseAlg alg = CoseAlg::kES256;
  EvpPkeyPtr pkey;            // never null in a parsed key
  std::vector<uint8_t> cbor;  // the exact encoded bytes
};

// Decodes one COSE key occupying exactly `bytes`.
Verdict<CoseKey> parse_cose_key(std::span<const uint8_t> bytes);

// Decodes one COSE key at the start of `bytes` and reports how many bytes it used (for the key embedded
// in authenticatorData, where extensions may follow).
Verdict<CoseKey> parse_cose_key_prefix(std::span<const uint8_t> bytes, size_t* consumed);

// Verifies `signature` over `message` with the key's algorithm: ES256 = ECDSA P-256/SHA-256 with a strict
// DER signature (r, s in [1, n-1]); EdDSA = Ed25519 (64 bytes); RS256 = RSASSA-PKCS1-v1_5/SHA-256.
std::optional<Rejection> verify_signature(const CoseKey& key, std::span<const uint8_t> message,
                                          std::span<const uint8_t> signature);

// Name of a COSE algorithm for messages ("ES256", "EdDSA", "RS256", or the number).
std::string cose_alg_display(int64_t alg);

// Largest encoded COSE key accepted (an RSA-8192 key is about 1 KiB; the bound is the CBOR one).
inline constexpr size_t kMaxCoseKeyBytes = 64 * 1024;
// Largest signature accepted by verify_signature: an RS256 signature by the largest RSA key we accept
// (8192 bits) is exactly 1 KiB.
inline constexpr size_t kMaxSignatureBytes = 1024;

// Encoders (CTAP2 canonical key order), used by the software authenticator and by tests that turn
// vector keys into credential public keys. They do not validate: parse the result to validate.
std::vector<uint8_t> encode_cose_ec2(std::span<const uint8_t> x, std::span<const uint8_t> y,
                                     int64_t alg = -7, int64_t crv = 1);
std::vector<uint8_t> encode_cose_okp(std::span<const uint8_t> x, int64_t alg = -8, int64_t crv = 6);
std::vector<uint8_t> encode_cose_rsa(std::span<const uint8_t> n, std::span<const uint8_t> e, int64_t alg = -257);
// The COSE encoding of an OpenSSL public key (P-256 → ES256, Ed25519 → EdDSA, RSA → RS256).
std::optional<std::vector<uint8_t>> encode_cose_public_key(const EVP_PKEY* pkey);

// IEEE P1363 (r ‖ s, 32 bytes each) ES256 signature to the minimal DER form WebAuthn uses, for
// sources that produce raw signatures (WebCrypto, the Wycheproof P1363 vectors). Range checks are
// left to verify_signature. nullopt unless the input is exactly 64 bytes.
std::optional<std::vector<uint8_t>> es256_p1363_to_der(std::span<const uint8_t> rs);

}  // namespace custos::passkey
