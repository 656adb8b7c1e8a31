// Uploaded files: rows in the database, contents on disk by SHA-256.
//
// Contents live at live/uploads/<first two hex digits>/<sha256> and are never
// modified once written: a new upload under an existing name points the row
// at a new file. That is what lets a backup read upload files after its
// database snapshot without locking writers: every file the snapshot
// references stays put until CollectGarbage runs, and garbage collection
// skips its turn while any backup holds the UploadsGcLock (data_dir.h).
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/data_dir.h"
#include "arkwiki/storage/db.h"
#include "arkwiki/storage/read_pool.h"

namespace arkwiki {

struct Upload {
  int64_t id = 0;
  int64_t page_id = 0;
  std::string page_slug;
  std::string name;
  std::string sha256;
  int64_t size = 0;
  std::string content_type;
  std::string uploader;
  int64_t created_at = 0;
};

// An upload being received: bytes stream into a temp file, hashed as they
// pass, and the size cap is enforced as they arrive. Destroying it without
// Commit removes the temp file.
class PendingUpload {
 public:
  ~PendingUpload();
  Status Append(std::string_view data);
  uint64_t size() const { return size_; }

 private:
  friend class UploadStore;
  PendingUpload(Env* env, std::string path, std::unique_ptr<WritableFile> file, uint64_t max);
  Env* env_;
  std::string path_;
  std::unique_ptr<WritableFile> file_;
  Sha256 hash_;
  uint64_t size_ = 0;
  uint64_t max_bytes_;
  bool done_ = false;
};

class UploadStore {
 public:
  // Get and List read on `views` when given, else on `db`.
  UploadStore(Env* env, Db* db, DataDirLayout layout, ReadPool* views = nullptr)
      : env_(env), db_(db), layout_(std::move(layout)), views_(views) {}

  Result<std::unique_ptr<PendingUpload>> Begin(uint64_t max_bytes);
  // Makes the contents durable and records (or replaces) page_id/name.
  Result<Upload> Commit(std::unique_ptr<PendingUpload> pending, int64_t page_id,
                        const std::string& name, const std::string& content_type,
                        const std::string& uploader);
  Result<Upload> Get(int64_t page_id, const std::string& name);
  Result<std::vector<Upload>> List(int64_t page_id);  // page_id 0: all uploads
  Status Delete(int64_t page_id, const std::string& name);
  // Removes upload files no row references; returns how many. Does nothing
  // (returns 0) while a backup holds the UploadsGcLock.
  Result<int64_t> CollectGarbage();

  std::string BlobPath(const std::string& sha256) const { return layout_.UploadPath(sha256); }
  Result<int64_t> TotalBytes();
  Result<int64_t> Count();

 private:
  Env* env_;
  Db* db_;
  DataDirLayout layout_;
  ReadPool* views_;
  std::shared_mutex gc_mutex_;
};

// Upload names: 1..200 bytes of valid UTF-8 with no '/', '\', control
// characters or leading '.'; SanitizeUploadName makes one from a client's
// file name (keeping the extension), or returns "" if nothing is left.
std::string SanitizeUploadName(std::string_view client_name);
bool IsValidUploadName(std::string_view name);

// An upload's content type (as the client sent it) and uploader: each at
// most kMaxUploadMetaBytes of UTF-8 without NUL bytes. UploadStore::Commit
// and the import's row check (row_check.h) both apply it.
inline constexpr size_t kMaxUploadMetaBytes = 255;
Status ValidateUploadMeta(std::string_view content_type, std::string_view uploader);
// A Content-Type from the extension; application/octet-stream by default.
std::string ContentTypeForName(std::string_view name);

}  // namespace arkwiki
