// Aux-info round 1 (Fig 6 round 1): ring-Pedersen parameters over the fresh
// Paillier modulus with Πprm, ρ_i, and for refresh a zero sharing and a
// Schnorr nonce; broadcast the hash commitment V_i.
#include "crypto/ct.h"
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"
#include "protocol/cggmp21/aux_info_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21 {

using protocol::Message;
using protocol::Transition;

Result<Transition<AuxInfoOutput>> aux_info_start(const AuxInfoConfig& cfg_in, Rng& rng) {
  RETURN_IF_ERROR(check_parties(cfg_in.parties, cfg_in.self));
  if (!cfg_in.paillier) return invalid_argument("aux-info needs a fresh Paillier key");
  if (cfg_in.paillier->n().bit_length() != zk::kPaillierBits) {
    return invalid_argument("Paillier key must have exactly 2048 bits");
  }
  auto st = std::make_unique<aux::State>();
  st->cfg = cfg_in;
  st->cfg.parties = sorted(cfg_in.parties);
  if (cfg_in.refresh) {
    const KeyShare& ks = *cfg_in.refresh;
    if (ks.parties != st->cfg.parties || ks.self != cfg_in.self) {
      return invalid_argument("refresh: the key share's parties do not match the session's");
    }
    st->refresh = true;
    st->threshold = ks.threshold;
  }
  st->rp = std::make_shared<const RingPedersenSecret>(RingPedersenSecret::generate(rng, *cfg_in.paillier));
  const RingPedersenParams& rp = st->rp->params();
  st->mine.n = rp.n();
  st->mine.s = rp.s();
  st->mine.t = rp.t();
  // Πprm is bound to (sid, i): ρ does not exist yet (Fig 6 round 1).
  zk::ProofContext prm_ctx{st->cfg.session_id, st->cfg.self, 0};
  st->mine.prm_proof = zk::encode(zk::prm_prove(prm_ctx, zk::PrmStatement{rp}, zk::PrmWitness{*st->rp}, rng));
  rng.fill(st->mine.rho);
  if (st->refresh) {
    st->zero_poly = Polynomial::random(rng, st->threshold - 1, Scalar());
    st->mine.refresh_feldman = st->zero_poly.commitments();
    st->sch = zk::sch_commit(rng);
    st->mine.schnorr_commitment = st->sch.A;
  }
  st->mine.nonce = random_commit_nonce(rng);
  // Committed to now, opened in round 2 (for the constant-time test, crypto/ct.h); the zero sharing's
  // coefficients and the Schnorr nonce α stay secret.
  for (const Point& f : st->mine.refresh_feldman) zk::secops::publish(f);
  zk::secops::publish(st->sch.A, st->mine.schnorr_commitment);
  for (const auto* bytes : {&st->mine.rho, &st->mine.nonce}) ct::declassify(bytes->data(), bytes->size());

  wire::AuxCommit c;
  c.set_commitment(to_string(aux::commit_opening(*st, st->cfg.self, st->mine)));
  std::vector<protocol::Outgoing> out{{protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(c)}};
  return Transition<AuxInfoOutput>::advance(std::make_unique<aux::Round1>(std::move(st)), std::move(out));
}

Result<protocol::Session<AuxInfoOutput>> make_aux_info_session(const AuxInfoConfig& cfg, Rng& rng,
                                                              protocol::Executor executor) {
  ASSIGN_OR_RETURN(auto start, aux_info_start(cfg, rng));
  protocol::SessionParams p{cfg.refresh ? kRefreshProtocol : kAuxInfoProtocol, cfg.session_id, cfg.self,
                            sorted(cfg.parties), {}};
  return protocol::Session<AuxInfoOutput>(std::move(p), std::move(start), std::move(executor));
}

namespace aux {

std::string protocol_name(const State& st) { return st.refresh ? kRefreshProtocol : kAuxInfoProtocol; }

Digest32 commit_opening(const State& st, PartyIndex i, const Opening& o) {
  Transcript t("custos/cggmp21/aux-info/commit");
  t.append_str("protocol", protocol_name(st));
  t.append("sid", st.cfg.session_id).append_u64("party", i);
  t.append_int("N", o.n).append_int("s", o.s).append_int("t", o.t).append("prm", o.prm_proof).append("rho", o.rho);
  t.append_u64("refresh_count", o.refresh_feldman.size());
  for (const Point& f : o.refresh_feldman) t.append_point("refresh_feldman", f);
  t.append_point("schnorr_commitment", o.schnorr_commitment);
  return hash_commit(t, o.nonce);
}

namespace {
struct Commitment : protocol::Verified {
  Digest32 v{};
};
}  // namespace

Result<std::unique_ptr<protocol::Verified>> Round1::verify(const protocol::Incoming& in) const {
  const Message& msg = *in.broadcast;
  ASSIGN_OR_RETURN(auto c, protocol::parse_payload<wire::AuxCommit>(msg.payload));
  auto out = std::make_unique<Commitment>();
  ASSIGN_OR_RETURN(out->v, read_digest(c.commitment(), "aux-info commitment"));
  return std::unique_ptr<protocol::Verified>(std::move(out));
}

void Round1::store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) {
  const Message& msg = *in.broadcast;
  st_->commitments[msg.from] = protocol::verified_as<Commitment>(std::move(v))->v;
}

Transition<Out> Round1::finalize(Rng&) {
  const Opening& o = st_->mine;
  wire::AuxOpening w;
  w.set_paillier_n(int_field(o.n));
  w.set_rp_s(int_field(o.s));
  w.set_rp_t(int_field(o.t));
  w.set_prm_proof(to_string(o.prm_proof));
  w.set_rho(to_string(o.rho));
  for (const Point& f : o.refresh_feldman) w.add_refresh_feldman(point_field(f));
  if (st_->refresh) w.set_schnorr_commitment(point_field(o.schnorr_commitment));
  w.set_nonce(to_string(o.nonce));
  std::vector<protocol::Outgoing> out{{protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(w)}};
  return Transition<Out>::advance(std::make_unique<Round2>(std::move(st_)), std::move(out));
}

}  // namespace aux
}  // namespace custos::cggmp21
