// Keygen round 1 (Fig 5 round 1): sample the sharing polynomial, rid_i, the
// chain-code share c_i and the Schnorr nonce, and broadcast a hash commitment.
#include "crypto/ct.h"
#include "crypto/zk/sec_ops.h"
#include "protocol/cggmp21/keygen_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21 {

using protocol::Message;
using protocol::Transition;

Status check_keygen_config(const KeygenConfig& cfg) {
  RETURN_IF_ERROR(check_parties(cfg.parties, cfg.self));
  if (cfg.threshold == 0 || cfg.threshold > cfg.parties.size()) {
    return invalid_argument("threshold " + std::to_string(cfg.threshold) + " must be between 1 and " +
                            std::to_string(cfg.parties.size()));
  }
  return ok_status();
}

Result<Transition<KeyShare>> keygen_start(const KeygenConfig& cfg_in, Rng& rng) {
  RETURN_IF_ERROR(check_keygen_config(cfg_in));
  auto st = std::make_unique<keygen::State>();
  st->cfg = cfg_in;
  st->cfg.parties = sorted(cfg_in.parties);
  // deg f = t-1 so that t shares reconstruct.
  st->poly = Polynomial::random(rng, st->cfg.threshold - 1, Scalar::random_nonzero(rng));
  st->mine.feldman = st->poly.commitments();
  rng.fill(st->mine.rid);
  rng.fill(st->mine.chain_code);
  st->sch = zk::sch_commit(rng);
  zk::secops::publish(st->sch.A);  // committed to now, opened in round 2 (crypto/ct.h); α stays secret
  st->mine.schnorr_commitment = st->sch.A;
  st->mine.nonce = random_commit_nonce(rng);
  // Committed to now and opened in round 2: public from here on (for the constant-time test, crypto/ct.h).
  // The polynomial's coefficients and the Schnorr nonce stay secret.
  for (const Point& f : st->mine.feldman) zk::secops::publish(f);
  for (const auto* bytes : {&st->mine.rid, &st->mine.chain_code}) ct::declassify(bytes->data(), bytes->size());
  ct::declassify(st->mine.nonce.data(), st->mine.nonce.size());

  wire::KeygenCommit c;
  Digest32 v = keygen::commit_opening(*st, st->cfg.self, st->mine);
  c.set_commitment(to_string(v));
  std::vector<protocol::Outgoing> out{{protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(c)}};
  return Transition<KeyShare>::advance(std::make_unique<keygen::Round1>(std::move(st)), std::move(out));
}

Result<protocol::Session<KeyShare>> make_keygen_session(const KeygenConfig& cfg, Rng& rng,
                                                        protocol::Executor executor) {
  ASSIGN_OR_RETURN(auto start, keygen_start(cfg, rng));
  protocol::SessionParams p{kKeygenProtocol, cfg.session_id, cfg.self, sorted(cfg.parties), {}};
  return protocol::Session<KeyShare>(std::move(p), std::move(start), std::move(executor));
}

namespace keygen {

Digest32 commit_opening(const Digest32& session_id, PartyIndex i, const Opening& o) {
  Transcript t("custos/cggmp21/keygen/commit");
  t.append("sid", session_id).append_u64("party", i).append("rid", o.rid).append("chain_code", o.chain_code);
  t.append_u64("feldman_count", o.feldman.size());
  for (const Point& f : o.feldman) t.append_point("feldman", f);
  t.append_point("schnorr_commitment", o.schnorr_commitment);
  return hash_commit(t, o.nonce);
}

zk::ProofContext schnorr_context(const State& st, PartyIndex prover) {
  return zk::ProofContext{st.cfg.session_id, prover, 0};
}

namespace {
struct Commitment : protocol::Verified {
  Digest32 v{};
};
}  // namespace

Result<std::unique_ptr<protocol::Verified>> Round1::verify(const protocol::Incoming& in) const {
  const Message& msg = *in.broadcast;
  ASSIGN_OR_RETURN(auto c, protocol::parse_payload<wire::KeygenCommit>(msg.payload));
  auto out = std::make_unique<Commitment>();
  ASSIGN_OR_RETURN(out->v, read_digest(c.commitment(), "keygen commitment"));
  return std::unique_ptr<protocol::Verified>(std::move(out));
}

void Round1::store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) {
  const Message& msg = *in.broadcast;
  st_->commitments[msg.from] = protocol::verified_as<Commitment>(std::move(v))->v;
}

Transition<KeyShare> Round1::finalize(Rng&) {
  std::vector<protocol::Outgoing> out;
  wire::KeygenOpening o;
  o.set_rid(to_string(st_->mine.rid));
  o.set_chain_code(to_string(st_->mine.chain_code));
  for (const Point& f : st_->mine.feldman) o.add_feldman(point_field(f));
  o.set_schnorr_commitment(point_field(st_->mine.schnorr_commitment));
  o.set_nonce(to_string(st_->mine.nonce));
  out.push_back({protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(o)});
  for (PartyIndex j : st_->cfg.parties) {
    if (j == st_->cfg.self) continue;
    wire::KeygenShare s;
    s.set_share(scalar_field(st_->poly.evaluate(Scalar::from_u64(j))));
    out.push_back({protocol::Kind::kP2P, j, protocol::serialize_deterministic(s)});
    wipe_string(*s.mutable_share());
  }
  return Transition<KeyShare>::advance(std::make_unique<Round2>(std::move(st_)), std::move(out));
}

}  // namespace keygen
}  // namespace custos::cggmp21
