// Passkey-gated threshold signing across the node network (DESIGN §4-§5, issue 4).
//
// A client submits an intent and its approvals to any node: that node is the
// request's coordinator. Request id = the intent's WebAuthn challenge, so one
// id names exactly one intent.
//
//  1. The coordinator runs the passkey gate itself and relays the request
//     (intent bytes + approvals, attempt 0, the proposed signers and pooled
//     presignature) to every other party of the key. Every node runs the gate
//     itself, commits the intent nonce (fsynced at the signers), and answers a
//     refusal with the reason; "approved" is sent only to a coordinator that
//     refused the request itself and collects every verdict for the client (a
//     signer's round message says it otherwise). A node approves a request
//     once: a relay of an approved request by another coordinator is refused
//     as a replay. A refusal records nothing, so the same intent may come back
//     with the missing approvals.
//  2. The proposed signers (t, the coordinator among them, chosen among the
//     connected parties) take the named presignature from their pools — marked
//     used in a committed transaction first — or, when the coordinator has none,
//     jointly derive a presigning session id and presign for this attempt
//     only. Then the one online round (session id = H(request id, presignature
//     id): both fixed jointly, neither chosen by the coordinator), verified
//     under the derived key before it is output and logged.
//  3. A signer that refuses or cannot take part says so at once; a silent one
//     is named by the attempt's deadline; a cheater is named by the protocol's
//     identifiable abort (logged with its evidence). The coordinator then
//     retries without them, with another signer set, while t candidates remain.
//
// Coordinators use only the pooled presignatures they "own" (a function of the
// presignature id and its signer set), so two coordinators never pick the same.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/node_config.h"
#include "crypto/ecdsa.h"
#include "node/flows/control.h"
#include "node/flows/job_worker.h"
#include "node/flows/key_cache.h"
#include "node/gate/approval_gate.h"
#include "node/session/session_runner.h"
#include "node/transport/transport.h"

namespace custos::node {

// What the flows of a node share (owned by NodeApp).
struct NodeServices {
  const config::NodeConfig* config = nullptr;
  NodeStore* store = nullptr;
  Transport* transport = nullptr;
  SessionRunner* runner = nullptr;
  KeyCache* keys = nullptr;
  std::function<void(const std::string&)> log;
};

struct NodeRefusal {
  protocol::PartyIndex node = 0;
  std::string reason;
};

struct SignResult {
  Digest32 key_id{};
  Point public_key;  // the derived key the signature verifies under
  Digest32 digest{};
  EcdsaSignature signature;
  std::vector<protocol::PartyIndex> signers;
  uint32_t attempts = 0;
  std::vector<std::string> failed_attempts;  // why each earlier attempt failed (who was silent, refused, cheated)
  bool pooled = false;                       // the presignature came from the pool (else made for this request)
};

struct SignResponse {
  Digest32 request_id{};
  std::optional<SignResult> result;
  // When result is empty: an HTTP status (400 bad request, 403 refused by the gate, 404 unknown key,
  // 409 already submitted, 502 no signer set succeeded, 503 stopping) and a message.
  int http_status = 0;
  std::string error;
  std::vector<NodeRefusal> refusals;  // every node that refused the request, with its reason
};

// The signer set and presignature ownership rules, shared with the pool filler.
// Coordinator `self` may use a pooled presignature of `signers` only if it owns it.
bool owns_presignature(const Digest32& presignature_id, const std::vector<protocol::PartyIndex>& signers,
                       protocol::PartyIndex self);
// The online round's session id: fixed by the request and the (jointly made) presignature.
Digest32 sign_session_id(const Digest32& request_id, const Digest32& presignature_id);
// Without a pooled presignature, the coordinator `self` signs with these t−1 others among `others`
// (a function of the request and the attempt number, so a retry picks afresh among who is left).
Result<std::vector<protocol::PartyIndex>> fresh_signers(const Digest32& request_id, uint32_t attempt,
                                                        protocol::PartyIndex self,
                                                        const std::vector<protocol::PartyIndex>& others, uint32_t t);

class SigningService {
 public:
  explicit SigningService(NodeServices services);
  ~SigningService();
  SigningService(const SigningService&) = delete;
  SigningService& operator=(const SigningService&) = delete;

