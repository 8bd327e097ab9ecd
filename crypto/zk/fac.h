// Πfac — no small factor proof (CGGMP21, 2021 revision, Fig 28).
// Shows N0 = p·q with p, q ∈ ±2^(ℓ+ε)·√N0, hence both factors exceed about 2^256,
// using the VERIFIER's ring-Pedersen parameters (one proof per verifier; a proof
// under the prover's own aux is unsound, TA PR #98). √N0 is taken as 2^(kPaillierBits/2)
// = 2^1024 for both sampling and checking (allowed per NM, notes §2).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "crypto/status.h"
#include "crypto/zk/context.h"
#include "crypto/zk/params.h"

namespace custos::zk {

struct FacStatement {
  BigInt n0;               // the prover's Paillier modulus
  RingPedersenParams aux;  // the VERIFIER's (N̂, s, t)
};

// Secret: the factors of N0. Never printed.
struct FacWitness {
  BigInt p;
  BigInt q;
};

struct FacProof {
  // First message (all mod N̂) and σ, which the 2021 figure sends in the clear; it is hashed.
  BigInt P, Q, A, B, T;
  BigInt sigma;
  // Responses.
  BigInt z1, z2, w1, w2, v;
};

FacProof fac_prove(const ProofContext& ctx, const FacStatement& stmt, const FacWitness& wit, Rng& rng);
// own_aux: the verifier's secret for stmt.aux (optional, for CRT); it must match stmt.aux.
Status fac_verify(const ProofContext& ctx, const FacStatement& stmt, const FacProof& proof,
                  const RingPedersenSecret* own_aux = nullptr);

std::vector<uint8_t> encode(const FacProof& proof);
Result<FacProof> decode_fac_proof(std::span<const uint8_t> in);

// e ∈ ±q (q = curve order, NM) from the transcript over ctx, statement and first message.
BigInt fac_challenge(const ProofContext& ctx, const FacStatement& stmt, const FacProof& proof);

// z1, z2 must lie in ±2^kFacZBits = ±2^(ℓ+ε)·√N0 with √N0 := 2^(kPaillierBits/2).
inline constexpr unsigned kFacZBits = kEll + kEpsilon + kPaillierBits / 2;

}  // namespace custos::zk
