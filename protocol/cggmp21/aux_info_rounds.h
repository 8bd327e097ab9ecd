// Private: aux-info / refresh state and rounds (one .cpp per round).
#pragma once

#include <map>

#include "crypto/commitment.h"
#include "crypto/zk/fac.h"
#include "crypto/zk/mod.h"
#include "crypto/zk/prm.h"
#include "crypto/zk/sch.h"
#include "protocol/cggmp21/aux_info.h"
#include "protocol/cggmp21/common.h"

namespace custos::cggmp21::aux {

using Out = AuxInfoOutput;

struct Opening {
  BigInt n, s, t;
  std::vector<uint8_t> prm_proof;  // encoded Πprm (part of the commitment)
  Digest32 rho{};
  std::vector<Point> refresh_feldman;  // refresh only; [0] is O
  Point schnorr_commitment;            // refresh only
  CommitNonce nonce{};
};

struct State {
  AuxInfoConfig cfg;  // parties sorted
  bool refresh = false;
  uint32_t threshold = 0;
  std::shared_ptr<const RingPedersenSecret> rp;
  Opening mine;
  Polynomial zero_poly;  // refresh only
  zk::SchCommitment sch;  // refresh only
  std::map<PartyIndex, Digest32> commitments;
  std::map<PartyIndex, Opening> openings;
  std::map<PartyIndex, PartyAux> aux;  // validated public parameters (incl. own)
  std::map<PartyIndex, protocol::Message> opening_msgs;
  Digest32 sid_rho{};  // H(sid, ρ): binds round-3/4 proofs to the joint randomness
  std::map<PartyIndex, Scalar> refresh_shares;
  KeyShare new_share;  // refresh only, after round 3
};

Digest32 commit_opening(const State& st, PartyIndex i, const Opening& o);
std::string protocol_name(const State& st);

class Round1 final : public protocol::Round<Out> {
 public:
  explicit Round1(std::unique_ptr<State> st) : st_(std::move(st)) {}
  uint32_t number() const override { return 1; }
  bool expects_broadcast() const override { return true; }
  bool expects_p2p() const override { return false; }
  bool echo_broadcasts() const override { return true; }
  Result<std::unique_ptr<protocol::Verified>> verify(const protocol::Incoming& in) const override;
  void store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) override;
  protocol::Transition<Out> finalize(Rng& rng) override;

 private:
  std::unique_ptr<State> st_;
};

class Round2 final : public protocol::Round<Out> {
 public:
  explicit Round2(std::unique_ptr<State> st) : st_(std::move(st)) {}
  uint32_t number() const override { return 2; }
  bool expects_broadcast() const override { return true; }
  bool expects_p2p() const override { return false; }
  Result<std::unique_ptr<protocol::Verified>> verify(const protocol::Incoming& in) const override;
  void store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) override;
  protocol::Transition<Out> finalize(Rng& rng) override;

 private:
  std::unique_ptr<State> st_;
};

// What checking a round-3 message needs besides the message: public, and shared
// with the round's referee, which re-checks messages addressed to other parties.
struct Round3Inputs {
  Digest32 sid_rho{};
  bool refresh = false;
  std::map<PartyIndex, PartyAux> aux;
  std::map<PartyIndex, std::vector<Point>> refresh_feldman;
};

class Round3 final : public protocol::Round<Out> {
 public:
  explicit Round3(std::unique_ptr<State> st);
  uint32_t number() const override { return 3; }
  bool expects_broadcast() const override { return true; }
  bool expects_p2p() const override { return true; }
  bool echo_broadcasts() const override { return true; }  // same verdict everywhere
  Result<std::unique_ptr<protocol::Verified>> verify(const protocol::Incoming& in) const override;
  protocol::Referee referee() const override;
  void store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) override;
  protocol::Transition<Out> finalize(Rng& rng) override;

 private:
  std::unique_ptr<State> st_;
  std::shared_ptr<const Round3Inputs> inputs_;
};

class Round4 final : public protocol::Round<Out> {
 public:
  explicit Round4(std::unique_ptr<State> st) : st_(std::move(st)) {}
  uint32_t number() const override { return 4; }
  bool expects_broadcast() const override { return true; }
  bool expects_p2p() const override { return false; }
  bool echo_broadcasts() const override { return true; }  // same verdict everywhere
  Result<std::unique_ptr<protocol::Verified>> verify(const protocol::Incoming& in) const override;
  void store(const protocol::Incoming&, std::unique_ptr<protocol::Verified>) override {}
  protocol::Transition<Out> finalize(Rng& rng) override;

 private:
  std::unique_ptr<State> st_;
};

AuxInfoOutput make_output(State& st);

}  // namespace custos::cggmp21::aux
