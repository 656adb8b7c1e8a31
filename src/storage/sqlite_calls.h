// Calls on SQLite's own handle where Poco's Statement does not serve:
// mapping SQLite's result codes to Status, and running one prepared
// statement over many rows. Private to the storage layer.
#pragma once

#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

// The Status for an SQLite result code that is not OK, ROW or DONE.
Status StatusFromSqliteCode(int rc, const std::string& message);

// Runs `sql` once for each entry of `rows` (its parameters, in order),
// prepared once and reset between rows, holding `db`'s lock throughout.
// Poco prepares and wraps every statement anew: 50,000 single-row inserts
// through Db::Exec took over a second. Stops at the first failure; inside a
// Transaction the rows commit or roll back together.
Status ExecEach(Db& db, const std::string& sql, const std::vector<std::vector<SqlParam>>& rows);

}  // namespace arkwiki
