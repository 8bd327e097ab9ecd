#include "node/storage/node_store.h"

#include "crypto/codec.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "node/storage/schema.h"
#include "node/storage/sealed_box.h"

namespace custos::node {
namespace {

// Version of the plaintext formats inside the sealed blobs (the serializers'
// own "v1"); part of the AAD so a future format cannot be confused with this one.
constexpr uint32_t kKeyShareFormat = 1;
constexpr uint32_t kAuxInfoFormat = 1;
constexpr uint32_t kPresignatureFormat = 1;

constexpr size_t kMaxReasonBytes = 4096;
constexpr size_t kMaxProtocolBytes = 128;
constexpr size_t kMaxEvidenceBytes = size_t{16} << 20;
constexpr size_t kMaxSigners = 1024;

std::string row_name(const char* table, int64_t seq) {
  return std::string(table) + " row " + std::to_string(seq);
}

// A 32-byte column, validated: the file may have been edited outside SQLite.
Status read_digest(const Statement& st, int col, const std::string& where, const char* column, Digest32& out) {
  if (st.column_type(col) != SQLITE_BLOB) return malformed(where + ": " + column + " is not a blob");
  auto b = st.column_blob(col);
  if (b.size() != out.size()) {
    return malformed(where + ": " + column + " is " + std::to_string(b.size()) + " bytes, expected 32");
  }
  std::copy(b.begin(), b.end(), out.begin());
  return ok_status();
}

Result<std::optional<Digest32>> read_optional_digest(const Statement& st, int col, const std::string& where,
                                                     const char* column) {
  if (st.column_is_null(col)) return std::optional<Digest32>();
  Digest32 d{};
  RETURN_IF_ERROR(read_digest(st, col, where, column, d));
  return std::optional<Digest32>(d);
}

Result<std::vector<uint8_t>> read_kek_record_bytes(SqliteDb& db, bool& found) {
  ASSIGN_OR_RETURN(Statement st, db.prepare("SELECT value FROM meta WHERE name = 'kek'"));
  ASSIGN_OR_RETURN(bool row, st.step());
  found = row;
  if (!row) return std::vector<uint8_t>();
  if (st.column_type(0) != SQLITE_BLOB) return malformed(db.path() + ": meta row 'kek' is not a blob");
  auto b = st.column_blob(0);
  return std::vector<uint8_t>(b.begin(), b.end());
}

Result<bool> has_rows(SqliteDb& db, const char* table) {
  ASSIGN_OR_RETURN(Statement st, db.prepare(std::string("SELECT 1 FROM ") + table + " LIMIT 1"));
  return st.step();
}

// Opens the KEK of a database, setting it up when the database is new.
Result<SecretBytes> open_kek(SqliteDb& db, const KekSource& source) {
  bool found = false;
  {
    ASSIGN_OR_RETURN(auto bytes, read_kek_record_bytes(db, found));
    if (found) {
      auto record = KekRecord::decode(bytes);
      if (!record.ok()) return record.status().with_context(db.path() + ": meta row 'kek'");
      return unlock_kek(source, *record, db.path());
    }
  }
  // No record yet: set one up under the write lock, re-checking inside it in
  // case another connection did so meanwhile.
  ASSIGN_OR_RETURN(Transaction tx, db.begin_immediate());
  ASSIGN_OR_RETURN(auto bytes, read_kek_record_bytes(db, found));
  if (found) {
    auto record = KekRecord::decode(bytes);
    if (!record.ok()) return record.status().with_context(db.path() + ": meta row 'kek'");
    return unlock_kek(source, *record, db.path());
  }
  for (const char* t : {"key_shares", "aux_infos", "presignatures"}) {
    ASSIGN_OR_RETURN(bool any, has_rows(db, t));
    // Sealed rows without the KEK record that sealed them: someone removed it.
    if (any) return malformed(db.path() + " holds " + t + " but no KEK record (meta row 'kek' missing)");
  }
  ASSIGN_OR_RETURN(NewKek fresh, setup_kek(source));
  ASSIGN_OR_RETURN(Statement ins, db.prepare("INSERT INTO meta (name, value) VALUES ('kek', ?1)"));
  RETURN_IF_ERROR(ins.bind_blob(1, fresh.record.encode()));
  RETURN_IF_ERROR(ins.run());
  RETURN_IF_ERROR(tx.commit());
  return std::move(fresh.kek);
}

Status check_signers(const std::vector<PartyIndex>& signers) {
  if (signers.empty() || signers.size() > kMaxSigners) return invalid_argument("signer set size out of range");
  for (size_t i = 0; i < signers.size(); ++i) {
    if (signers[i] == 0 || (i > 0 && signers[i] <= signers[i - 1])) {
      return invalid_argument("signer set must be ascending and non-zero");
    }
  }
  return ok_status();
}

// The serializers index these containers without bounds checks (and
// std::map::at would throw): check the shape of caller-supplied values first.
Status check_presignature_shape(const Presignature& p) {
  RETURN_IF_ERROR(check_signers(p.signers));
  if (std::find(p.signers.begin(), p.signers.end(), p.self) == p.signers.end()) {
    return invalid_argument("presignature: own index is not a signer");
  }
  for (PartyIndex j : p.signers) {
    if (!p.deltas.count(j) || !p.s.count(j)) return invalid_argument("presignature: missing Δ_j or S_j of a signer");
  }
  return ok_status();
}

Status check_key_share_shape(const KeyShare& s) {
  if (s.parties.empty() || s.parties.size() > kMaxSigners || s.public_shares.size() != s.parties.size()) {
    return invalid_argument("key share: parties and public shares do not match");
  }
  return ok_status();
}

std::string encode_parties(const std::vector<PartyIndex>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i]);
  }
  return s;
}

