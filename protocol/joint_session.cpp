#include "protocol/joint_session.h"

#include <algorithm>
#include <map>

#include "crypto/transcript.h"

namespace custos::protocol {
namespace {

constexpr uint32_t kNonceBytes = 32;

Status check_config(const JointSessionConfig& cfg) {
  if (cfg.protocol.empty() || cfg.protocol.size() > 64) return invalid_argument("joint session: protocol name 1..64 bytes");
  if (cfg.participants.empty()) return invalid_argument("joint session: no participants");
  for (size_t i = 0; i < cfg.participants.size(); ++i) {
    if (cfg.participants[i] == 0) return invalid_argument("joint session: participant index 0");
    if (i > 0 && cfg.participants[i] <= cfg.participants[i - 1]) {
      return invalid_argument("joint session: participants must be sorted and distinct");
    }
  }
  if (!std::binary_search(cfg.participants.begin(), cfg.participants.end(), cfg.self)) {
    return invalid_argument("joint session: self is not a participant");
  }
  return ok_status();
}

Transcript base_transcript(const char* label, const JointSessionConfig& cfg) {
  Transcript t(label);
  t.append("protocol", as_bytes(cfg.protocol)).append("request", cfg.request);
  t.append_u64("participants", cfg.participants.size());
  for (PartyIndex p : cfg.participants) t.append_u64("participant", p);
  return t;
}

struct VerifiedNonce : Verified {
  Digest32 nonce{};
};

// The only round: broadcast a nonce; echoed so that all participants hash the same nonces.
class NonceRound final : public Round<Digest32> {
 public:
  NonceRound(JointSessionConfig cfg, Digest32 mine) : cfg_(std::move(cfg)) { nonces_[cfg_.self] = mine; }
  uint32_t number() const override { return 1; }
  bool expects_broadcast() const override { return true; }
  bool expects_p2p() const override { return false; }
  bool echo_broadcasts() const override { return true; }
  Result<std::unique_ptr<Verified>> verify(const Incoming& in) const override {
    if (in.broadcast->payload.size() != kNonceBytes) {
      return malformed("joint-session nonce must be 32 bytes, got " + std::to_string(in.broadcast->payload.size()));
    }
    auto v = std::make_unique<VerifiedNonce>();
    std::copy(in.broadcast->payload.begin(), in.broadcast->payload.end(), v->nonce.begin());
    return std::unique_ptr<Verified>(std::move(v));
  }
  void store(const Incoming& in, std::unique_ptr<Verified> v) override {
    nonces_[in.from] = verified_as<VerifiedNonce>(std::move(v))->nonce;
  }
  Transition<Digest32> finalize(Rng&) override {
    Transcript t = base_transcript("custos/joint-session/v1", cfg_);
    for (const auto& [p, n] : nonces_) t.append_u64("party", p).append("nonce", n);
    return Transition<Digest32>::finish(t.digest());
  }

 private:
  JointSessionConfig cfg_;
  std::map<PartyIndex, Digest32> nonces_;
};

}  // namespace

Digest32 setup_session_id(const JointSessionConfig& cfg) {
  return base_transcript("custos/joint-session/setup/v1", cfg).digest();
}

Result<Session<Digest32>> make_joint_session(const JointSessionConfig& cfg, Rng& rng, Executor executor) {
  RETURN_IF_ERROR(check_config(cfg));
  Digest32 nonce{};
  rng.fill(nonce);
  Outgoing out{Kind::kBroadcast, 0, WipedBytes(nonce.begin(), nonce.end())};
  auto start = Transition<Digest32>::advance(std::make_unique<NonceRound>(cfg, nonce), {out});
  SessionParams p{kJointSessionProtocol, setup_session_id(cfg), cfg.self, cfg.participants, {}};
  return Session<Digest32>(std::move(p), std::move(start), std::move(executor));
}

Result<std::vector<PartyIndex>> select_signers(const Digest32& request, const std::vector<PartyIndex>& available,
                                               uint32_t t) {
  if (t == 0) return invalid_argument("select_signers: t must be at least 1");
  std::vector<PartyIndex> pool = available;
  std::sort(pool.begin(), pool.end());
  pool.erase(std::unique(pool.begin(), pool.end()), pool.end());
  if (pool.size() < t) {
    return failed_precondition("need " + std::to_string(t) + " signers, only " + std::to_string(pool.size()) +
                               " nodes available");
  }
  auto rank = [&](PartyIndex p) {
    Transcript tr("custos/signer-selection/v1");
    tr.append("request", request).append_u64("party", p);
    return tr.digest();
  };
  std::vector<std::pair<Digest32, PartyIndex>> ranked;
  for (PartyIndex p : pool) ranked.emplace_back(rank(p), p);
  std::sort(ranked.begin(), ranked.end());
  std::vector<PartyIndex> chosen;
  for (uint32_t i = 0; i < t; ++i) chosen.push_back(ranked[i].second);
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace custos::protocol
