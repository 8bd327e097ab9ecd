// The node database's schema and its migrations. The file is marked with a
// SQLite application_id so that another program's database is refused, and
// carries a schema_migrations table (one row per applied migration). A
// database whose schema is newer than this build is refused with a clear
// error rather than misread; an older one is migrated forward in one
// transaction.
#pragma once

#include "crypto/status.h"
#include "node/storage/sqlite_db.h"

namespace custos::node {

// "CSTS" as a big-endian 32-bit integer, in the SQLite header.
inline constexpr int32_t kNodeDbApplicationId = 0x43535453;
// The schema version this build writes and reads.
inline constexpr int64_t kNodeDbSchemaVersion = 2;

// Brings `db` to kNodeDbSchemaVersion (creating the schema in an empty file).
// Fails with kFailedPrecondition naming the file if it is newer, and with
// kMalformed if it is not a Custos node database.
Status migrate_node_db(SqliteDb& db);

// The highest applied migration (0 for an empty file).
Result<int64_t> node_db_schema_version(SqliteDb& db);

}  // namespace custos::node
