// The generic round driver (DESIGN §3). It checks session id, protocol, round,
// sender and recipient of every message; buffers messages of the next round;
// treats a conflicting duplicate as equivocation; implements echo broadcast;
// verifies a complete round's messages (in parallel when given an executor);
// and finalizes a round only when every expected message is in.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "protocol/round.h"

namespace custos::protocol {

// Runs independent tasks, possibly in parallel. The default runs them in order.
using Executor = std::function<void(std::vector<std::function<void()>>&)>;
Executor sequential_executor();
// Runs tasks on up to `threads` std::threads (used by the simulator and benchmarks).
Executor thread_executor(unsigned threads);

// Checks a message's signature against its claimed sender. The transport
// authenticates live messages itself; the session uses this for broadcasts
// quoted inside echoes, so a lying echoer cannot frame an honest party.
using Authenticator = std::function<bool(const Message& m)>;

struct SessionParams {
  std::string protocol;
  Digest32 session_id{};
  PartyIndex self = 0;
  std::vector<PartyIndex> parties;  // every participant, including self
  Authenticator authenticate;       // optional; without it echo blame relies on the echoer's word
};

template <class Out>
class Session {
 public:
  // `start` is the protocol's first transition (round 1 and its messages).
  Session(SessionParams params, Transition<Out> start, Executor executor = sequential_executor())
      : p_(std::move(params)), executor_(std::move(executor)) {
    apply(std::move(start), std::nullopt);
  }

  void set_authenticator(Authenticator a) { p_.authenticate = std::move(a); }

  // Messages produced since the last call.
  std::vector<Message> take_outgoing() { return std::exchange(outgoing_, {}); }

  // Feeds one message (already authenticated by the transport). Returns a
  // non-ok status for messages that are ignored (misrouted, stale, duplicate
  // of a finished round); protocol violations end the session in an abort.
  Status handle(const Message& m, Rng& rng);

  // Makes progress without a new message: call once after construction, since
  // a round that expects nothing (a single-party session) completes at once.
  void advance(Rng& rng) { progress(rng); }

  bool finished() const { return output_.has_value() || abort_.has_value(); }
  const std::optional<Out>& output() const { return output_; }
  std::optional<Out> take_output() { return std::exchange(output_, std::nullopt); }
  const std::optional<Abort>& aborted() const { return abort_; }
  uint32_t current_round() const { return round_ ? round_->number() : 0; }
  // Parties whose messages the session is still waiting for (to blame on timeout).
  std::vector<PartyIndex> waiting_for() const;
  const SessionParams& params() const { return p_; }

 private:
  using Key = std::tuple<uint32_t, Kind, PartyIndex>;

  void apply(Transition<Out> t, std::optional<uint32_t> finished_round);
  void fail(Abort a) {
    if (!finished()) abort_ = std::move(a);
    round_.reset();
    held_output_.reset();
    held_abort_.reset();
  }
  void progress(Rng& rng);
  bool round_complete() const;
  bool echoes_complete() const;
  Status check_echo(const Message& echo);
  void complain(const Incoming& rejected, uint32_t round);
  std::optional<Abort> adjudicate(const Message& complaint) const;
  std::vector<PartyIndex> others() const {
    std::vector<PartyIndex> o;
    for (PartyIndex q : p_.parties)
      if (q != p_.self) o.push_back(q);
    return o;
  }
  Message wrap(const Outgoing& o, uint32_t round) const {
    Message m;
    m.protocol = p_.protocol;
    m.session_id = p_.session_id;
    m.round = round;
    m.kind = o.kind;
    m.from = p_.self;
    m.to = o.kind == Kind::kP2P ? o.to : 0;
    m.payload = o.payload;
    return m;
  }

