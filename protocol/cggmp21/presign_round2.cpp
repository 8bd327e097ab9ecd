// Presign round 2 (Fig 7 round 2/3): verify Γ_j and the three proofs P_j made
// for us (Πaff-g for D with Γ_j, Πaff-g for D̂ with the Lagrange-adjusted X'_j,
// Πlog* for G_j), then decrypt the MtA shares (centred), form δ_i and χ_i, and
// send Δ_i = k_i·Γ with Πlog* (base Γ) and S_i = χ_i·Γ.
#include "crypto/zk/params.h"
#include "crypto/zk/sec_ops.h"
#include "protocol/cggmp21/presign_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21::presign {

using protocol::Message;
using protocol::Transition;

namespace {
struct VerifiedR2 : protocol::Verified {
  Point Gamma;
  MtaReceived mta;
  std::map<PartyIndex, Digest32> commitments;
};
constexpr unsigned kCiphertextBits = 2 * zk::kPaillierBits;
}  // namespace

Round2::Round2(std::unique_ptr<State> st) : st_(std::move(st)), view_(make_referee_view(*st_)) {}

namespace {
Result<std::unique_ptr<VerifiedR2>> check_round2(const RefereeView& v, const std::vector<PartyIndex>& signers,
                                                 const protocol::Incoming& in, PartyIndex recipient,
                                                 RecipientSecrets secrets) {
  if (!in.broadcast || !in.p2p) return failed_precondition("presign round 2 needs the broadcast and the p2p part");
  const PartyIndex j = in.from;
  if (!v.aux.count(j) || !v.aux.count(recipient) || !v.K_of.count(recipient) || !v.G_of.count(j)) {
    return failed_precondition("presign round 2: not a signer");
  }
  const PaillierPublicKey& nj = v.aux.at(j).paillier;
  const PartyAux& to = v.aux.at(recipient);
  auto out = std::make_unique<VerifiedR2>();
  ASSIGN_OR_RETURN(auto b, protocol::parse_payload<wire::PresignR2Broadcast>(in.broadcast->payload));
  ASSIGN_OR_RETURN(out->Gamma, read_point(b.gamma(), "Γ_j"));
  std::vector<PartyIndex> recipients;
  for (PartyIndex l : signers)
    if (l != j) recipients.push_back(l);
  if (static_cast<size_t>(b.mta_commitments_size()) != recipients.size()) {
    return out_of_range("round-2 broadcast has " + std::to_string(b.mta_commitments_size()) +
                        " MtA commitments, expected " + std::to_string(recipients.size()));
  }
  for (size_t k = 0; k < recipients.size(); ++k) {
    ASSIGN_OR_RETURN(out->commitments[recipients[k]], read_digest(b.mta_commitments(static_cast<int>(k)), "MtA commitment"));
  }

  ASSIGN_OR_RETURN(auto p, protocol::parse_payload<wire::PresignR2Private>(in.p2p->payload));
  MtaReceived& m = out->mta;
  ASSIGN_OR_RETURN(m.d, read_int(p.d(), kCiphertextBits, "D"));
  ASSIGN_OR_RETURN(m.f, read_int(p.f(), kCiphertextBits, "F"));
  ASSIGN_OR_RETURN(m.d_hat, read_int(p.d_hat(), kCiphertextBits, "D̂"));
  ASSIGN_OR_RETURN(m.f_hat, read_int(p.f_hat(), kCiphertextBits, "F̂"));
  if (mta_commitment(v.ssid, j, recipient, m.d, m.f, m.d_hat, m.f_hat) != out->commitments.at(recipient)) {
    return verify_failed("MtA ciphertexts do not match the sender's round-2 commitment");
  }
  ASSIGN_OR_RETURN(auto psi, zk::decode_aff_g_proof(protocol::field_bytes(p.aff_g_proof())));
  ASSIGN_OR_RETURN(auto psi_hat, zk::decode_aff_g_proof(protocol::field_bytes(p.aff_g_hat_proof())));
  ASSIGN_OR_RETURN(auto psi_prime, zk::decode_log_star_proof(protocol::field_bytes(p.log_star_proof())));

  // The MtA ciphertexts D, D̂ are under the recipient's key, made from its K.
  zk::ProofContext ctx = v.ctx(j, recipient);
  const BigInt& K = v.K_of.at(recipient);
  zk::AffGStatement aff{to.paillier, nj, K, m.d, m.f, out->Gamma, to.ring_pedersen};
  auto s1 = zk::aff_g_verify(ctx, aff, psi, secrets.paillier, secrets.rp);
  if (!s1.ok()) return s1.with_context("Πaff-g for Γ_j");
  zk::AffGStatement aff_hat{to.paillier, nj, K, m.d_hat, m.f_hat, v.adjusted_public.at(j), to.ring_pedersen};
  auto s2 = zk::aff_g_verify(ctx, aff_hat, psi_hat, secrets.paillier, secrets.rp);
  if (!s2.ok()) return s2.with_context("Πaff-g for X'_j");
  zk::LogStarStatement ls{nj, v.G_of.at(j), out->Gamma, Point::generator(), to.ring_pedersen};
  auto s3 = zk::log_star_verify(ctx, ls, psi_prime, secrets.rp);
  if (!s3.ok()) return s3.with_context("Πlog* for G_j");
  return out;
}
}  // namespace

