// Πprm — ring-Pedersen parameters proof (CGGMP21, 2021 revision, Fig 17).
// Shows s ∈ ⟨t⟩ mod N̂ with m = kRepetitions = 80 binary-challenge rounds
// (soundness 2^-80). The binary challenge and all m rounds are essential: a single
// large-challenge variant is forgeable over an adversarial N̂ (TSSHOCK "c-split").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/bigint.h"
#include "crypto/ring_pedersen.h"
#include "crypto/rng.h"
#include "crypto/status.h"
#include "crypto/zk/context.h"

namespace custos::zk {

struct PrmStatement {
  RingPedersenParams aux;  // the prover's own (N̂, s, t)
};

// Secret: λ with s = t^λ and φ(N̂). Never printed.
struct PrmWitness {
  const RingPedersenSecret& secret;
};

struct PrmProof {
  std::vector<BigInt> a;  // A_i = t^{a_i} mod N̂, exactly kRepetitions
  std::vector<BigInt> z;  // z_i = a_i + e_i·λ mod φ(N̂), exactly kRepetitions
};

PrmProof prm_prove(const ProofContext& ctx, const PrmStatement& stmt, const PrmWitness& wit, Rng& rng);
Status prm_verify(const ProofContext& ctx, const PrmStatement& stmt, const PrmProof& proof);

std::vector<uint8_t> encode(const PrmProof& proof);
Result<PrmProof> decode_prm_proof(std::span<const uint8_t> in);

// The m challenge bits, from ONE stream over (ctx, N̂, s, t, A_1..A_m). Exposed for tests.
std::vector<bool> prm_challenges(const ProofContext& ctx, const RingPedersenParams& aux, std::span<const BigInt> a);

}  // namespace custos::zk