  SessionParams p_;
  Executor executor_;
  std::unique_ptr<Round<Out>> round_;
  std::map<Key, Message> received_;   // every accepted message, for duplicate/equivocation checks
  std::set<Key> stored_;              // messages handed to their round
  std::map<uint32_t, Message> my_broadcast_by_round_;
  std::optional<uint32_t> echo_due_;  // round whose echoes must all arrive before going on
  std::map<PartyIndex, bool> echo_ok_;
  std::optional<Out> held_output_;    // output waiting for the last round's echoes
  // A culprit-less abort from finalizing an echoed round waits for that round's
  // echoes: if a broadcast was equivocated, the echo names the equivocator instead.
  std::optional<Abort> held_abort_;
  std::optional<Out> output_;
  std::optional<Abort> abort_;
  std::vector<Message> outgoing_;
  // Complaints: referees of the rounds started so far (absent: not judgeable publicly).
  std::map<uint32_t, Referee> referees_;
  uint32_t last_round_started_ = 0;
};

// ---------------------------------------------------------------------------

template <class Out>
void Session<Out>::apply(Transition<Out> t, std::optional<uint32_t> finished_round) {
  // Echo the broadcasts of the round just finished, if it asks for it.
  if (finished_round && round_ && round_->echo_broadcasts()) {
    std::vector<EchoEntry> entries;
    for (PartyIndex q : p_.parties) {
      const Message* m = nullptr;
      if (q == p_.self) {
        auto it = my_broadcast_by_round_.find(*finished_round);
        if (it != my_broadcast_by_round_.end()) m = &it->second;
      } else {
        auto it = received_.find({*finished_round, Kind::kBroadcast, q});
        if (it != received_.end()) m = &it->second;
      }
      if (m) entries.push_back(EchoEntry{q, m->payload, m->signature});
    }
    Outgoing echo{Kind::kEcho, 0, encode_echo(entries)};
    outgoing_.push_back(wrap(echo, *finished_round));
    echo_due_ = *finished_round;
    echo_ok_.clear();
  }
  if (t.abort) {
    // A finalize that cannot name anyone may have acted on an equivocated broadcast
    // (e.g. a δ_j sent differently to two parties): let the echoes speak first.
    if (t.abort->culprits.empty() && echo_due_ && !echoes_complete()) {
      round_.reset();
      held_abort_ = std::move(t.abort);
      return;
    }
    return fail(std::move(*t.abort));
  }
  if (t.output) {
    round_.reset();
    if (echo_due_ && !echoes_complete()) {
      held_output_ = std::move(t.output);
    } else {
      output_ = std::move(t.output);
    }
    return;
  }
  round_ = std::move(t.next);
  if (!round_) return fail(blame(p_.self, "protocol bug: transition without next round or output"));
  last_round_started_ = round_->number();
  if (Referee referee = round_->referee()) referees_[round_->number()] = std::move(referee);
  for (const Outgoing& o : t.messages) {
    Message m = wrap(o, round_->number());
    if (o.kind == Kind::kBroadcast) my_broadcast_by_round_[m.round] = m;
    outgoing_.push_back(std::move(m));
  }
}

template <class Out>
bool Session<Out>::echoes_complete() const {
  if (!echo_due_) return true;
  for (PartyIndex q : others()) {
    auto it = echo_ok_.find(q);
    if (it == echo_ok_.end() || !it->second) return false;
  }
  return true;
}

template <class Out>
bool Session<Out>::round_complete() const {
  if (!round_) return false;
  uint32_t r = round_->number();
  for (PartyIndex q : others()) {
    if (round_->expects_broadcast() && !received_.count({r, Kind::kBroadcast, q})) return false;
    if (round_->expects_p2p() && !received_.count({r, Kind::kP2P, q})) return false;
  }
  return true;
}

template <class Out>
std::vector<PartyIndex> Session<Out>::waiting_for() const {
  std::vector<PartyIndex> w;
  if (finished()) return w;
  for (PartyIndex q : others()) {
    bool missing = false;
    if (round_) {
      uint32_t r = round_->number();
      missing |= round_->expects_broadcast() && !received_.count({r, Kind::kBroadcast, q});
      missing |= round_->expects_p2p() && !received_.count({r, Kind::kP2P, q});
    }
    if (echo_due_ && !echo_ok_.count(q)) missing = true;
    if (missing) w.push_back(q);
  }
  return w;
}

template <class Out>
Status Session<Out>::check_echo(const Message& echo) {
  auto entries = decode_echo(echo.payload);
  if (!entries.ok()) {
    fail(blame(echo.from, "malformed echo: " + entries.status().message(), {echo}));
    return entries.status();
  }
  std::map<PartyIndex, const EchoEntry*> by_sender;
  for (const EchoEntry& e : *entries) {
    if (by_sender.count(e.from)) {
      fail(blame(echo.from, "echo lists party " + std::to_string(e.from) + " twice", {echo}));
      return verify_failed("bad echo");
    }
    by_sender[e.from] = &e;
  }
  for (PartyIndex q : p_.parties) {
    auto it = by_sender.find(q);
    if (it == by_sender.end()) {
      fail(blame(echo.from, "echo of round " + std::to_string(echo.round) + " omits party " + std::to_string(q),
                 {echo}));
      return verify_failed("bad echo");
    }
    const Message* mine = nullptr;
    if (q == p_.self) {
      mine = &my_broadcast_by_round_.at(echo.round);
    } else {
      mine = &received_.at({echo.round, Kind::kBroadcast, q});
    }
    if (it->second->payload != mine->payload) {
      if (p_.authenticate && q != p_.self) {
        // A quoted broadcast must carry its sender's valid signature; otherwise the echoer forged it.
        Message quoted = *mine;
        quoted.payload = it->second->payload;
        quoted.signature = it->second->signature;
        if (!p_.authenticate(quoted)) {
          fail(blame(echo.from, "echo of round " + std::to_string(echo.round) + " quotes a broadcast of party " +
                                    std::to_string(q) + " that party " + std::to_string(q) + " did not sign",
                     {echo}));
          return verify_failed("forged echo");
        }
      }
      if (q == p_.self || q == echo.from) {
        // It misquotes what we sent, or contradicts its own broadcast to us.
        fail(blame(echo.from, "echo of round " + std::to_string(echo.round) + " misquotes the broadcast of party " +
                                  std::to_string(q),
                   {*mine, echo}));
      } else {
        fail(blame(q, "broadcast equivocation: party " + std::to_string(q) + " sent different round " +
                          std::to_string(echo.round) + " broadcasts to parties " + std::to_string(p_.self) +
                          " and " + std::to_string(echo.from),
                   {*mine, echo}));
      }
      return verify_failed("echo mismatch");
    }
  }
  if (by_sender.size() != p_.parties.size()) {
    fail(blame(echo.from, "echo lists a party outside the session", {echo}));
    return verify_failed("bad echo");
  }
  echo_ok_[echo.from] = true;
  return ok_status();
}

template <class Out>
Status Session<Out>::handle(const Message& m, Rng& rng) {
  if (finished()) return failed_precondition("session already finished");
  if (m.protocol != p_.protocol) return invalid_argument("message for protocol " + m.protocol);
  if (m.session_id != p_.session_id) return invalid_argument("message for another session");
  bool known = false;
  for (PartyIndex q : p_.parties) known |= (q == m.from);
  if (!known || m.from == p_.self) return invalid_argument("sender " + std::to_string(m.from) + " is not a peer");
  if (m.kind == Kind::kP2P && m.to != p_.self) return invalid_argument("p2p message addressed to another party");
  if (m.kind != Kind::kP2P && m.to != 0) return invalid_argument("broadcast with a recipient");

  Key key{m.round, m.kind, m.from};
  auto prev = received_.find(key);
  if (prev != received_.end()) {
    if (prev->second.same_content(m)) return ok_status();  // harmless duplicate (retransmission)
    fail(blame(m.from,
               "equivocation: two different " + std::string(kind_name(m.kind)) + " messages for round " +
                   std::to_string(m.round),
               {prev->second, m}));
    return verify_failed("equivocation");
  }
  uint32_t cur = current_round();
  if (m.kind == Kind::kComplaint) {
    // About a round we have started (or the next one): judged in progress(), when that round's referee exists.
    if (m.round == 0 || m.round > last_round_started_ + 1) return invalid_argument("complaint about an unexpected round");
  } else if (m.kind == Kind::kEcho) {
    if (!echo_due_ || m.round != *echo_due_) {
      // Echo for a round we have not finished yet: keep it until then (bounded: one per sender and round).
      if (m.round < cur || m.round > cur + 1) return invalid_argument("echo for an unexpected round");
    }
  } else if (m.round < cur || (cur == 0 && !held_output_) || m.round > cur + 1) {
    return invalid_argument("message for round " + std::to_string(m.round) + " while in round " +
                            std::to_string(cur));
  }
  received_.emplace(key, m);
  progress(rng);
  return ok_status();
}

template <class Out>
void Session<Out>::progress(Rng& rng) {
  for (;;) {
    if (finished()) return;
    // A complaint ends the session as soon as it can be judged: someone has cheated.
    for (const auto& [key, m] : received_) {
      if (std::get<1>(key) != Kind::kComplaint) continue;
      if (std::optional<Abort> verdict = adjudicate(m)) return fail(std::move(*verdict));
    }
    // Check echoes that have arrived for the round that is due.
    if (echo_due_) {
      for (PartyIndex q : others()) {
        if (echo_ok_.count(q)) continue;
        auto it = received_.find({*echo_due_, Kind::kEcho, q});
        if (it == received_.end()) continue;
        if (!check_echo(it->second).ok()) return;
      }
      if (echoes_complete()) {
        echo_due_.reset();
        if (held_abort_) {
          Abort a = std::move(*held_abort_);
          return fail(std::move(a));
        }
        if (held_output_) {
          output_ = std::move(held_output_);
          held_output_.reset();
          return;
        }
      }
    }
    if (!round_ || !round_complete() || echo_due_) return;

    // Verify every sender's messages (in parallel when the executor allows), then store in order.
    uint32_t r = round_->number();
    std::vector<Incoming> batch;
    for (PartyIndex q : others()) {
      Incoming in{q, nullptr, nullptr};
      if (round_->expects_broadcast()) in.broadcast = &received_.at({r, Kind::kBroadcast, q});
      if (round_->expects_p2p()) in.p2p = &received_.at({r, Kind::kP2P, q});
      batch.push_back(in);
    }
    std::vector<std::optional<Result<std::unique_ptr<Verified>>>> results(batch.size());
    std::vector<std::function<void()>> tasks;
    for (size_t i = 0; i < batch.size(); ++i) {
      tasks.push_back([&, i] { results[i].emplace(round_->verify(batch[i])); });
    }
    executor_(tasks);
    // Every sender whose messages fail is named, not only the first. Only the first
    // rejected p2p message becomes a complaint: a second complaint for the same round
    // would be a conflicting duplicate, i.e. equivocation by us.
    Abort failed;
    bool complained = false;
    for (size_t i = 0; i < batch.size(); ++i) {
      auto& res = *results[i];
      if (res.ok()) continue;
      if (batch[i].p2p && !complained) {
        complain(batch[i], r);
        complained = true;
      }
      failed.culprits.push_back(batch[i].from);
      if (!failed.reason.empty()) failed.reason += "; ";
      failed.reason += "party " + std::to_string(batch[i].from) + ", " + p_.protocol + " round " +
                       std::to_string(r) + ": " + res.status().message();
      for (Message& e : batch[i].evidence()) failed.evidence.push_back(std::move(e));
    }
    if (!failed.culprits.empty()) return fail(std::move(failed));
    for (size_t i = 0; i < batch.size(); ++i) round_->store(batch[i], std::move(*results[i]).value());
    Transition<Out> t = round_->finalize(rng);
    apply(std::move(t), r);
  }
}

// Broadcasts the rejected messages so the parties that did not receive them can
// judge them too (they would otherwise wait for us until the session deadline).
template <class Out>
void Session<Out>::complain(const Incoming& rejected, uint32_t round) {
  Complaint c;
  c.accused = rejected.from;
  if (rejected.broadcast) c.evidence.push_back(*rejected.broadcast);
  c.evidence.push_back(*rejected.p2p);
  outgoing_.push_back(wrap(Outgoing{Kind::kComplaint, 0, encode_complaint(c)}, round));
}

// nullopt: not judgeable yet (we have not started that round). Otherwise the
// abort: the accused when its quoted messages are invalid for the complainer, the
// complainer when they are valid or the complaint is not genuine, nobody when the
// round cannot be judged from public data.
template <class Out>
std::optional<Abort> Session<Out>::adjudicate(const Message& cm) const {
  const PartyIndex complainer = cm.from;
  const std::string round_s = std::to_string(cm.round);
  auto decoded = decode_complaint(cm.payload);
  if (!decoded.ok()) return blame(complainer, "malformed complaint: " + decoded.status().message(), {cm});
  const Complaint& c = *decoded;
  bool accused_known = false;
  for (PartyIndex q : p_.parties) accused_known |= (q == c.accused);
  if (!accused_known || c.accused == complainer) {
    return blame(complainer, "complaint against party " + std::to_string(c.accused) + ", who cannot be accused", {cm});
  }
  const Message* p2p = nullptr;
  const Message* bcast = nullptr;
  for (const Message& e : c.evidence) {
    const bool belongs = e.protocol == p_.protocol && e.session_id == p_.session_id && e.round == cm.round &&
                         e.from == c.accused;
    if (!belongs) return blame(complainer, "complaint quotes a message of another session, round or sender", {cm});
    if (e.kind == Kind::kP2P && e.to == complainer && !p2p) {
      p2p = &e;
    } else if (e.kind == Kind::kBroadcast && !bcast) {
      bcast = &e;
    } else {
      return blame(complainer, "complaint quotes an unexpected " + std::string(kind_name(e.kind)) + " message", {cm});
    }
  }
  if (!p2p) return blame(complainer, "complaint without the p2p message it is about", {cm});
  const std::string about = "party " + std::to_string(complainer) + " complains that party " +
                            std::to_string(c.accused) + " sent it an invalid round " + round_s + " message";
  if (!p_.authenticate) {
    // Without envelope signatures a complainer could invent the message.
    return Abort{{}, about + "; it cannot be checked without envelope signatures", {cm}};
  }
  for (const Message& e : c.evidence) {
    if (!p_.authenticate(e)) {
      return blame(complainer, "complaint quotes a round " + round_s + " message that party " +
                                   std::to_string(c.accused) + " did not sign", {cm});
    }
  }
  if (cm.round > last_round_started_) return std::nullopt;  // judged once we reach that round
  // The accused's broadcast as we received it; a different signed one proves equivocation.
  const Message* ours = nullptr;
  if (c.accused == p_.self) {
    if (auto it = my_broadcast_by_round_.find(cm.round); it != my_broadcast_by_round_.end()) ours = &it->second;
  } else if (auto it = received_.find({cm.round, Kind::kBroadcast, c.accused}); it != received_.end()) {
    ours = &it->second;
  }
  if (bcast && ours && !ours->same_content(*bcast)) {
    return blame(c.accused, "broadcast equivocation: party " + std::to_string(c.accused) + " sent different round " +
                                round_s + " broadcasts to parties " + std::to_string(p_.self) + " and " +
                                std::to_string(complainer), {*ours, *bcast, cm});
  }
  if (!bcast) bcast = ours;
  auto referee = referees_.find(cm.round);
  if (referee == referees_.end()) return Abort{{}, about + "; this round's messages cannot be checked by others", {cm}};
  Incoming in{c.accused, bcast, p2p};
  Status verdict = referee->second(in, complainer);
  if (verdict.code() == Code::kFailedPrecondition) {
    // The quoted messages are incomplete (e.g. a round broadcast left out): an honest complainer quotes all.
    return blame(complainer, "incomplete complaint: " + verdict.message(), {cm});
  }
  if (verdict.ok()) {
    return blame(complainer, "false complaint: the round " + round_s + " messages of party " +
                                 std::to_string(c.accused) + " to party " + std::to_string(complainer) + " are valid",
                 {cm});
  }
  std::vector<Message> evidence{*p2p};
  if (bcast) evidence.push_back(*bcast);
  evidence.push_back(cm);
  return blame(c.accused, "party " + std::to_string(c.accused) + ", " + p_.protocol + " round " + round_s +
                              " message to party " + std::to_string(complainer) + " (its complaint, checked here): " +
                              verdict.message(),
               std::move(evidence));
}

}  // namespace custos::protocol
