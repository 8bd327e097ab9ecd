// Who the transport talks to and who it is (DESIGN §4). The node maps its
// config (config/, YAML) into these structs; the transport does not read
// config itself so that it can be tested and reused without files.
//
// Two key pairs per node, for two different jobs:
//   * CURVE (X25519, ZeroMQ CurveZMQ): encrypts and authenticates the link.
//     A peer's CURVE public key is pinned: our DEALER only completes a
//     handshake with a server holding that key, and our ZAP handler admits
//     only clients whose key is in the roster.
//   * Ed25519: signs every envelope, so that a message is evidence a third
//     party can check (blame, complaints), which a CURVE channel is not.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "crypto/rng.h"
#include "crypto/secret.h"
#include "crypto/status.h"
#include "protocol/message.h"

namespace custos::node {

using Key32 = std::array<uint8_t, 32>;

// One configured peer. Every field is public information.
struct PeerInfo {
  protocol::PartyIndex id = 0;
  std::string endpoint;   // where its ROUTER listens, e.g. "tcp://10.0.0.2:7100"
  Key32 curve_public{};   // pinned CURVE server key, also the key its DEALER presents to us
  Key32 ed25519_public{}; // verifies the envelopes it signs
};

// This node. Secrets are SecretBytes (wiped on destruction, never printed).
struct LocalIdentity {
  protocol::PartyIndex id = 0;
  std::string listen_endpoint;  // where our ROUTER binds, e.g. "tcp://0.0.0.0:7100"
  SecretBytes curve_secret;     // 32 bytes (X25519 scalar)
  Key32 curve_public{};         // must match curve_secret (checked at start)
  SecretBytes ed25519_seed;     // 32-byte Ed25519 private key (RFC 8032 seed)

  LocalIdentity clone() const {
    return LocalIdentity{id, listen_endpoint, curve_secret.clone(), curve_public, ed25519_seed.clone()};
  }
};

struct CurveKeyPair {
  SecretBytes secret;
  Key32 public_key{};
};

// A CURVE key pair from `rng` (any 32 bytes are a valid X25519 secret).
// Production keys come from OsRng; tests pass a DeterministicRng.
Result<CurveKeyPair> make_curve_keypair(Rng& rng);
// The CURVE public key of a secret (zmq_curve_public).
Result<Key32> curve_public_from_secret(const SecretBytes& secret);
// The Ed25519 public key of a 32-byte seed.
Result<Key32> ed25519_public_from_seed(const SecretBytes& seed);

// Z85 text of a public key (ZeroMQ's usual printable form); for logs and config.
std::string z85_public(const Key32& key);

}  // namespace custos::node
