// Presign round 3 (Fig 7 output): verify δ_j, Δ_j, S_j and the Πlog* for
// Δ_j = k_j·Γ; check δ·G = ΣΔ_j (δ ≠ 0) and ΣS_j = δ·X; output R = δ⁻¹·Γ.
#include "protocol/cggmp21/presign_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21::presign {

using protocol::Message;
using protocol::Transition;

namespace {
struct VerifiedR3 : protocol::Verified {
  Scalar delta;
  Point Delta, S;
};
}  // namespace

Round3::Round3(std::unique_ptr<State> st) : st_(std::move(st)), view_(make_referee_view(*st_)) {}

namespace {
Result<std::unique_ptr<VerifiedR3>> check_round3(const RefereeView& v, const protocol::Incoming& in,
                                                 PartyIndex recipient, RecipientSecrets secrets) {
  if (!in.broadcast || !in.p2p) return failed_precondition("presign round 3 needs the broadcast and the p2p part");
  const PartyIndex j = in.from;
  if (!v.aux.count(j) || !v.aux.count(recipient) || !v.K_of.count(j)) return failed_precondition("presign round 3: not a signer");
  auto out = std::make_unique<VerifiedR3>();
  ASSIGN_OR_RETURN(auto b, protocol::parse_payload<wire::PresignR3Broadcast>(in.broadcast->payload));
  ASSIGN_OR_RETURN(out->delta, read_scalar(b.delta(), "δ_j"));
  ASSIGN_OR_RETURN(out->Delta, read_point(b.big_delta(), "Δ_j"));
  ASSIGN_OR_RETURN(out->S, read_point(b.big_s(), "S_j"));
  ASSIGN_OR_RETURN(auto p, protocol::parse_payload<wire::PresignR3Private>(in.p2p->payload));
  ASSIGN_OR_RETURN(auto proof, zk::decode_log_star_proof(protocol::field_bytes(p.log_star_proof())));
  zk::LogStarStatement ls{v.aux.at(j).paillier, v.K_of.at(j), out->Delta, v.Gamma, v.aux.at(recipient).ring_pedersen};
  auto s = zk::log_star_verify(v.ctx(j, recipient), ls, proof, secrets.rp);
  if (!s.ok()) return s.with_context("Πlog* for Δ_j");
  return out;
}
}  // namespace

Result<std::unique_ptr<protocol::Verified>> Round3::verify(const protocol::Incoming& in) const {
  ASSIGN_OR_RETURN(auto out, check_round3(*view_, in, st_->self, RecipientSecrets{st_->paillier, st_->rp}));
  return std::unique_ptr<protocol::Verified>(std::move(out));
}

protocol::Referee Round3::referee() const {
  return [v = view_](const protocol::Incoming& in, PartyIndex recipient) -> Status {
    auto checked = check_round3(*v, in, recipient, {});
    return checked.ok() ? ok_status() : checked.status();
  };
}

void Round3::store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) {
  auto r = protocol::verified_as<VerifiedR3>(std::move(v));
  st_->delta_of[in.from] = r->delta;
  st_->Delta_of[in.from] = r->Delta;
  st_->S_of[in.from] = r->S;
}

Transition<Out> Round3::finalize(Rng& rng) {
  State& st = *st_;
  st.delta_of[st.self] = st.delta_i;
  st.Delta_of[st.self] = st.Delta_i;
  st.S_of[st.self] = st.S_i;
  Scalar delta;
  std::vector<Point> deltas, ss;
  for (PartyIndex j : st.cfg.signers) {
    delta += st.delta_of.at(j);
    deltas.push_back(st.Delta_of.at(j));
    ss.push_back(st.S_of.at(j));
  }
  // Every proof passed, so a failure here means some party's δ_j is
  // inconsistent with its MtA values: run identification (notes §3.5(b)).
  if (delta.is_zero() || !(Point::base_mul(delta) == Point::sum(deltas))) {
    return start_identification(std::move(st_), rng, /*chi=*/false);
  }
  // No proof covers S_j, so a failure here means some S_j ≠ χ_j·Γ: identification
  // with Πmul* (Ĥ_j = K_j^{x'_j}) and Πdec of the revealed χ_j (the paper's σ identification, Fig 8).
  if (!(Point::sum(ss) == st.cfg.share->public_key.mul_vartime(delta))) {
    return start_identification(std::move(st_), rng, /*chi=*/true);
  }
  Presignature ps;
  ps.id = st.ssid;
  ps.key_id = st.cfg.share->key_id;
  ps.key_epoch = st.cfg.share->epoch;
  ps.aux_epoch = st.cfg.aux->epoch;
  ps.signers = st.cfg.signers;
  ps.self = st.self;
  ps.R = st.Gamma.mul_vartime(*delta.inverse());  // δ is public
  ps.gamma = st.Gamma;
  ps.deltas = st.Delta_of;
  ps.s = st.S_of;
  ps.k = st.k;
  ps.chi = st.chi_i;
  return Transition<Out>::finish(std::move(ps));
}

}  // namespace custos::cggmp21::presign
