// Whole-protocol helpers for tests, the demo and benchmarks: run every party
// of a CGGMP21 phase in-process through run_sessions and return the outputs.
#pragma once

#include <map>
#include <vector>

#include "protocol/cggmp21/aux_info.h"
#include "protocol/cggmp21/keygen.h"
#include "protocol/cggmp21/presign.h"
#include "protocol/cggmp21/sign.h"
#include "sim/key_pool.h"
#include "sim/runner.h"

namespace custos::sim {

// Party p's RNG for a run: forked from the run seed so every party has its own stream.
std::map<PartyIndex, DeterministicRng> party_rngs(uint64_t seed, const std::vector<PartyIndex>& parties,
                                                  std::string_view phase);

Digest32 session_id_for(std::string_view phase, uint64_t seed);

// Threshold keygen among parties 1..n with `threshold` signers needed.
RunResult<cggmp21::KeyShare> run_keygen(uint32_t threshold, uint32_t n, uint64_t seed,
                                        const SchedulerOptions& opt = {},
                                        const std::map<PartyIndex, Tamper>& adversaries = {});

// Aux-info among `parties`, party at position k using keys[k]. With `shares`
// set (one per party) it runs a key refresh of those shares instead.
RunResult<cggmp21::AuxInfoOutput> run_aux_info(const std::vector<PartyIndex>& parties, const PaillierKeys& keys,
                                               uint64_t seed,
                                               const std::map<PartyIndex, cggmp21::KeyShare>* shares = nullptr,
                                               const SchedulerOptions& opt = {},
                                               const std::map<PartyIndex, Tamper>& adversaries = {});

// Key material of one party after keygen + aux-info.
struct PartyKey {
  std::shared_ptr<const cggmp21::KeyShare> share;
  std::shared_ptr<const cggmp21::AuxInfo> aux;
};

// Keygen + aux-info for (t, n) with the given Paillier keys (n of them); aborts the process on failure.
std::map<PartyIndex, PartyKey> setup_keys(uint32_t threshold, uint32_t n, const PaillierKeys& keys, uint64_t seed);

// TEST ONLY: a trusted dealer that Shamir-shares a known secret key (used to
// check derivation against published BIP-32 vectors). Real keys come from keygen.
std::map<PartyIndex, cggmp21::KeyShare> deal_key_shares(const Scalar& secret, const std::array<uint8_t, 32>& chain_code,
                                                        uint32_t threshold, uint32_t n, Rng& rng);

RunResult<cggmp21::Presignature> run_presign(const std::map<PartyIndex, PartyKey>& keys,
                                             const std::vector<PartyIndex>& signers, uint64_t seed,
                                             const SchedulerOptions& opt = {},
                                             const std::map<PartyIndex, Tamper>& adversaries = {},
                                             protocol::Executor executor = protocol::sequential_executor());

RunResult<cggmp21::SignOutput> run_sign(const std::map<PartyIndex, PartyKey>& keys,
                                        const std::map<PartyIndex, cggmp21::Presignature>& presignatures,
                                        const Digest32& digest, const Scalar& tweak, uint64_t seed,
                                        const SchedulerOptions& opt = {},
                                        const std::map<PartyIndex, Tamper>& adversaries = {});

}  // namespace custos::sim
