#include "node/flows/signing_service.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <set>

#include "crypto/hex.h"
#include "crypto/passkey/challenge.h"
#include "crypto/transcript.h"
#include "protocol/cggmp21/presign.h"
#include "protocol/cggmp21/sign.h"
#include "protocol/intent.h"
#include "protocol/joint_session.h"

namespace custos::node {
namespace {

using protocol::PartyIndex;

constexpr size_t kMaxQueuedJobs = 4096;
constexpr size_t kPruneEvery = 256;

int64_t now_unix() { return static_cast<int64_t>(std::time(nullptr)); }
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string short_id(const Digest32& d) { return to_hex(std::span(d.data(), 6)); }

// A key id in an intent: 64 hex digits (either case).
std::optional<Digest32> parse_key_id(const std::string& text) {
  auto bytes = from_hex(text);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  Digest32 out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

std::string withdrawal_reason(PartyIndex coordinator) {
  return "withdrawn by coordinator " + std::to_string(coordinator) + " (it refused the request)";
}

std::string names(const std::vector<PartyIndex>& parties) {
  std::string s;
  for (PartyIndex p : parties) s += (s.empty() ? "" : ", ") + std::to_string(p);
  return s;
}

bool contains(const std::vector<PartyIndex>& v, PartyIndex p) { return std::find(v.begin(), v.end(), p) != v.end(); }

}  // namespace

bool owns_presignature(const Digest32& presignature_id, const std::vector<PartyIndex>& signers, PartyIndex self) {
  return !signers.empty() && signers[presignature_id[31] % signers.size()] == self;
}

Digest32 sign_session_id(const Digest32& request_id, const Digest32& presignature_id) {
  return Transcript("custos/sign-session/v1").append("request", request_id).append("presignature", presignature_id).digest();
}

// This node's decision on one request, made once.
struct SigningService::Decision {
  PartyIndex coordinator = 0;
  bool approved = false;   // the approvals verified (and, once committed, were recorded)
  bool committed = false;  // nonce spent and counters advanced in this node's store
  std::string reason;      // why refused
  int64_t expires_at = 0;
  GateDecision gate;       // what commit() records
  // Filled when approved: what this node signs, from its own parse of the intent (never from the
  // coordinator's word).
  std::shared_ptr<const KeyShare> share;
  Digest32 digest{};
  Scalar tweak;
  Point derived_key;
  std::set<uint32_t> attempts_joined;
  std::vector<std::weak_ptr<Attempt>> attempts;  // this node's parts in the attempts it joined
  bool withdrawn = false;  // the coordinator refused the request itself: no attempt of it will be signed
  std::mutex commit_mu;  // held while checking and committing
};

// This node's part of one attempt.
struct SigningService::Attempt {
  Digest32 request_id{};
  PartyIndex coordinator = 0;
  uint32_t number = 0;
  std::vector<PartyIndex> signers;
  Digest32 presignature_id{};  // all zero: presign for this attempt
  std::shared_ptr<const KeyShare> share;
  Digest32 digest{};
  Scalar tweak;
  Point derived_key;
  Clock::time_point deadline;
  // At the coordinator. Weak: the coordination holds its current attempt, and a strong pointer back
  // would keep both alive forever.
  std::weak_ptr<Coordination> coordination;

  std::mutex mu;
  std::optional<Digest32> session;  // the running session (to cancel)
  std::string session_protocol;
  bool cancelled = false;
  std::string cancel_reason;

  // Registers the next session unless the attempt was cancelled; returns false then.
  bool set_session(const Digest32& id, const char* protocol) {
    std::lock_guard<std::mutex> lock(mu);
    if (cancelled) return false;
    session = id;
    session_protocol = protocol;
    return true;
  }
  // A cancel that came between set_session and the runner registering the session found nothing to
  // cancel: repeat it now that the session runs.
  void registered(SessionRunner& runner) {
    std::lock_guard<std::mutex> lock(mu);
    if (cancelled && session) runner.cancel(*session, cancel_reason);
  }
  void cancel(SessionRunner& runner, const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu);
    if (cancelled) return;
    cancelled = true;
    cancel_reason = reason;
    if (session) runner.cancel(*session, reason);
  }
};

// The coordinator's view of one request.
struct SigningService::Coordination {
  Digest32 request_id{};
  SignRequest request;  // intent and approvals; signers/attempt set per attempt
  std::shared_ptr<const KeyShare> share;
  std::mutex mu;
  std::condition_variable cv;
  std::set<PartyIndex> approved;
  std::map<PartyIndex, std::string> refused;
  std::map<PartyIndex, std::string> failed;  // this attempt's signers that could not take part
  std::set<PartyIndex> excluded;             // named silent, cheating or failing in an earlier attempt
  uint32_t attempt = 0;
  std::vector<PartyIndex> signers;
  std::shared_ptr<Attempt> own;
  bool own_done = false;
  // The end of this node's online round, handed from the runner to the client's thread waiting in
  // sign(), which runs it (one thread hop fewer between the last round message and the answer).
  std::function<void()> own_finish;
  std::optional<SignResult> result;
  std::string error;
  std::vector<PartyIndex> culprits;
  bool stopping = false;
};

SigningService::SigningService(NodeServices services)
    : s_(std::move(services)),
      foreground_({"custos-signing", false, kMaxQueuedJobs, [this](const std::string& l) { log(l); }}),
      background_({"custos-judge", true, kMaxQueuedJobs, [this](const std::string& l) { log(l); }}) {}

SigningService::~SigningService() { stop(); }

void SigningService::start() {
  foreground_.start();
  background_.start();
}

void SigningService::stop() {
  std::vector<std::shared_ptr<Coordination>> waiting;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    for (auto& [id, c] : coordinating_) waiting.push_back(c);
  }
  // Lock order is Coordination::mu before mu_, never the reverse.
  for (auto& c : waiting) {
    std::lock_guard<std::mutex> cl(c->mu);
    c->stopping = true;
    c->cv.notify_all();
  }
  // Both queues stop taking jobs at once, then both threads are waited for.
  foreground_.request_stop();
  background_.request_stop();
  foreground_.join();
  background_.join();
}

