// Private: keygen state and round types (one .cpp per round).
#pragma once

#include <map>

#include "crypto/commitment.h"
#include "crypto/zk/sch.h"
#include "protocol/cggmp21/common.h"
#include "protocol/cggmp21/keygen.h"

namespace custos::cggmp21::keygen {

struct Opening {
  Digest32 rid{};
  std::array<uint8_t, 32> chain_code{};
  std::vector<Point> feldman;
  Point schnorr_commitment;
  CommitNonce nonce{};
};

struct State {
  KeygenConfig cfg;  // parties sorted
  // Own round-1 secrets.
  Polynomial poly;
  Opening mine;
  zk::SchCommitment sch;
  // From peers.
  std::map<PartyIndex, Digest32> commitments;
  std::map<PartyIndex, Opening> openings;
  std::map<PartyIndex, Scalar> shares;

  // Results of round 2.
  Digest32 rid{};
  std::array<uint8_t, 32> chain_code{};
  Scalar x;
  std::vector<Point> public_shares;
  Point public_key;
};

Digest32 commit_opening(const Digest32& session_id, PartyIndex i, const Opening& o);
inline Digest32 commit_opening(const State& st, PartyIndex i, const Opening& o) {
  return commit_opening(st.cfg.session_id, i, o);
}
zk::ProofContext schnorr_context(const State& st, PartyIndex prover);

class Round1 final : public protocol::Round<KeyShare> {
 public:
  explicit Round1(std::unique_ptr<State> st) : st_(std::move(st)) {}
  uint32_t number() const override { return 1; }
  bool expects_broadcast() const override { return true; }
  bool expects_p2p() const override { return false; }
  bool echo_broadcasts() const override { return true; }
  Result<std::unique_ptr<protocol::Verified>> verify(const protocol::Incoming& in) const override;
  void store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) override;
  protocol::Transition<KeyShare> finalize(Rng& rng) override;

 private:
  std::unique_ptr<State> st_;
};

// What checking a round-2 message needs besides the message. Public, and shared
// with the round's referee, which re-checks messages addressed to other parties.
struct Round2Inputs {
  Digest32 session_id{};
  uint32_t threshold = 0;
  std::map<PartyIndex, Digest32> commitments;  // round-1 commitments
};

class Round2 final : public protocol::Round<KeyShare> {
 public:
  explicit Round2(std::unique_ptr<State> st);
  uint32_t number() const override { return 2; }
  bool expects_broadcast() const override { return true; }
  bool expects_p2p() const override { return true; }
  Result<std::unique_ptr<protocol::Verified>> verify(const protocol::Incoming& in) const override;
  protocol::Referee referee() const override;
  void store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) override;
  protocol::Transition<KeyShare> finalize(Rng& rng) override;

 private:
  std::unique_ptr<State> st_;
  std::shared_ptr<const Round2Inputs> inputs_;
};

class Round3 final : public protocol::Round<KeyShare> {
 public:
  explicit Round3(std::unique_ptr<State> st) : st_(std::move(st)) {}
  uint32_t number() const override { return 3; }
  bool expects_broadcast() const override { return true; }
  bool expects_p2p() const override { return false; }
  // Echoed so that every party ends keygen with the same verdict on every proof.
  bool echo_broadcasts() const override { return true; }
  Result<std::unique_ptr<protocol::Verified>> verify(const protocol::Incoming& in) const override;
  void store(const protocol::Incoming&, std::unique_ptr<protocol::Verified>) override {}
  protocol::Transition<KeyShare> finalize(Rng& rng) override;

 private:
  std::unique_ptr<State> st_;
};

}  // namespace custos::cggmp21::keygen