// Strict decimal list: digits separated by single commas, each 1..2^32-1.
Result<std::vector<PartyIndex>> parse_parties(std::string_view text, bool allow_empty, bool ascending) {
  std::vector<PartyIndex> out;
  if (text.empty()) {
    if (allow_empty) return out;
    return malformed("empty party list");
  }
  size_t i = 0;
  while (true) {
    uint64_t v = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      v = v * 10 + static_cast<uint64_t>(text[i] - '0');
      if (++digits > 10 || v > 0xffffffffULL) return malformed("party index out of range in \"" + std::string(text) + "\"");
      ++i;
    }
    if (digits == 0 || v == 0 || (digits > 1 && text[i - digits] == '0')) {
      return malformed("bad party list \"" + std::string(text) + "\"");
    }
    auto idx = static_cast<PartyIndex>(v);
    if (ascending && !out.empty() && idx <= out.back()) return malformed("party list is not ascending");
    out.push_back(idx);
    if (out.size() > kMaxSigners) return malformed("party list too long");
    if (i == text.size()) return out;
    if (text[i] != ',') return malformed("bad party list \"" + std::string(text) + "\"");
    ++i;
  }
}

Status check_int_column(const Statement& st, int col, const std::string& where, const char* column) {
  if (st.column_type(col) != SQLITE_INTEGER) return malformed(where + ": " + column + " is not an integer");
  return ok_status();
}

Result<SignatureRecord> read_signature_row(const Statement& st) {
  SignatureRecord r;
  // Column 0 is the session id, which names the row in errors.
  std::string where = "signatures row";
  if (st.column_type(0) == SQLITE_BLOB) where += " (session " + short_hex(st.column_blob(0)) + ")";
  RETURN_IF_ERROR(read_digest(st, 0, where, "session_id", r.session_id));
  RETURN_IF_ERROR(read_digest(st, 1, where, "key_id", r.key_id));
  ASSIGN_OR_RETURN(r.presignature_id, read_optional_digest(st, 2, where, "presig_id"));
  RETURN_IF_ERROR(read_digest(st, 3, where, "digest", r.digest));
  RETURN_IF_ERROR(read_digest(st, 4, where, "r", r.r));
  RETURN_IF_ERROR(read_digest(st, 5, where, "s", r.s));
  RETURN_IF_ERROR(check_int_column(st, 6, where, "recovery_id"));
  int64_t rec = st.column_int64(6);
  if (rec < 0 || rec > 3) return malformed(where + ": recovery_id " + std::to_string(rec) + " is outside 0..3");
  r.recovery_id = static_cast<uint8_t>(rec);
  RETURN_IF_ERROR(check_int_column(st, 7, where, "created_at"));
  r.timestamp = st.column_int64(7);
  return r;
}

constexpr const char* kSignatureColumns =
    "SELECT session_id, key_id, presig_id, digest, r, s, recovery_id, created_at FROM signatures ";

}  // namespace

std::string encode_signers(const std::vector<PartyIndex>& signers) { return encode_parties(signers); }

Result<std::vector<PartyIndex>> decode_signers(std::string_view text) { return parse_parties(text, false, true); }

std::vector<uint8_t> encode_abort_evidence(const std::vector<protocol::Message>& evidence) {
  Writer w;
  w.u32(static_cast<uint32_t>(evidence.size()));
  for (const protocol::Message& m : evidence) w.bytes(protocol::encode_envelope(m));
  return w.take();
}

Result<std::vector<protocol::Message>> decode_abort_evidence(std::span<const uint8_t> bytes) {
  Reader in(bytes, "abort evidence");
  ASSIGN_OR_RETURN(uint32_t n, in.u32());
  if (n > 4096) return malformed("abort evidence with " + std::to_string(n) + " messages");
  std::vector<protocol::Message> out;
  for (uint32_t i = 0; i < n; ++i) {
    ASSIGN_OR_RETURN(std::vector<uint8_t> env, in.bytes(protocol::kMaxPayloadBytes + 4096));
    ASSIGN_OR_RETURN(protocol::Message m, protocol::decode_envelope(env));
    out.push_back(std::move(m));
  }
  RETURN_IF_ERROR(in.finish());
  return out;
}

