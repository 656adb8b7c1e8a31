// The exact schema arkwiki's migrations produce, and the check of a
// database's schema against it.
//
// A database that comes from elsewhere (an imported backup), or that goes
// into a backup, must hold exactly the objects the migrations create for
// its schema version: the same type, name, table and SQL text (whitespace
// aside), and nothing more. SQLite's automatic indexes and the full-text
// index's shadow tables are matched by their exact names and SQL like any
// other object. A trigger or view runs code on every write or read, and a
// changed default or constraint changes what arkwiki stores, so any
// difference, whatever the name of the object, refuses the database.
//
// The expected schema has one source of truth: it is derived by running
// the migrations (schema.h) on a fresh in-memory database.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/status.h"

struct sqlite3;

namespace arkwiki {

// One row of sqlite_schema. `sql` is normalised (NormalizeSchemaSql), and
// "" where SQLite stores NULL (its automatic indexes).
struct SchemaObject {
  std::string type;  // table, index, view or trigger
  std::string name;
  std::string tbl_name;
  std::string sql;
  bool operator==(const SchemaObject&) const = default;
};

// `sql` with whitespace normalised and nothing else changed: outside quoted
// text and comments, each run of whitespace becomes one space, and none is
// kept at either end or beside "(", ")" or ",". Quoted strings and
// identifiers and comments are kept byte for byte (a line comment keeps the
// line break that ends it), so no change of meaning can pass as whitespace.
std::string NormalizeSchemaSql(std::string_view sql);

// Every object of `db`'s main schema, sorted by type, then name.
// Corruption when the schema cannot be read.
Result<std::vector<SchemaObject>> ReadSchemaObjects(sqlite3* db);

// The schema that migrations 1..`version` produce, derived once per version
// (then cached; thread-safe). InvalidArgument outside 1..kSchemaVersion.
Result<std::shared_ptr<const std::vector<SchemaObject>>> ExpectedSchemaObjects(int version);

// Ok when `actual` is exactly `expected`. Otherwise Corruption naming the
// first difference, an object arkwiki does not create before a changed one
// before a missing one:
//   "the database schema has an object arkwiki does not create: trigger x"
//   "the database schema defines table users differently from arkwiki
//    schema version 3"
//   "the database schema lacks table users, which arkwiki schema version 3
//    has"
Status CompareSchema(const std::vector<SchemaObject>& actual,
                     const std::vector<SchemaObject>& expected, int version);

// ReadSchemaObjects(db) compared with ExpectedSchemaObjects(version).
Status CheckSchemaIsExact(sqlite3* db, int version);

}  // namespace arkwiki
