// Πmul* — Paillier multiplication with group commitment, CGGMP21 (2021) Fig 31. Used only for
// identification after an invalid signature (notes §3.5 c: Ĥ_i = enc_i(k_i·x_i) over (K_i, Ĥ_i, X_i)).
// Statement: a Paillier key N0 (the PROVER's own N_i in that use; the figure does not care whose),
// ciphertexts C, D under N0, a point X, and the VERIFIER's ring-Pedersen aux. Witness: x ∈ ±2^ℓ,
// ρ ∈ Z*_N0 with D = (x ⊙ C) ⊕ enc_N0(0; ρ) = C^x·ρ^N0 mod N0² and X = x·G.
// Fig 31's typos (per synedrion): "B" means Bx, r_y is unused, and the β in A is 0.
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

struct MulStarStatement {
  PaillierPublicKey N0;    // C and D are under N0
  BigInt C;                // any ciphertext (K_i)
  BigInt D;                // (x ⊙ C) ⊕ enc_N0(0; ρ) (Ĥ_i)
  Point X;                 // x·G (X_i, Lagrange-adjusted)
  RingPedersenParams aux;  // verifier's (N̂, s, t)
};

// Secret. No printing.
struct MulStarWitness {
  BigInt x;    // in ±2^ℓ (a scalar in [0, q) is fine)
  BigInt rho;  // nonce of D, in Z*_N0
};

struct MulStarProof {
  BigInt A;   // (α ⊙ C) ⊕ enc_N0(0; r)
  Point Bx;   // α·G
  BigInt E;   // s^α·t^γ mod N̂
  BigInt S;   // s^x·t^μ mod N̂
  BigInt z1;  // α + e·x
  BigInt z2;  // γ + e·μ
  BigInt w;   // r·ρ^e mod N0
};

// `n0_key`, when given and matching stmt.N0 (the prover owns N0), is used for CRT.
// Precondition: mul_star_check_witness passes.
MulStarProof mul_star_prove(const ProofContext& ctx, const MulStarStatement& stmt, const MulStarWitness& wit,
                            Rng& rng, const PaillierSecretKey* n0_key = nullptr);

// `verifier_key` (if the verifier owns N0) and `verifier_aux` (for stmt.aux), when given,
// must belong to the statement (CRT speed-ups); a mismatch is an invalid_argument error.
Status mul_star_verify(const ProofContext& ctx, const MulStarStatement& stmt, const MulStarProof& proof,
                       const PaillierSecretKey* verifier_key = nullptr,
                       const RingPedersenSecret* verifier_aux = nullptr);

Status mul_star_check_witness(const MulStarStatement& stmt, const MulStarWitness& wit);

std::vector<uint8_t> encode(const MulStarProof& proof);
Result<MulStarProof> decode_mul_star_proof(std::span<const uint8_t> in);

}  // namespace custos::zk
