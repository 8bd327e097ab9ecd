// The sans-IO round abstraction (DESIGN §3). A protocol is a chain of rounds;
// each round verifies incoming messages (pure, thread-safe), stores them, and
// when every expected message is in, finalizes into the next round, an output
// or an identifiable abort. Rounds never do I/O, read clocks or use the OS RNG.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "crypto/rng.h"
#include "crypto/status.h"
#include "protocol/message.h"

namespace custos::protocol {

// Identifiable abort as a value: who cheated, why, and the messages that show it.
struct Abort {
  std::vector<PartyIndex> culprits;
  std::string reason;
  std::vector<Message> evidence;
  std::string to_string() const;
};

inline Abort blame(PartyIndex culprit, std::string reason, std::vector<Message> evidence = {}) {
  return Abort{{culprit}, std::move(reason), std::move(evidence)};
}

// A message produced by a round, before the driver wraps it.
struct Outgoing {
  Kind kind = Kind::kBroadcast;
  PartyIndex to = 0;  // for kP2P
  WipedBytes payload;
};

// Everything one sender sent for a round: its broadcast and/or its p2p message to us.
struct Incoming {
  PartyIndex from = 0;
  const Message* broadcast = nullptr;
  const Message* p2p = nullptr;
  std::vector<Message> evidence() const {
    std::vector<Message> e;
    if (broadcast) e.push_back(*broadcast);
    if (p2p) e.push_back(*p2p);
    return e;
  }
};

// The decoded, validated content of one sender's messages; each round defines its own subtype.
class Verified {
 public:
  virtual ~Verified() = default;
};

// Complaint adjudication. A p2p message is seen only by its addressee; when the
// addressee rejects it, it aborts and broadcasts the signed message as a complaint.
// A referee re-checks one sender's messages of a round as `recipient` would have,
// from public data only (nothing secret of the recipient), and returns ok when they
// are valid for it, kFailedPrecondition when `in` lacks a part the round needs (the
// complainer left it out: it is blamed), or the verification error. It must stay usable
// after its round is gone (capture copies, not pointers into round state).
using Referee = std::function<Status(const Incoming& in, PartyIndex recipient)>;

template <class Out>
class Round;

template <class Out>
struct Transition {
  std::unique_ptr<Round<Out>> next;  // set when the protocol continues
  std::vector<Outgoing> messages;    // the next round's outgoing messages
  std::optional<Out> output;
  std::optional<Abort> abort;

  static Transition advance(std::unique_ptr<Round<Out>> next, std::vector<Outgoing> messages) {
    Transition t;
    t.next = std::move(next);
    t.messages = std::move(messages);
    return t;
  }
  static Transition finish(Out out) {
    Transition t;
    t.output.emplace(std::move(out));
    return t;
  }
  static Transition fail(Abort a) {
    Transition t;
    t.abort.emplace(std::move(a));
    return t;
  }
};

template <class Out>
class Round {
 public:
  virtual ~Round() = default;
  virtual uint32_t number() const = 0;
  virtual bool expects_broadcast() const = 0;
  virtual bool expects_p2p() const = 0;
  // Reliable broadcast: every party echoes this round's broadcasts, and the
  // driver compares echoes before the next round finalizes (or before output).
  virtual bool echo_broadcasts() const { return false; }
  // Decode and check one sender's messages. Pure and thread-safe; a failure blames in.from.
  virtual Result<std::unique_ptr<Verified>> verify(const Incoming& in) const = 0;
  virtual void store(const Incoming& in, std::unique_ptr<Verified> verified) = 0;
  // The referee for this round's p2p messages (see Referee), or none when they
  // cannot be judged without the recipient's secrets. Asked when the round starts.
  virtual Referee referee() const { return nullptr; }
  // Called once every expected message is stored.
  virtual Transition<Out> finalize(Rng& rng) = 0;
};

// Helper for rounds: downcast a Verified to the round's concrete type.
template <class T>
std::unique_ptr<T> verified_as(std::unique_ptr<Verified> v) {
  return std::unique_ptr<T>(static_cast<T*>(v.release()));
}

}  // namespace custos::protocol
