#include "node/gate/approval_gate.h"

#include <algorithm>
#include <set>

#include "crypto/passkey/base64url.h"
#include "crypto/passkey/challenge.h"

namespace custos::node {
namespace {

GateDecision refuse(GateDecision d, std::string why) {
  d.approved = false;
  d.reason = std::move(why);
  for (const ApprovalVerdict& v : d.verdicts) d.reason += "; " + v.approver_id + ": " + v.detail;
  return d;
}

// Checks the policy itself, so a misconfigured key fails loudly instead of approving with quorum 0.
Status check_policy(const GateConfig& config, const ApprovalPolicy& policy) {
  if (policy.quorum == 0) return failed_precondition("approval policy has quorum 0");
  if (policy.quorum > policy.approvers.size()) {
    return failed_precondition("approval policy needs " + std::to_string(policy.quorum) + " of only " +
                               std::to_string(policy.approvers.size()) + " approvers");
  }
  for (const std::string& a : policy.approvers) {
    if (!config.approvers.count(a)) return failed_precondition("approval policy names unknown approver " + a);
  }
  return ok_status();
}

}  // namespace

Result<GateDecision> check_approvals(const GateConfig& config, const ApprovalPolicy& policy,
                                     const SigningIntent& intent, const std::vector<Approval>& approvals,
                                     int64_t now_unix, NodeStore& store) {
  ASSIGN_OR_RETURN(GateDecision d, evaluate_approvals(config, policy, intent, approvals, now_unix, store));
  if (d.approved) RETURN_IF_ERROR(commit_approval_decision(d, store, now_unix));
  return d;
}

Status commit_approval_decision(GateDecision& d, NodeStore& store, int64_t now_unix, NodeStore::ApprovalTake* take,
                                Durability durability) {
  if (!d.approved) return failed_precondition("only an approved decision is committed");
  // Committed before signing: the nonce is spent and the counters advance even if signing later fails.
  Status committed = store.commit_approval(d.nonce, d.challenge, d.expires_at, d.counters, now_unix, take, durability);
  if (committed.code() == Code::kFailedPrecondition) {
    d = refuse(std::move(d), committed.message());
    return ok_status();
  }
  RETURN_IF_ERROR(committed);
  d.committed = true;
  return ok_status();
}

Result<GateDecision> evaluate_approvals(const GateConfig& config, const ApprovalPolicy& policy,
                                        const SigningIntent& intent, const std::vector<Approval>& approvals,
                                        int64_t now_unix, NodeStore& store) {
  RETURN_IF_ERROR(check_policy(config, policy));
  GateDecision d;
  d.required = policy.quorum;

  // The intent itself: well formed, inside its validity window, never approved before.
  Status valid = protocol::validate_intent(intent);
  if (!valid.ok()) return refuse(d, "invalid intent: " + valid.message());
  const auto created = static_cast<int64_t>(intent.created_at_unix());
  const auto expires = static_cast<int64_t>(intent.expires_at_unix());
  if (created > now_unix + config.max_clock_skew_s) {
    return refuse(d, "intent created at " + std::to_string(created) + ", in the future (now " +
                         std::to_string(now_unix) + ")");
  }
  if (now_unix >= expires) {
    return refuse(d, "intent expired at " + std::to_string(expires) + " (now " + std::to_string(now_unix) + ")");
  }
  if (expires - created > config.max_intent_lifetime_s) {
    return refuse(d, "intent lifetime " + std::to_string(expires - created) + " s exceeds the allowed " +
                         std::to_string(config.max_intent_lifetime_s) + " s");
  }
  const std::string& nonce_s = intent.request_nonce();
  std::span<const uint8_t> nonce(reinterpret_cast<const uint8_t*>(nonce_s.data()), nonce_s.size());
  ASSIGN_OR_RETURN(bool replay, store.intent_nonce_used(nonce));
  if (replay) return refuse(d, "intent nonce was already used by an approved intent (replay)");

  ASSIGN_OR_RETURN(std::vector<uint8_t> canonical, protocol::intent_canonical_bytes(intent));
  const Digest32 challenge = passkey::intent_challenge(canonical);

  // Each approval: an approver of this key, counted once, with a valid assertion over this intent.
  std::set<std::string> counted;
  std::vector<NodeStore::CounterUpdate> counters;
  for (const Approval& a : approvals) {
    ApprovalVerdict v{a.approver_id, false, ""};
    auto approver = config.approvers.find(a.approver_id);
    if (approver == config.approvers.end()) {
      v.detail = "not an enrolled approver";
    } else if (std::find(policy.approvers.begin(), policy.approvers.end(), a.approver_id) == policy.approvers.end()) {
      v.detail = "not an approver of this key";
    } else if (counted.count(a.approver_id)) {
      v.detail = "second approval from the same approver (counted once)";
    } else {
      // Verify against the newest counter this node accepted, not the enrolment's.
      passkey::CredentialRecord record = approver->second.credential;
      ASSIGN_OR_RETURN(std::optional<uint32_t> stored, store.approver_sign_count(a.approver_id, record.id));
      if (stored && *stored > record.sign_count) record.sign_count = *stored;
      passkey::AssertionExpectations expect;
      expect.challenge.assign(challenge.begin(), challenge.end());
      expect.origins = config.origins;
      expect.rp_id = config.rp_id;
      expect.require_user_verification = config.require_user_verification;
      auto verdict = passkey::verify_assertion(a.assertion_json, record, expect);
      if (!verdict.ok()) {
        v.detail = verdict.rejection().to_string();
      } else {
        v.counted = true;
        v.detail = "accepted (signCount " + std::to_string(verdict->sign_count) +
                   (verdict->user_verified ? ", UV)" : ")");
        counted.insert(a.approver_id);
        counters.push_back({a.approver_id, record.id, verdict->sign_count});
      }
    }
    d.verdicts.push_back(std::move(v));
  }
  d.counted = static_cast<uint32_t>(counted.size());
  if (d.counted < policy.quorum) {
    return refuse(d, "approvals: " + std::to_string(d.counted) + " of " + std::to_string(policy.quorum) +
                         " required are valid");
  }
  d.approved = true;
  d.nonce.assign(nonce.begin(), nonce.end());
  d.challenge = challenge;
  d.expires_at = expires;
  d.counters = std::move(counters);
  return d;
}

}  // namespace custos::node
