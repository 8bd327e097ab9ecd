#include "node/storage/sqlite_db.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace custos::node {
namespace {

// Statements are named in errors by their SQL; long ones are cut so a message
// stays one readable line.
std::string shorten(std::string_view sql) {
  std::string s;
  for (char c : sql) {
    if (c == '\n' || c == '\t') c = ' ';
    if (c == ' ' && !s.empty() && s.back() == ' ') continue;
    s += c;
  }
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  if (s.size() > 96) s = s.substr(0, 93) + "...";
  return s;
}

// Corruption and "not a database" are about the bytes on disk, lock contention
// is about state; everything else is an internal failure.
Code code_for(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Code::kMalformed;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_READONLY:
      return Code::kFailedPrecondition;
    case SQLITE_CONSTRAINT:
      return Code::kInvalidArgument;
    default:
      return Code::kInternal;
  }
}

}  // namespace

Status sqlite_error(sqlite3* db, std::string_view what, int rc) {
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return Status(code_for(rc), "sqlite: " + std::string(what) + ": " + msg + " (" + sqlite3_errstr(rc) + ")");
}

// ---- Statement ----

Statement::Statement(Statement&& o) noexcept : owner_(o.owner_), db_(o.db_), stmt_(o.stmt_) {
  o.owner_ = nullptr;
  o.db_ = nullptr;
  o.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    release();
    owner_ = o.owner_;
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.owner_ = nullptr;
    o.db_ = nullptr;
    o.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { release(); }

void Statement::release() {
  if (!stmt_) return;
  if (owner_) {
    owner_->recycle(stmt_);
  } else {
    sqlite3_finalize(stmt_);
  }
  stmt_ = nullptr;
}

std::string Statement::describe() const { return stmt_ ? shorten(sqlite3_sql(stmt_)) : "<no statement>"; }

Status Statement::check_bind(int rc, int index) {
  if (rc == SQLITE_OK) return ok_status();
  return sqlite_error(db_, "binding parameter " + std::to_string(index) + " of \"" + describe() + "\"", rc);
}

Status Statement::bind_blob(int index, std::span<const uint8_t> value) {
  if (value.size() > static_cast<size_t>(INT32_MAX)) return invalid_argument("sqlite: blob too large to bind");
  // A zero-length blob must still bind as a BLOB, not NULL: pass a valid pointer.
  static const uint8_t kEmpty = 0;
  const void* p = value.empty() ? &kEmpty : value.data();
  return check_bind(sqlite3_bind_blob(stmt_, index, p, static_cast<int>(value.size()), SQLITE_TRANSIENT), index);
}

Status Statement::bind_text(int index, std::string_view value) {
  if (value.size() > static_cast<size_t>(INT32_MAX)) return invalid_argument("sqlite: text too large to bind");
  return check_bind(sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT),
                    index);
}

Status Statement::bind_int64(int index, int64_t value) {
  return check_bind(sqlite3_bind_int64(stmt_, index, value), index);
}

Status Statement::bind_null(int index) { return check_bind(sqlite3_bind_null(stmt_, index), index); }

Result<bool> Statement::step() {
  if (!stmt_) return internal_error("sqlite: step on an empty statement");
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, "\"" + describe() + "\"", rc);
}

Status Statement::run() {
  ASSIGN_OR_RETURN(bool row, step());
  if (row) return internal_error("sqlite: \"" + describe() + "\" returned a row where none was expected");
  return ok_status();
}

void Statement::reset() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_type(int column) const { return sqlite3_column_type(stmt_, column); }

int64_t Statement::column_int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::span<const uint8_t> Statement::column_blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);  // after column_blob, as SQLite documents
  if (!p || n <= 0) return {};
  return {static_cast<const uint8_t*>(p), static_cast<size_t>(n)};
}

std::string Statement::column_text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  if (!p || n <= 0) return {};
  return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
}

// ---- Transaction ----

Transaction::~Transaction() {
  if (!db_) return;
  // Rolling back can only fail if there is no transaction, which is the state we want.
  (void)db_->run_cached("ROLLBACK");
  if (relaxed_) (void)db_->set_synchronous_full(true);  // if this fails, the next begin_immediate retries
}

Status Transaction::commit() {
  if (!db_) return failed_precondition("sqlite: transaction already finished");
  Status s = db_->run_cached("COMMIT");
  if (!s.ok()) return s;  // the destructor rolls back whatever is left
  SqliteDb* db = db_;
  db_ = nullptr;
  if (relaxed_) return db->set_synchronous_full(true);
  return ok_status();
}

// ---- SqliteDb ----

namespace {
constexpr size_t kMaxIdleStatements = 256;
}

SqliteDb::~SqliteDb() {
  for (auto& [sql, stmts] : idle_) {
    for (sqlite3_stmt* st : stmts) sqlite3_finalize(st);
  }
  if (db_) sqlite3_close_v2(db_);
}

