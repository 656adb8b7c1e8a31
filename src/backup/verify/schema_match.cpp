#include "verify/schema_match.h"

#include <mutex>

#include "arkwiki/storage/row_check.h"
#include "arkwiki/storage/schema.h"
#include "arkwiki/storage/schema_catalog.h"

namespace arkwiki {

Status CheckLiveDatabaseSchema(Db& db) {
  ARKWIKI_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
  if (version < 1 || version > kSchemaVersion) return Status::Ok();
  Status s;
  {
    const std::lock_guard<std::recursive_mutex> lock(db.lock());
    s = CheckSchemaIsExact(db.raw_handle(), version);
  }
  if (s.code() != StatusCode::kCorruption) return s;
  return Status::Corruption("the live database has been tampered with: " + s.message() +
                            "; restore a backup from before the change");
}

Status CheckLiveDatabaseRows(Db& db) {
  ARKWIKI_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
  Status s;
  {
    const std::lock_guard<std::recursive_mutex> lock(db.lock());
    s = CheckRowsAreValid(db.raw_handle(), version, RowSource::kLiveDatabase);
  }
  if (s.code() != StatusCode::kCorruption) return s;
  return Status::Corruption("the live database has been tampered with: " + s.message() +
                            "; correct the row or restore a backup from before the change");
}

}  // namespace arkwiki
