// Πsch — Schnorr proof of knowledge of a discrete logarithm, CGGMP21 (2021) Fig 22.
// Statement X = x·G, witness x. Split into commit / respond because keygen
// commits to A = α·G in round 1, before the challenge inputs (rid) exist.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/point.h"
#include "crypto/rng.h"
#include "crypto/scalar.h"
#include "crypto/status.h"
#include "crypto/zk/context.h"

namespace custos::zk {

// First message. `alpha` is secret and must be used for exactly ONE response:
// two responses to different challenges reveal x.
struct SchCommitment {
  Scalar alpha;  // secret nonce
  Point A;       // public: α·G
};

struct SchProof {
  Point A;   // first message
  Scalar z;  // α + e·x mod q
};

SchCommitment sch_commit(Rng& rng);

// e = H(ctx, extra, X, A) ∈ Z_q; `extra` carries protocol binding such as rid.
SchProof sch_prove(const ProofContext& ctx, const Point& X, const SchCommitment& commitment, const Scalar& x,
                   std::span<const uint8_t> extra = {});

// Commit and respond in one call (when no commitment round precedes the proof).
SchProof sch_prove_direct(const ProofContext& ctx, const Point& X, const Scalar& x, std::span<const uint8_t> extra,
                          Rng& rng);

Status sch_verify(const ProofContext& ctx, const Point& X, const SchProof& proof, std::span<const uint8_t> extra = {});

// The Fiat–Shamir challenge e = H(ctx, extra, X, A) ∈ Z_q (exposed for tests and audits).
Scalar sch_challenge(const ProofContext& ctx, const Point& X, const Point& A, std::span<const uint8_t> extra);

std::vector<uint8_t> encode(const SchProof& proof);
Result<SchProof> decode_sch_proof(std::span<const uint8_t> in);

}  // namespace custos::zk
