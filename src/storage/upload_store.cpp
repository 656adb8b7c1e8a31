#include "arkwiki/storage/upload_store.h"

#include <algorithm>
#include <atomic>

#include <sqlite3.h>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/slug.h"

namespace arkwiki {
namespace {

Upload UploadFromRow(const SqlRow& r) {
  return {r.Int(0), r.Int(1),  r.Text(2), r.Text(3), r.Text(4),
          r.Int(5), r.Text(6), r.Text(7), r.Int(8)};
}

const char kUploadSelect[] =
    "SELECT u.id, u.page_id, p.slug, u.name, u.sha256, u.size, u.content_type, u.uploader, "
    "u.created_at FROM uploads u JOIN pages p ON p.id = u.page_id ";

}  // namespace

PendingUpload::PendingUpload(Env* env, std::string path, std::unique_ptr<WritableFile> file,
                             uint64_t max)
    : env_(env), path_(std::move(path)), file_(std::move(file)), max_bytes_(max) {}

PendingUpload::~PendingUpload() {
  if (!done_) {
    if (file_) (void)file_->Close();
    (void)env_->RemoveFile(path_);  // best effort: tmp/ is also emptied at start
  }
}

Status PendingUpload::Append(std::string_view data) {
  if (size_ + data.size() > max_bytes_) {
    return Status::TooLarge("the file is larger than the upload limit of " +
                            std::to_string(max_bytes_) + " bytes");
  }
  ARKWIKI_RETURN_IF_ERROR(file_->Append(data));
  hash_.Update(data);
  size_ += data.size();
  return Status::Ok();
}

Result<std::unique_ptr<PendingUpload>> UploadStore::Begin(uint64_t max_bytes) {
  static std::atomic<uint64_t> counter{0};
  std::string path =
      JoinPath(layout_.tmp, "upload-" + RandomHex(8) + "-" + std::to_string(counter.fetch_add(1)));
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env_->NewWritableFile(path, CreateMode::kExclusive));
  return std::unique_ptr<PendingUpload>(new PendingUpload(env_, path, std::move(file), max_bytes));
}

Result<Upload> UploadStore::Commit(std::unique_ptr<PendingUpload> pending, int64_t page_id,
                                   const std::string& name, const std::string& content_type,
                                   const std::string& uploader) {
  if (!IsValidUploadName(name)) return Status::InvalidArgument("invalid file name");
  ARKWIKI_RETURN_IF_ERROR(ValidateUploadMeta(content_type, uploader));
  ARKWIKI_RETURN_IF_ERROR(pending->file_->Sync());
  ARKWIKI_RETURN_IF_ERROR(pending->file_->Close());
  pending->file_.reset();
  const std::string sha = pending->hash_.FinishHex();
  const std::string blob = BlobPath(sha);
  {
    // A shared hold on the GC lock stops a concurrent collection from
    // deleting an identical blob between our existence check and the row
    // insert, while other commits and pinned backups go on.
    std::shared_lock<std::shared_mutex> gc(gc_mutex_);
    ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(DirName(blob)));
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(blob));
    if (!exists) {
      ARKWIKI_RETURN_IF_ERROR(env_->Rename(pending->path_, blob));
      ARKWIKI_RETURN_IF_ERROR(env_->SyncDir(DirName(blob)));
    }
    ARKWIKI_RETURN_IF_ERROR(db_->Exec(
        "INSERT INTO uploads(page_id, name, sha256, size, content_type, uploader, created_at) "
        "VALUES(?,?,?,?,?,?,?) ON CONFLICT(page_id, name) DO UPDATE SET sha256 = "
        "excluded.sha256, size = excluded.size, content_type = excluded.content_type, "
        "uploader = excluded.uploader, created_at = excluded.created_at",
        {page_id, name, sha, static_cast<int64_t>(pending->size_), content_type, uploader,
         NowUnixSeconds()}));
  }
  if (!pending->done_) {
    pending->done_ = true;
    (void)env_->RemoveFile(pending->path_);  // only present when the blob already existed
  }
  return Get(page_id, name);
}

Result<Upload> UploadStore::Get(int64_t page_id, const std::string& name) {
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows,
      ReadCommitted(db_, views_, std::string(kUploadSelect) + "WHERE u.page_id = ? AND u.name = ?",
                    {page_id, name}));
  if (rows.empty()) return Status::NotFound("no file '" + name + "' on this page");
  return UploadFromRow(rows[0]);
}

Result<std::vector<Upload>> UploadStore::List(int64_t page_id) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           ReadCommitted(db_, views_,
                                         std::string(kUploadSelect) +
                                             "WHERE ? = 0 OR u.page_id = ? ORDER BY p.slug, u.name",
                                         {page_id, page_id}));
  std::vector<Upload> out;
  for (const auto& r : rows) out.push_back(UploadFromRow(r));
  return out;
}

Status UploadStore::Delete(int64_t page_id, const std::string& name) {
  ARKWIKI_RETURN_IF_ERROR(
      db_->Exec("DELETE FROM uploads WHERE page_id = ? AND name = ?", {page_id, name}));
  if (db_->Changes() == 0) return Status::NotFound("no file '" + name + "' on this page");
  return Status::Ok();
}

Result<int64_t> UploadStore::CollectGarbage() {
  std::unique_lock<std::shared_mutex> gc(gc_mutex_);
  // A backup in any process may be reading files its snapshot still names.
  ARKWIKI_ASSIGN_OR_RETURN(auto pin, UploadsGcLock::TryAcquireExclusive(layout_));
  if (!pin) return int64_t{0};
  // Raw hashes, in order: 32 bytes per upload, where the rows through
  // Db::Query cost ~1 KB each (a server starting on 200,000 uploads).
  std::vector<Sha256Raw> live;
  ARKWIKI_RETURN_IF_ERROR(
      db_->ForEachRow("SELECT DISTINCT sha256 FROM uploads ORDER BY sha256", [&](sqlite3_stmt* st) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        Sha256Raw hash;
        // A malformed hash names no file: nothing on disk can match it.
        if (text != nullptr && ParseSha256Hex(text, &hash)) live.push_back(hash);
        return Status::Ok();
      }));
  std::sort(live.begin(), live.end());  // ORDER BY sorts the text; this is cheap insurance
  int64_t removed = 0;
  ARKWIKI_ASSIGN_OR_RETURN(auto shards, env_->ListDir(layout_.uploads));
  for (const auto& shard : shards) {
    if (shard.type != DirEntry::Type::kDir) continue;
    std::string dir = JoinPath(layout_.uploads, shard.name);
    ARKWIKI_ASSIGN_OR_RETURN(auto files, env_->ListDir(dir));
    for (const auto& f : files) {
      Sha256Raw hash;
      if (ParseSha256Hex(f.name, &hash) && std::binary_search(live.begin(), live.end(), hash)) {
        continue;
      }
      ARKWIKI_RETURN_IF_ERROR(env_->RemoveFile(JoinPath(dir, f.name)));
      ++removed;
    }
  }
  return removed;
}

Result<int64_t> UploadStore::TotalBytes() {
  return db_->QueryInt("SELECT coalesce(sum(size), 0) FROM uploads");
}

Result<int64_t> UploadStore::Count() { return db_->QueryInt("SELECT count(*) FROM uploads"); }

}  // namespace arkwiki
