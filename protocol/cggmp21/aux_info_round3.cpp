// Aux-info round 3 (Fig 6 output): verify Πmod_j, and Πfac_j under our own
// ring-Pedersen parameters; for refresh check each zero-share against its
// Feldman commitments and add them (the public key cannot change because every
// dealt constant term is O), then prove the new share in round 4.
#include "crypto/zk/sec_ops.h"
#include "protocol/cggmp21/aux_info_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21::aux {

using protocol::Message;
using protocol::Transition;

namespace {
struct VerifiedPrivate : protocol::Verified {
  Scalar share;
};
}  // namespace

Round3::Round3(std::unique_ptr<State> st) : st_(std::move(st)) {
  auto in = std::make_shared<Round3Inputs>();
  in->sid_rho = st_->sid_rho;
  in->refresh = st_->refresh;
  in->aux = st_->aux;
  for (const auto& [j, o] : st_->openings) in->refresh_feldman[j] = o.refresh_feldman;
  in->refresh_feldman[st_->cfg.self] = st_->mine.refresh_feldman;  // a referee may be asked about our own messages
  inputs_ = std::move(in);
}

namespace {
// `rp` is the recipient's ring-Pedersen secret when the recipient is us (CRT speed-up), else null.
Result<std::unique_ptr<VerifiedPrivate>> check_round3(const Round3Inputs& pub, const protocol::Incoming& in,
                                                      PartyIndex recipient, const RingPedersenSecret* rp) {
  if (!in.broadcast || !in.p2p) return failed_precondition("aux-info round 3 needs the Πmod broadcast and the p2p part");
  auto sender_aux = pub.aux.find(in.from);
  auto recipient_aux = pub.aux.find(recipient);
  if (sender_aux == pub.aux.end() || recipient_aux == pub.aux.end()) {
    return failed_precondition("aux-info round 3: unknown sender or recipient");
  }
  ASSIGN_OR_RETURN(auto m, protocol::parse_payload<wire::AuxModProof>(in.broadcast->payload));
  ASSIGN_OR_RETURN(auto mod, zk::decode_mod_proof(protocol::field_bytes(m.mod_proof())));
  RETURN_IF_ERROR(zk::mod_verify(zk::ProofContext{pub.sid_rho, in.from, 0},
                                 zk::ModStatement{sender_aux->second.paillier.n()}, mod));

  ASSIGN_OR_RETURN(auto p, protocol::parse_payload<wire::AuxPrivate>(in.p2p->payload));
  protocol::WipeFieldOnExit wipe_share(p.mutable_refresh_share());
  ASSIGN_OR_RETURN(auto fac, zk::decode_fac_proof(protocol::field_bytes(p.fac_proof())));
  // Πfac is made for the recipient: under its ring-Pedersen parameters, with it as verifier.
  zk::FacStatement fs{sender_aux->second.paillier.n(), recipient_aux->second.ring_pedersen};
  RETURN_IF_ERROR(zk::fac_verify(zk::ProofContext{pub.sid_rho, in.from, recipient}, fs, fac, rp));
  auto out = std::make_unique<VerifiedPrivate>();
  if (pub.refresh) {
    ASSIGN_OR_RETURN(out->share, read_scalar(p.refresh_share(), "refresh share"));
    auto feldman = pub.refresh_feldman.find(in.from);
    if (feldman == pub.refresh_feldman.end() ||
        !feldman_verify(feldman->second, Scalar::from_u64(recipient), out->share)) {
      return verify_failed("refresh share is inconsistent with the sender's Feldman commitments");
    }
  } else if (!p.refresh_share().empty()) {
    return malformed("aux-info message carries a refresh share");
  }
  return out;
}
}  // namespace

Result<std::unique_ptr<protocol::Verified>> Round3::verify(const protocol::Incoming& in) const {
  ASSIGN_OR_RETURN(auto out, check_round3(*inputs_, in, st_->cfg.self, st_->rp.get()));
  return std::unique_ptr<protocol::Verified>(std::move(out));
}

protocol::Referee Round3::referee() const {
  return [pub = inputs_](const protocol::Incoming& in, PartyIndex recipient) -> Status {
    auto checked = check_round3(*pub, in, recipient, nullptr);
    return checked.ok() ? ok_status() : checked.status();
  };
}

void Round3::store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) {
  st_->refresh_shares[in.from] = protocol::verified_as<VerifiedPrivate>(std::move(v))->share;
}

