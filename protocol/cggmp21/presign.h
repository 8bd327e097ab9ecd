// CGGMP21 presigning (2021 revision Fig 7) for a signer set S of exactly t
// parties, with Lagrange-adjusted additive shares (notes §4). Three rounds:
//   1. broadcast (K_i, G_i) (echoed); send Πenc for K_i to each P_j under R_j;
//   2. broadcast Γ_i (echoed); send each P_j the MtA ciphertexts (D, F, D̂, F̂)
//      with Πaff-g for Γ_i and for X'_i, and Πlog* for G_i;
//   3. broadcast (δ_i, Δ_i, S_i = χ_i·Γ) (echoed); send Πlog* for Δ_i = k_i·Γ.
// Output: R = δ⁻¹·Γ and (k_i, χ_i), after checking δ·G = ΣΔ_j and ΣS_j = δ·X.
// S_j lets signing identify a bad signature share without further proofs
// (docs/decisions/0002-signature-share-check.md).
#pragma once

#include <memory>

#include "protocol/cggmp21/key_share.h"
#include "protocol/round.h"
#include "protocol/session.h"

namespace custos::cggmp21 {

inline constexpr const char* kPresignProtocol = "cggmp21/presign";

struct PresignConfig {
  Digest32 session_id{};
  std::shared_ptr<const KeyShare> share;
  std::shared_ptr<const AuxInfo> aux;
  std::vector<PartyIndex> signers;  // exactly share->threshold parties, including self
};

// A presignature. Single use: the caller must persist "used" before signing with it.
struct Presignature {
  Digest32 id{};  // ssid: binds session, key, key epoch, aux epoch and signer set
  Digest32 key_id{}, key_epoch{}, aux_epoch{};
  std::vector<PartyIndex> signers;  // ascending
  PartyIndex self = 0;
  Point R;
  Point gamma;                         // Γ
  std::map<PartyIndex, Point> deltas;  // Δ_j = k_j·Γ
  std::map<PartyIndex, Point> s;       // S_j = χ_j·Γ
  Scalar k, chi;                       // secret
};

Status check_presign_config(const PresignConfig& cfg);
Digest32 presign_ssid(const PresignConfig& cfg);

Result<protocol::Transition<Presignature>> presign_start(const PresignConfig& cfg, Rng& rng);
Result<protocol::Session<Presignature>> make_presign_session(
    const PresignConfig& cfg, Rng& rng, protocol::Executor executor = protocol::sequential_executor());

// Own index among the signers and Δ_self = k·Γ (a constant-time multiplication: k is secret). Checked
// once, before a presignature is stored; the store's authenticated encryption keeps it so afterwards,
// which is why deserialize_presignature does not repeat the multiplication on the signing path.
Status check_presignature_consistency(const Presignature& p);

SecretBytes serialize_presignature(const Presignature& p);
Result<Presignature> deserialize_presignature(std::span<const uint8_t> bytes);

}  // namespace custos::cggmp21
