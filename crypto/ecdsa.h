// ECDSA signatures over secp256k1: verification through libsecp256k1 (and,
// independently, through OpenSSL for tests), low-s normalisation, and a
// single-key signer used only as the benchmark baseline and in tests.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/point.h"
#include "crypto/scalar.h"
#include "crypto/status.h"

namespace custos {

struct EcdsaSignature {
  Scalar r, s;
  int recovery_id = 0;  // parity of R.y, flipped when s is negated (0..1; x overflow is negligible)
  std::array<uint8_t, 64> compact() const;  // r || s
  std::vector<uint8_t> der() const;
};

// Normalises s to the lower half (s > q/2 -> q - s, flipping the recovery id).
void normalize_low_s(EcdsaSignature& sig);

// Verifies (r, s) on a 32-byte digest under `pk` with libsecp256k1. High-s
// signatures are accepted only when allow_high_s is set (they are normalised first).
bool ecdsa_verify(const Point& pk, std::span<const uint8_t> digest32, const EcdsaSignature& sig,
                  bool allow_high_s = false);
// Same check through OpenSSL's EVP (independent implementation, for cross-checks).
bool ecdsa_verify_openssl(const Point& pk, std::span<const uint8_t> digest32, const EcdsaSignature& sig);
// Verifies a DER signature (strict DER) with libsecp256k1.
bool ecdsa_verify_der(const Point& pk, std::span<const uint8_t> digest32, std::span<const uint8_t> der,
                      bool allow_high_s);

}  // namespace custos