void SqliteDb::recycle(sqlite3_stmt* stmt) {
  // Reset releases any read lock the statement holds; a failed earlier step is already reported.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (idle_count_ >= kMaxIdleStatements) {
    sqlite3_finalize(stmt);
    return;
  }
  idle_[sqlite3_sql(stmt)].push_back(stmt);
  ++idle_count_;
}

Status SqliteDb::run_cached(std::string_view sql) {
  ASSIGN_OR_RETURN(Statement st, prepare(sql));
  return st.run();
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::open(const std::string& path, const SqliteOpenOptions& opt) {
  if (path.empty()) return invalid_argument("sqlite: empty database path");
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (opt.create) {
    // A new database holds (encrypted) secrets and the presignature state:
    // nobody but the node's user needs to read it. Creating the empty file
    // ourselves with mode 0600 (an empty file is a valid empty database) avoids
    // a window with the umask's mode; SQLite gives the -wal and -shm files the
    // main file's mode.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
    } else if (errno != EEXIST) {
      return internal_error("sqlite: cannot create " + path + ": " + std::strerror(errno));
    }
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));  // closes `raw` even on failure
  if (rc != SQLITE_OK) return sqlite_error(raw, "opening " + path, rc);
  sqlite3_extended_result_codes(raw, 1);
  // The busy timeout first: switching to WAL needs a lock another connection may hold.
  RETURN_IF_ERROR(db->exec("PRAGMA busy_timeout=" + std::to_string(opt.busy_timeout_ms)));
  // WAL: readers never block the writer. synchronous=FULL: the WAL is fsynced at
  // every commit, so "committed" means "on disk". secure_delete: pages freed or
  // rewritten (e.g. a used presignature's ciphertext) are zeroed, not left behind.
  {
    ASSIGN_OR_RETURN(Statement st, db->prepare("PRAGMA journal_mode=WAL"));
    ASSIGN_OR_RETURN(bool row, st.step());
    // SQLite answers with the mode in force; anything but "wal" (e.g. a
    // read-only directory) would silently lose the crash guarantees above.
    if (!row || st.column_text(0) != "wal") {
      return failed_precondition("sqlite: " + path + " cannot be switched to WAL journal mode");
    }
  }
  RETURN_IF_ERROR(db->exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;"));
  return db;
}

Status SqliteDb::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return ok_status();
  std::string msg = err ? err : sqlite3_errmsg(db_);
  sqlite3_free(err);
  return Status(code_for(rc), "sqlite: \"" + shorten(sql) + "\": " + msg + " (" + sqlite3_errstr(rc) + ")");
}

Result<Statement> SqliteDb::prepare(std::string_view sql) {
  if (sql.size() > static_cast<size_t>(INT32_MAX)) return invalid_argument("sqlite: statement too long");
  if (auto it = idle_.find(std::string(sql)); it != idle_.end() && !it->second.empty()) {
    sqlite3_stmt* stmt = it->second.back();
    it->second.pop_back();
    --idle_count_;
    return Statement(this, db_, stmt);
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) {
    if (stmt) sqlite3_finalize(stmt);
    return sqlite_error(db_, "preparing \"" + shorten(sql) + "\"", rc);
  }
  if (!stmt) return invalid_argument("sqlite: \"" + shorten(sql) + "\" is empty");
  // Only a statement that is all of `sql` is cached under that text (sqlite3_sql gives it back).
  const bool whole = tail == sql.data() + sql.size();
  return Statement(whole ? this : nullptr, db_, stmt);
}

Status SqliteDb::set_synchronous_full(bool full) {
  synchronous_full_ = false;  // until FULL is known to be in force
  RETURN_IF_ERROR(run_cached(full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  synchronous_full_ = full;
  return ok_status();
}

Result<Transaction> SqliteDb::begin_immediate(Durability durability) {
  const bool full = durability == Durability::kFull;
  // A kFull transaction is fsynced at commit even if restoring FULL after a relaxed write failed.
  if (synchronous_full_ != full) RETURN_IF_ERROR(set_synchronous_full(full));
  Status begun = run_cached("BEGIN IMMEDIATE");
  if (!begun.ok()) {
    if (!full) (void)set_synchronous_full(true);
    return begun;
  }
  return Transaction(this, !full);
}

Status SqliteDb::integrity_check() {
  ASSIGN_OR_RETURN(Statement st, prepare("PRAGMA integrity_check"));
  std::string problems;
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) break;
    std::string line = st.column_text(0);
    if (line == "ok") continue;
    if (!problems.empty()) problems += "; ";
    problems += line;
  }
  if (problems.empty()) return ok_status();
  return malformed("sqlite: integrity check of " + path_ + " failed: " + problems);
}

int64_t SqliteDb::changes() const { return sqlite3_changes64(db_); }

}  // namespace custos::node