const char* presignature_state_name(PresignatureState s) {
  switch (s) {
    case PresignatureState::kUnused:
      return "unused";
    case PresignatureState::kTaken:
      return "taken";
    case PresignatureState::kRetired:
      return "retired";
    case PresignatureState::kQuarantined:
      return "quarantined";
  }
  return "unknown";
}

NodeStore::~NodeStore() = default;

Result<std::unique_ptr<NodeStore>> NodeStore::open(const std::string& path, const KekSource& kek,
                                                   const NodeStoreOptions& opt) {
  if (!opt.create && ::access(path.c_str(), F_OK) != 0) {
    return Status(Code::kNotFound, "node database " + path + " does not exist");
  }
  SqliteOpenOptions so;
  so.create = opt.create;
  so.busy_timeout_ms = opt.busy_timeout_ms;
  ASSIGN_OR_RETURN(auto db, SqliteDb::open(path, so));
  RETURN_IF_ERROR(migrate_node_db(*db));
  ASSIGN_OR_RETURN(SecretBytes key, open_kek(*db, kek));
  return std::unique_ptr<NodeStore>(new NodeStore(std::move(db), std::move(key), path));
}

// ---- key material ----

Result<std::optional<Digest32>> NodeStore::current_epoch(const char* table, const Digest32& key_id) {
  ASSIGN_OR_RETURN(Statement st, db_->prepare(std::string("SELECT seq, epoch FROM ") + table +
                                              " WHERE key_id = ?1 ORDER BY seq DESC LIMIT 1"));
  RETURN_IF_ERROR(st.bind_blob(1, key_id));
  ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<Digest32>();
  Digest32 e{};
  RETURN_IF_ERROR(read_digest(st, 1, row_name(table, st.column_int64(0)), "epoch", e));
  return std::optional<Digest32>(e);
}

Status NodeStore::put_sealed(const char* table, const char* kind, const Digest32& key_id, const Digest32& epoch,
                             const SecretBytes& plain, const char* epoch_column, int64_t now) {
  const uint32_t format = std::string_view(table) == "key_shares" ? kKeyShareFormat : kAuxInfoFormat;
  ASSIGN_OR_RETURN(auto sealed, seal(kek_, RecordBinding{table, kind, key_id, epoch, format}, plain.expose()));
  ASSIGN_OR_RETURN(Transaction tx, db_->begin_immediate());
  {
    ASSIGN_OR_RETURN(Statement dup, db_->prepare(std::string("SELECT 1 FROM ") + table +
                                                 " WHERE key_id = ?1 AND epoch = ?2"));
    RETURN_IF_ERROR(dup.bind_blob(1, key_id));
    RETURN_IF_ERROR(dup.bind_blob(2, epoch));
    ASSIGN_OR_RETURN(bool exists, dup.step());
    if (exists) {
      return invalid_argument(std::string(kind) + " for key " + short_hex(key_id) + " epoch " + short_hex(epoch) +
                              " is already stored");
    }
  }
  ASSIGN_OR_RETURN(Statement ins, db_->prepare(std::string("INSERT INTO ") + table +
                                               " (key_id, epoch, sealed, created_at) VALUES (?1, ?2, ?3, ?4)"));
  RETURN_IF_ERROR(ins.bind_blob(1, key_id));
  RETURN_IF_ERROR(ins.bind_blob(2, epoch));
  RETURN_IF_ERROR(ins.bind_blob(3, sealed));
  RETURN_IF_ERROR(ins.bind_int64(4, now));
  RETURN_IF_ERROR(ins.run());
  // Presignatures are bound to the key and aux epochs they were made under:
  // once a new epoch is current, the old ones can never be used and must not
  // be handed out.
  ASSIGN_OR_RETURN(Statement retire,
                   db_->prepare(std::string("UPDATE presignatures SET state = 2, sealed = NULL, used_at = ?3 "
                                            "WHERE key_id = ?1 AND state = 0 AND ") +
                                epoch_column + " <> ?2"));
  RETURN_IF_ERROR(retire.bind_blob(1, key_id));
  RETURN_IF_ERROR(retire.bind_blob(2, epoch));
  RETURN_IF_ERROR(retire.bind_int64(3, now));
  RETURN_IF_ERROR(retire.run());
  return tx.commit();
}

