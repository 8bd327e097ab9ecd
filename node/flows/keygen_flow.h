// Distributed key generation as a node runs it (DESIGN §2, §4): a joint
// session id, CGGMP21 threshold keygen, a fresh Paillier key and aux-info under
// a second joint id, then the share and aux info sealed into the node's store.
// Every participant runs the same flow for the same request; the key id is the
// keygen session id, so all participants name the key alike.
#pragma once

#include <chrono>

#include "node/flows/control.h"
#include "node/session/session_runner.h"
#include "node/storage/node_store.h"
#include "protocol/cggmp21/key_share.h"

namespace custos::node {

struct FlowContext {
  protocol::PartyIndex self = 0;
  SessionRunner* runner = nullptr;
  NodeStore* store = nullptr;
  std::chrono::seconds session_deadline{120};
};

struct KeygenResult {
  Digest32 key_id{};
  Point public_key;
  uint32_t threshold = 0;
  std::vector<protocol::PartyIndex> participants;
};

// Blocks until the flow completes or fails; a failed step names the protocol and its abort (culprits).
Result<KeygenResult> run_keygen_flow(const FlowContext& ctx, const KeygenRequest& request);

}  // namespace custos::node
