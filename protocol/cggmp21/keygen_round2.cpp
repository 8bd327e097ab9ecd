// Keygen round 2 -> 3 (Fig 5 round 2/3 with Feldman): check every opening
// against its round-1 commitment and every received share against the
// sender's Feldman commitments, combine rid, chain code, shares and public
// shares, and prove knowledge of the new share with the committed nonce.
#include "crypto/zk/sec_ops.h"
#include "protocol/cggmp21/keygen_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21::keygen {

using protocol::Message;
using protocol::Transition;

namespace {
struct VerifiedRound2 : protocol::Verified {
  Opening o;
  Scalar share;
};
}  // namespace

Round2::Round2(std::unique_ptr<State> st) : st_(std::move(st)) {
  auto in = std::make_shared<Round2Inputs>(Round2Inputs{st_->cfg.session_id, st_->cfg.threshold, st_->commitments});
  // Our own commitment too: a referee may be asked about our own messages.
  in->commitments[st_->cfg.self] = commit_opening(*st_, st_->cfg.self, st_->mine);
  inputs_ = std::move(in);
}

namespace {

Result<std::unique_ptr<VerifiedRound2>> check_round2(const Round2Inputs& pub, const protocol::Incoming& in,
                                                     PartyIndex recipient) {
  if (!in.broadcast || !in.p2p) return failed_precondition("keygen round 2 needs the opening and the share");
  auto out = std::make_unique<VerifiedRound2>();
  ASSIGN_OR_RETURN(auto s, protocol::parse_payload<wire::KeygenShare>(in.p2p->payload));
  protocol::WipeFieldOnExit wipe_share(s.mutable_share());
  ASSIGN_OR_RETURN(out->share, read_scalar(s.share(), "keygen share"));

  ASSIGN_OR_RETURN(auto o, protocol::parse_payload<wire::KeygenOpening>(in.broadcast->payload));
  RETURN_IF_ERROR(copy_fixed(o.rid(), out->o.rid, "rid"));
  RETURN_IF_ERROR(copy_fixed(o.chain_code(), out->o.chain_code, "chain code"));
  RETURN_IF_ERROR(copy_fixed(o.nonce(), out->o.nonce, "commitment nonce"));
  // Exactly t Feldman commitments (degree t-1), every one a valid point other than O.
  if (static_cast<uint32_t>(o.feldman_size()) != pub.threshold) {
    return out_of_range("Feldman commitment vector has " + std::to_string(o.feldman_size()) +
                        " entries, expected " + std::to_string(pub.threshold));
  }
  for (const std::string& f : o.feldman()) {
    ASSIGN_OR_RETURN(Point p, read_point(f, "Feldman commitment"));
    out->o.feldman.push_back(p);
  }
  ASSIGN_OR_RETURN(out->o.schnorr_commitment, read_point(o.schnorr_commitment(), "Schnorr commitment"));
  auto committed = pub.commitments.find(in.from);
  if (committed == pub.commitments.end() || commit_opening(pub.session_id, in.from, out->o) != committed->second) {
    return verify_failed("opening does not match the round-1 commitment");
  }
  // A share that does not match the sender's Feldman commitments blames the
  // sender; its signed p2p message and broadcast opening are the evidence.
  if (!feldman_verify(out->o.feldman, Scalar::from_u64(recipient), out->share)) {
    return verify_failed("keygen share is inconsistent with the sender's Feldman commitments");
  }
  return out;
}
}  // namespace

Result<std::unique_ptr<protocol::Verified>> Round2::verify(const protocol::Incoming& in) const {
  ASSIGN_OR_RETURN(auto out, check_round2(*inputs_, in, st_->cfg.self));
  return std::unique_ptr<protocol::Verified>(std::move(out));
}

protocol::Referee Round2::referee() const {
  return [pub = inputs_](const protocol::Incoming& in, PartyIndex recipient) -> Status {
    auto checked = check_round2(*pub, in, recipient);
    return checked.ok() ? ok_status() : checked.status();
  };
}

void Round2::store(const protocol::Incoming& in, std::unique_ptr<protocol::Verified> v) {
  auto r = protocol::verified_as<VerifiedRound2>(std::move(v));
  st_->shares[in.from] = r->share;
  st_->openings[in.from] = std::move(r->o);
}

Transition<KeyShare> Round2::finalize(Rng&) {
  State& st = *st_;
  const PartyIndex self = st.cfg.self;
  const Scalar me = Scalar::from_u64(self);
  st.openings[self] = st.mine;
  st.shares[self] = st.poly.evaluate(me);

  st.rid = {};
  st.chain_code = {};
  st.x = Scalar();
  std::vector<Point> constants;
  for (PartyIndex j : st.cfg.parties) {
    const Opening& o = st.openings.at(j);
    for (size_t b = 0; b < 32; ++b) {
      st.rid[b] ^= o.rid[b];
      st.chain_code[b] ^= o.chain_code[b];
    }
    st.x += st.shares.at(j);
    constants.push_back(o.feldman[0]);
  }
  st.public_key = Point::sum(constants);
  if (st.public_key.is_identity()) {
    return Transition<KeyShare>::fail(protocol::Abort{st.cfg.parties, "the joint public key is the identity", {}});
  }
  // X_k = Σ_j F_j(k) for every party k.
  st.public_shares.clear();
  for (PartyIndex k : st.cfg.parties) {
    std::vector<Point> parts;
    for (PartyIndex j : st.cfg.parties) parts.push_back(feldman_evaluate(st.openings.at(j).feldman, Scalar::from_u64(k)));
    st.public_shares.push_back(Point::sum(parts));
  }

  wire::KeygenProof p;
  Point own = Point::base_mul(st.x);
  zk::secops::publish(own);  // X_i: everyone computes it from the Feldman commitments
  auto proof = zk::sch_prove(schnorr_context(st, self), own, st.sch, st.x, st.rid);
  auto enc = zk::encode(proof);
  p.set_schnorr(to_string(enc));
  std::vector<protocol::Outgoing> out{{protocol::Kind::kBroadcast, 0, protocol::serialize_deterministic(p)}};
  return Transition<KeyShare>::advance(std::make_unique<Round3>(std::move(st_)), std::move(out));
}

}  // namespace custos::cggmp21::keygen