Result<SecretBytes> NodeStore::get_sealed(const char* table, const char* kind, const Digest32& key_id,
                                          const Digest32* epoch, Digest32& epoch_out, int64_t& seq_out) {
  std::string sql = std::string("SELECT seq, epoch, sealed FROM ") + table + " WHERE key_id = ?1";
  sql += epoch ? " AND epoch = ?2" : " ORDER BY seq DESC LIMIT 1";
  ASSIGN_OR_RETURN(Statement st, db_->prepare(sql));
  RETURN_IF_ERROR(st.bind_blob(1, key_id));
  if (epoch) RETURN_IF_ERROR(st.bind_blob(2, *epoch));
  ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) {
    std::string what = std::string("no ") + kind + " stored for key " + short_hex(key_id);
    if (epoch) what += " epoch " + short_hex(*epoch);
    return Status(Code::kNotFound, what);
  }
  seq_out = st.column_int64(0);
  const std::string where = row_name(table, seq_out);
  RETURN_IF_ERROR(read_digest(st, 1, where, "epoch", epoch_out));
  if (st.column_type(2) != SQLITE_BLOB) return malformed(where + ": sealed is not a blob");
  const uint32_t format = std::string_view(table) == "key_shares" ? kKeyShareFormat : kAuxInfoFormat;
  auto plain = open_sealed(kek_, RecordBinding{table, kind, key_id, epoch_out, format}, st.column_blob(2));
  if (!plain.ok()) return plain.status().with_context(where);
  return plain;
}

Status NodeStore::put_key_share(const KeyShare& share, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(check_key_share_shape(share));
  SecretBytes plain = cggmp21::serialize_key_share(share);
  return put_sealed("key_shares", "key_share", share.key_id, share.epoch, plain, "key_epoch", now);
}

Result<KeyShare> NodeStore::get_key_share(const Digest32& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Digest32 epoch{};
  int64_t seq = 0;
  ASSIGN_OR_RETURN(SecretBytes plain, get_sealed("key_shares", "key_share", key_id, nullptr, epoch, seq));
  auto share = cggmp21::deserialize_key_share(plain.expose());
  if (!share.ok()) return share.status().with_context(row_name("key_shares", seq));
  if (share->key_id != key_id || share->epoch != epoch) {
    return malformed(row_name("key_shares", seq) + ": the share inside names another key or epoch than its row");
  }
  return share;
}

Result<KeyShare> NodeStore::get_key_share(const Digest32& key_id, const Digest32& epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  Digest32 row_epoch{};
  int64_t seq = 0;
  ASSIGN_OR_RETURN(SecretBytes plain, get_sealed("key_shares", "key_share", key_id, &epoch, row_epoch, seq));
  auto share = cggmp21::deserialize_key_share(plain.expose());
  if (!share.ok()) return share.status().with_context(row_name("key_shares", seq));
  if (share->key_id != key_id || share->epoch != epoch) {
    return malformed(row_name("key_shares", seq) + ": the share inside names another key or epoch than its row");
  }
  return share;
}

Result<std::vector<Digest32>> NodeStore::key_share_epochs(const Digest32& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement st, db_->prepare("SELECT seq, epoch FROM key_shares WHERE key_id = ?1 ORDER BY seq"));
  RETURN_IF_ERROR(st.bind_blob(1, key_id));
  std::vector<Digest32> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    Digest32 e{};
    RETURN_IF_ERROR(read_digest(st, 1, row_name("key_shares", st.column_int64(0)), "epoch", e));
    out.push_back(e);
  }
  return out;
}

Result<std::vector<Digest32>> NodeStore::key_ids() {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement st,
                   db_->prepare("SELECT MIN(seq), key_id FROM key_shares GROUP BY key_id ORDER BY MIN(seq)"));
  std::vector<Digest32> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    Digest32 k{};
    RETURN_IF_ERROR(read_digest(st, 1, row_name("key_shares", st.column_int64(0)), "key_id", k));
    out.push_back(k);
  }
  return out;
}

Status NodeStore::put_aux_info(const Digest32& key_id, const AuxInfo& aux, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!aux.paillier || !aux.ring_pedersen) return invalid_argument("aux info without its secrets");
  SecretBytes plain = cggmp21::serialize_aux_info(aux);
  return put_sealed("aux_infos", "aux_info", key_id, aux.epoch, plain, "aux_epoch", now);
}

Result<AuxInfo> NodeStore::get_aux_info(const Digest32& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Digest32 epoch{};
  int64_t seq = 0;
  ASSIGN_OR_RETURN(SecretBytes plain, get_sealed("aux_infos", "aux_info", key_id, nullptr, epoch, seq));
  auto aux = cggmp21::deserialize_aux_info(plain.expose());
  if (!aux.ok()) return aux.status().with_context(row_name("aux_infos", seq));
  if (aux->epoch != epoch) return malformed(row_name("aux_infos", seq) + ": the aux info inside names another epoch");
  return aux;
}

Result<AuxInfo> NodeStore::get_aux_info(const Digest32& key_id, const Digest32& epoch) {
  std::lock_guard<std::mutex> lock(mu_);
  Digest32 row_epoch{};
  int64_t seq = 0;
  ASSIGN_OR_RETURN(SecretBytes plain, get_sealed("aux_infos", "aux_info", key_id, &epoch, row_epoch, seq));
  auto aux = cggmp21::deserialize_aux_info(plain.expose());
  if (!aux.ok()) return aux.status().with_context(row_name("aux_infos", seq));
  if (aux->epoch != epoch) return malformed(row_name("aux_infos", seq) + ": the aux info inside names another epoch");
  return aux;
}

