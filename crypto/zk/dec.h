// Πdec — Paillier decryption modulo q, CGGMP21 (2021) Fig 30. Used only for identification
// (notes §3.5): the prover shows that its own ciphertext C = enc_N0(y; ρ) decrypts to a y with
// y ≡ x (mod q) for a public scalar x (δ_i or σ_i), under the VERIFIER's ring-Pedersen aux.
//
// Erratum (synedrion; notes §2): y is an unreduced sum such as δ_i, which reaches
// ±2^(ℓ'+ε+1+⌈log2 n⌉), not ±2^ℓ. The bound is therefore a statement parameter, y_bits, and
// the mask α and the check on z1 scale with it (see dec.cpp for the soundness arithmetic).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/paillier.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "crypto/status.h"
#include "crypto/zk/context.h"
#include "crypto/zk/params.h"

namespace custos::zk {

// α ← ±2^(y_bits + kDecSlack): hides e·y (|e·y| < 2^(256 + y_bits)) to 2^-120.
inline constexpr unsigned kDecSlack = kEll + 120;
// The verifier refuses a statement whose z1 bound would make a wrong decryption
// (y' = y ± k·N0) acceptable with probability above 2^-112 per challenge.
inline constexpr unsigned kDecMinSoundnessBits = 112;

// Largest y_bits accepted under an N0 of n0_bits bits (1813 for 2048-bit N0): a wrong decryption
// passes the z1 check with probability ≤ 2^(y_bits + σ − n0_bits − 253) (see dec.cpp).
constexpr unsigned dec_max_y_bits(unsigned n0_bits) {
  return n0_bits + 253 > kDecMinSoundnessBits + kDecSlack ? n0_bits + 253 - kDecMinSoundnessBits - kDecSlack : 0;
}

// ℓ' + ε + 1 + ⌈log2 n⌉: the bound for δ_i/χ_i-type sums over n parties (1797 for n = 16).
unsigned dec_y_bits_for_parties(size_t n);

struct DecStatement {
  PaillierPublicKey N0;    // prover's Paillier key
  BigInt C;                // enc_N0(y; ρ)
  Scalar x;                // y mod q
  RingPedersenParams aux;  // verifier's (N̂, s, t)
  unsigned y_bits = 0;     // |y| ≤ 2^y_bits; hashed; must be in [1, dec_max_y_bits(|N0|)]
};

// Secret. No printing.
struct DecWitness {
  BigInt y;    // centred plaintext of C, in ±2^y_bits
  BigInt rho;  // nonce of C, in Z*_N0 (PaillierSecretKey::recover_rho gives it)
};

struct DecProof {
  BigInt S;      // s^y·t^μ mod N̂
  BigInt T;      // s^α·t^ν mod N̂
  BigInt A;      // enc_N0(α; r)
  Scalar gamma;  // α mod q
  BigInt z1;     // α + e·y
  BigInt z2;     // ν + e·μ
  BigInt w;      // r·ρ^e mod N0
};

// `prover_key`, when given and matching stmt.N0, is used for CRT. Precondition:
// dec_check_witness passes (in particular y_bits is acceptable to the verifier).
DecProof dec_prove(const ProofContext& ctx, const DecStatement& stmt, const DecWitness& wit, Rng& rng,
                   const PaillierSecretKey* prover_key = nullptr);

// `verifier_aux`, when given, must be the secret behind stmt.aux (CRT speed-up).
Status dec_verify(const ProofContext& ctx, const DecStatement& stmt, const DecProof& proof,
                  const RingPedersenSecret* verifier_aux = nullptr);

Status dec_check_witness(const DecStatement& stmt, const DecWitness& wit);

std::vector<uint8_t> encode(const DecProof& proof);
Result<DecProof> decode_dec_proof(std::span<const uint8_t> in);

}  // namespace custos::zk
