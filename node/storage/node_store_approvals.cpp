// NodeStore's passkey-gate records: used intent nonces (replay protection) and
// approver signature counters (clone detection), written together in one
// transaction when an intent is approved, so a crash never leaves a nonce used
// without its counters or the reverse.
#include "node/storage/node_store.h"

namespace custos::node {
namespace {

constexpr size_t kMaxApproverBytes = 128;

Status check_credential_key(const std::string& approver, std::span<const uint8_t> credential_id) {
  if (approver.empty() || approver.size() > kMaxApproverBytes) return invalid_argument("approver id must be 1..128 bytes");
  if (credential_id.empty() || credential_id.size() > 1023) return invalid_argument("credential id must be 1..1023 bytes");
  return ok_status();
}

Result<std::optional<uint32_t>> read_counter(SqliteDb& db, const std::string& approver,
                                             std::span<const uint8_t> credential_id) {
  ASSIGN_OR_RETURN(Statement st, db.prepare(
      "SELECT sign_count FROM approver_counters WHERE approver = ?1 AND credential_id = ?2"));
  RETURN_IF_ERROR(st.bind_text(1, approver));
  RETURN_IF_ERROR(st.bind_blob(2, credential_id));
  ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<uint32_t>();
  if (st.column_type(0) != SQLITE_INTEGER || st.column_int64(0) < 0 || st.column_int64(0) > 0xffffffffLL) {
    return malformed("approver_counters row for " + approver + ": sign_count is not a 32-bit count");
  }
  return std::optional<uint32_t>(static_cast<uint32_t>(st.column_int64(0)));
}

}  // namespace

Result<std::optional<uint32_t>> NodeStore::approver_sign_count(const std::string& approver,
                                                               std::span<const uint8_t> credential_id) {
  RETURN_IF_ERROR(check_credential_key(approver, credential_id));
  std::lock_guard<std::mutex> lock(mu_);
  return read_counter(*db_, approver, credential_id);
}

Status NodeStore::commit_approval(std::span<const uint8_t> nonce, const Digest32& challenge, int64_t expires_at,
                                  const std::vector<CounterUpdate>& counters, int64_t now, ApprovalTake* take,
                                  Durability durability) {
  if (nonce.size() < 16 || nonce.size() > 64) return invalid_argument("intent nonce must be 16..64 bytes");
  // A presignature is never taken without an fsync: it must be on disk as used before its online round.
  if (take && durability != Durability::kFull) return invalid_argument("a presignature take must be fully durable");
  for (const CounterUpdate& c : counters) RETURN_IF_ERROR(check_credential_key(c.approver, c.credential_id));
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Transaction tx, db_->begin_immediate(durability));
  {
    ASSIGN_OR_RETURN(Statement used, db_->prepare("SELECT 1 FROM intent_nonces WHERE nonce = ?1"));
    RETURN_IF_ERROR(used.bind_blob(1, nonce));
    ASSIGN_OR_RETURN(bool row, used.step());
    if (row) return failed_precondition("intent nonce was already used by an approved intent (replay)");
  }
  ASSIGN_OR_RETURN(Statement ins, db_->prepare(
      "INSERT INTO intent_nonces (nonce, challenge, expires_at, used_at) VALUES (?1, ?2, ?3, ?4)"));
  RETURN_IF_ERROR(ins.bind_blob(1, nonce));
  RETURN_IF_ERROR(ins.bind_blob(2, challenge));
  RETURN_IF_ERROR(ins.bind_int64(3, expires_at));
  RETURN_IF_ERROR(ins.bind_int64(4, now));
  RETURN_IF_ERROR(ins.run());
  for (const CounterUpdate& c : counters) {
    // Re-checked under the write lock: another approval may have moved the counter since the caller
    // verified the assertion against it.
    ASSIGN_OR_RETURN(std::optional<uint32_t> stored, read_counter(*db_, c.approver, c.credential_id));
    if (stored && (c.sign_count != 0 || *stored != 0) && c.sign_count <= *stored) {
      return failed_precondition("approver " + c.approver + ": signCount " + std::to_string(c.sign_count) +
                                 " is not greater than the stored " + std::to_string(*stored) +
                                 " (a later approval was recorded first, or the authenticator is cloned)");
    }
    ASSIGN_OR_RETURN(Statement up, db_->prepare(
        "INSERT INTO approver_counters (approver, credential_id, sign_count, updated_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (approver, credential_id) DO UPDATE SET sign_count = excluded.sign_count, "
        "updated_at = excluded.updated_at"));
    RETURN_IF_ERROR(up.bind_text(1, c.approver));
    RETURN_IF_ERROR(up.bind_blob(2, c.credential_id));
    RETURN_IF_ERROR(up.bind_int64(3, c.sign_count));
    RETURN_IF_ERROR(up.bind_int64(4, now));
    RETURN_IF_ERROR(up.run());
  }
  if (take) {
    // The presignature for the first attempt, in the same transaction: one fsync for both. (`now` is
    // in seconds here; the pool keeps milliseconds.)
    Result<std::optional<Presignature>> p = take_locked(take->key_id, now * 1000, take->filter, nullptr);
    take->status = p.ok() ? ok_status() : p.status();
    if (p.ok()) take->taken = std::move(*p);
  }
  return tx.commit();
}

Result<bool> NodeStore::intent_nonce_used(std::span<const uint8_t> nonce) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement st, db_->prepare("SELECT 1 FROM intent_nonces WHERE nonce = ?1"));
  RETURN_IF_ERROR(st.bind_blob(1, nonce));
  return st.step();
}

Result<uint64_t> NodeStore::prune_intent_nonces(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement st, db_->prepare("DELETE FROM intent_nonces WHERE expires_at < ?1"));
  RETURN_IF_ERROR(st.bind_int64(1, now));
  RETURN_IF_ERROR(st.run());
  return static_cast<uint64_t>(db_->changes());
}

}  // namespace custos::node