// ---- presignature pool ----

Status NodeStore::add_presignature(const Digest32& key_id, const Presignature& p, int64_t now) {
  if (p.key_id != key_id) return invalid_argument("presignature " + short_hex(p.id) + " belongs to another key");
  RETURN_IF_ERROR(check_presignature_shape(p));
  // Before the lock: a signing's take must not wait for this multiplication.
  RETURN_IF_ERROR(cggmp21::check_presignature_consistency(p));
  std::lock_guard<std::mutex> lock(mu_);
  SecretBytes plain = cggmp21::serialize_presignature(p);
  ASSIGN_OR_RETURN(auto sealed, seal(kek_, RecordBinding{"presignatures", "presignature", key_id, p.id,
                                                         kPresignatureFormat},
                                     plain.expose()));
  ASSIGN_OR_RETURN(Transaction tx, db_->begin_immediate());
  // Only presignatures made under the current key material are worth keeping;
  // checking inside the transaction orders this against a concurrent refresh.
  ASSIGN_OR_RETURN(auto key_epoch, current_epoch("key_shares", key_id));
  if (!key_epoch) return failed_precondition("no key share stored for key " + short_hex(key_id));
  if (*key_epoch != p.key_epoch) {
    return failed_precondition("presignature " + short_hex(p.id) + " was made under key epoch " +
                               short_hex(p.key_epoch) + ", not the current " + short_hex(*key_epoch));
  }
  ASSIGN_OR_RETURN(auto aux_epoch, current_epoch("aux_infos", key_id));
  if (!aux_epoch) return failed_precondition("no aux info stored for key " + short_hex(key_id));
  if (*aux_epoch != p.aux_epoch) {
    return failed_precondition("presignature " + short_hex(p.id) + " was made under aux epoch " +
                               short_hex(p.aux_epoch) + ", not the current " + short_hex(*aux_epoch));
  }
  {
    ASSIGN_OR_RETURN(Statement dup, db_->prepare("SELECT state FROM presignatures WHERE presig_id = ?1"));
    RETURN_IF_ERROR(dup.bind_blob(1, p.id));
    ASSIGN_OR_RETURN(bool exists, dup.step());
    if (exists) {
      int64_t s = dup.column_int64(0);
      const char* name = (s >= 0 && s <= 3) ? presignature_state_name(static_cast<PresignatureState>(s)) : "unknown";
      return failed_precondition("presignature " + short_hex(p.id) + " was already stored (now " + name +
                                 "): a presignature id is added at most once");
    }
  }
  ASSIGN_OR_RETURN(Statement ins, db_->prepare(
      "INSERT INTO presignatures (presig_id, key_id, key_epoch, aux_epoch, signers, state, sealed, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7)"));
  RETURN_IF_ERROR(ins.bind_blob(1, p.id));
  RETURN_IF_ERROR(ins.bind_blob(2, key_id));
  RETURN_IF_ERROR(ins.bind_blob(3, p.key_epoch));
  RETURN_IF_ERROR(ins.bind_blob(4, p.aux_epoch));
  RETURN_IF_ERROR(ins.bind_text(5, encode_parties(p.signers)));
  RETURN_IF_ERROR(ins.bind_blob(6, sealed));
  RETURN_IF_ERROR(ins.bind_int64(7, now));
  RETURN_IF_ERROR(ins.run());
  return tx.commit();
}

Result<uint64_t> NodeStore::presignature_depth(const Digest32& key_id, const std::vector<PartyIndex>* signers) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string sql = "SELECT COUNT(*) FROM presignatures WHERE key_id = ?1 AND state = 0";
  if (signers) {
    RETURN_IF_ERROR(check_signers(*signers));
    sql += " AND signers = ?2";
  }
  ASSIGN_OR_RETURN(Statement st, db_->prepare(sql));
  RETURN_IF_ERROR(st.bind_blob(1, key_id));
  if (signers) RETURN_IF_ERROR(st.bind_text(2, encode_parties(*signers)));
  ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return internal_error("sqlite: COUNT(*) returned no row");
  return static_cast<uint64_t>(st.column_int64(0));
}

Result<std::vector<std::pair<std::vector<PartyIndex>, uint64_t>>> NodeStore::presignature_signer_sets(
    const Digest32& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement st, db_->prepare(
      "SELECT signers, COUNT(*) FROM presignatures WHERE key_id = ?1 AND state = 0 GROUP BY signers ORDER BY signers"));
  RETURN_IF_ERROR(st.bind_blob(1, key_id));
  std::vector<std::pair<std::vector<PartyIndex>, uint64_t>> out;
  for (;;) {
    ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    if (st.column_type(0) != SQLITE_TEXT) return malformed("presignatures: signers is not text");
    ASSIGN_OR_RETURN(std::vector<PartyIndex> set, parse_parties(st.column_text(0), false, true));
    out.emplace_back(std::move(set), static_cast<uint64_t>(st.column_int64(1)));
  }
  return out;
}

