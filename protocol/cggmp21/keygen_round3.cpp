// Keygen round 3 (Fig 5 output): verify every party's Schnorr proof for its
// public share, with the nonce it committed to in round 1, and output the share.
#include "protocol/cggmp21/keygen_rounds.h"
#include "protocol/proto/cggmp21.pb.h"

namespace custos::cggmp21::keygen {

using protocol::Message;
using protocol::Transition;

Result<std::unique_ptr<protocol::Verified>> Round3::verify(const protocol::Incoming& in) const {
  const Message& msg = *in.broadcast;
  ASSIGN_OR_RETURN(auto p, protocol::parse_payload<wire::KeygenProof>(msg.payload));
  ASSIGN_OR_RETURN(auto proof, zk::decode_sch_proof(protocol::field_bytes(p.schnorr())));
  const State& st = *st_;
  if (!(proof.A == st.openings.at(msg.from).schnorr_commitment)) {
    return verify_failed("Schnorr proof does not use the nonce committed in round 1");
  }
  size_t pos = static_cast<size_t>(std::find(st.cfg.parties.begin(), st.cfg.parties.end(), msg.from) -
                                   st.cfg.parties.begin());
  RETURN_IF_ERROR(zk::sch_verify(schnorr_context(st, msg.from), st.public_shares[pos], proof, st.rid));
  return std::unique_ptr<protocol::Verified>(std::make_unique<protocol::Verified>());
}

Transition<KeyShare> Round3::finalize(Rng&) {
  State& st = *st_;
  KeyShare share;
  share.key_id = st.cfg.session_id;
  share.epoch = st.cfg.session_id;
  share.threshold = st.cfg.threshold;
  share.self = st.cfg.self;
  share.parties = st.cfg.parties;
  share.secret_share = st.x;
  share.public_shares = st.public_shares;
  share.public_key = st.public_key;
  share.rid = st.rid;
  share.chain_code = st.chain_code;
  return Transition<KeyShare>::finish(std::move(share));
}

}  // namespace custos::cggmp21::keygen
