#include "format/upload_rows.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <queue>
#include <string_view>
#include <type_traits>

namespace arkwiki {
namespace {

using Row = UploadRows::Row;
static_assert(sizeof(Row) == 40 && std::is_trivially_copyable_v<Row>,
              "runs are written as the rows' bytes (UploadRowsScratchBytes)");

bool RowLess(const Row& a, const Row& b) {
  return a.sha256 != b.sha256 ? a.sha256 < b.sha256 : a.size < b.size;
}

// Reads one run back in blocks of 16 KiB (a backup's 5,000,000 uploads
// make 77 runs: 1.2 MiB of blocks).
class RunReader {
 public:
  static constexpr size_t kBlockRows = 409;

  explicit RunReader(std::unique_ptr<SequentialFile> file) : file_(std::move(file)) {}

  // The next row, or false at the end of the run.
  Result<bool> Next(Row* row) {
    if (pos_ == rows_.size()) ARKWIKI_RETURN_IF_ERROR(Fill());
    if (pos_ == rows_.size()) return false;
    *row = rows_[pos_++];
    return true;
  }

 private:
  Status Fill() {
    rows_.resize(kBlockRows);
    char* out = reinterpret_cast<char*>(rows_.data());
    size_t got = 0;
    while (got < kBlockRows * sizeof(Row)) {
      ARKWIKI_ASSIGN_OR_RETURN(size_t n, file_->Read(out + got, kBlockRows * sizeof(Row) - got));
      if (n == 0) break;
      got += n;
    }
    if (got % sizeof(Row) != 0) {
      return Status::IoError("a scratch file of upload rows ended mid-row");
    }
    rows_.resize(got / sizeof(Row));
    pos_ = 0;
    return Status::Ok();
  }

  std::unique_ptr<SequentialFile> file_;
  std::vector<Row> rows_;
  size_t pos_ = 0;
};

}  // namespace

UploadRows::UploadRows(Env* env, std::string scratch_prefix, size_t run_rows)
    : env_(env),
      scratch_prefix_(std::move(scratch_prefix)),
      run_rows_(std::max<size_t>(run_rows, 1)) {}

UploadRows::~UploadRows() { RemoveRuns(); }

// Keeps the paths it failed to remove, for the destructor to try again. A
// path whose file was never created is NotFound: nothing to remove.
void UploadRows::RemoveRuns() {
  std::vector<std::string> left;
  for (std::string& path : runs_) {
    const Status s = env_->RemoveFile(path);
    if (!s.ok() && s.code() != StatusCode::kNotFound) left.push_back(std::move(path));
  }
  runs_ = std::move(left);
}

Status UploadRows::Add(sqlite3_stmt* st) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  if (text == nullptr && sqlite3_column_type(st, 0) != SQLITE_NULL) {
    return Status::IoError("reading the uploads of the database: out of memory");
  }
  const std::string_view hex = text == nullptr ? std::string_view() : std::string_view(text);
  Row row;
  if (!ParseSha256Hex(hex, &row.sha256)) {
    return Status::Corruption("the uploads table holds a malformed hash: " +
                              std::string(hex.substr(0, 80)));
  }
  const sqlite3_int64 size = sqlite3_column_int64(st, 1);
  if (size < 0) return Status::Corruption("the uploads table has a negative size");
  row.size = static_cast<uint64_t>(size);
  if (env_ != nullptr && rows_.size() == run_rows_) ARKWIKI_RETURN_IF_ERROR(Spill());
  rows_.push_back(row);
  ++count_;
  return Status::Ok();
}

// Sorts the rows held and writes them as one run. The path is noted before
// the file is created, so that it is removed whatever fails.
Status UploadRows::Spill() {
  std::sort(rows_.begin(), rows_.end(), RowLess);
  runs_.push_back(scratch_prefix_ + RandomHex(8) + ".run");
  const std::string& path = runs_.back();
  Status s = [&]() -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, env_->NewWritableFile(path, CreateMode::kExclusive));
    ARKWIKI_RETURN_IF_ERROR(file->Append(
        std::string_view(reinterpret_cast<const char*>(rows_.data()), rows_.size() * sizeof(Row))));
    return file->Close();  // scratch: not synced
  }();
  ARKWIKI_RETURN_IF_ERROR(
      s.WithContext("writing the database's upload rows to scratch file " + path));
  rows_.clear();
  return Status::Ok();
}

Status UploadRows::ForEachDistinct(
    const std::function<Status(const Sha256Raw&, uint64_t, uint64_t)>& fn) {
  if (!runs_.empty()) {
    Status s = rows_.empty() ? Status::Ok() : Spill();
    std::vector<Row>().swap(rows_);  // the merge holds only a block per run
    if (s.ok()) s = MergeRuns(fn);
    RemoveRuns();
    return s;
  }
  std::sort(rows_.begin(), rows_.end(), RowLess);
  for (size_t i = 0; i < rows_.size();) {
    size_t end = i + 1;
    while (end < rows_.size() && rows_[end].sha256 == rows_[i].sha256) ++end;
    ARKWIKI_RETURN_IF_ERROR(fn(rows_[i].sha256, rows_[i].size, rows_[end - 1].size));
    i = end;
  }
  return Status::Ok();
}

// A k-way merge of the sorted runs: rows come out in (hash, size) order, so
// a hash's first row has its smallest size and its last row the largest.
Status UploadRows::MergeRuns(
    const std::function<Status(const Sha256Raw&, uint64_t, uint64_t)>& fn) {
  std::vector<RunReader> readers;
  readers.reserve(runs_.size());
  for (const std::string& path : runs_) {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, env_->NewSequentialFile(path));
    readers.emplace_back(std::move(file));
  }
  struct Head {
    Row row;
    size_t run;
  };
  auto later = [](const Head& a, const Head& b) { return RowLess(b.row, a.row); };
  std::priority_queue<Head, std::vector<Head>, decltype(later)> heads(later);
  auto advance = [&](size_t run) -> Status {
    Head h{{}, run};
    ARKWIKI_ASSIGN_OR_RETURN(bool more, readers[run].Next(&h.row));
    if (more) heads.push(h);
    return Status::Ok();
  };
  for (size_t i = 0; i < readers.size(); ++i) ARKWIKI_RETURN_IF_ERROR(advance(i));
  while (!heads.empty()) {
    const Row first = heads.top().row;
    uint64_t max_size = first.size;
    while (!heads.empty() && heads.top().row.sha256 == first.sha256) {
      const Head h = heads.top();
      heads.pop();
      max_size = h.row.size;
      ARKWIKI_RETURN_IF_ERROR(advance(h.run));
    }
    ARKWIKI_RETURN_IF_ERROR(fn(first.sha256, first.size, max_size));
  }
  return Status::Ok();
}

}  // namespace arkwiki