Result<Presignature> NodeStore::take_presignature(const Digest32& key_id, int64_t now,
                                                  const std::vector<PartyIndex>* signers) {
  return take_presignature(key_id, now, PresignatureFilter{signers, nullptr, {}});
}

Result<Presignature> NodeStore::take_presignature(const Digest32& key_id, int64_t now, const PresignatureFilter& filter) {
  if (filter.signers) RETURN_IF_ERROR(check_signers(*filter.signers));
  std::lock_guard<std::mutex> lock(mu_);
  // BEGIN IMMEDIATE: the write lock is held from the SELECT to the COMMIT, so
  // no other connection can pick the same row in between.
  ASSIGN_OR_RETURN(Transaction tx, db_->begin_immediate());
  Result<std::optional<Presignature>> taken = take_locked(key_id, now, filter, nullptr);
  // A quarantined row is committed too (the next call moves on); nothing is committed on kNotFound.
  if (taken.ok() || taken.status().code() != Code::kNotFound) RETURN_IF_ERROR(tx.commit());
  // Only a successful COMMIT (durable: synchronous=FULL) releases the presignature to the caller.
  if (!taken.ok()) return taken.status();
  return std::move(**taken);
}

Result<Digest32> NodeStore::peek_presignature(const Digest32& key_id, const PresignatureFilter& filter) {
  if (filter.signers) RETURN_IF_ERROR(check_signers(*filter.signers));
  std::lock_guard<std::mutex> lock(mu_);
  Digest32 id{};
  ASSIGN_OR_RETURN(std::optional<Presignature> none, take_locked(key_id, 0, filter, &id));
  (void)none;
  return id;
}

Result<std::optional<Presignature>> NodeStore::take_locked(const Digest32& key_id, int64_t now,
                                                           const PresignatureFilter& filter, Digest32* peek_only) {
  if (filter.signers) RETURN_IF_ERROR(check_signers(*filter.signers));
  const std::vector<PartyIndex>* signers = filter.signers;
  const Digest32* presignature_id = filter.id;
  std::string sql = "SELECT seq, presig_id, signers, sealed FROM presignatures WHERE key_id = ?1 AND state = 0";
  if (signers) sql += " AND signers = ?2";
  if (presignature_id) sql += " AND presig_id = ?3";
  sql += filter.accept ? " ORDER BY seq" : " ORDER BY seq LIMIT 1";
  int64_t seq = 0;
  Result<Presignature> decoded = internal_error("unreachable");
  {
    ASSIGN_OR_RETURN(Statement st, db_->prepare(sql));
    RETURN_IF_ERROR(st.bind_blob(1, key_id));
    if (signers) RETURN_IF_ERROR(st.bind_text(2, encode_parties(*signers)));
    if (presignature_id) RETURN_IF_ERROR(st.bind_blob(3, *presignature_id));
    ASSIGN_OR_RETURN(bool row, st.step());
    while (row && filter.accept) {
      const std::span<const uint8_t> id = st.column_blob(1);
      Digest32 d{};
      if (id.size() == d.size()) std::copy(id.begin(), id.end(), d.begin());
      if (id.size() == d.size() && filter.accept(d)) break;
      ASSIGN_OR_RETURN(row, st.step());
    }
    if (!row) {
      if (presignature_id) {
        return Status(Code::kNotFound, "presignature " + short_hex(*presignature_id) + " of key " + short_hex(key_id) +
                                           " is not in the pool (never made here, or already used)");
      }
      std::string what = "presignature pool of key " + short_hex(key_id);
      if (signers) what += " for signers {" + encode_parties(*signers) + "}";
      return Status(Code::kNotFound, what + " is empty");
    }
    seq = st.column_int64(0);
    const std::string where = row_name("presignatures", seq);
    if (peek_only) {
      RETURN_IF_ERROR(read_digest(st, 1, where, "presig_id", *peek_only));
      return std::optional<Presignature>();
    }
    // Decode everything before marking: a row that does not decode is
    // quarantined below rather than left to block the pool forever.
    decoded = [&]() -> Result<Presignature> {
      Digest32 id{};
      RETURN_IF_ERROR(read_digest(st, 1, where, "presig_id", id));
      if (st.column_type(2) != SQLITE_TEXT) return malformed(where + ": signers is not text");
      auto row_signers = parse_parties(st.column_text(2), false, true);
      if (!row_signers.ok()) return row_signers.status().with_context(where);
      if (st.column_type(3) != SQLITE_BLOB) return malformed(where + ": sealed is not a blob");
      auto plain = open_sealed(kek_, RecordBinding{"presignatures", "presignature", key_id, id, kPresignatureFormat},
                               st.column_blob(3));
      if (!plain.ok()) return plain.status().with_context(where);
      auto p = cggmp21::deserialize_presignature(plain->expose());
      if (!p.ok()) return p.status().with_context(where);
      if (p->id != id || p->key_id != key_id || p->signers != *row_signers) {
        return malformed(where + ": the presignature inside does not match its row");
      }
      return p;
    }();
  }
  if (!decoded.ok()) {
    ASSIGN_OR_RETURN(Statement q, db_->prepare("UPDATE presignatures SET state = 3, used_at = ?2 WHERE seq = ?1"));
    RETURN_IF_ERROR(q.bind_int64(1, seq));
    RETURN_IF_ERROR(q.bind_int64(2, now));
    RETURN_IF_ERROR(q.run());
    return decoded.status().with_context("presignature quarantined");
  }
  // Mark used and erase the ciphertext in the same transaction; the state
  // guard makes the UPDATE a no-op if anything else already took the row.
  ASSIGN_OR_RETURN(Statement mark, db_->prepare(
      "UPDATE presignatures SET state = 1, sealed = NULL, used_at = ?2 WHERE seq = ?1 AND state = 0"));
  RETURN_IF_ERROR(mark.bind_int64(1, seq));
  RETURN_IF_ERROR(mark.bind_int64(2, now));
  RETURN_IF_ERROR(mark.run());
  if (db_->changes() != 1) return internal_error(row_name("presignatures", seq) + " changed under the write lock");
  return std::optional<Presignature>(std::move(decoded).value());
}

