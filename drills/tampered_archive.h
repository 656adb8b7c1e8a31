// A backup with one value of its database changed by hand, re-packed with
// genuine checksums: what `backup create` would have written from a
// tampered data directory before it checked the rows.
#pragma once

#include <string>

#include "arkwiki/core/status.h"

namespace arkwiki::drill {

// Copies `archive` to `out`, running `sql` on its database first (in
// `scratch`, an empty directory) and updating the manifest's size, hash
// and byte count to match. Returns the first column of the first row of
// `query`, run on the tampered database ("" if none): the row it names.
Result<std::string> RepackWithTamperedDatabase(const std::string& archive, const std::string& sql,
                                               const std::string& query, const std::string& out,
                                               const std::string& scratch);

}  // namespace arkwiki::drill
