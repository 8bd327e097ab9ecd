// CGGMP21 aux-info and key refresh (2021 revision Fig 6, threshold form of
// notes §3.2). Every party contributes a fresh Paillier key N_i (two safe
// primes), ring-Pedersen parameters (s_i, t_i) with Πprm, and proves Πmod to
// all and Πfac to each verifier under that verifier's parameters. In refresh
// mode each party also deals a sharing of zero (Feldman, F_{i,0} = O) so the
// shares change while the public key stays; old shares are useless with new ones.
//   1. broadcast V_i = H(sid, i, N_i, s_i, t_i, Πprm, refresh commitments, A_i, ρ_i, u_i), echoed;
//   2. broadcast the opening (each Πprm is verified here, before any use of R_j);
//   3. broadcast Πmod, send Πfac (and the refresh share) to each P_j; ρ = ⊕ρ_j;
//   4. (refresh only) broadcast a Schnorr proof for the new public share.
#pragma once

#include <memory>
#include <optional>

#include "protocol/cggmp21/key_share.h"
#include "protocol/round.h"
#include "protocol/session.h"

namespace custos::cggmp21 {

inline constexpr const char* kAuxInfoProtocol = "cggmp21/aux-info";
inline constexpr const char* kRefreshProtocol = "cggmp21/refresh";

struct AuxInfoConfig {
  Digest32 session_id{};
  PartyIndex self = 0;
  std::vector<PartyIndex> parties;
  // This party's fresh Paillier key (from a pre-generated pool, or generated
  // by the caller). Must be 2048 bits from safe primes; never reused.
  std::shared_ptr<const PaillierSecretKey> paillier;
  // Set for key refresh: the share to refresh (its parties must equal `parties`).
  std::optional<KeyShare> refresh;
};

struct AuxInfoOutput {
  AuxInfo aux;
  std::optional<KeyShare> share;  // the refreshed share (refresh mode)
};

Result<protocol::Transition<AuxInfoOutput>> aux_info_start(const AuxInfoConfig& cfg, Rng& rng);
Result<protocol::Session<AuxInfoOutput>> make_aux_info_session(
    const AuxInfoConfig& cfg, Rng& rng, protocol::Executor executor = protocol::sequential_executor());

}  // namespace custos::cggmp21