Result<std::unique_ptr<protocol::Verified>> Round2::verify(const protocol::Incoming& in) const {
  ASSIGN_OR_RETURN(auto out,
                   check_round2(*view_, st_->cfg.signers, in, st_->self, RecipientSecrets{st_->paillier, st_->rp}));
  return std::unique_ptr<protocol::Verified>(std::move(out));
}

protocol::Referee Round2::referee() const {
  return [v = view_, signers = st_->cfg.signers](const protocol::Incoming& in, PartyIndex recipient) -> Status {
    auto checked = check_round2(*v, signers, in, recipient, {});
    return checked.ok() ? ok_status() : checked.status();
  };
}

void Round2::store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) {
  auto r = protocol::verified_as<VerifiedR2>(std::move(v));
  st_->Gamma_of[in.from] = r->Gamma;
  st_->received[in.from] = std::move(r->mta);
  st_->mta_commitments[in.from] = std::move(r->commitments);
}

Transition<Out> Round2::finalize(Rng& rng) {
  State& st = *st_;
  const PaillierSecretKey& own = *st.paillier;
  std::vector<Point> gammas{st.Gamma_i};
  for (auto& [j, g] : st.Gamma_of) gammas.push_back(g);
  st.Gamma = Point::sum(gammas);
  if (st.Gamma.is_identity()) {
    return Transition<Out>::fail(protocol::Abort{{}, "Γ = ΣΓ_j is the identity", {}});
  }
  st.Delta_i = st.Gamma.mul(st.k);

  // δ_i = γ_i·k_i + Σ_j (α_{i,j} + β_{i,j}), χ_i = x'_i·k_i + Σ_j (α̂_{i,j} + β̂_{i,j}),
  // with α decrypted to the centred representative before reducing mod q (notes §0).
  st.delta_i = st.gamma * st.k;
  st.chi_i = st.x_adj * st.k;
  for (PartyIndex j : st.cfg.signers) {
    if (j == st.self) continue;
    const MtaReceived& m = st.received.at(j);
    const MtaSent& s = st.sent.at(j);
    st.delta_i += Scalar::from_bigint(own.decrypt(m.d)) + Scalar::from_bigint(s.beta);
    st.chi_i += Scalar::from_bigint(own.decrypt(m.d_hat)) + Scalar::from_bigint(s.beta_hat);
  }
  st.S_i = st.Gamma.mul(st.chi_i);
  zk::secops::publish(st.delta_i, st.Delta_i, st.S_i);  // broadcast below

  std::vector<protocol::Outgoing> out;
  wire::PresignR3Broadcast b;
  b.set_delta(scalar_field(st.delta_i));
  b.set_big_delta(point_field(st.Delta_i));
  b.set_big_s(point_field(st.S_i));
  out.push_back({protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(b)});
  for (PartyIndex j : st.cfg.signers) {
    if (j == st.self) continue;
    zk::LogStarStatement ls{own.public_key(), st.K, st.Delta_i, st.Gamma, st.aux_of(j).ring_pedersen};
    auto proof = zk::log_star_prove(st.ctx(st.self, j), ls, zk::LogStarWitness{st.k.to_bigint(), st.rho}, rng, &own);
    wire::PresignR3Private p;
    p.set_log_star_proof(to_string(zk::encode(proof)));
    out.push_back({protocol::Kind::kP2P, j, protocol::serialize_deterministic(p)});
  }
  return Transition<Out>::advance(std::make_unique<Round3>(std::move(st_)), std::move(out));
}

}  // namespace custos::cggmp21::presign
