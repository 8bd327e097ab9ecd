// In-process runner (DESIGN §8): drives every party's Session with a seeded
// scheduler that reorders and duplicates messages, and adversary hooks that
// can rewrite, drop or multiply any message a chosen party sends, per recipient.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>

#include "protocol/session.h"
#include "sim/signing.h"

namespace custos::sim {

using protocol::Message;
using protocol::PartyIndex;

struct SchedulerOptions {
  uint64_t seed = 1;
  bool reorder = true;            // deliver pending messages in random order
  double duplicate_rate = 0.0;    // probability of delivering a message twice
  bool sign = true;               // Ed25519-sign envelopes and verify them on delivery and in echoes
};

// Rewrites a message from an adversarial party on its way to `recipient`.
// Return the messages to deliver instead: {m} to pass, {} to drop, or a changed copy.
using Tamper = std::function<std::vector<Message>(const Message& m, PartyIndex recipient)>;

template <class Out>
struct RunResult {
  std::map<PartyIndex, Out> outputs;
  std::map<PartyIndex, protocol::Abort> aborts;
  std::map<PartyIndex, std::vector<PartyIndex>> stalled;  // unfinished parties and whom they wait for
  size_t messages_delivered = 0;
};

template <class Out>
RunResult<Out> run_sessions(std::map<PartyIndex, protocol::Session<Out>>& sessions,
                            std::map<PartyIndex, DeterministicRng>& rngs, const SchedulerOptions& opt,
                            const std::map<PartyIndex, Tamper>& adversaries = {}) {
  std::mt19937_64 sched(opt.seed);
  std::vector<PartyIndex> all;
  for (auto& [q, s] : sessions) all.push_back(q);
  PartySigners signers(opt.seed, all);
  if (opt.sign) {
    for (auto& [q, s] : sessions) s.set_authenticator([&signers](const Message& m) { return signers.verify(m); });
  }
  struct Pending {
    Message m;
    PartyIndex to;
  };
  std::vector<Pending> queue;
  auto collect = [&](PartyIndex from) {
    for (Message& m : sessions.at(from).take_outgoing()) {
      std::vector<PartyIndex> recipients;
      if (m.kind == protocol::Kind::kP2P) {
        recipients.push_back(m.to);
      } else {
        for (auto& [q, s] : sessions)
          if (q != from) recipients.push_back(q);
      }
      for (PartyIndex r : recipients) {
        std::vector<Message> out{m};
        auto adv = adversaries.find(from);
        if (adv != adversaries.end()) out = adv->second(m, r);
        for (Message& x : out) {
          // A party signs whatever it sends as itself (an adversary can sign its own lies).
          if (opt.sign && x.from == from) signers.sign(x);
          queue.push_back({std::move(x), r});
        }
      }
    }
  };
  for (auto& [q, s] : sessions) {
    s.advance(rngs.at(q));
    collect(q);
  }

  RunResult<Out> result;
  while (!queue.empty()) {
    size_t pick = opt.reorder ? std::uniform_int_distribution<size_t>(0, queue.size() - 1)(sched) : 0;
    Pending p = std::move(queue[pick]);
    queue.erase(queue.begin() + static_cast<std::ptrdiff_t>(pick));
    if (opt.duplicate_rate > 0 && std::uniform_real_distribution<double>(0, 1)(sched) < opt.duplicate_rate) {
      queue.push_back(p);
    }
    auto it = sessions.find(p.to);
    if (it == sessions.end() || it->second.finished()) continue;
    if (opt.sign && !signers.verify(p.m)) continue;  // the transport drops unauthenticated envelopes
    (void)it->second.handle(p.m, rngs.at(p.to));
    ++result.messages_delivered;
    collect(p.to);
  }
  for (auto& [q, s] : sessions) {
    if (s.output()) {
      result.outputs.emplace(q, *s.take_output());
    } else if (s.aborted()) {
      result.aborts.emplace(q, *s.aborted());
    } else {
      result.stalled.emplace(q, s.waiting_for());
    }
  }
  return result;
}

}  // namespace custos::sim
