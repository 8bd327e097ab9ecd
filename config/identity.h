// A node's long-term identity (DESIGN §4): a CURVE keypair for its ZeroMQ
// sockets and an Ed25519 keypair that signs its envelopes. The secret halves
// live in files of 32 raw bytes with mode 0600, named by node.identity in the
// config; the public halves go into the other nodes' configs (peers[]).
#pragma once

#include <span>
#include <string>

#include "config/node_config.h"
#include "crypto/secret.h"
#include "crypto/status.h"

namespace custos::config {

struct IdentityPublicKeys {
  Key32 curve_public_key{};
  Key32 ed25519_public_key{};
};

struct NodeIdentity {
  SecretBytes curve_secret_key;  // 32 bytes (ZMQ_CURVE_SECRETKEY accepts the binary form)
  SecretBytes ed25519_seed;      // 32 bytes (RFC 8032 private key)
  IdentityPublicKeys public_keys;
};

// Creates `path` with mode 0600 (O_CREAT|O_EXCL: an existing file is never
// overwritten) and writes `content`, fsyncs it. On a failed write the partial
// file is removed.
Status write_secret_file(const std::string& path, std::span<const uint8_t> content);

// Reads a 32-byte secret key file; refuses a file that group or others may
// access (naming the chmod that fixes it), a non-regular file, or another length.
Result<SecretBytes> read_secret_key_file(const std::string& path);

// Generates a CURVE keypair (zmq_curve_keypair) and an Ed25519 keypair
// (OpenSSL), writes the secret keys to the two files (which must not exist)
// and returns the public keys.
Result<IdentityPublicKeys> generate_node_identity(const IdentityFiles& files);

// Reads both secret key files and derives the public keys.
Result<NodeIdentity> load_node_identity(const IdentityFiles& files);

}  // namespace custos::config
