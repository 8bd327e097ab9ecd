// Jointly derived session ids and deterministic signer selection (DESIGN §4).
//
// A protocol session's id must not be chosen by one party (a malicious
// coordinator could replay a session id to make honest parties reuse
// transcripts). Before a protocol runs, its participants run this one-round
// "setup" protocol: each broadcasts a fresh 32-byte nonce (echoed, so an
// equivocating party is named), and every participant outputs
//   sid = SHA-256("custos/joint-session/v1" ‖ protocol ‖ request ‖ participants ‖ nonce_1 ‖ … ‖ nonce_n)
// (length-prefixed, participants and nonces in index order). The setup session
// itself is identified by setup_session_id(protocol, request, participants),
// which every node computes from the request alone.
//
// Signer selection is a pure function of the request: every node picks the same
// t signers from the nodes it considers available, so a retry after a timeout
// (without the silent parties) needs no extra agreement.
#pragma once

#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/rng.h"
#include "crypto/status.h"
#include "protocol/session.h"

namespace custos::protocol {

inline constexpr const char* kJointSessionProtocol = "custos/joint-session";

struct JointSessionConfig {
  std::string protocol;               // the protocol the derived id is for, e.g. "cggmp21/sign"
  Digest32 request{};                 // hash of what is being run (e.g. the signing intent's challenge)
  PartyIndex self = 0;
  std::vector<PartyIndex> participants;  // sorted, distinct, includes self
};

// The id of the setup session itself (public, the same at every participant).
Digest32 setup_session_id(const JointSessionConfig& cfg);

// A session that outputs the jointly derived session id.
Result<Session<Digest32>> make_joint_session(const JointSessionConfig& cfg, Rng& rng,
                                             Executor executor = sequential_executor());

// The t signers for `request` among `available` (sorted by H(request ‖ index), then the first t,
// returned in ascending index order). Fails when fewer than t are available.
Result<std::vector<PartyIndex>> select_signers(const Digest32& request, const std::vector<PartyIndex>& available,
                                               uint32_t t);

}  // namespace custos::protocol
