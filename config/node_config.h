// The validated configuration of one Custos node (DESIGN §1, §4, §5, §7).
//
// A NodeConfig only ever comes out of load_node_config / parse_node_config
// (config/loader.h), which check every field and every cross-reference, or is
// built by code that renders it (init-network) and loads it back. Code that
// receives a NodeConfig may rely on the invariants written next to each field.
//
// Secrets are never part of the config: the node's CURVE and Ed25519 secret
// keys and the KEK live in files of mode 0600 named here, and a KEK passphrase
// is read from the environment variable named here.
//
// Paths: after loading, every path is absolute (relative paths in the YAML are
// resolved against the directory of the config file), so the node does not
// depend on its working directory.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crypto/passkey/credential_record.h"

namespace custos::config {

// The `version:` every config file starts with. A later schema bumps it and the
// loader names the version it expected.
inline constexpr uint32_t kSchemaVersion = 1;

// Largest config file accepted (a config is a few KiB; this keeps a wrong path
// such as a disk image from being read into memory).
inline constexpr size_t kMaxConfigBytes = 1024 * 1024;

using Key32 = std::array<uint8_t, 32>;

// Where the key-encryption key of the node's database comes from (node/storage/kek.h).
enum class KekSourceKind { kKeyFile, kPassphraseEnv };

struct KekConfig {
  KekSourceKind kind = KekSourceKind::kKeyFile;
  std::string key_file;        // kKeyFile: path of the 32-byte key file
  std::string passphrase_env;  // kPassphraseEnv: name of the environment variable holding the passphrase
  bool operator==(const KekConfig&) const = default;
};

// The client API (HTTP, served by the node). A non-loopback address requires TLS.
struct ApiConfig {
  std::string listen = "127.0.0.1:7200";  // host:port ([v6]:port for IPv6)
  std::string tls_cert_file;              // both empty, or both set
  std::string tls_key_file;
  bool operator==(const ApiConfig&) const = default;
};

// Files holding this node's long-term secret keys: 32 raw bytes each, mode 0600
// (config/identity.h writes and reads them).
struct IdentityFiles {
  std::string curve_secret_key_file;    // CURVE (X25519) secret key of the ROUTER/DEALER sockets
  std::string ed25519_secret_key_file;  // Ed25519 seed that signs envelopes
  bool operator==(const IdentityFiles&) const = default;
};

// Another node of the network, with its keys pinned.
struct PeerConfig {
  uint32_t id = 0;                 // 1..network.size, never this node's id
  std::string name;                // for logs; "node-<id>" when not given
  std::string endpoint;            // "tcp://host:port" of the peer's ROUTER
  Key32 curve_public_key{};        // Z85 (40 characters) in the YAML
  Key32 ed25519_public_key{};      // 64 hex digits in the YAML; a canonical point of large order
  bool operator==(const PeerConfig&) const = default;
};

struct NetworkConfig {
  uint32_t size = 0;       // n: number of nodes, this one included
  uint32_t threshold = 0;  // t: nodes needed to sign, 1 <= t <= n
  bool operator==(const NetworkConfig&) const = default;
};

struct WebAuthnConfig {
  std::string rp_id;                   // relying-party id: a lowercase domain (or IPv4 literal)
  std::vector<std::string> origins;    // serialized origins ("https://wallet.example.com"), each
                                       // on rp_id or a subdomain of it; http only for localhost/127.0.0.1
  bool require_user_verification = true;
  bool operator==(const WebAuthnConfig&) const = default;
};

// A person allowed to approve signing intents, with their registered passkey.
struct ApproverConfig {
  std::string id;                       // unique name, [A-Za-z0-9][A-Za-z0-9._@-]{0,63}
  std::string credential_file;          // where the record came from; empty when given inline
  passkey::CredentialRecord credential; // validated by passkey::parse_credential_record
};
// Compares the credential records by their canonical JSON (CredentialRecord has no operator==).
bool operator==(const ApproverConfig& a, const ApproverConfig& b);

// k distinct approvers out of `of` must approve.
struct Quorum {
  uint32_t k = 0;                // 1 <= k <= of.size()
  std::vector<std::string> of;   // approver ids, each known and listed once
  bool operator==(const Quorum&) const = default;
};

struct ApprovalPolicy {
  Quorum default_quorum;
  std::map<Key32, Quorum> per_key;  // key id (64 hex in the YAML) -> quorum overriding the default
  bool operator==(const ApprovalPolicy&) const = default;

  // The quorum that applies to `key_id`.
  const Quorum& quorum_for(const Key32& key_id) const;
};

struct TimeoutsConfig {
  uint32_t session_deadline_seconds = 120;  // kMinSessionDeadline..kMaxSessionDeadline
  uint32_t presign_pool_depth = 16;         // 0..kMaxPresignPoolDepth presignatures kept ready per key
  // One signing attempt (online round, or a fresh presignature plus the online round when the pool has
  // none): a signer silent this long is named and the request retried without it.
  uint32_t sign_deadline_seconds = 10;      // kMinSignDeadlineSeconds..kMaxSignDeadlineSeconds
  bool operator==(const TimeoutsConfig&) const = default;
};
inline constexpr uint32_t kMinSessionDeadlineSeconds = 5;
inline constexpr uint32_t kMaxSessionDeadlineSeconds = 3600;
inline constexpr uint32_t kMaxPresignPoolDepth = 4096;
inline constexpr uint32_t kMinSignDeadlineSeconds = 1;
inline constexpr uint32_t kMaxSignDeadlineSeconds = 600;
inline constexpr uint32_t kMaxNetworkSize = 255;

struct NodeConfig {
  uint32_t node_id = 0;  // this node's 1-based party index, 1..network.size
  std::string name;      // "node-<id>" when not given
  std::string listen;    // "tcp://host:port" (host may be "*") bound by the ROUTER
  ApiConfig api;
  std::string data_dir;
  KekConfig kek;
  IdentityFiles identity;
  NetworkConfig network;
  std::vector<PeerConfig> peers;  // exactly the ids 1..n other than node_id, in file order
  WebAuthnConfig webauthn;
  std::vector<ApproverConfig> approvers;
  // No approval policy means no intent can gather approvals: the node signs nothing (default deny).
  std::optional<ApprovalPolicy> approval_policy;
  TimeoutsConfig timeouts;

  bool operator==(const NodeConfig&) const = default;

  // The peer with `id`, or nullptr.
  const PeerConfig* find_peer(uint32_t id) const;
};

}  // namespace custos::config
