// CGGMP21 parameters (DESIGN §2, notes §1): ℓ = 256, ℓ' = 1280, ε = 512,
// m = 80 repetitions for Πmod and Πprm, Paillier N of exactly 2048 bits.
#pragma once

#include "crypto/bigint.h"

namespace custos::zk {

inline constexpr unsigned kEll = 256;         // plaintext range I = ±2^ℓ
inline constexpr unsigned kEllPrime = 1280;   // mask range J = ±2^ℓ'
inline constexpr unsigned kEpsilon = 512;     // slack
inline constexpr unsigned kRepetitions = 80;  // Πmod and Πprm
inline constexpr unsigned kPaillierBits = 2048;

// Upper bound, in bits, for any integer a proof may carry (ring-Pedersen
// masks are about 2^(ℓ+ε)·N̂·N0 for Πfac ≈ 4864 bits). Decoders reject larger
// values before any exponentiation.
inline constexpr unsigned kMaxProofIntBits = 2 * kPaillierBits + kEll + kEpsilon + 64;

// 2^bits as a BigInt (cached for the common sizes).
const BigInt& pow2(unsigned bits);

}  // namespace custos::zk
