// Πmul — Paillier multiplication, CGGMP21 (2021) Fig 29. Used only for identification
// after a failed presignature check (notes §3.5 b: H_i = enc_i(k_i·γ_i) over (K_i, G_i, H_i)).
// Statement: one Paillier key N (the PROVER's) and X, Y, C under it. Witness: x, ρ, ρx with
//   X = enc_N(x; ρx),  C = (x ⊙ Y) ⊕ enc_N(0; ρ) = Y^x·ρ^N mod N².
// No ring-Pedersen parameters: the statement is about plaintexts mod N, not a range.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/paillier.h"
#include "crypto/rng.h"
#include "crypto/status.h"
#include "crypto/zk/context.h"

namespace custos::zk {

struct MulStatement {
  PaillierPublicKey N;  // prover's Paillier key
  BigInt X;             // enc_N(x; ρx)         (K_i)
  BigInt Y;             // any ciphertext       (G_i)
  BigInt C;             // (x ⊙ Y) ⊕ enc_N(0; ρ) (H_i)
};

// Secret. No printing.
struct MulWitness {
  BigInt x;      // in ±2^ℓ (k_i ∈ [0, q))
  BigInt rho;    // nonce of C, in Z*_N
  BigInt rho_x;  // nonce of X, in Z*_N
};

struct MulProof {
  BigInt A;  // (α ⊙ Y) ⊕ enc_N(0; r)
  BigInt B;  // enc_N(α; s)
  BigInt z;  // α + e·x
  BigInt u;  // r·ρ^e mod N
  BigInt v;  // s·ρx^e mod N
};

// `prover_key`, when given and matching stmt.N, is used for CRT (a key for another
// modulus is ignored). Precondition: mul_check_witness passes.
MulProof mul_prove(const ProofContext& ctx, const MulStatement& stmt, const MulWitness& wit, Rng& rng,
                   const PaillierSecretKey* prover_key = nullptr);

Status mul_verify(const ProofContext& ctx, const MulStatement& stmt, const MulProof& proof);

// Prover-side sanity check of the witness against the statement.
Status mul_check_witness(const MulStatement& stmt, const MulWitness& wit);

std::vector<uint8_t> encode(const MulProof& proof);
Result<MulProof> decode_mul_proof(std::span<const uint8_t> in);

}  // namespace custos::zk
