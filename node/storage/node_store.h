// The node's durable storage (DESIGN §7, issue 4): one SQLite database per
// node holding
//   * key shares (one row per epoch: a refresh adds a row and keeps history)
//     and aux info, sealed with AES-256-GCM under the key-encryption key;
//   * the presignature pool per key: add / depth / take, where take() marks
//     the presignature used in a committed transaction before returning it;
//   * the signature log and the abort log (public data, not encrypted).
//
// Crash contract (SIGKILL at any moment, or power loss with honest disks):
// what a call reported as done is on disk; nothing is half-written; and a
// presignature returned by take() is never returned again by any connection,
// before or after a restart. A caller that crashes between take() and signing
// loses that presignature: never reusing beats never losing.
//
// Timestamps are supplied by the caller (milliseconds since the Unix epoch by
// convention; stored as given) so the store never reads a clock.
//
// Thread-safe: calls on one NodeStore are serialized by a mutex. Several
// NodeStore objects (threads or processes) may open the same file; SQLite's
// locking serializes their writes.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "crypto/status.h"
#include "node/storage/kek.h"
#include "node/storage/sqlite_db.h"
#include "protocol/cggmp21/key_share.h"
#include "protocol/cggmp21/presign.h"

namespace custos::node {

using cggmp21::AuxInfo;
using cggmp21::KeyShare;
using cggmp21::Presignature;
using protocol::PartyIndex;

struct NodeStoreOptions {
  // Create the database when the file is missing. Off by default so that a
  // mistyped path fails instead of starting a node with an empty store.
  bool create = false;
  int busy_timeout_ms = 5000;
};

enum class PresignatureState : int {
  kUnused = 0,       // in the pool
  kTaken = 1,        // handed out by take(); never again
  kRetired = 2,      // dropped unused (key refresh, restore from backup)
  kQuarantined = 3,  // its row did not decode; kept for inspection, never handed out
};

const char* presignature_state_name(PresignatureState s);

// One completed signature, as logged after the online round.
struct SignatureRecord {
  Digest32 session_id{};
  Digest32 key_id{};
  std::optional<Digest32> presignature_id;  // the presignature it consumed, when known
  Digest32 digest{};
  std::array<uint8_t, 32> r{}, s{};
  uint8_t recovery_id = 0;  // 0..3
  int64_t timestamp = 0;
};

// One aborted session and whom it blames.
struct AbortRecord {
  Digest32 session_id{};
  std::string protocol;                // e.g. "cggmp21/sign"
  std::vector<PartyIndex> culprits;    // may be empty (e.g. a timeout with no one to blame)
  std::string reason;
  std::vector<uint8_t> evidence;       // the signed messages proving it, serialized by the caller
  int64_t timestamp = 0;
};

class NodeStore {
 public:
  NodeStore(const NodeStore&) = delete;
  NodeStore& operator=(const NodeStore&) = delete;
  ~NodeStore();

  // Opens (or with opt.create, creates) the database at `path`, migrates its
  // schema, and unlocks it with `kek`: a new database records the KEK kind,
  // its scrypt parameters and a key-check value; an existing one must unlock
  // with them ("wrong key-encryption key for <path>" otherwise).
  static Result<std::unique_ptr<NodeStore>> open(const std::string& path, const KekSource& kek,
                                                 const NodeStoreOptions& opt = {});

  const std::string& path() const { return path_; }

  // ---- key material (sealed) ----

  // Stores a share for (key_id, epoch). Fails if that epoch is already
  // stored. A share with a new epoch becomes the current one, and unused
  // presignatures made under another epoch are retired in the same transaction.
  Status put_key_share(const KeyShare& share, int64_t now);
  // The current (most recently stored) share of a key.
  Result<KeyShare> get_key_share(const Digest32& key_id);
  Result<KeyShare> get_key_share(const Digest32& key_id, const Digest32& epoch);
  // Every stored epoch of a key, oldest first.
  Result<std::vector<Digest32>> key_share_epochs(const Digest32& key_id);
  // Every key with a stored share.
  Result<std::vector<Digest32>> key_ids();

