// A thin RAII layer over one SQLite connection (DESIGN §7): the connection is
// opened in WAL mode with synchronous=FULL (a committed transaction survives a
// SIGKILL and a power cut), foreign keys on and a busy timeout, so several
// connections — threads or processes — can share one database file. Every
// SQLite error becomes a Status naming the statement and SQLite's message;
// nothing here throws. Prepared statements are kept for reuse by their SQL
// text: parsing is most of the cost of the short statements a signing runs.
//
// Not thread-safe: one SqliteDb (and its statements) per thread at a time.
// Callers that share a connection between threads lock around it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crypto/status.h"

namespace custos::node {

class SqliteDb;

// A prepared statement. Move-only; finalized on destruction. Parameters are
// 1-based (as in SQLite), columns 0-based.
class Statement {
 public:
  Statement() = default;
  Statement(Statement&& o) noexcept;
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Status bind_blob(int index, std::span<const uint8_t> value);
  Status bind_text(int index, std::string_view value);
  Status bind_int64(int index, int64_t value);
  Status bind_null(int index);

  // Runs one step: true when a row is available, false when the statement is done.
  Result<bool> step();
  // Steps a statement that must not return rows (INSERT/UPDATE/DDL).
  Status run();
  // Clears bindings and rewinds, so the statement can be run again.
  void reset();

  int column_type(int column) const;  // SQLITE_INTEGER, SQLITE_BLOB, SQLITE_NULL, ...
  bool column_is_null(int column) const { return column_type(column) == SQLITE_NULL; }
  int64_t column_int64(int column) const;
  // The view is valid until the next step/reset/destruction of the statement.
  std::span<const uint8_t> column_blob(int column) const;
  std::string column_text(int column) const;

  // The SQL text, shortened, for error messages.
  std::string describe() const;

 private:
  friend class SqliteDb;
  Statement(SqliteDb* owner, sqlite3* db, sqlite3_stmt* stmt) : owner_(owner), db_(db), stmt_(stmt) {}
  Status check_bind(int rc, int index);
  void release();  // back to the owner's cache (reset, bindings cleared), or finalized
  SqliteDb* owner_ = nullptr;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// How a commit reaches the disk. kFull: fsynced before COMMIT returns (survives a power cut).
// kProcessCrash: in WAL mode, the commit survives a crash or SIGKILL of the process at once, and a power
// cut only after the next fsynced commit or checkpoint (no fsync of its own).
enum class Durability { kFull, kProcessCrash };

// A write transaction started with BEGIN IMMEDIATE (the write lock is taken at
// the start, so two writers never deadlock upgrading a read lock; a waiting
// writer honours the busy timeout). Destroying it without commit() rolls back.
class Transaction {
 public:
  Transaction(Transaction&& o) noexcept : db_(o.db_), relaxed_(o.relaxed_) { o.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // COMMIT. When it returns ok the transaction is durable as its Durability says.
  Status commit();

 private:
  friend class SqliteDb;
  Transaction(SqliteDb* db, bool relaxed) : db_(db), relaxed_(relaxed) {}
  SqliteDb* db_;
  bool relaxed_ = false;  // started at kProcessCrash: FULL is restored when it ends
};

struct SqliteOpenOptions {
  bool create = true;          // create the file when missing
  int busy_timeout_ms = 5000;  // how long a writer waits for another connection's lock
};

class SqliteDb {
 public:
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;
  ~SqliteDb();

  // Opens `path` and applies the connection settings above. Fails (without
  // creating anything) when create is false and the file does not exist.
  static Result<std::unique_ptr<SqliteDb>> open(const std::string& path, const SqliteOpenOptions& opt = {});

  // Runs one or more statements without parameters.
  Status exec(std::string_view sql);
  // A statement from the cache, or newly prepared. It must be destroyed before the SqliteDb.
  Result<Statement> prepare(std::string_view sql);
  Result<Transaction> begin_immediate(Durability durability = Durability::kFull);

  // synchronous=FULL (the default of this connection: a commit is fsynced) or NORMAL (in WAL mode a commit
  // survives a crash of the process but not a power cut until the next fsynced commit or checkpoint).
  Status set_synchronous_full(bool full);

  // PRAGMA integrity_check: ok, or an error listing what SQLite found.
  Status integrity_check();

  int64_t changes() const;  // rows changed by the last INSERT/UPDATE/DELETE
  const std::string& path() const { return path_; }

 private:
  friend class Statement;
  friend class Transaction;
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  // One statement without parameters or rows, through the cache (BEGIN, COMMIT, ROLLBACK).
  Status run_cached(std::string_view sql);
  void recycle(sqlite3_stmt* stmt);
  sqlite3* db_;
  std::string path_;
  // Idle prepared statements by SQL text; bounded (the SQL texts of the code are a small fixed set).
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;
  size_t idle_count_ = 0;
  bool synchronous_full_ = true;  // set by open()
};

// "sqlite: <what>: <message> (<code name>)" for a failed SQLite call on `db`
// (null when open failed). Corruption maps to kMalformed, lock contention to
// kFailedPrecondition, constraint violations to kInvalidArgument.
Status sqlite_error(sqlite3* db, std::string_view what, int rc);

}  // namespace custos::node
