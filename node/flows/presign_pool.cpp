#include "node/flows/presign_pool.h"

#include <algorithm>
#include <chrono>

#include "crypto/transcript.h"
#include "node/transport/thread_attributes.h"
#include "protocol/cggmp21/presign.h"
#include "protocol/joint_session.h"

namespace custos::node {
namespace {

using protocol::PartyIndex;

constexpr size_t kMaxConcurrentMembers = 4;
constexpr auto kIdle = std::chrono::milliseconds(500);
constexpr auto kBackoff = std::chrono::seconds(3);

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool contains(const std::vector<PartyIndex>& v, PartyIndex p) { return std::find(v.begin(), v.end(), p) != v.end(); }

}  // namespace

PresignPool::PresignPool(NodeServices services) : s_(std::move(services)) {}

PresignPool::~PresignPool() { stop(); }

void PresignPool::log(const std::string& line) const {
  if (s_.log) s_.log(line);
}

void PresignPool::start() { leader_ = std::thread([this] {
    name_this_thread("custos-pool");
    make_this_thread_background();
    leader_loop();
  }); }

void PresignPool::stop() {
  std::list<Member> members;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    members.swap(members_);
  }
  cv_.notify_all();
  if (leader_.joinable()) leader_.join();
  // Members wait on sessions, which end when the runner stops (before this) or at their deadline.
  for (Member& m : members) m.thread.join();
}

void PresignPool::poke() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    poked_ = true;
  }
  cv_.notify_all();
}

std::vector<PartyIndex> PresignPool::led_set(const KeyShare& share) const {
  const PartyIndex self = s_.config->node_id;
  std::vector<PartyIndex> others;
  for (const PeerStats& p : s_.transport->stats().peers) {
    if (p.connected && contains(share.parties, p.id)) others.push_back(p.id);
  }
  std::vector<PartyIndex> set{self};
  if (share.threshold > 1) {
    const Digest32 seed = Transcript("custos/pool-signers/v1").append("key", share.key_id).append_u64("leader", self).digest();
    auto pick = protocol::select_signers(seed, others, share.threshold - 1);
    if (!pick.ok()) return {};
    set.insert(set.end(), pick->begin(), pick->end());
    std::sort(set.begin(), set.end());
  }
  return set;
}

void PresignPool::leader_loop() {
  const uint32_t target = s_.config->timeouts.presign_pool_depth;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, kIdle, [this] { return stopping_ || poked_; });
      if (stopping_) return;
      poked_ = false;
    }
    if (target == 0) continue;
    auto keys = s_.store->key_ids();
    if (!keys.ok()) continue;
    bool made_one = false;
    for (const Digest32& key_id : *keys) {
      auto share = s_.keys->share(key_id);
      if (!share.ok() || !s_.keys->aux(key_id).ok()) continue;  // a keygen still storing its aux info
      const std::vector<PartyIndex> set = led_set(**share);
      if (set.size() != (*share)->threshold) continue;
      auto depth = s_.store->presignature_depth(key_id, &set);
      if (!depth.ok() || *depth >= target) continue;
      Status made = fill_once(*share, set);
      if (!made.ok()) {
        log("presign pool: one presignature for {" + encode_signers(set) + "} failed: " + made.message());
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, kBackoff, [this] { return stopping_; });
        if (stopping_) return;
      } else {
        made_one = true;
      }
    }
    if (made_one) poke();  // keep going while below the target
  }
}

Status PresignPool::fill_once(const std::shared_ptr<const KeyShare>& share, const std::vector<PartyIndex>& signers) {
  PresignRequest r;
  OsRng rng;
  rng.fill(r.request_id);
  r.key_id = share->key_id;
  r.signers = signers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    leading_request_ = r.request_id;
    leading_signers_ = signers;
    leading_session_.reset();
    declined_.clear();
  }
  if (signers.size() > 1) {
    RETURN_IF_ERROR(s_.transport->send_to(control_message(s_.config->node_id, r.request_id, encode_presign_request(r)),
                                          signers));
  }
  return presign_and_store(share, r.request_id, signers);
}