  // Aux info belongs to the key it was generated for (a refresh replaces both).
  // Same rules as key shares: one row per epoch, the newest is current, and
  // unused presignatures under another aux epoch are retired.
  Status put_aux_info(const Digest32& key_id, const AuxInfo& aux, int64_t now);
  Result<AuxInfo> get_aux_info(const Digest32& key_id);
  Result<AuxInfo> get_aux_info(const Digest32& key_id, const Digest32& epoch);

  // ---- presignature pool ----

  // Adds an unused presignature for `key_id` (which must equal p.key_id). It
  // must be made under the key's current share and aux epochs. An id that was
  // ever stored — in the pool, taken, retired — is refused.
  Status add_presignature(const Digest32& key_id, const Presignature& p, int64_t now);
  // Number of unused presignatures of a key (optionally only for one signer set).
  Result<uint64_t> presignature_depth(const Digest32& key_id, const std::vector<PartyIndex>* signers = nullptr);
  // In one committed transaction: picks the oldest unused presignature of the
  // key (for `signers` when given), marks it taken, erases its ciphertext, and
  // returns it. kNotFound when the pool is empty. A row that fails to decode is
  // quarantined (committed) and reported; the next call moves on.
  Result<Presignature> take_presignature(const Digest32& key_id, int64_t now,
                                         const std::vector<PartyIndex>* signers = nullptr);
  // The same with more conditions: exactly the presignature `id` (the coordinator of a signing names
  // it), or the oldest one that `accept`s (a coordinator uses only the presignatures it owns, so two
  // coordinators never pick the same one).
  struct PresignatureFilter {
    const std::vector<PartyIndex>* signers = nullptr;
    const Digest32* id = nullptr;
    std::function<bool(const Digest32& id)> accept;
  };
  Result<Presignature> take_presignature(const Digest32& key_id, int64_t now, const PresignatureFilter& filter);
  // The id take_presignature(filter) would take now, without taking it (kNotFound when none).
  Result<Digest32> peek_presignature(const Digest32& key_id, const PresignatureFilter& filter);
  // Unused presignatures of a key per signer set, ordered by the set's text ("1,2,3").
  Result<std::vector<std::pair<std::vector<PartyIndex>, uint64_t>>> presignature_signer_sets(const Digest32& key_id);
  // The state of a presignature id, or kNotFound if it was never stored.
  Result<PresignatureState> presignature_state(const Digest32& presignature_id);
  // Restore procedure: retires every unused presignature (and erases its
  // ciphertext), because a restored copy cannot know which of them the node
  // used after the backup was taken. Returns how many were retired.
  Result<uint64_t> discard_presignatures_after_restore(int64_t now);

  // ---- logs (public data) ----

  // Fails if a signature for this session is already logged. The record is in the write-ahead log when
  // this returns (it survives a crash or SIGKILL of the node) but is not fsynced on its own: it reaches
  // the disk with the next durable commit or checkpoint, so a power cut right after may lose the last
  // few log records. What prevents a double signing (the approval's nonce) and a presignature reuse (the
  // take) is committed with a full fsync before the signature exists. This keeps an fsync off the path
  // between a signature and the client's answer.
  Status log_signature(const SignatureRecord& rec);
  Result<SignatureRecord> get_signature(const Digest32& session_id);
  Result<std::vector<SignatureRecord>> signatures_for_key(const Digest32& key_id);
  Status log_abort(const AbortRecord& rec);
  Result<std::vector<AbortRecord>> aborts_for_session(const Digest32& session_id);

  // ---- passkey gate (node_store_approvals.cpp) ----

