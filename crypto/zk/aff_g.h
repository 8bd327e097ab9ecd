// Πaff-g — Paillier affine operation with group commitment in range, CGGMP21 (2021) Fig 15.
// Statement: N0 = the VERIFIER's Paillier key (C and D are under N0), N1 = the PROVER's key
// (Y is under N1), a point X, and the verifier's ring-Pedersen aux (N̂ = the verifier's N).
// Witness: x ∈ ±2^ℓ, y ∈ ±2^ℓ', ρ ∈ Z*_N0, ρy ∈ Z*_N1 with
//   D = (x ⊙ C) ⊕ enc_N0(y; ρ),  Y = enc_N1(y; ρy),  X = x·G.
// The proof shows x ∈ ±2^(ℓ+ε) and y ∈ ±2^(ℓ'+ε).
//
// Sign erratum (notes §2): presign forms D with enc(−β), so the caller passes y := −β and
// must form Y = enc_N1(−β) as well (then adds +β to its own share). A D with −β and a Y
// with +β has no witness and the proof fails; aff_g_check_witness catches it before proving.
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

struct AffGStatement {
  PaillierPublicKey N0;    // verifier's Paillier key: C, D are under N0
  PaillierPublicKey N1;    // prover's Paillier key: Y is under N1
  BigInt C;                // the verifier's ciphertext (K_j in presign)
  BigInt D;                // (x ⊙ C) ⊕ enc_N0(y; ρ)
  BigInt Y;                // enc_N1(y; ρy)  (F in presign)
  Point X;                 // x·G (Γ_i, or the Lagrange-adjusted X_i)
  RingPedersenParams aux;  // verifier's (N̂, s, t)
};

// Secret. No printing.
struct AffGWitness {
  BigInt x;      // in ±2^ℓ (a scalar in [0, q) is fine)
  BigInt y;      // in ±2^ℓ' (−β in presign)
  BigInt rho;    // nonce of D, in Z*_N0
  BigInt rho_y;  // nonce of Y, in Z*_N1
};

struct AffGProof {
  BigInt A;   // (α ⊙ C) ⊕ enc_N0(β; r)
  Point Bx;   // α·G
  BigInt By;  // enc_N1(β; ry)
  BigInt E;   // s^α·t^γ mod N̂
  BigInt S;   // s^x·t^m mod N̂
  BigInt F;   // s^β·t^δ mod N̂
  BigInt T;   // s^y·t^μ mod N̂
  BigInt z1, z2, z3, z4;
  BigInt w;   // r·ρ^e mod N0
  BigInt wy;  // ry·ρy^e mod N1
};

// `prover_key`, when given and matching stmt.N1, is used for CRT speed-ups
// (a key for another modulus is ignored). Preconditions: aff_g_check_witness passes.
AffGProof aff_g_prove(const ProofContext& ctx, const AffGStatement& stmt, const AffGWitness& wit, Rng& rng,
                      const PaillierSecretKey* prover_key = nullptr);

// `verifier_key` (for stmt.N0) and `verifier_aux` (for stmt.aux), when given, must
// belong to the statement (CRT speed-ups); a mismatch is an invalid_argument error.
Status aff_g_verify(const ProofContext& ctx, const AffGStatement& stmt, const AffGProof& proof,
                    const PaillierSecretKey* verifier_key = nullptr,
                    const RingPedersenSecret* verifier_aux = nullptr);

// Prover-side sanity check (costs about one proof's worth of exponentiations):
// ranges, units, and the three relations. Use it before proving so that our own
// prover never emits a proof for a statement without a witness (item 42).
Status aff_g_check_witness(const AffGStatement& stmt, const AffGWitness& wit);

std::vector<uint8_t> encode(const AffGProof& proof);
Result<AffGProof> decode_aff_g_proof(std::span<const uint8_t> in);

}  // namespace custos::zk
