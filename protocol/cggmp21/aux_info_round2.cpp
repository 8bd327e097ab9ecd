// Aux-info round 2 -> 3 (Fig 6 round 2/3): check each opening against its
// commitment; validate N_j (2048 bits, odd), (s_j, t_j) and Πprm_j before R_j
// is used for anything; combine ρ; then prove Πmod to all and Πfac to each
// P_j under P_j's own ring-Pedersen parameters, with the refresh share.
#include "crypto/zk/params.h"
#include "protocol/cggmp21/aux_info_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21::aux {

using protocol::Message;
using protocol::Transition;

namespace {
struct VerifiedOpening : protocol::Verified {
  Opening o;
  PartyAux aux;
};
}  // namespace

Result<std::unique_ptr<protocol::Verified>> Round2::verify(const protocol::Incoming& in) const {
  const Message& msg = *in.broadcast;
  using zk::kPaillierBits;
  const State& st = *st_;
  ASSIGN_OR_RETURN(auto w, protocol::parse_payload<wire::AuxOpening>(msg.payload));
  auto out = std::make_unique<VerifiedOpening>();
  Opening& o = out->o;
  ASSIGN_OR_RETURN(o.n, read_int(w.paillier_n(), kPaillierBits, "Paillier modulus"));
  ASSIGN_OR_RETURN(o.s, read_int(w.rp_s(), kPaillierBits, "ring-Pedersen s"));
  ASSIGN_OR_RETURN(o.t, read_int(w.rp_t(), kPaillierBits, "ring-Pedersen t"));
  o.prm_proof.assign(w.prm_proof().begin(), w.prm_proof().end());
  RETURN_IF_ERROR(copy_fixed(w.rho(), o.rho, "rho"));
  RETURN_IF_ERROR(copy_fixed(w.nonce(), o.nonce, "commitment nonce"));
  if (st.refresh) {
    if (static_cast<uint32_t>(w.refresh_feldman_size()) != st.threshold) {
      return out_of_range("refresh Feldman vector has " + std::to_string(w.refresh_feldman_size()) +
                          " entries, expected " + std::to_string(st.threshold));
    }
    for (int k = 0; k < w.refresh_feldman_size(); ++k) {
      auto bytes = protocol::field_bytes(w.refresh_feldman(k));
      // A sharing of zero: the constant term must be O, the others real points.
      auto p = k == 0 ? Point::decode_allow_identity(bytes) : Point::decode(bytes);
      if (!p.ok()) return p.status().with_context("refresh Feldman commitment");
      if (k == 0 && !p->is_identity()) return verify_failed("refresh sharing does not share zero (F_0 ≠ O)");
      o.refresh_feldman.push_back(*p);
    }
    ASSIGN_OR_RETURN(o.schnorr_commitment, read_point(w.schnorr_commitment(), "Schnorr commitment"));
  } else if (w.refresh_feldman_size() != 0 || !w.schnorr_commitment().empty()) {
    return malformed("aux-info opening carries refresh fields");
  }
  if (commit_opening(st, msg.from, o) != st.commitments.at(msg.from)) {
    return verify_failed("opening does not match the round-1 commitment");
  }
  // N_j: exactly 2048 bits and odd; s_j, t_j units, distinct, not ±1.
  auto pk = PaillierPublicKey::from_modulus(o.n, kPaillierBits);
  if (!pk.ok()) return pk.status();
  auto rp = RingPedersenParams::create(o.n, o.s, o.t, kPaillierBits);
  if (!rp.ok()) return rp.status();
  ASSIGN_OR_RETURN(auto prm, zk::decode_prm_proof(o.prm_proof));
  RETURN_IF_ERROR(zk::prm_verify(zk::ProofContext{st.cfg.session_id, msg.from, 0}, zk::PrmStatement{*rp}, prm));
  out->aux = PartyAux{*pk, *rp};
  return std::unique_ptr<protocol::Verified>(std::move(out));
}

void Round2::store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) {
  const Message& msg = *in.broadcast;
  auto vo = protocol::verified_as<VerifiedOpening>(std::move(v));
  st_->openings[msg.from] = std::move(vo->o);
  st_->aux[msg.from] = std::move(vo->aux);
  st_->opening_msgs[msg.from] = msg;
}

Transition<Out> Round2::finalize(Rng& rng) {
  State& st = *st_;
  const PartyIndex self = st.cfg.self;
  st.openings[self] = st.mine;
  st.aux[self] = PartyAux{st.cfg.paillier->public_key(), st.rp->params()};

  Transcript t("custos/cggmp21/aux-info/rho");
  t.append("sid", st.cfg.session_id);
  Digest32 rho{};
  for (PartyIndex j : st.cfg.parties) {
    for (size_t b = 0; b < 32; ++b) rho[b] ^= st.openings.at(j).rho[b];
  }
  t.append("rho", rho);
  st.sid_rho = t.digest();

  std::vector<protocol::Outgoing> out;
  wire::AuxModProof m;
  zk::ProofContext mod_ctx{st.sid_rho, self, 0};
  m.set_mod_proof(to_string(zk::encode(
      zk::mod_prove(mod_ctx, zk::ModStatement{st.cfg.paillier->n()}, zk::ModWitness{*st.cfg.paillier}, rng))));
  out.push_back({protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(m)});
  for (PartyIndex j : st.cfg.parties) {
    if (j == self) continue;
    wire::AuxPrivate p;
    zk::ProofContext fac_ctx{st.sid_rho, self, j};
    zk::FacStatement fs{st.cfg.paillier->n(), st.aux.at(j).ring_pedersen};
    p.set_fac_proof(to_string(zk::encode(zk::fac_prove(fac_ctx, fs, zk::FacWitness{st.cfg.paillier->p(),
                                                                                    st.cfg.paillier->q()},
                                                       rng))));
    if (st.refresh) p.set_refresh_share(scalar_field(st.zero_poly.evaluate(Scalar::from_u64(j))));
    out.push_back({protocol::Kind::kP2P, j, protocol::serialize_deterministic(p)});
    wipe_string(*p.mutable_refresh_share());
  }
  return Transition<Out>::advance(std::make_unique<Round3>(std::move(st_)), std::move(out));
}

}  // namespace custos::cggmp21::aux
