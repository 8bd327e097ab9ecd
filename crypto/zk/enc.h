// Πenc — Paillier encryption in range, CGGMP21 (2021) Fig 14.
// Statement: the prover's Paillier key N0, a ciphertext K, and the VERIFIER's
// ring-Pedersen parameters aux = (N̂, s, t). Witness: k ∈ ±2^ℓ and ρ ∈ Z*_N0 with
// K = enc_N0(k; ρ). The proof shows k ∈ ±2^(ℓ+ε).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/paillier.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "crypto/status.h"
#include "crypto/zk/context.h"

namespace custos::zk {

struct EncStatement {
  PaillierPublicKey N0;    // prover's Paillier key
  BigInt K;                // enc_N0(k; ρ)
  RingPedersenParams aux;  // verifier's (N̂, s, t)
};

// Secret. No printing.
struct EncWitness {
  BigInt k;    // plaintext in ±2^ℓ
  BigInt rho;  // Paillier nonce in Z*_N0
};

struct EncProof {
  BigInt S;  // s^k·t^μ mod N̂
  BigInt A;  // enc_N0(α; r)
  BigInt C;  // s^α·t^γ mod N̂
  BigInt z1, z2, z3;
};

// `prover_key`, when given and matching stmt.N0, is used for CRT speed-ups
// (a key for another modulus is ignored). Precondition: ρ ∈ Z*_N0.
EncProof enc_prove(const ProofContext& ctx, const EncStatement& stmt, const EncWitness& wit, Rng& rng,
                   const PaillierSecretKey* prover_key = nullptr);

// `verifier_aux`, when given, must be the secret behind stmt.aux (CRT speed-up);
// a mismatch is an invalid_argument error.
Status enc_verify(const ProofContext& ctx, const EncStatement& stmt, const EncProof& proof,
                  const RingPedersenSecret* verifier_aux = nullptr);

// The Fiat–Shamir challenge e ∈ ±q over ctx, aux, N0, K and the first message
// (exposed for tests and audits).
BigInt enc_challenge(const ProofContext& ctx, const EncStatement& stmt, const BigInt& S, const BigInt& A,
                     const BigInt& C);

std::vector<uint8_t> encode(const EncProof& proof);
Result<EncProof> decode_enc_proof(std::span<const uint8_t> in);

}  // namespace custos::zk
