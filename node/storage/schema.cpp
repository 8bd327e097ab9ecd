#include "node/storage/schema.h"

#include <string>

namespace custos::node {
namespace {

struct Migration {
  int64_t version;
  const char* description;
  const char* sql;
};

// Append-only: a released migration is never edited, a change is a new entry.
// CHECK constraints restate the invariants the code relies on, so a row
// written by hand that breaks them is refused by SQLite itself; the reading
// code validates again because the file may have been altered outside SQLite.
constexpr Migration kMigrations[] = {
    {1, "initial schema: KEK record, key shares, aux info, presignature pool, signature and abort logs", R"sql(
CREATE TABLE meta (
  name  TEXT PRIMARY KEY,
  value BLOB NOT NULL
);
CREATE TABLE key_shares (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  key_id     BLOB NOT NULL CHECK (typeof(key_id) = 'blob' AND length(key_id) = 32),
  epoch      BLOB NOT NULL CHECK (typeof(epoch) = 'blob' AND length(epoch) = 32),
  sealed     BLOB NOT NULL CHECK (typeof(sealed) = 'blob'),
  created_at INTEGER NOT NULL,
  UNIQUE (key_id, epoch)
);
CREATE TABLE aux_infos (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  key_id     BLOB NOT NULL CHECK (typeof(key_id) = 'blob' AND length(key_id) = 32),
  epoch      BLOB NOT NULL CHECK (typeof(epoch) = 'blob' AND length(epoch) = 32),
  sealed     BLOB NOT NULL CHECK (typeof(sealed) = 'blob'),
  created_at INTEGER NOT NULL,
  UNIQUE (key_id, epoch)
);
-- state: 0 unused, 1 taken (marked used before its online round), 2 retired
-- (refresh or restore), 3 quarantined (undecodable). Rows are never deleted,
-- so an id once seen can never be added again.
CREATE TABLE presignatures (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  presig_id  BLOB NOT NULL UNIQUE CHECK (typeof(presig_id) = 'blob' AND length(presig_id) = 32),
  key_id     BLOB NOT NULL CHECK (typeof(key_id) = 'blob' AND length(key_id) = 32),
  key_epoch  BLOB NOT NULL CHECK (typeof(key_epoch) = 'blob' AND length(key_epoch) = 32),
  aux_epoch  BLOB NOT NULL CHECK (typeof(aux_epoch) = 'blob' AND length(aux_epoch) = 32),
  signers    TEXT NOT NULL,
  state      INTEGER NOT NULL DEFAULT 0 CHECK (state IN (0, 1, 2, 3)),
  sealed     BLOB CHECK (state <> 0 OR typeof(sealed) = 'blob'),
  created_at INTEGER NOT NULL,
  used_at    INTEGER
);
CREATE INDEX presignatures_pool ON presignatures (key_id, state, seq);
CREATE TABLE signatures (
  session_id  BLOB PRIMARY KEY CHECK (typeof(session_id) = 'blob' AND length(session_id) = 32),
  key_id      BLOB NOT NULL CHECK (typeof(key_id) = 'blob' AND length(key_id) = 32),
  presig_id   BLOB CHECK (presig_id IS NULL OR (typeof(presig_id) = 'blob' AND length(presig_id) = 32)),
  digest      BLOB NOT NULL CHECK (typeof(digest) = 'blob' AND length(digest) = 32),
  r           BLOB NOT NULL CHECK (typeof(r) = 'blob' AND length(r) = 32),
  s           BLOB NOT NULL CHECK (typeof(s) = 'blob' AND length(s) = 32),
  recovery_id INTEGER NOT NULL CHECK (recovery_id BETWEEN 0 AND 3),
  created_at  INTEGER NOT NULL
);
CREATE INDEX signatures_key ON signatures (key_id, created_at);
CREATE TABLE aborts (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id BLOB NOT NULL CHECK (typeof(session_id) = 'blob' AND length(session_id) = 32),
  protocol   TEXT NOT NULL,
  culprits   TEXT NOT NULL,
  reason     TEXT NOT NULL,
  evidence   BLOB NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX aborts_session ON aborts (session_id);
)sql"},
    {2, "passkey gate: used intent nonces and approver signature counters", R"sql(
-- One row per approved intent: its nonce can never approve again (replay). Rows
-- past expires_at may be pruned: an expired intent is refused by its expiry.
CREATE TABLE intent_nonces (
  nonce      BLOB PRIMARY KEY CHECK (typeof(nonce) = 'blob' AND length(nonce) BETWEEN 16 AND 64),
  challenge  BLOB NOT NULL CHECK (typeof(challenge) = 'blob' AND length(challenge) = 32),
  expires_at INTEGER NOT NULL,
  used_at    INTEGER NOT NULL
);
CREATE INDEX intent_nonces_expiry ON intent_nonces (expires_at);
-- The last signCount accepted per approver credential (WebAuthn §7.2 step 22):
-- a later assertion must carry a greater one.
CREATE TABLE approver_counters (
  approver      TEXT NOT NULL CHECK (length(approver) BETWEEN 1 AND 128),
  credential_id BLOB NOT NULL CHECK (typeof(credential_id) = 'blob' AND length(credential_id) BETWEEN 1 AND 1023),
  sign_count    INTEGER NOT NULL CHECK (sign_count BETWEEN 0 AND 4294967295),
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (approver, credential_id)
);
)sql"},
};

Result<int64_t> pragma_int(SqliteDb& db, const char* pragma) {
  ASSIGN_OR_RETURN(Statement st, db.prepare(std::string("PRAGMA ") + pragma));
  ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return internal_error(std::string("sqlite: PRAGMA ") + pragma + " returned nothing");
  return st.column_int64(0);
}

Result<bool> has_table(SqliteDb& db, const char* name) {
  ASSIGN_OR_RETURN(Statement st, db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1"));
  RETURN_IF_ERROR(st.bind_text(1, name));
  return st.step();
}

}  // namespace

Result<int64_t> node_db_schema_version(SqliteDb& db) {
  ASSIGN_OR_RETURN(bool exists, has_table(db, "schema_migrations"));
  if (!exists) return int64_t{0};
  ASSIGN_OR_RETURN(Statement st, db.prepare("SELECT MAX(version) FROM schema_migrations"));
  ASSIGN_OR_RETURN(bool row, st.step());
  if (!row || st.column_is_null(0)) return int64_t{0};
  if (st.column_type(0) != SQLITE_INTEGER) return malformed(db.path() + ": schema_migrations holds a non-integer version");
  return st.column_int64(0);
}

Status migrate_node_db(SqliteDb& db) {
  // Under the write lock, so two processes opening a new file at once do not
  // both create the schema: the second waits, then sees it done.
  ASSIGN_OR_RETURN(Transaction tx, db.begin_immediate());
  ASSIGN_OR_RETURN(int64_t app_id, pragma_int(db, "application_id"));
  bool empty = false;
  {
    ASSIGN_OR_RETURN(Statement count, db.prepare("SELECT COUNT(*) FROM sqlite_schema"));
    ASSIGN_OR_RETURN(bool row, count.step());
    empty = row && count.column_int64(0) == 0;
  }
  if (app_id != kNodeDbApplicationId && !(app_id == 0 && empty)) {
    return malformed(db.path() + " is not a Custos node database (SQLite application_id " + std::to_string(app_id) +
                     ")");
  }
  if (!empty) {
    ASSIGN_OR_RETURN(bool has_migrations, has_table(db, "schema_migrations"));
    if (!has_migrations) return malformed(db.path() + ": Custos node database without a schema_migrations table");
  }
  ASSIGN_OR_RETURN(int64_t version, node_db_schema_version(db));
  if (version > kNodeDbSchemaVersion) {
    return failed_precondition("database " + db.path() + " has schema version " + std::to_string(version) +
                               ", newer than this build supports (" + std::to_string(kNodeDbSchemaVersion) +
                               "): run a custos-node at least as new as the one that wrote it");
  }
  if (version == kNodeDbSchemaVersion) return ok_status();  // nothing to write; the rollback is harmless
  if (empty) {
    RETURN_IF_ERROR(db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL);"
                            "PRAGMA application_id = " + std::to_string(kNodeDbApplicationId) + ";"));
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= version) continue;
    Status s = db.exec(m.sql);
    if (!s.ok()) return s.with_context("migration to schema version " + std::to_string(m.version));
    ASSIGN_OR_RETURN(Statement ins, db.prepare("INSERT INTO schema_migrations (version, description) VALUES (?1, ?2)"));
    RETURN_IF_ERROR(ins.bind_int64(1, m.version));
    RETURN_IF_ERROR(ins.bind_text(2, m.description));
    RETURN_IF_ERROR(ins.run());
  }
  return tx.commit();
}

}  // namespace custos::node