SigningService::Counters SigningService::counters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counters_;
}

void SigningService::log(const std::string& line) const {
  if (s_.log) s_.log(line);
}

void SigningService::post(std::function<void()> job, bool background, bool run_at_stop) {
  (background ? background_ : foreground_).post(std::move(job), run_at_stop);
}

GateConfig SigningService::gate_config() const {
  const config::NodeConfig& c = *s_.config;
  GateConfig g;
  for (const config::ApproverConfig& a : c.approvers) g.approvers[a.id] = Approver{a.id, a.credential};
  g.origins.allowed_origins = c.webauthn.origins;
  g.rp_id = c.webauthn.rp_id;
  g.require_user_verification = c.webauthn.require_user_verification;
  return g;
}

std::optional<ApprovalPolicy> SigningService::approval_policy(const Digest32& key_id) const {
  if (!s_.config->approval_policy) return std::nullopt;
  const config::Quorum& q = s_.config->approval_policy->quorum_for(key_id);
  return ApprovalPolicy{q.k, q.of};
}

std::vector<PartyIndex> SigningService::connected_parties(const KeyShare& share) const {
  std::vector<PartyIndex> out{s_.config->node_id};
  for (const PeerStats& p : s_.transport->stats().peers) {
    if (p.connected && contains(share.parties, p.id)) out.push_back(p.id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::shared_ptr<SigningService::Decision> SigningService::evaluate(const SignRequest& r, PartyIndex coordinator) {
  // One gate at a time: two relays of the same request (or a relay racing the API) must not both
  // pass before either records its decision.
  std::lock_guard<std::mutex> gate_lock(gate_mu_);
  auto refused = [&](std::string reason) {
    auto d = std::make_shared<Decision>();
    d->coordinator = coordinator;
    d->reason = std::move(reason);
    return d;
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = decisions_.find(r.request_id); it != decisions_.end()) {
      if (it->second->coordinator == coordinator) return it->second;
      return refused("request " + short_id(r.request_id) + " was already submitted through node " +
                     std::to_string(it->second->coordinator) + " (replay)");
    }
  }
  auto d = std::make_shared<Decision>();
  d->coordinator = coordinator;
  d->reason = [&]() -> std::string {
    auto intent = protocol::parse_intent_canonical(r.intent);
    if (!intent.ok()) return "malformed intent: " + intent.status().message();
    if (passkey::intent_challenge(r.intent) != r.request_id) return "request id is not the intent's challenge";
    d->expires_at = static_cast<int64_t>(intent->expires_at_unix());
    auto key_id = parse_key_id(intent->key_id());
    if (!key_id) return "intent key_id is not a 64-hex-digit key id";
    auto share = s_.keys->share(*key_id);
    if (!share.ok()) return "this node holds no share of key " + short_id(*key_id) + ": " + share.status().message();
    if (!intent->has_digest()) return "only intents with a digest can be signed (raw_transaction needs chain rules)";
    auto policy = approval_policy(*key_id);
    if (!policy) return "this node has no approval_policy: it approves no intent (default deny)";
    std::vector<Approval> approvals;
    for (const SignRequest::Approval& a : r.approvals) approvals.push_back(Approval{a.approver, a.assertion_json});
    auto g = evaluate_approvals(gate_config(), *policy, *intent, approvals, now_unix(), *s_.store);
    if (!g.ok()) return "gate error: " + g.status().message();
    if (!g->approved) return g->reason;
    d->gate = std::move(g).value();
    auto derived = s_.keys->derivations().derive(**share, std::vector<uint32_t>(intent->derivation_path().begin(),
                                                                                intent->derivation_path().end()));
    if (!derived.ok()) return "derivation path: " + derived.status().message();
    d->share = *share;
    std::copy(intent->digest().begin(), intent->digest().end(), d->digest.begin());
    d->tweak = derived->tweak;
    d->derived_key = derived->xpub.key;
    d->approved = true;
    return "";
  }();
  std::lock_guard<std::mutex> lock(mu_);
  // Only approvals are remembered: a refusal commits nothing, so the client may submit the same intent
  // again with the missing approvals.
  if (!d->approved) return d;
  decisions_[r.request_id] = d;
  if (decisions_.size() % kPruneEvery == 0) {
    const int64_t now = now_unix();
    for (auto it = decisions_.begin(); it != decisions_.end();) {
      // A decided request cannot be decided again after its expiry (the gate refuses it): forget it.
      it = (it->second->expires_at + 60 < now && !coordinating_.count(it->first)) ? decisions_.erase(it) : std::next(it);
    }
  }
  return d;
}

void SigningService::commit(Decision& d, NodeStore::ApprovalTake* take, Durability durability) {
  Status st = commit_approval_decision(d.gate, *s_.store, now_unix(), take, durability);
  std::lock_guard<std::mutex> lock(mu_);
  if (!st.ok()) {
    d.approved = false;
    d.reason = "gate error: " + st.message();
  } else if (!d.gate.approved) {
    d.approved = false;
    d.reason = d.gate.reason;  // a replay or a counter race found under the write lock
  } else {
    d.committed = true;
  }
}

void SigningService::reply(PartyIndex to, const Digest32& request_id, uint32_t attempt, ReplyStatus status,
                           const std::string& detail) {
  if (to == s_.config->node_id) return;
  Status sent = s_.transport->send(
      control_message(s_.config->node_id, request_id, encode_reply(ControlReply{request_id, attempt, status, detail}), to));
  if (!sent.ok()) log("reply to node " + std::to_string(to) + " not sent: " + sent.message());
}

void SigningService::on_sign_request(protocol::Message m) {
  auto r = decode_sign_request(m.payload);
  if (!r.ok()) return log("sign request from node " + std::to_string(m.from) + " refused: " + r.status().message());
  if (r->request_id != m.session_id) return log("sign request from node " + std::to_string(m.from) + " refused: ids differ");
  // A node asked only to judge an approved request (not a proposed signer; it gets the relay after the
  // signers are done) does so on the background worker. Signers, and every node asked for its verdict on
  // a request the coordinator refused (no signers named: the client waits for all verdicts), judge in
  // the foreground.
  const bool background = !r->signers.empty() && !contains(r->signers, s_.config->node_id);
  post([this, from = m.from, r = std::move(r).value()] { handle_sign_request(from, r); }, background);
}

void SigningService::handle_sign_request(PartyIndex from, const SignRequest& r) {
  const PartyIndex self = s_.config->node_id;
  std::shared_ptr<Decision> d = evaluate(r, from);
  // First sight of an approved request: record the approval, and take the named presignature for this
  // node's part of the attempt in the same transaction (one fsync on the signing path).
  std::optional<NodeStore::ApprovalTake> take;
  bool approved = false;
  {
    // Relays of one request may be judged on both workers (attempt 0 as a non-signer, a retry as a
    // signer): the decision is committed once.
    std::lock_guard<std::mutex> commit_lock(d->commit_mu);
    if (d->approved && !d->committed) {
      const bool signer = contains(r.signers, self);
      if (signer && r.presignature_id != Digest32{}) {
        take.emplace();
        take->key_id = d->share->key_id;
        take->filter.signers = &r.signers;
        take->filter.id = &r.presignature_id;
      }
      // A signer's record is fsynced: with the other signers' it is what stops a second signer set
      // signing the same intent (any t-set meets this one when n < 2t), and its take must be on disk
      // before the online round. A node that only judges the request commits without an fsync of its
      // own: its record survives a crash or SIGKILL of the node, not a power cut in the next moments
      // (docs/security.md, node layer). Its fsync would only queue at the disk in front of the signers'.
      commit(*d, take ? &*take : nullptr, signer ? Durability::kFull : Durability::kProcessCrash);
    }
    std::lock_guard<std::mutex> lock(mu_);
    approved = d->approved;
  }
  if (r.signers.empty()) on_withdrawal(*d, from);
  if (!approved) {
    log("request " + short_id(r.request_id) + " from node " + std::to_string(from) + " refused: " + d->reason);
    return reply(from, r.request_id, r.attempt, ReplyStatus::kRefused, d->reason);
  }
  // "Approved" is news only to a coordinator that refused the request itself and is collecting every
  // node's verdict (it relays with no signers). Otherwise a signer's round message says it, and a
  // refusal is what the coordinator must hear: no envelope for the others.
  if (r.signers.empty()) reply(from, r.request_id, r.attempt, ReplyStatus::kApproved, "");
  if (!contains(r.signers, self)) return;
  auto fail = [&](const std::string& why) { reply(from, r.request_id, r.attempt, ReplyStatus::kAttemptFailed, why); };
  const KeyShare& share = *d->share;
  if (r.signers.size() != share.threshold || !contains(r.signers, from) ||
      !std::all_of(r.signers.begin(), r.signers.end(), [&](PartyIndex p) { return contains(share.parties, p); })) {
    return fail("signer set {" + names(r.signers) + "} is not t parties of the key including the coordinator");
  }
  auto a = std::make_shared<Attempt>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (d->withdrawn) {
      // The relay came after the coordinator's withdrawal (a retransmission can overtake).
      return log("request " + short_id(r.request_id) + " attempt " + std::to_string(r.attempt) + " not joined: " +
                 withdrawal_reason(from));
    }
    if (!d->attempts_joined.insert(r.attempt).second) return;  // a duplicate relay of this attempt
    d->attempts.push_back(a);
  }
  a->request_id = r.request_id;
  a->coordinator = from;
  a->number = r.attempt;
  a->signers = r.signers;
  a->presignature_id = r.presignature_id;
  a->share = d->share;
  a->digest = d->digest;
  a->tweak = d->tweak;
  a->derived_key = d->derived_key;
  a->deadline = Clock::now() + std::chrono::seconds(s_.config->timeouts.sign_deadline_seconds);
  if (take) {
    if (!take->taken) return finish_attempt(a, std::nullopt, take->status.message(), {});
    return start_attempt(a, std::move(take->taken));
  }
  start_attempt(a, std::nullopt);
}

void SigningService::on_withdrawal(Decision& d, PartyIndex coordinator) {
  // Only a request's own coordinator relays it with no signers, and only once it refused the request
  // itself: the attempts it relayed before its own gate had decided end now instead of at their deadline.
  std::vector<std::shared_ptr<Attempt>> running;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (d.coordinator != coordinator || d.withdrawn) return;
    d.withdrawn = true;
    for (const auto& w : d.attempts) {
      if (auto a = w.lock()) running.push_back(std::move(a));
    }
  }
  for (const auto& a : running) {
    a->cancel(*s_.runner, withdrawal_reason(coordinator));
  }
}