Result<PresignatureState> NodeStore::presignature_state(const Digest32& presignature_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement st, db_->prepare("SELECT seq, state FROM presignatures WHERE presig_id = ?1"));
  RETURN_IF_ERROR(st.bind_blob(1, presignature_id));
  ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(Code::kNotFound, "presignature " + short_hex(presignature_id) + " was never stored");
  const std::string where = row_name("presignatures", st.column_int64(0));
  RETURN_IF_ERROR(check_int_column(st, 1, where, "state"));
  int64_t s = st.column_int64(1);
  if (s < 0 || s > 3) return malformed(where + ": state " + std::to_string(s) + " is unknown");
  return static_cast<PresignatureState>(s);
}

Result<uint64_t> NodeStore::discard_presignatures_after_restore(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Transaction tx, db_->begin_immediate());
  ASSIGN_OR_RETURN(Statement st,
                   db_->prepare("UPDATE presignatures SET state = 2, sealed = NULL, used_at = ?1 WHERE state = 0"));
  RETURN_IF_ERROR(st.bind_int64(1, now));
  RETURN_IF_ERROR(st.run());
  const auto n = static_cast<uint64_t>(db_->changes());
  RETURN_IF_ERROR(tx.commit());
  return n;
}

// ---- logs ----

Status NodeStore::log_signature(const SignatureRecord& rec) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rec.recovery_id > 3) return invalid_argument("signature log: recovery id must be 0..3");
  // See the header for why this commit is not fsynced on its own.
  ASSIGN_OR_RETURN(Transaction tx, db_->begin_immediate(Durability::kProcessCrash));
  ASSIGN_OR_RETURN(Statement st, db_->prepare(
      "INSERT INTO signatures (session_id, key_id, presig_id, digest, r, s, recovery_id, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
  RETURN_IF_ERROR(st.bind_blob(1, rec.session_id));
  RETURN_IF_ERROR(st.bind_blob(2, rec.key_id));
  if (rec.presignature_id) {
    RETURN_IF_ERROR(st.bind_blob(3, *rec.presignature_id));
  } else {
    RETURN_IF_ERROR(st.bind_null(3));
  }
  RETURN_IF_ERROR(st.bind_blob(4, rec.digest));
  RETURN_IF_ERROR(st.bind_blob(5, rec.r));
  RETURN_IF_ERROR(st.bind_blob(6, rec.s));
  RETURN_IF_ERROR(st.bind_int64(7, rec.recovery_id));
  RETURN_IF_ERROR(st.bind_int64(8, rec.timestamp));
  Status s = st.run();
  if (!s.ok() && s.code() == Code::kInvalidArgument) {
    return invalid_argument("signature log: session " + short_hex(rec.session_id) +
                            " is already logged (" + s.message() + ")");
  }
  RETURN_IF_ERROR(s);
  return tx.commit();
}

Result<SignatureRecord> NodeStore::get_signature(const Digest32& session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement st, db_->prepare(std::string(kSignatureColumns) + "WHERE session_id = ?1"));
  RETURN_IF_ERROR(st.bind_blob(1, session_id));
  ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return Status(Code::kNotFound, "no signature logged for session " + short_hex(session_id));
  return read_signature_row(st);
}

Result<std::vector<SignatureRecord>> NodeStore::signatures_for_key(const Digest32& key_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement st,
                   db_->prepare(std::string(kSignatureColumns) + "WHERE key_id = ?1 ORDER BY created_at, rowid"));
  RETURN_IF_ERROR(st.bind_blob(1, key_id));
  std::vector<SignatureRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    ASSIGN_OR_RETURN(SignatureRecord r, read_signature_row(st));
    out.push_back(r);
  }
  return out;
}

