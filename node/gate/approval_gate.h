// The passkey gate (DESIGN §5 step 3-4, issue 4 "Passkey gate"): before a node
// joins a signing session it verifies, itself, that enough distinct approvers of
// the key approved exactly this intent with their passkeys, that the intent is
// within its validity window, and that its nonce was never approved before.
// Only then are the nonce and the approvers' new signature counters committed
// (one transaction), and the node may sign. A refusal names every approval's
// verdict, so the client can say which node refused and why.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/passkey/assertion.h"
#include "crypto/passkey/client_data.h"
#include "crypto/passkey/credential_record.h"
#include "crypto/status.h"
#include "node/storage/node_store.h"
#include "protocol/intent.h"

namespace custos::node {

// One enrolled approver: a name and the credential record from its registration.
struct Approver {
  std::string id;
  passkey::CredentialRecord credential;
};

// Approvers, WebAuthn relying-party settings and time limits of this node.
struct GateConfig {
  std::map<std::string, Approver> approvers;  // by id
  passkey::OriginPolicy origins;
  std::string rp_id;
  bool require_user_verification = true;
  int64_t max_clock_skew_s = 60;          // an intent created further in the future is refused
  int64_t max_intent_lifetime_s = 3600;   // expires_at − created_at may not exceed this
};

// Per key: `quorum` distinct approvers out of `approvers` (k of m).
struct ApprovalPolicy {
  uint32_t quorum = 0;
  std::vector<std::string> approvers;
};

// An approval as a client submits it: who, and the browser's assertion JSON.
struct Approval {
  std::string approver_id;
  std::string assertion_json;
};

struct ApprovalVerdict {
  std::string approver_id;
  bool counted = false;
  std::string detail;  // "accepted (signCount 7, UV)" or "reject: <code>: <reason>" or why it is not counted
};

struct GateDecision {
  bool approved = false;
  uint32_t counted = 0;
  uint32_t required = 0;
  std::vector<ApprovalVerdict> verdicts;
  std::string reason;  // for a refusal: one line naming the failed condition and each approval's verdict
  // What commit_approval_decision records (filled when the approvals verified).
  std::vector<uint8_t> nonce;
  Digest32 challenge{};
  int64_t expires_at = 0;
  std::vector<NodeStore::CounterUpdate> counters;
  bool committed = false;
};

// Checks the intent and its approvals. On approval, commits the intent's nonce and the counters to
// `store` before returning (a second call with the same intent is then refused as a replay). A
// refusal is a decision with approved == false, not an error; errors are storage failures.
Result<GateDecision> check_approvals(const GateConfig& config, const ApprovalPolicy& policy,
                                     const SigningIntent& intent, const std::vector<Approval>& approvals,
                                     int64_t now_unix, NodeStore& store);

// The same in two steps, so a signer can commit the approval and take its presignature in ONE
// transaction: evaluate (read-only: every check, including nonce freshness and counters) ...
Result<GateDecision> evaluate_approvals(const GateConfig& config, const ApprovalPolicy& policy,
                                        const SigningIntent& intent, const std::vector<Approval>& approvals,
                                        int64_t now_unix, NodeStore& store);
// ... then commit an approved decision (nonce spent, counters advanced; with `take`, that presignature is
// taken in the same transaction, see NodeStore::commit_approval). A replay or counter race found under
// the write lock turns the decision into a refusal (not an error). Nothing may be signed for an
// intent whose decision is not committed. `durability`: see NodeStore::commit_approval.
Status commit_approval_decision(GateDecision& d, NodeStore& store, int64_t now_unix,
                                NodeStore::ApprovalTake* take = nullptr, Durability durability = Durability::kFull);

}  // namespace custos::node