void SigningService::start_attempt(std::shared_ptr<Attempt> a, std::optional<Presignature> taken) {
  const Digest32 zero{};
  if (a->presignature_id != zero) {
    if (!taken) {
      auto p = s_.store->take_presignature(a->share->key_id, now_ms(),
                                           NodeStore::PresignatureFilter{&a->signers, &a->presignature_id, {}});
      if (!p.ok()) return finish_attempt(a, std::nullopt, p.status().message(), {});
      taken = std::move(p).value();
    }
    return start_sign(a, std::make_shared<const Presignature>(std::move(*taken)));
  }
  // No pooled presignature: presign for this attempt only, under a jointly derived session id.
  auto aux = s_.keys->aux(a->share->key_id);
  if (!aux.ok()) return finish_attempt(a, std::nullopt, "aux info: " + aux.status().message(), {});
  const Digest32 request = Transcript("custos/sign-presign/v1").append("request", a->request_id)
                               .append_u64("attempt", a->number).digest();
  OsRng rng;
  protocol::JointSessionConfig jc{cggmp21::kPresignProtocol, request, s_.config->node_id, a->signers};
  auto joint = protocol::make_joint_session(jc, rng);
  if (!joint.ok()) return finish_attempt(a, std::nullopt, joint.status().message(), {});
  if (!a->set_session(joint->params().session_id, protocol::kJointSessionProtocol)) {
    return finish_attempt(a, std::nullopt, a->cancel_reason, {});
  }
  std::shared_ptr<const AuxInfo> aux_info = *aux;
  RunOptions<Digest32> opts;
  opts.on_done = [this, a, aux_info](SessionOutcome<Digest32> o) {
    post([this, a, aux_info, o = std::move(o)]() mutable {
      if (!o.output) {
        return finish_attempt(a, std::nullopt, "joint session id: " + o.abort->reason, o.abort->culprits,
                              encode_abort_evidence(o.abort->evidence));
      }
      OsRng rng;
      cggmp21::PresignConfig pc{*o.output, a->share, aux_info, a->signers};
      auto presign = cggmp21::make_presign_session(pc, rng);
      if (!presign.ok()) return finish_attempt(a, std::nullopt, presign.status().message(), {});
      if (!a->set_session(presign->params().session_id, cggmp21::kPresignProtocol)) {
        return finish_attempt(a, std::nullopt, a->cancel_reason, {});
      }
      RunOptions<Presignature> popts;
      popts.on_done = [this, a](SessionOutcome<Presignature> po) {
        post([this, a, po = std::move(po)]() mutable {
          if (!po.output) {
            return finish_attempt(a, std::nullopt, "presign: " + po.abort->reason, po.abort->culprits,
                                  encode_abort_evidence(po.abort->evidence));
          }
          start_sign(a, std::make_shared<const Presignature>(std::move(*po.output)));
        });
      };
      auto run = s_.runner->run(std::move(presign).value(), a->deadline, std::move(popts));
      if (!run.ok()) return finish_attempt(a, std::nullopt, run.status().message(), {});
      a->registered(*s_.runner);
    });
  };
  auto run = s_.runner->run(std::move(joint).value(), a->deadline, std::move(opts));
  if (!run.ok()) return finish_attempt(a, std::nullopt, run.status().message(), {});
  a->registered(*s_.runner);
}