  // The last signCount accepted from an approver's credential, or nullopt if none was stored yet.
  Result<std::optional<uint32_t>> approver_sign_count(const std::string& approver,
                                                      std::span<const uint8_t> credential_id);
  // Records an approved intent in ONE committed transaction: its nonce becomes used (a second
  // commit with the same nonce fails with kFailedPrecondition "intent nonce … was already used"),
  // and every approver counter moves to its new value. A counter that did not advance past the
  // stored one (when either is non-zero) fails the whole commit with kFailedPrecondition: a
  // concurrent approval used a later assertion first, or the authenticator was cloned.
  struct CounterUpdate {
    std::string approver;
    std::vector<uint8_t> credential_id;
    uint32_t sign_count = 0;
  };
  // With `take`, the same transaction also takes a presignature of take->key_id matching take->filter
  // (as take_presignature would) into take->taken; if none matches, the approval still commits and
  // take->status says why none was taken.
  struct ApprovalTake {
    Digest32 key_id{};
    PresignatureFilter filter;
    std::optional<Presignature> taken;
    Status status;
  };
  // `durability` kFull (fsynced) for a node that signs: its record is what stops the same intent being
  // signed twice, and the take must be on disk before the online round. A node that only judges the
  // request may commit at kProcessCrash (see SigningService).
  Status commit_approval(std::span<const uint8_t> nonce, const Digest32& challenge, int64_t expires_at,
                         const std::vector<CounterUpdate>& counters, int64_t now, ApprovalTake* take = nullptr,
                         Durability durability = Durability::kFull);
  // Whether a nonce was already used by an approved intent.
  Result<bool> intent_nonce_used(std::span<const uint8_t> nonce);
  // Forgets used nonces of intents that expired before `now` (they are refused by expiry anyway).
  Result<uint64_t> prune_intent_nonces(int64_t now);

  // ---- operations ----

  // A consistent copy of the database at `dest` (which must not exist; created
  // mode 0600) while the node runs. The copy holds no usable presignatures:
  // they are retired in it before this returns, so a backup cannot revive one.
  Status backup_to(const std::string& dest, int64_t now);
  // PRAGMA integrity_check.
  Status integrity_check();

 private:
  NodeStore(std::unique_ptr<SqliteDb> db, SecretBytes kek, std::string path)
      : db_(std::move(db)), kek_(std::move(kek)), path_(std::move(path)) {}

  Status put_sealed(const char* table, const char* kind, const Digest32& key_id, const Digest32& epoch,
                    const SecretBytes& plain, const char* epoch_column, int64_t now);
  Result<SecretBytes> get_sealed(const char* table, const char* kind, const Digest32& key_id,
                                 const Digest32* epoch, Digest32& epoch_out, int64_t& seq_out);
  Result<std::optional<Digest32>> current_epoch(const char* table, const Digest32& key_id);
  // take_presignature's body: mu_ held and a write transaction open (committed by the caller; a row
  // that does not decode is quarantined in it and reported).
  // With `peek_only`, only the id that would be taken is written there (nullopt returned).
  Result<std::optional<Presignature>> take_locked(const Digest32& key_id, int64_t now, const PresignatureFilter& filter,
                                                  Digest32* peek_only);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
  SecretBytes kek_;
  std::string path_;
};

// The evidence of an abort as the abort log stores it: the signed envelopes that prove the blame
// (u32 count, then each envelope length-prefixed; decode_envelope reads each back).
std::vector<uint8_t> encode_abort_evidence(const std::vector<protocol::Message>& evidence);
Result<std::vector<protocol::Message>> decode_abort_evidence(std::span<const uint8_t> bytes);

// Shared by the pool and its tests: "1,2,5".
std::string encode_signers(const std::vector<PartyIndex>& signers);
// Strict parse of encode_signers' output (ascending, non-zero, no blanks).
Result<std::vector<PartyIndex>> decode_signers(std::string_view text);

}  // namespace custos::node
