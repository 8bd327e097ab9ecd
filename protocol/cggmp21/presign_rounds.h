// Private: presign state and rounds (one .cpp per round).
#pragma once

#include <map>

#include "crypto/zk/aff_g.h"
#include "crypto/zk/enc.h"
#include "crypto/zk/log_star.h"
#include "protocol/cggmp21/common.h"
#include "protocol/cggmp21/presign.h"

namespace custos::cggmp21::presign {

using Out = Presignature;

// What P_i sent to one P_j in round 2 (kept for identification).
struct MtaSent {
  BigInt beta, beta_hat;  // secret masks
  BigInt d, f, d_hat, f_hat;
};

// What P_j sent to us in round 2.
struct MtaReceived {
  BigInt d, f, d_hat, f_hat;
};

struct State {
  PresignConfig cfg;  // signers sorted
  Digest32 ssid{};
  PartyIndex self = 0;
  const PaillierSecretKey* paillier = nullptr;      // own
  const RingPedersenSecret* rp = nullptr;           // own
  std::map<PartyIndex, Point> adjusted_public;      // X'_j = λ_j·X_j
  Scalar x_adj;                                     // x'_i = λ_i·x_i (secret)
  // Round 1 secrets.
  Scalar k, gamma;
  BigInt rho, nu;
  BigInt K, G;
  std::map<PartyIndex, BigInt> K_of, G_of;  // peers' ciphertexts
  // Round 2.
  Point Gamma_i;
  std::map<PartyIndex, Point> Gamma_of;
  std::map<PartyIndex, MtaSent> sent;
  std::map<PartyIndex, MtaReceived> received;
  // commitments[i][j] = H(ssid, i, j, D_{j,i}, F_{j,i}, D̂_{j,i}, F̂_{j,i}) from P_i's round-2 broadcast.
  std::map<PartyIndex, std::map<PartyIndex, Digest32>> mta_commitments;
  // Round 3.
  Point Gamma;
  Scalar delta_i, chi_i;
  Point Delta_i, S_i;
  std::map<PartyIndex, Scalar> delta_of;
  std::map<PartyIndex, Point> Delta_of, S_of;

  // Identification (round 4): what each party published. `identify_chi` picks the case:
  // false after δ·G ≠ ΣΔ_j (H = enc(k·γ), D/F), true after ΣS_j ≠ δ·X (H = Ĥ = enc(k·x'), D̂/F̂, χ revealed).
  bool identify_chi = false;
  std::map<PartyIndex, BigInt> H_of;
  std::map<PartyIndex, std::map<PartyIndex, std::pair<BigInt, BigInt>>> published;  // [i][j] = (D_{j,i}, F_{j,i}) or hats
  std::map<PartyIndex, Scalar> chi_of;  // revealed χ_j (χ case)
  std::map<PartyIndex, std::vector<uint8_t>> dec_proofs;                             // Πdec_i for us
  std::map<PartyIndex, protocol::Message> identify_msgs;

  std::vector<PartyIndex> others() const {
    std::vector<PartyIndex> o;
    for (PartyIndex j : cfg.signers)
      if (j != self) o.push_back(j);
    return o;
  }
  const PartyAux& aux_of(PartyIndex j) const { return cfg.aux->parties.at(j); }
  zk::ProofContext ctx(PartyIndex prover, PartyIndex verifier) const { return zk::ProofContext{ssid, prover, verifier}; }
};

// What a referee needs to re-check one signer's round message as another signer
// would have (complaints, protocol/session.h): public values only, copied when a
// round starts so the referee outlives the round.
struct RefereeView {
  Digest32 ssid{};
  std::map<PartyIndex, PartyAux> aux;        // every signer's Paillier key and ring-Pedersen parameters
  std::map<PartyIndex, BigInt> K_of, G_of;   // every signer's round-1 ciphertexts (from round 2 on)
  std::map<PartyIndex, Point> adjusted_public;
  Point Gamma;                               // Γ = ΣΓ_j (round 3)
  zk::ProofContext ctx(PartyIndex prover, PartyIndex verifier) const { return zk::ProofContext{ssid, prover, verifier}; }
};
std::shared_ptr<const RefereeView> make_referee_view(const State& st);

// Checks of one sender's round messages for `recipient`. `own` and `rp` are the
// recipient's secrets, given only when the recipient is us (CRT speed-ups).
struct RecipientSecrets {
  const PaillierSecretKey* paillier = nullptr;
  const RingPedersenSecret* rp = nullptr;
};

#define CUSTOS_PRESIGN_ROUND(Name, Num, Echo)                                                          \
  class Name final : public protocol::Round<Out> {                                                     \
   public:                                                                                             \
    explicit Name(std::unique_ptr<State> st);                                                          \
    uint32_t number() const override { return Num; }                                                   \
    bool expects_broadcast() const override { return true; }                                           \
    bool expects_p2p() const override { return true; }                                                 \
    bool echo_broadcasts() const override { return Echo; }                                             \
    Result<std::unique_ptr<protocol::Verified>> verify(const protocol::Incoming& in) const override;   \
    protocol::Referee referee() const override;                                                        \
    void store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) override;          \
    protocol::Transition<Out> finalize(Rng& rng) override;                                             \
                                                                                                       \
   private:                                                                                            \
    std::unique_ptr<State> st_;                                                                        \
    std::shared_ptr<const RefereeView> view_;                                                          \
  };

CUSTOS_PRESIGN_ROUND(Round1, 1, true)
CUSTOS_PRESIGN_ROUND(Round2, 2, true)
CUSTOS_PRESIGN_ROUND(Round3, 3, true)
CUSTOS_PRESIGN_ROUND(IdentifyRound, 4, false)
#undef CUSTOS_PRESIGN_ROUND

Digest32 mta_commitment(const Digest32& ssid, PartyIndex from, PartyIndex to, const BigInt& d, const BigInt& f,
                        const BigInt& d_hat, const BigInt& f_hat);

// Starts identification after the δ check failed (notes §3.5(b)), or after ΣS_j ≠ δ·X when `chi`.
protocol::Transition<Out> start_identification(std::unique_ptr<State> st, Rng& rng, bool chi);

}  // namespace custos::cggmp21::presign