AuxInfoOutput make_output(State& st) {
  AuxInfoOutput out;
  out.aux.epoch = st.sid_rho;
  out.aux.self = st.cfg.self;
  out.aux.paillier = st.cfg.paillier;
  out.aux.ring_pedersen = st.rp;
  out.aux.parties = st.aux;
  if (st.refresh) out.share = st.new_share;
  return out;
}

Transition<Out> Round3::finalize(Rng&) {
  State& st = *st_;
  // Duplicate moduli (item 21). Checked only now, after every Πmod verified:
  // a party that copied someone's N without its factorization has already
  // failed Πmod (bound to its own index), so two parties that both proved the
  // same N share its factorization and are both cheating.
  for (PartyIndex j : st.cfg.parties) {
    for (PartyIndex k : st.cfg.parties) {
      if (j < k && st.aux.at(j).paillier.n() == st.aux.at(k).paillier.n()) {
        std::vector<PartyIndex> culprits;
        std::vector<Message> ev;
        for (PartyIndex c : {j, k}) {
          if (c == st.cfg.self) continue;
          culprits.push_back(c);
          ev.push_back(st.opening_msgs.at(c));
        }
        return Transition<Out>::fail(protocol::Abort{culprits, "parties " + std::to_string(j) + " and " +
                                                                   std::to_string(k) + " use the same Paillier modulus",
                                                     ev});
      }
    }
  }
  if (!st.refresh) return Transition<Out>::finish(make_output(st));

  const PartyIndex self = st.cfg.self;
  const KeyShare& old = *st.cfg.refresh;
  KeyShare ks = old;
  Scalar delta = st.zero_poly.evaluate(Scalar::from_u64(self));
  for (auto& [j, s] : st.refresh_shares) delta += s;
  ks.secret_share = old.secret_share + delta;
  for (size_t pos = 0; pos < ks.parties.size(); ++pos) {
    Scalar k = Scalar::from_u64(ks.parties[pos]);
    std::vector<Point> parts{old.public_shares[pos]};
    for (PartyIndex j : st.cfg.parties) parts.push_back(feldman_evaluate(st.openings.at(j).refresh_feldman, k));
    ks.public_shares[pos] = Point::sum(parts);
  }
  ks.epoch = st.sid_rho;
  // Every dealt constant term is O, so X cannot change; check it anyway (Fig 6 output).
  std::vector<Scalar> idx = index_scalars(ks.parties);
  std::vector<Point> parts;
  for (size_t pos = 0; pos < std::min<size_t>(ks.threshold, ks.parties.size()); ++pos) {
    std::vector<Scalar> subset(idx.begin(), idx.begin() + ks.threshold);
    parts.push_back(ks.public_shares[pos].mul_vartime(*lagrange_at_zero(subset, idx[pos])));
  }
  if (!(Point::sum(parts) == old.public_key)) {
    return Transition<Out>::fail(protocol::Abort{{}, "refresh changed the public key", {}});
  }
  const Point own = Point::base_mul(ks.secret_share);
  zk::secops::publish(own);  // X_i: everyone computes it from the Feldman commitments
  if (own != ks.public_share(self)) {
    return Transition<Out>::fail(protocol::Abort{{}, "refreshed share does not match its public share", {}});
  }
  st.new_share = std::move(ks);

  wire::AuxSchnorr w;
  auto proof = zk::sch_prove(zk::ProofContext{st.sid_rho, self, 0}, st.new_share.public_share(self), st.sch,
                             st.new_share.secret_share);
  w.set_schnorr(to_string(zk::encode(proof)));
  std::vector<protocol::Outgoing> out{{protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(w)}};
  return Transition<Out>::advance(std::make_unique<Round4>(std::move(st_)), std::move(out));
}

Result<std::unique_ptr<protocol::Verified>> Round4::verify(const protocol::Incoming& in) const {
  const Message& msg = *in.broadcast;
  const State& st = *st_;
  ASSIGN_OR_RETURN(auto w, protocol::parse_payload<wire::AuxSchnorr>(msg.payload));
  ASSIGN_OR_RETURN(auto proof, zk::decode_sch_proof(protocol::field_bytes(w.schnorr())));
  if (!(proof.A == st.openings.at(msg.from).schnorr_commitment)) {
    return verify_failed("Schnorr proof does not use the nonce committed in round 1");
  }
  RETURN_IF_ERROR(
      zk::sch_verify(zk::ProofContext{st.sid_rho, msg.from, 0}, st.new_share.public_share(msg.from), proof));
  return std::unique_ptr<protocol::Verified>(std::make_unique<protocol::Verified>());
}

Transition<Out> Round4::finalize(Rng&) { return Transition<Out>::finish(make_output(*st_)); }

}  // namespace custos::cggmp21::aux