  void start();
  // Fails waiting requests with 503; running attempts end when the runner stops.
  void stop();

  // A client's request through this node's API: blocks until signed, refused or failed.
  SignResponse sign(const SigningIntent& intent, const std::vector<Approval>& approvals);

  // Control messages from peers, on the dispatcher thread: queued, never blocking.
  void on_sign_request(protocol::Message m);
  void on_reply(protocol::Message m);

  struct Counters {
    uint64_t requests = 0, signed_ok = 0, refused = 0, failed = 0, attempts_retried = 0;
  };
  Counters counters() const;

 private:
  struct Decision;
  struct Attempt;
  struct Coordination;

  // The gate's checks at this node, once per request id (read-only: nothing is committed); later calls
  // return the same decision, and a different coordinator's relay is refused as a replay.
  std::shared_ptr<Decision> evaluate(const SignRequest& r, protocol::PartyIndex coordinator);
  // Records an approved decision (nonce spent, counters advanced), optionally taking the attempt's
  // presignature in the same transaction. Nothing is signed for a request before this succeeded.
  void commit(Decision& d, NodeStore::ApprovalTake* take, Durability durability = Durability::kFull);
  // Runs this node's part of one attempt; the outcome reaches finish_attempt.
  void start_attempt(std::shared_ptr<Attempt> a, std::optional<Presignature> taken);
  void start_sign(std::shared_ptr<Attempt> a, std::shared_ptr<const Presignature> presig);
  // Logs the outcome (signature, or abort with culprits and the signed envelopes proving the blame) and
  // tells the coordinator.
  void finish_attempt(const std::shared_ptr<Attempt>& a, std::optional<SignResult> result, std::string error,
                      std::vector<protocol::PartyIndex> culprits, std::vector<uint8_t> evidence = {});
  void handle_sign_request(protocol::PartyIndex from, const SignRequest& r);
  // The coordinator relayed the request with no signers (it refused it): cancel this node's attempts.
  void on_withdrawal(Decision& d, protocol::PartyIndex coordinator);
  void reply(protocol::PartyIndex to, const Digest32& request_id, uint32_t attempt, ReplyStatus status,
             const std::string& detail);
  GateConfig gate_config() const;
  std::optional<ApprovalPolicy> approval_policy(const Digest32& key_id) const;
  // The signer set and (when pooled) presignature for an attempt of `c`.
  // With `peek_only`, the pooled presignature is chosen and claimed but not taken (the first attempt
  // takes it together with the approval commit).
  void plan_attempt(Coordination& c, std::vector<protocol::PartyIndex>& signers, std::optional<Presignature>& taken,
                    std::optional<Digest32>* peek_only);
  // Presignature ids chosen by a running attempt 0 and not yet taken: no other request picks them.
  bool claim(const Digest32& id);
  void unclaim(const Digest32& id);
  std::vector<protocol::PartyIndex> connected_parties(const KeyShare& share) const;

  // Foreground: the requests this node signs and the coordinator's completions. Background (lower CPU
  // priority): judging requests this node was not asked to sign, and logging the signatures of requests
  // another node coordinated, posted with run_at_stop so that stopping does not lose them.
  void post(std::function<void()> job, bool background = false, bool run_at_stop = false);
  void log(const std::string& line) const;

  NodeServices s_;
  std::mutex gate_mu_;  // one gate decision at a time
  mutable std::mutex mu_;
  std::map<Digest32, std::shared_ptr<Decision>> decisions_;
  std::map<Digest32, std::shared_ptr<Coordination>> coordinating_;
  std::set<Digest32> claimed_;
  Counters counters_;
  bool stopping_ = false;

  JobWorker foreground_, background_;
};

}  // namespace custos::node
