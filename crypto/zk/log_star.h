// Πlog* — knowledge of exponent vs Paillier encryption, CGGMP21 (2021) Fig 25,
// with an explicit base B (G in presign round 2, Γ in round 3).
// Statement: the prover's Paillier key N0, C = enc_N0(x; ρ), X = x·B, the base B,
// and the VERIFIER's ring-Pedersen parameters aux. Witness: x ∈ ±2^ℓ, ρ ∈ Z*_N0.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/paillier.h"
#include "crypto/point.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "crypto/status.h"
#include "crypto/zk/context.h"

namespace custos::zk {

struct LogStarStatement {
  PaillierPublicKey N0;    // prover's Paillier key
  BigInt C;                // enc_N0(x; ρ)
  Point X;                 // x·B
  Point B;                 // base point, hashed into the challenge
  RingPedersenParams aux;  // verifier's (N̂, s, t)
};

// Secret. No printing.
struct LogStarWitness {
  BigInt x;    // in ±2^ℓ
  BigInt rho;  // Paillier nonce in Z*_N0
};

struct LogStarProof {
  BigInt S;  // s^x·t^μ mod N̂
  BigInt A;  // enc_N0(α; r)
  Point Y;   // α·B
  BigInt D;  // s^α·t^γ mod N̂
  BigInt z1, z2, z3;
};

// `prover_key`, when given and matching stmt.N0, is used for CRT speed-ups
// (a key for another modulus is ignored). Precondition: ρ ∈ Z*_N0, B ≠ O.
LogStarProof log_star_prove(const ProofContext& ctx, const LogStarStatement& stmt, const LogStarWitness& wit,
                            Rng& rng, const PaillierSecretKey* prover_key = nullptr);

// `verifier_aux`, when given, must be the secret behind stmt.aux (CRT speed-up);
// a mismatch is an invalid_argument error.
Status log_star_verify(const ProofContext& ctx, const LogStarStatement& stmt, const LogStarProof& proof,
                       const RingPedersenSecret* verifier_aux = nullptr);

// The Fiat–Shamir challenge e ∈ ±q over ctx, aux, N0, C, X, B and the first
// message (S, A, Y, D) of `proof` (exposed for tests and audits).
BigInt log_star_challenge(const ProofContext& ctx, const LogStarStatement& stmt, const LogStarProof& proof);

std::vector<uint8_t> encode(const LogStarProof& proof);
Result<LogStarProof> decode_log_star_proof(std::span<const uint8_t> in);

}  // namespace custos::zk