Status PresignPool::presign_and_store(const std::shared_ptr<const KeyShare>& share, const Digest32& request_id,
                                      const std::vector<PartyIndex>& signers) {
  const bool leading = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    return leading_request_ == request_id;
  }();
  // Registers the session the leader runs, unless a member already declined.
  auto track = [&](const Digest32& sid) -> Status {
    std::lock_guard<std::mutex> lock(mu_);
    if (!leading) {
      if (member_cancelled_.count(request_id)) return failed_precondition("the leader called this presigning off");
      member_sessions_[request_id] = sid;
      return ok_status();
    }
    if (!declined_.empty()) return failed_precondition(declined_);
    leading_session_ = sid;
    return ok_status();
  };
  const auto deadline = Clock::now() + std::chrono::seconds(s_.config->timeouts.session_deadline_seconds);
  OsRng rng;
  ASSIGN_OR_RETURN(auto aux, s_.keys->aux(share->key_id));
  protocol::JointSessionConfig jc{cggmp21::kPresignProtocol, request_id, s_.config->node_id, signers};
  ASSIGN_OR_RETURN(auto joint, protocol::make_joint_session(jc, rng));
  RETURN_IF_ERROR(track(joint.params().session_id));
  // Pool filling is background work: it yields the CPU to what clients wait for (SessionRunner).
  RunOptions<Digest32> joint_options;
  joint_options.priority = Priority::kBackground;
  ASSIGN_OR_RETURN(auto joint_future, s_.runner->run(std::move(joint), deadline, std::move(joint_options)));
  SessionOutcome<Digest32> id = joint_future.get();
  if (!id.output) return Status(Code::kAborted, "joint session id: " + id.abort->reason);
  ASSIGN_OR_RETURN(auto presign, cggmp21::make_presign_session(cggmp21::PresignConfig{*id.output, share, aux, signers}, rng));
  RETURN_IF_ERROR(track(presign.params().session_id));
  RunOptions<Presignature> presign_options;
  presign_options.priority = Priority::kBackground;
  ASSIGN_OR_RETURN(auto presign_future, s_.runner->run(std::move(presign), deadline, std::move(presign_options)));
  SessionOutcome<Presignature> p = presign_future.get();
  if (!p.output) {
    std::string culprits;
    if (p.abort) {
      for (PartyIndex c : p.abort->culprits) culprits += (culprits.empty() ? "" : ",") + std::to_string(c);
      AbortRecord rec{cggmp21::presign_ssid(cggmp21::PresignConfig{*id.output, share, aux, signers}), cggmp21::kPresignProtocol,
                      p.abort->culprits, p.abort->reason, encode_abort_evidence(p.abort->evidence), now_ms()};
      Status logged = s_.store->log_abort(rec);
      if (!logged.ok()) log("abort log: " + logged.message());
    }
    return Status(Code::kAborted, "presign" + (culprits.empty() ? "" : " (culprits: " + culprits + ")") + ": " +
                                      (p.abort ? p.abort->reason : "no outcome"));
  }
  RETURN_IF_ERROR(s_.store->add_presignature(share->key_id, *p.output, now_ms()));
  made_.fetch_add(1);
  return ok_status();
}

