#include "node/flows/keygen_flow.h"

#include <ctime>

#include "protocol/cggmp21/aux_info.h"
#include "protocol/cggmp21/keygen.h"
#include "protocol/joint_session.h"

namespace custos::node {
namespace {

// Runs one session to its end; an abort or a timeout becomes an error naming the culprits.
template <class Out>
Result<Out> run_session(const FlowContext& ctx, Result<protocol::Session<Out>> session, const char* what) {
  if (!session.ok()) return session.status().with_context(what);
  ASSIGN_OR_RETURN(auto future, ctx.runner->run(std::move(session).value(), Clock::now() + ctx.session_deadline));
  SessionOutcome<Out> outcome = future.get();
  if (outcome.output) return std::move(*outcome.output);
  std::string culprits;
  if (outcome.abort) {
    for (protocol::PartyIndex p : outcome.abort->culprits) culprits += (culprits.empty() ? "" : ", ") + std::to_string(p);
  }
  return Status(Code::kAborted, std::string(what) + " aborted" + (culprits.empty() ? "" : " (culprits: " + culprits + ")") +
                                    ": " + (outcome.abort ? outcome.abort->reason : "no outcome"));
}

Result<Digest32> joint_id(const FlowContext& ctx, const char* protocol, const KeygenRequest& r) {
  OsRng rng;
  return run_session(ctx, protocol::make_joint_session({protocol, r.request_id, ctx.self, r.participants}, rng),
                     "joint session id");
}

}  // namespace

Result<KeygenResult> run_keygen_flow(const FlowContext& ctx, const KeygenRequest& r) {
  OsRng rng;
  ASSIGN_OR_RETURN(Digest32 keygen_sid, joint_id(ctx, cggmp21::kKeygenProtocol, r));
  ASSIGN_OR_RETURN(cggmp21::KeyShare share,
                   run_session(ctx, cggmp21::make_keygen_session({keygen_sid, ctx.self, r.participants, r.threshold}, rng),
                               "keygen"));
  // A fresh Paillier key for this key's aux info (never reused across keys).
  auto paillier = std::make_shared<const PaillierSecretKey>(PaillierSecretKey::generate(rng));
  ASSIGN_OR_RETURN(Digest32 aux_sid, joint_id(ctx, cggmp21::kAuxInfoProtocol, r));
  cggmp21::AuxInfoConfig aux_cfg{aux_sid, ctx.self, r.participants, paillier, std::nullopt};
  ASSIGN_OR_RETURN(cggmp21::AuxInfoOutput aux, run_session(ctx, cggmp21::make_aux_info_session(aux_cfg, rng), "aux-info"));
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  RETURN_IF_ERROR(ctx.store->put_key_share(share, now));
  RETURN_IF_ERROR(ctx.store->put_aux_info(share.key_id, aux.aux, now));
  return KeygenResult{share.key_id, share.public_key, share.threshold, share.parties};
}

}  // namespace custos::node