void SigningService::start_sign(std::shared_ptr<Attempt> a, std::shared_ptr<const Presignature> presig) {
  a->presignature_id = presig->id;
  cggmp21::SignConfig sc{sign_session_id(a->request_id, presig->id), a->share, presig, a->digest, a->tweak};
  OsRng rng;
  auto session = cggmp21::make_sign_session(sc, rng);
  if (!session.ok()) return finish_attempt(a, std::nullopt, session.status().message(), {});
  // The runner knows the session by its own id (bound to the presignature, digest and tweak too), not by
  // sc.session_id: a cancel must name that one.
  if (!a->set_session(session->params().session_id, cggmp21::kSignProtocol)) {
    return finish_attempt(a, std::nullopt, a->cancel_reason, {});
  }
  RunOptions<cggmp21::SignOutput> opts;
  opts.priority = Priority::kUrgent;
  opts.on_done = [this, a](SessionOutcome<cggmp21::SignOutput> o) {
    const bool signed_ok = o.output.has_value();
    std::function<void()> finish = [this, a, o = std::move(o)]() mutable {
      if (!o.output) {
        return finish_attempt(a, std::nullopt, "online signing: " + o.abort->reason, o.abort->culprits,
                              encode_abort_evidence(o.abort->evidence));
      }
      SignResult r;
      r.key_id = a->share->key_id;
      r.public_key = o.output->public_key;
      r.digest = o.output->digest;
      r.signature = o.output->signature;
      r.signers = a->signers;
      finish_attempt(a, std::move(r), "", {});
    };
    if (std::shared_ptr<Coordination> c = a->coordination.lock()) {
      std::lock_guard<std::mutex> lock(c->mu);
      if (c->own == a && !c->stopping) {
        c->own_finish = std::move(finish);
        c->cv.notify_all();
        return;
      }
    }
    // Another node coordinates. A signature is only verified and logged here (nothing goes back), so
    // it waits on the background worker, leaving the CPU to the coordinator's answer and the next
    // request; a failure is reported to the coordinator, which is waiting for it.
    const bool logged_only = signed_ok && a->coordinator != s_.config->node_id;
    post(std::move(finish), /*background=*/logged_only, /*run_at_stop=*/logged_only);
  };
  auto run = s_.runner->run(std::move(session).value(), a->deadline, std::move(opts));
  if (!run.ok()) return finish_attempt(a, std::nullopt, run.status().message(), {});
  a->registered(*s_.runner);
}