void PresignPool::on_presign_request(protocol::Message m) {
  auto r = decode_presign_request(m.payload);
  if (!r.ok()) return log("presign request from node " + std::to_string(m.from) + " refused: " + r.status().message());
  std::lock_guard<std::mutex> lock(mu_);
  if (stopping_) return;
  // Reap finished members; refuse beyond the bound (a peer cannot make this node presign without end).
  for (auto it = members_.begin(); it != members_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = members_.erase(it);
    } else {
      ++it;
    }
  }
  auto decline = [&](const std::string& why) {
    Status s = s_.transport->send(control_message(s_.config->node_id, r->request_id,
                                                  encode_reply(ControlReply{r->request_id, 0, ReplyStatus::kDeclined, why}),
                                                  m.from));
    if (!s.ok()) log("decline to node " + std::to_string(m.from) + " not sent: " + s.message());
  };
  if (members_.size() >= kMaxConcurrentMembers) return decline("busy: " + std::to_string(members_.size()) + " presignings running");
  auto done = std::make_shared<std::atomic<bool>>(false);
  member_sessions_.emplace(r->request_id, std::nullopt);  // from now on a relayed decline reaches it
  members_.push_back(Member{std::thread([this, req = *r, from = m.from, done] {
                              name_this_thread("custos-member");
                              make_this_thread_background();
                              participate(req, from);
                              done->store(true);
                            }),
                            done});
}

void PresignPool::participate(PresignRequest r, PartyIndex leader) {
  auto decline = [&](const std::string& why) {
    log("presign request from node " + std::to_string(leader) + " declined: " + why);
    Status s = s_.transport->send(control_message(s_.config->node_id, r.request_id,
                                                  encode_reply(ControlReply{r.request_id, 0, ReplyStatus::kDeclined, why}),
                                                  leader));
    if (!s.ok()) log("decline to node " + std::to_string(leader) + " not sent: " + s.message());
  };
  const PartyIndex self = s_.config->node_id;
  auto share = s_.keys->share(r.key_id);
  if (!share.ok()) return decline("no share of that key here");
  const KeyShare& k = **share;
  if (r.signers.size() != k.threshold || !contains(r.signers, self) || !contains(r.signers, leader) ||
      !std::all_of(r.signers.begin(), r.signers.end(), [&](PartyIndex p) { return contains(k.parties, p); })) {
    return decline("signer set {" + encode_signers(r.signers) + "} is not t parties of the key with us and the leader");
  }
  auto depth = s_.store->presignature_depth(r.key_id, &r.signers);
  const uint64_t bound = 2ull * s_.config->timeouts.presign_pool_depth + 4;
  if (!depth.ok()) return decline("pool depth: " + depth.status().message());
  if (*depth >= bound) return decline("pool for {" + encode_signers(r.signers) + "} already holds " + std::to_string(*depth));
  Status made = presign_and_store(*share, r.request_id, r.signers);
  if (!made.ok()) log("presign for node " + std::to_string(leader) + " failed: " + made.message());
  std::lock_guard<std::mutex> lock(mu_);
  member_sessions_.erase(r.request_id);
  member_cancelled_.erase(r.request_id);
}

void PresignPool::on_reply(const ControlReply& r, PartyIndex from) {
  if (r.status != ReplyStatus::kDeclined) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto m = member_sessions_.find(r.request_id); m != member_sessions_.end()) {
    // The leader relays a member's decline: this presigning cannot finish.
    member_cancelled_.insert(r.request_id);
    if (m->second) s_.runner->cancel(*m->second, "node " + std::to_string(from) + ": " + r.detail);
    return;
  }
  if (r.request_id != leading_request_ || !declined_.empty()) return;
  declined_ = "node " + std::to_string(from) + " declined: " + r.detail;
  if (leading_session_) s_.runner->cancel(*leading_session_, declined_);
  // Tell the other members, so they do not wait for the decliner until their deadline.
  for (PartyIndex p : leading_signers_) {
    if (p == from || p == s_.config->node_id) continue;
    Status s = s_.transport->send(control_message(
        s_.config->node_id, r.request_id,
        encode_reply(ControlReply{r.request_id, 0, ReplyStatus::kDeclined, declined_}), p));
    if (!s.ok()) log("decline relay to node " + std::to_string(p) + " not sent: " + s.message());
  }
}

}  // namespace custos::node
