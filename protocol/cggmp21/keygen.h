// CGGMP21 threshold key generation (2021 revision Fig 5, made threshold with
// Feldman VSS as in notes §3.1). Three rounds:
//   1. broadcast V_i = H(sid, i, rid_i, c_i, F_i, A_i, u_i), echoed;
//   2. broadcast the opening, send f_i(j) to each P_j privately;
//   3. broadcast a Schnorr proof for X_i = x_i·G with the nonce A_i committed in round 1.
#pragma once

#include <vector>

#include "protocol/cggmp21/key_share.h"
#include "protocol/round.h"
#include "protocol/session.h"

namespace custos::cggmp21 {

inline constexpr const char* kKeygenProtocol = "cggmp21/keygen";

struct KeygenConfig {
  Digest32 session_id{};
  PartyIndex self = 0;
  std::vector<PartyIndex> parties;  // all n participants
  uint32_t threshold = 0;           // signers needed, 1 <= t <= n
};

// Validates the config (indices non-zero and distinct, self included, 1 <= t <= n).
Status check_keygen_config(const KeygenConfig& cfg);

// Round 1 of keygen and its messages. Fails only on an invalid config.
Result<protocol::Transition<KeyShare>> keygen_start(const KeygenConfig& cfg, Rng& rng);

// Convenience: a driver session for keygen.
Result<protocol::Session<KeyShare>> make_keygen_session(const KeygenConfig& cfg, Rng& rng,
                                                        protocol::Executor executor = protocol::sequential_executor());

}  // namespace custos::cggmp21