void SigningService::finish_attempt(const std::shared_ptr<Attempt>& a, std::optional<SignResult> result,
                                    std::string error, std::vector<PartyIndex> culprits, std::vector<uint8_t> evidence) {
  std::optional<Digest32> session;
  std::string protocol_name;
  {
    std::lock_guard<std::mutex> lock(a->mu);
    session = a->session;
    protocol_name = a->session_protocol;
  }
  if (result) {
    // Released only if it verifies under the derived key this node computed itself.
    if (result->public_key != a->derived_key || result->digest != a->digest ||
        !ecdsa_verify(a->derived_key, a->digest, result->signature)) {
      result.reset();
      error = "the signature does not verify under the derived key";
    }
  }
  if (result) {
    SignatureRecord rec;
    rec.session_id = sign_session_id(a->request_id, a->presignature_id);
    rec.key_id = a->share->key_id;
    rec.presignature_id = a->presignature_id;
    rec.digest = a->digest;
    const auto compact = result->signature.compact();
    std::copy(compact.begin(), compact.begin() + 32, rec.r.begin());
    std::copy(compact.begin() + 32, compact.end(), rec.s.begin());
    rec.recovery_id = static_cast<uint8_t>(result->signature.recovery_id);
    rec.timestamp = now_ms();
    Status logged = s_.store->log_signature(rec);
    if (!logged.ok()) log("signature log: " + logged.message());
    log("request " + short_id(a->request_id) + " attempt " + std::to_string(a->number) + ": signed with {" +
        names(a->signers) + "}");
  } else {
    AbortRecord rec;
    rec.session_id = session.value_or(a->request_id);
    rec.protocol = protocol_name.empty() ? std::string(cggmp21::kSignProtocol) : protocol_name;
    rec.culprits = culprits;
    rec.reason = error;
    rec.evidence = std::move(evidence);
    rec.timestamp = now_ms();
    Status logged = s_.store->log_abort(rec);
    if (!logged.ok()) log("abort log: " + logged.message());
    log("request " + short_id(a->request_id) + " attempt " + std::to_string(a->number) + " failed" +
        (culprits.empty() ? "" : " (culprits: " + names(culprits) + ")") + ": " + error);
  }
  if (a->coordinator == s_.config->node_id) {
    std::shared_ptr<Coordination> coordination = a->coordination.lock();
    if (!coordination) return;  // the request has already been answered
    std::lock_guard<std::mutex> lock(coordination->mu);
    Coordination& c = *coordination;
    if (c.own == a) {
      c.own_done = true;
      c.result = std::move(result);
      c.error = error;
      c.culprits = std::move(culprits);
      c.cv.notify_all();
    }
    return;
  }
  if (!result) reply(a->coordinator, a->request_id, a->number, ReplyStatus::kAttemptFailed, error);
}

void SigningService::on_reply(protocol::Message m) {
  auto r = decode_reply(m.payload);
  if (!r.ok()) return log("reply from node " + std::to_string(m.from) + " refused: " + r.status().message());
  std::shared_ptr<Coordination> c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = coordinating_.find(r->request_id);
    if (it == coordinating_.end()) return;  // a late answer to a finished request
    c = it->second;
  }
  std::lock_guard<std::mutex> lock(c->mu);
  if (!contains(c->share->parties, m.from)) return;
  switch (r->status) {
    case ReplyStatus::kApproved:
      c->approved.insert(m.from);
      break;
    case ReplyStatus::kRefused:
      c->refused[m.from] = r->detail;
      break;
    case ReplyStatus::kAttemptFailed:
      if (r->attempt == c->attempt) c->failed[m.from] = r->detail;
      break;
    case ReplyStatus::kDeclined:
      return;
  }
  // A signer of the running attempt that cannot take part: stop waiting for it now.
  const bool blocks = (r->status == ReplyStatus::kRefused || r->status == ReplyStatus::kAttemptFailed) &&
                      r->attempt <= c->attempt && contains(c->signers, m.from);
  if (blocks && c->own) c->own->cancel(*s_.runner, "node " + std::to_string(m.from) + ": " + r->detail);
  c->cv.notify_all();
}