Status NodeStore::log_abort(const AbortRecord& rec) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rec.reason.size() > kMaxReasonBytes) return invalid_argument("abort log: reason longer than 4096 bytes");
  if (rec.protocol.size() > kMaxProtocolBytes) return invalid_argument("abort log: protocol name too long");
  if (rec.evidence.size() > kMaxEvidenceBytes) return invalid_argument("abort log: evidence larger than 16 MiB");
  if (rec.culprits.size() > kMaxSigners) return invalid_argument("abort log: too many culprits");
  for (size_t i = 0; i < rec.culprits.size(); ++i) {
    if (rec.culprits[i] == 0) return invalid_argument("abort log: culprit index 0");
  }
  ASSIGN_OR_RETURN(Statement st, db_->prepare(
      "INSERT INTO aborts (session_id, protocol, culprits, reason, evidence, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
  RETURN_IF_ERROR(st.bind_blob(1, rec.session_id));
  RETURN_IF_ERROR(st.bind_text(2, rec.protocol));
  RETURN_IF_ERROR(st.bind_text(3, encode_parties(rec.culprits)));
  RETURN_IF_ERROR(st.bind_text(4, rec.reason));
  RETURN_IF_ERROR(st.bind_blob(5, rec.evidence));
  RETURN_IF_ERROR(st.bind_int64(6, rec.timestamp));
  return st.run();
}

Result<std::vector<AbortRecord>> NodeStore::aborts_for_session(const Digest32& session_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Statement st, db_->prepare(
      "SELECT seq, session_id, protocol, culprits, reason, evidence, created_at FROM aborts "
      "WHERE session_id = ?1 ORDER BY seq"));
  RETURN_IF_ERROR(st.bind_blob(1, session_id));
  std::vector<AbortRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    const std::string where = row_name("aborts", st.column_int64(0));
    AbortRecord r;
    RETURN_IF_ERROR(read_digest(st, 1, where, "session_id", r.session_id));
    if (st.column_type(2) != SQLITE_TEXT || st.column_type(3) != SQLITE_TEXT || st.column_type(4) != SQLITE_TEXT) {
      return malformed(where + ": protocol, culprits and reason must be text");
    }
    r.protocol = st.column_text(2);
    // Culprits are logged in the order the protocol named them, not sorted.
    auto culprits = parse_parties(st.column_text(3), true, false);
    if (!culprits.ok()) return culprits.status().with_context(where + ": culprits");
    r.culprits = std::move(culprits).value();
    r.reason = st.column_text(4);
    if (r.reason.size() > kMaxReasonBytes || r.protocol.size() > kMaxProtocolBytes) {
      return malformed(where + ": reason or protocol too long");
    }
    if (st.column_type(5) != SQLITE_BLOB && !st.column_is_null(5)) return malformed(where + ": evidence is not a blob");
    auto ev = st.column_blob(5);
    if (ev.size() > kMaxEvidenceBytes) return malformed(where + ": evidence larger than 16 MiB");
    r.evidence.assign(ev.begin(), ev.end());
    RETURN_IF_ERROR(check_int_column(st, 6, where, "created_at"));
    r.timestamp = st.column_int64(6);
    out.push_back(std::move(r));
  }
  return out;
}

// ---- operations ----

Status NodeStore::backup_to(const std::string& dest, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (dest.empty()) return invalid_argument("backup: empty destination path");
  // VACUUM INTO writes into a missing or empty file; creating it ourselves
  // (O_EXCL, 0600) refuses to overwrite an older backup and keeps it private.
  int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return failed_precondition("backup: cannot create " + dest + ": " + std::strerror(errno));
  ::close(fd);
  auto fail = [&](const Status& s) {
    ::unlink(dest.c_str());
    ::unlink((dest + "-wal").c_str());
    ::unlink((dest + "-shm").c_str());
    return s.with_context("backup to " + dest);
  };
  {
    auto st = db_->prepare("VACUUM INTO ?1");
    if (!st.ok()) return fail(st.status());
    Status b = st->bind_text(1, dest);
    if (b.ok()) b = st->run();
    if (!b.ok()) return fail(b);
  }
  // Retire the copy's pool before anyone can open it as a node database.
  SqliteOpenOptions so;
  so.create = false;
  auto copy = SqliteDb::open(dest, so);
  if (!copy.ok()) return fail(copy.status());
  auto st = (*copy)->prepare("UPDATE presignatures SET state = 2, sealed = NULL, used_at = ?1 WHERE state = 0");
  if (!st.ok()) return fail(st.status());
  Status s = st->bind_int64(1, now);
  if (s.ok()) s = st->run();
  if (s.ok()) s = (*copy)->integrity_check();
  if (!s.ok()) return fail(s);
  return ok_status();
}

Status NodeStore::integrity_check() {
  std::lock_guard<std::mutex> lock(mu_);
  return db_->integrity_check();
}

}  // namespace custos::node
