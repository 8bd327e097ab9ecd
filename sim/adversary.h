// Adversary hooks for the in-process runner (DESIGN §8, §9): reusable Tamper
// builders that rewrite, drop, multiply or forge what one malicious party
// sends, per recipient. They model a party running modified code, so a
// rewritten broadcast is also echoed the way the adversary sent it (the
// adversary never incriminates itself through its own echo); honest parties
// must catch the misbehaviour from the content, or by comparing their echoes.
//
// A Tamper only sees the messages of the party it is installed for. Builders
// that need to touch what honest parties send to the adversary (forge_aux_opening)
// return a map of hooks to install as a whole.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/proto/cggmp21.pb.h"
#include "protocol/wire.h"
#include "sim/runner.h"

namespace custos::sim {

// Selects messages by protocol, round and kind; `to` restricts to one recipient.
struct Match {
  std::string protocol;
  uint32_t round = 0;
  protocol::Kind kind = protocol::Kind::kBroadcast;
  std::optional<PartyIndex> to;  // unset: every recipient

  bool operator()(const Message& m, PartyIndex recipient) const;
};

// Returns the payload to deliver to `recipient` instead of `payload`. Must be
// deterministic in (payload, recipient): it is applied once per recipient and
// again to the adversary's echo of a broadcast.
using PayloadRewrite = std::function<WipedBytes(const WipedBytes& payload, PartyIndex recipient)>;

// Rewrites the payload of matching messages. For a broadcast it also rewrites,
// the same way, the adversary's own entry in its echo of that round to the same
// recipient (a no-op for rounds without echo).
Tamper rewrite(Match match, PayloadRewrite fn);

// Parses the protobuf payload of matching messages as P, lets `mutate` change it
// (knowing the recipient) and re-serializes it with serialize_deterministic.
// A payload that does not parse as P is delivered unchanged.
template <class P>
Tamper tamper_payload_for(Match match, std::function<void(P&, PartyIndex recipient)> mutate) {
  return rewrite(std::move(match), [mutate = std::move(mutate)](const WipedBytes& payload, PartyIndex r) {
    auto parsed = protocol::parse_payload<P>(payload);
    if (!parsed.ok()) return payload;
    P p = std::move(parsed).value();
    mutate(p, r);
    return protocol::serialize_deterministic(p);
  });
}

// Same for every recipient.
template <class P>
Tamper tamper_payload(std::string protocol, uint32_t round, protocol::Kind kind, std::function<void(P&)> mutate) {
  return tamper_payload_for<P>(Match{std::move(protocol), round, kind, std::nullopt},
                               [mutate = std::move(mutate)](P& p, PartyIndex) { mutate(p); });
}

// Broadcast equivocation: `victim` receives a mutated broadcast (and the matching
// echo from the adversary); every other party receives the genuine one.
template <class P>
Tamper equivocate(std::string protocol, uint32_t round, PartyIndex victim, std::function<void(P&)> mutate) {
  return tamper_payload_for<P>(Match{std::move(protocol), round, protocol::Kind::kBroadcast, victim},
                               [mutate = std::move(mutate)](P& p, PartyIndex) { mutate(p); });
}

// Drops matching messages (a silent or crashed party, per recipient).
Tamper drop(Match match);

// Delivers every matching message, then a second copy whose payload is `second`
// (a conflicting duplicate, which the driver treats as equivocation).
Tamper send_conflicting_duplicate(Match match, PayloadRewrite second);

// Applies hooks in order, each to every message the previous one produced.
Tamper chain(std::vector<Tamper> tampers);

// How many deliveries a hook changed (dropped, rewritten or added), so a test can
// check that its tamper actually fired.
struct TamperCount {
  size_t changed = 0;
};
Tamper counted(Tamper t, std::shared_ptr<TamperCount> count);

// Pass-through hook that records everything the party sends, per recipient
// (e.g. to replay a proof from one session in another).
struct Recording {
  std::vector<std::pair<Message, PartyIndex>> sent;
  // The message of (protocol, round, kind) delivered to `to`, if any.
  const Message* find(const std::string& protocol, uint32_t round, protocol::Kind kind, PartyIndex to) const;
};
Tamper record(std::shared_ptr<Recording> rec);

// Byte helpers for proof fields.
std::string truncate_last_byte(const std::string& field);
inline std::string field_of(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }
inline WipedBytes bytes_of(const std::string& s) { return WipedBytes(s.begin(), s.end()); }

// --- aux-info / refresh: a forged opening with a CONSISTENT round-1 commitment ---
//
// The aux-info opening (N, s, t, Πprm, ρ, refresh commitments) is hash-committed in
// round 1, so editing it in flight only trips the commitment check. A real
// adversary simply commits to its bad values. These hooks make that happen: the
// adversary's round-1 commitment and echo are held back until its round-2 opening
// appears, the opening is mutated once, the commitment is recomputed over the
// mutated opening with the opening's own nonce, and commitment, echo and opening
// are released together. Honest parties' round-1 echoes to the adversary are
// patched back to its genuine commitment so that its own session carries on into
// round 3 (it runs unmodified code and would otherwise see its echo "misquoted").
//
// The commitment is recomputed by a replica of aux::commit_opening (a private
// protocol header). `replica_matches` tells the test whether the replica reproduced
// the adversary's genuine commitment; if the protocol changes its commitment, the
// flag (and the test) fail instead of silently testing the commitment check.
struct AuxForgeStatus {
  bool forged = false;
  bool replica_matches = false;
};
// `original` is the adversary's genuine opening message (session id, sender, protocol).
using AuxOpeningMutation = std::function<void(wire::AuxOpening& opening, const Message& original)>;
struct AuxForgery {
  std::map<PartyIndex, Tamper> hooks;  // install all of them (adversary and honest parties)
  std::shared_ptr<AuxForgeStatus> status;
};
AuxForgery forge_aux_opening(PartyIndex adversary, const std::vector<PartyIndex>& parties, AuxOpeningMutation mutate);

// The aux-info commitment V_i over an opening as the honest verifier decodes it
// (replica of aux::commit_opening); nullopt if the opening's fixed-size fields
// have the wrong size (the verifier rejects those before the commitment).
std::optional<Digest32> aux_opening_commitment(const std::string& protocol, const Digest32& session_id,
                                               PartyIndex party, const wire::AuxOpening& opening);

}  // namespace custos::sim