bool SigningService::claim(const Digest32& id) {
  std::lock_guard<std::mutex> lock(mu_);
  return claimed_.insert(id).second;
}

void SigningService::unclaim(const Digest32& id) {
  std::lock_guard<std::mutex> lock(mu_);
  claimed_.erase(id);
}

void SigningService::plan_attempt(Coordination& c, std::vector<PartyIndex>& signers, std::optional<Presignature>& taken,
                                  std::optional<Digest32>* peek_only) {
  const PartyIndex self = s_.config->node_id;
  const KeyShare& share = *c.share;
  std::vector<PartyIndex> candidates;
  for (PartyIndex p : connected_parties(share)) {
    if (p == self || (!c.excluded.count(p) && !c.refused.count(p))) candidates.push_back(p);
  }
  signers.clear();
  taken.reset();
  if (peek_only) peek_only->reset();
  if (candidates.size() < share.threshold) return;
  // A pooled presignature this node owns, for a signer set of candidates.
  auto sets = s_.store->presignature_signer_sets(share.key_id);
  if (sets.ok()) {
    for (const auto& entry : *sets) {
      // Named, not a structured binding: clang (the fuzzing build) cannot capture those in a lambda.
      const std::vector<PartyIndex>& set = entry.first;
      if (entry.second == 0 || set.size() != share.threshold || !contains(set, self) ||
          !std::all_of(set.begin(), set.end(), [&](PartyIndex p) { return contains(candidates, p); })) {
        continue;
      }
      // Not one that another request's first attempt has chosen and not taken yet (checked live, under
      // the store's lock: lock order store, then mu_).
      NodeStore::PresignatureFilter f{&set, nullptr, [this, &set, self](const Digest32& id) {
                                        if (!owns_presignature(id, set, self)) return false;
                                        std::lock_guard<std::mutex> lock(mu_);
                                        return !claimed_.count(id);
                                      }};
      if (peek_only) {
        auto id = s_.store->peek_presignature(share.key_id, f);
        if (id.ok() && claim(*id)) {
          signers = set;
          *peek_only = *id;
          return;
        }
        continue;
      }
      auto p = s_.store->take_presignature(share.key_id, now_ms(), f);
      if (p.ok()) {
        signers = set;
        taken = std::move(p).value();
        return;
      }
    }
  }
  // None: the coordinator and t-1 others chosen from the request, presigning first.
  std::vector<PartyIndex> others;
  for (PartyIndex p : candidates) {
    if (p != self) others.push_back(p);
  }
  auto pick = fresh_signers(c.request_id, c.attempt, self, others, share.threshold);
  if (pick.ok()) signers = std::move(pick).value();
}

Result<std::vector<PartyIndex>> fresh_signers(const Digest32& request_id, uint32_t attempt, PartyIndex self,
                                              const std::vector<PartyIndex>& others, uint32_t t) {
  std::vector<PartyIndex> signers{self};
  if (t > 1) {
    const Digest32 seed =
        Transcript("custos/sign-signers/v1").append("request", request_id).append_u64("attempt", attempt).digest();
    ASSIGN_OR_RETURN(std::vector<PartyIndex> pick, protocol::select_signers(seed, others, t - 1));
    signers.insert(signers.end(), pick.begin(), pick.end());
    std::sort(signers.begin(), signers.end());
  }
  return signers;
}

