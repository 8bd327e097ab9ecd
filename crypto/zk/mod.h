// Πmod — Paillier-Blum modulus proof (CGGMP21, 2021 revision, Fig 16).
// Shows that N = p·q with p, q ≡ 3 mod 4 distinct primes and gcd(N, φ(N)) = 1:
// z_i^N ≡ y_i gives square-freeness, x_i^4 ≡ (−1)^a_i·w^b_i·y_i gives at most two
// prime factors, both ≡ 3 mod 4. m = kRepetitions = 80 rounds; soundness 2^-80.
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

struct ModStatement {
  BigInt n;  // the prover's Paillier modulus
};

// Secret: the factorization of N (held by the key). Never printed.
struct ModWitness {
  const PaillierSecretKey& key;
};

struct ModRound {
  BigInt x;       // 4th root of (−1)^a·w^b·y_i
  uint8_t a = 0;  // single bit
  uint8_t b = 0;  // single bit
  BigInt z;       // N-th root of y_i
};

struct ModProof {
  BigInt w;                     // Jacobi(w, N) = −1
  std::vector<ModRound> rounds;  // exactly kRepetitions
};

// wit.key.n() must equal stmt.n (otherwise the proof simply does not verify).
ModProof mod_prove(const ProofContext& ctx, const ModStatement& stmt, const ModWitness& wit, Rng& rng);
Status mod_verify(const ProofContext& ctx, const ModStatement& stmt, const ModProof& proof);

std::vector<uint8_t> encode(const ModProof& proof);
Result<ModProof> decode_mod_proof(std::span<const uint8_t> in);

// The m challenges y_1..y_m ∈ [0, N), drawn from ONE stream over (ctx, N, w).
// Exposed so tests can build proofs for chosen (wrong) challenges.
std::vector<BigInt> mod_challenges(const ProofContext& ctx, const BigInt& n, const BigInt& w);
// Honest responses to the given challenges (exposed for tests, see above).
std::vector<ModRound> mod_respond(const PaillierSecretKey& key, const BigInt& w, std::span<const BigInt> ys);

}  // namespace custos::zk
