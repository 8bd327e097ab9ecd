// SqliteDb's statement cache and its relaxed-durability switch, on real database files.
#include <catch2/catch.hpp>

#include "node/storage/sqlite_db.h"
#include "tests/node/store_fixture.h"

namespace custos::testing {
namespace {

using node::SqliteDb;
using node::Statement;

int64_t synchronous_level(SqliteDb& db) {
  auto st = db.prepare("PRAGMA synchronous");
  REQUIRE(st.ok());
  auto row = st->step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return st->column_int64(0);
}

}  // namespace

TEST_CASE("sqlite: a reused statement starts rewound with no bindings left over", "[storage][sqlite]") {
  TempDir dir;
  auto db = SqliteDb::open(dir.file("t.db"));
  REQUIRE(db.ok());
  REQUIRE((*db)->exec("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)").ok());
  const std::string insert = "INSERT INTO t (k, v) VALUES (?1, ?2)";
  for (int k = 1; k <= 3; ++k) {
    auto st = (*db)->prepare(insert);
    REQUIRE(st.ok());
    REQUIRE(st->bind_int64(1, k).ok());
    REQUIRE(st->bind_text(2, "v" + std::to_string(k)).ok());
    REQUIRE(st->run().ok());
  }
  {
    // A statement left mid-iteration goes back to the cache; the next user starts from the first row.
    auto st = (*db)->prepare("SELECT k FROM t ORDER BY k");
    REQUIRE(st.ok());
    REQUIRE(*st->step());
    REQUIRE(st->column_int64(0) == 1);
    REQUIRE(*st->step());
  }
  {
    auto st = (*db)->prepare("SELECT k FROM t ORDER BY k");
    REQUIRE(st.ok());
    REQUIRE(*st->step());
    CHECK(st->column_int64(0) == 1);
  }
  {
    // Bindings do not survive the return to the cache: an unbound parameter is NULL, violating NOT NULL.
    auto st = (*db)->prepare(insert);
    REQUIRE(st.ok());
    REQUIRE(st->bind_int64(1, 4).ok());
    REQUIRE(st->run().ok());
    auto v = (*db)->prepare("SELECT v IS NULL FROM t WHERE k = 4");
    REQUIRE(v.ok());
    REQUIRE(*v->step());
    CHECK(v->column_int64(0) == 1);
  }
  {
    // Two live statements with the same text are two different statements.
    auto a = (*db)->prepare("SELECT k FROM t ORDER BY k");
    auto b = (*db)->prepare("SELECT k FROM t ORDER BY k");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(*a->step());
    REQUIRE(*a->step());
    REQUIRE(*b->step());
    CHECK(a->column_int64(0) == 2);
    CHECK(b->column_int64(0) == 1);
  }
  // A failing statement reports its error, and its cached copy works afterwards.
  {
    auto st = (*db)->prepare(insert);
    REQUIRE(st.ok());
    REQUIRE(st->bind_int64(1, 1).ok());  // duplicate primary key
    Status s = st->run();
    CHECK(!s.ok());
    CHECK(s.code() == Code::kInvalidArgument);
  }
  {
    auto st = (*db)->prepare(insert);
    REQUIRE(st.ok());
    REQUIRE(st->bind_int64(1, 5).ok());
    CHECK(st->run().ok());
  }
  // Text with no statement is an error, not an empty statement.
  CHECK(!(*db)->prepare("   ").ok());
}

TEST_CASE("sqlite: transactions through cached BEGIN/COMMIT/ROLLBACK keep their meaning", "[storage][sqlite]") {
  TempDir dir;
  auto db = SqliteDb::open(dir.file("t.db"));
  REQUIRE(db.ok());
  REQUIRE((*db)->exec("CREATE TABLE t (k INTEGER PRIMARY KEY)").ok());
  auto count = [&] {
    auto st = (*db)->prepare("SELECT COUNT(*) FROM t");
    REQUIRE(st.ok());
    REQUIRE(*st->step());
    return st->column_int64(0);
  };
  for (int round = 0; round < 3; ++round) {
    {
      auto tx = (*db)->begin_immediate();
      REQUIRE(tx.ok());
      REQUIRE((*db)->exec("INSERT INTO t DEFAULT VALUES").ok());
      // destroyed without commit: rolled back
    }
    CHECK(count() == round);
    auto tx = (*db)->begin_immediate();
    REQUIRE(tx.ok());
    REQUIRE((*db)->exec("INSERT INTO t DEFAULT VALUES").ok());
    REQUIRE(tx->commit().ok());
    CHECK(count() == round + 1);
  }
  // Committed rows are in the file for another connection.
  auto other = SqliteDb::open(dir.file("t.db"));
  REQUIRE(other.ok());
  auto st = (*other)->prepare("SELECT COUNT(*) FROM t");
  REQUIRE(st.ok());
  REQUIRE(*st->step());
  CHECK(st->column_int64(0) == 3);
}

TEST_CASE("sqlite: relaxed durability is switched back to FULL, and every transaction commits at FULL",
          "[storage][sqlite]") {
  TempDir dir;
  auto db = SqliteDb::open(dir.file("t.db"));
  REQUIRE(db.ok());
  constexpr int64_t kNormal = 1, kFull = 2;
  CHECK(synchronous_level(**db) == kFull);
  REQUIRE((*db)->set_synchronous_full(false).ok());
  CHECK(synchronous_level(**db) == kNormal);
  // A write transaction started while relaxed runs at FULL again.
  {
    auto tx = (*db)->begin_immediate();
    REQUIRE(tx.ok());
    CHECK(synchronous_level(**db) == kFull);
    REQUIRE(tx->commit().ok());
  }
  REQUIRE((*db)->set_synchronous_full(false).ok());
  REQUIRE((*db)->set_synchronous_full(true).ok());
  CHECK(synchronous_level(**db) == kFull);
}

}  // namespace custos::testing