SignResponse SigningService::sign(const SigningIntent& intent, const std::vector<Approval>& approvals) {
  SignResponse resp;
  auto fail = [&](int status, std::string error) {
    resp.http_status = status;
    resp.error = std::move(error);
    return resp;
  };
  auto canonical = protocol::intent_canonical_bytes(intent);
  if (!canonical.ok()) return fail(400, "invalid intent: " + canonical.status().message());
  resp.request_id = passkey::intent_challenge(*canonical);
  if (!intent.has_digest()) return fail(400, "only intents with a digest can be signed (raw_transaction needs chain rules)");
  auto key_id = parse_key_id(intent.key_id());
  if (!key_id) return fail(400, "intent key_id is not a 64-hex-digit key id");
  auto share = s_.keys->share(*key_id);
  if (!share.ok()) return fail(404, "no key " + intent.key_id() + " on this node: " + share.status().message());
  if (approvals.size() > kMaxApprovals) return fail(400, "more than " + std::to_string(kMaxApprovals) + " approvals");

  const PartyIndex self = s_.config->node_id;
  auto c = std::make_shared<Coordination>();
  c->request_id = resp.request_id;
  c->share = *share;
  c->request.request_id = resp.request_id;
  c->request.intent = *canonical;
  for (const Approval& a : approvals) c->request.approvals.push_back(SignRequest::Approval{a.approver_id, a.assertion_json});
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return fail(503, "node stopping");
    if (coordinating_.count(c->request_id) || decisions_.count(c->request_id)) {
      return fail(409, "request " + short_id(c->request_id) + " was already submitted (an intent is signed at most once)");
    }
    coordinating_[c->request_id] = c;
    ++counters_.requests;
  }
  struct Unregister {
    SigningService* s;
    Digest32 id;
    ~Unregister() {
      std::lock_guard<std::mutex> lock(s->mu_);
      s->coordinating_.erase(id);
    }
  } unregister{this, c->request_id};
  auto count = [&](uint64_t Counters::*field) {
    std::lock_guard<std::mutex> lock(mu_);
    ++(counters_.*field);
  };
  // One p2p envelope per party: a node that is down (its outbound queue full) must not block the relay
  // to the others.
  std::set<PartyIndex> relayed;  // parties that got any relay of this request
  auto relay = [&](const std::vector<PartyIndex>& to, bool only_new = false) {
    const std::vector<uint8_t> payload = encode_sign_request(c->request);
    for (PartyIndex p : to) {
      if (p == self || (!relayed.insert(p).second && only_new)) continue;
      Status s = s_.transport->send(control_message(self, c->request_id, payload, p));
      if (!s.ok()) log("request " + short_id(c->request_id) + " relay to node " + std::to_string(p) + ": " + s.message());
    }
  };
  // An approved request reaches the signers first and every other party when this node is done with it
  // (signed, failed or stopping): those only judge and record it, and their work would otherwise take
  // the CPU the signers need while the client waits. Their record is what stops a second coordinator
  // from having the same intent signed by a disjoint signer set (possible only when n >= 2t); it comes
  // a few milliseconds later than the signers', and never from a node that is down at the time
  // (docs/security.md, node layer).
  struct RelayRest {
    std::function<void()> run;
    ~RelayRest() { run(); }
  } relay_rest{[&] { relay(c->share->parties, true); }};
  auto refusals = [&] {
    std::vector<NodeRefusal> out;
    for (const auto& [node, reason] : c->refused) out.push_back(NodeRefusal{node, reason});
    return out;
  };
  const auto deadline_s = std::chrono::seconds(s_.config->timeouts.sign_deadline_seconds);

  // One attempt: its signer set and presignature chosen, its Attempt registered as this node's own, and
  // the request relayed to its signers (the other parties get it when this request is done, relay_rest).
  struct Planned {
    std::shared_ptr<Attempt> a;
    std::optional<Presignature> taken;
    std::optional<Digest32> chosen;  // attempt 0: the pooled presignature, taken with the approval commit
  };
  auto plan_and_relay = [&](uint32_t attempt, const Decision* gate) -> std::optional<Planned> {
    Planned p;
    std::vector<PartyIndex> signers;
    {
      std::lock_guard<std::mutex> lock(c->mu);
      c->attempt = attempt;
      c->failed.clear();
      plan_attempt(*c, signers, p.taken, attempt == 0 ? &p.chosen : nullptr);
    }
    if (signers.empty()) return std::nullopt;
    p.a = std::make_shared<Attempt>();
    Attempt& a = *p.a;
    a.request_id = c->request_id;
    a.coordinator = self;
    a.number = attempt;
    a.signers = signers;
    a.presignature_id = p.taken ? p.taken->id : p.chosen.value_or(Digest32{});
    a.share = c->share;
    if (gate) {
      a.digest = gate->digest;
      a.tweak = gate->tweak;
      a.derived_key = gate->derived_key;
    }
    a.deadline = Clock::now() + deadline_s;
    a.coordination = c;
    {
      std::lock_guard<std::mutex> lock(c->mu);
      c->request.attempt = attempt;
      c->request.signers = signers;
      c->request.presignature_id = a.presignature_id;
      c->signers = signers;
      c->own = p.a;
      c->own_done = false;
    }
    relay(signers);
    return p;
  };
  // Attempt 0 is relayed to its signers before this node's own gate has run, so that their gates (the
  // slow part of a warm signing) run while this one does. That commits no node to anything: each signer
  // runs its own gate, and this node sends its round message only once its own gate approved and its
  // record is committed. Only a request that is plausibly approved goes first (enough approvals for the
  // key's quorum): an obviously short one is refused here before any signer spends work on it.
  std::optional<Planned> first;
  {
    auto policy = approval_policy(c->share->key_id);
    if (policy && approvals.size() >= policy->quorum) first = plan_and_relay(0, nullptr);
  }
  // A relayed attempt 0 that this node will not sign. Its signers learn it from the relay with no signers
  // that follows (it asks for their verdict and withdraws the attempt: handle_sign_request).
  auto withdraw = [&] {
    std::lock_guard<std::mutex> lock(c->mu);
    c->request.attempt = 0;
    c->request.signers.clear();
    c->request.presignature_id = Digest32{};
    c->signers.clear();
    c->own.reset();
  };
  // Then the pooled presignature it named. A signer that approved took its share of it with its approval,
  // so this node's share is discarded too (kept, it would fail the next attempt that picks it). If every
  // other signer refused, nobody took it and it stays in the pool: a refused request costs no
  // presignature, so forged approvals cannot drain the pools.
  auto release = [&](const Planned& p, bool taken_elsewhere) {
    if (!p.chosen) return;
    if (taken_elsewhere) {
      auto burned = s_.store->take_presignature(c->share->key_id, now_ms(),
                                                NodeStore::PresignatureFilter{&p.a->signers, &*p.chosen, {}});
      if (!burned.ok() && burned.status().code() != Code::kNotFound) {
        log("request " + short_id(c->request_id) + ": discarding presignature " + short_id(*p.chosen) + ": " +
            burned.status().message());
      }
    }
    unclaim(*p.chosen);
  };

  // The gate's checks here (nothing committed yet).
  std::shared_ptr<Decision> own = evaluate(c->request, self);
  if (!own->approved) {
    // Refused here. Every node still judges the request itself, so the client learns each verdict.
    if (first) withdraw();
    std::unique_lock<std::mutex> lock(c->mu);
    c->refused[self] = own->reason;
    lock.unlock();
    relay(c->share->parties);
    lock.lock();
    // Wait for the verdicts of the nodes that are connected (a node that is down cannot answer).
    const size_t others = connected_parties(*c->share).size() - 1;
    c->cv.wait_for(lock, deadline_s, [&] { return c->stopping || c->approved.size() + c->refused.size() - 1 >= others; });
    resp.refusals = refusals();
    const bool taken_elsewhere = first && std::any_of(first->a->signers.begin(), first->a->signers.end(), [&](PartyIndex p) {
      return p != self && !c->refused.count(p);  // approved, or no verdict: it may hold nothing of it any more
    });
    lock.unlock();
    if (first) release(*first, taken_elsewhere);
    count(&Counters::refused);
    return fail(403, "refused by node " + std::to_string(self) + ": " + own->reason);
  }
  if (first) {
    Attempt& a = *first->a;
    a.digest = own->digest;
    a.tweak = own->tweak;
    a.derived_key = own->derived_key;
  }

  std::vector<std::string> errors;
  const uint32_t max_attempts = 2 + static_cast<uint32_t>(c->share->parties.size() - c->share->threshold);
  for (uint32_t attempt = 0; attempt < max_attempts; ++attempt) {
    std::optional<Planned> planned = attempt == 0 && first ? std::move(first) : plan_and_relay(attempt, own.get());
    first.reset();
    if (!planned) {
      std::lock_guard<std::mutex> lock(c->mu);
      errors.push_back("too few nodes left to sign (need " + std::to_string(c->share->threshold) + ")");
      break;
    }
    std::shared_ptr<Attempt> a = planned->a;
    const std::vector<PartyIndex> signers = a->signers;
    std::optional<Presignature>& taken = planned->taken;
    const std::optional<Digest32>& chosen = planned->chosen;
    const bool pooled = taken.has_value() || chosen.has_value();
    if (attempt > 0) count(&Counters::attempts_retried);
    if (attempt == 0) {
      // This node's approval is recorded (with the chosen presignature taken in the same transaction)
      // while the others check theirs; only then does this node sign.
      std::optional<NodeStore::ApprovalTake> take;
      if (chosen) {
        take.emplace();
        take->key_id = own->share->key_id;
        take->filter.signers = &a->signers;
        take->filter.id = &*chosen;
      }
      commit(*own, take ? &*take : nullptr);
      if (!own->approved) {
        // A replay or counter race found under the write lock: the relayed attempt is withdrawn (its
        // signers, whose gates approved it like this node's, have taken their shares).
        withdraw();
        relay(signers);
        release(*planned, true);
        std::lock_guard<std::mutex> lock(c->mu);
        c->refused[self] = own->reason;
        resp.refusals = refusals();
        count(&Counters::refused);
        return fail(403, "refused by node " + std::to_string(self) + ": " + own->reason);
      }
      if (chosen) unclaim(*chosen);  // taken with the approval (or gone: the attempt fails below)
      if (take && !take->taken) {
        finish_attempt(a, std::nullopt, take->status.message(), {});
      } else {
        start_attempt(a, take ? std::move(take->taken) : std::nullopt);
      }
    } else {
      start_attempt(a, std::move(taken));
    }
    std::unique_lock<std::mutex> lock(c->mu);
    for (;;) {
      c->cv.wait(lock, [&] { return c->own_done || c->stopping || c->own_finish; });
      if (!c->own_finish) break;
      std::function<void()> finish = std::move(c->own_finish);
      c->own_finish = nullptr;
      lock.unlock();
      finish();  // verifies, logs and sets own_done
      lock.lock();
    }
    if (c->stopping && !c->own_done) return fail(503, "node stopping");
    if (c->result) {
      resp.result = std::move(c->result);
      resp.result->attempts = attempt + 1;
      resp.result->failed_attempts = errors;
      resp.result->pooled = a->presignature_id != Digest32{} && pooled;
      resp.refusals = refusals();
      lock.unlock();
      count(&Counters::signed_ok);
      return resp;
    }
    std::string line = "attempt " + std::to_string(attempt + 1) + " with {" + names(signers) + "}: " + c->error;
    for (PartyIndex p : c->culprits) c->excluded.insert(p);
    for (const auto& [node, why] : c->failed) {
      c->excluded.insert(node);
      line += "; node " + std::to_string(node) + ": " + why;
    }
    errors.push_back(line);
    if (c->culprits.empty() && c->failed.empty() && c->refused.empty()) {
      // Nobody to leave out (a local failure): the next attempt presigns afresh with the same rules.
      continue;
    }
  }
  std::lock_guard<std::mutex> lock(c->mu);
  resp.refusals = refusals();
  std::string all;
  for (const std::string& e : errors) all += (all.empty() ? "" : " | ") + e;
  count(&Counters::failed);
  if (!c->refused.empty() && c->refused.size() + c->share->threshold > c->share->parties.size()) {
    return fail(403, "refused by " + std::to_string(c->refused.size()) + " node(s); too few approve to sign: " + all);
  }
  return fail(502, "no signer set could sign: " + all);
}

}  // namespace custos::node
