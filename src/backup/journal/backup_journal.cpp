// The backup journal (format and guarantees: the public header). Lines are
// written with the manifest's JSON string escaper and read back with
// Poco::JSON: they are short, and a line Poco cannot parse is simply skipped.
#include "arkwiki/backup/backup_journal.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <array>

#include "format/manifest_json.h"

namespace arkwiki {
namespace {

constexpr std::array<std::string_view, 10> kEvents = {
    "backup", "download", "import", "undo",         "restore_point",
    "forget", "prune",    "check",  "test_restore", "offsite_copy"};

void AddString(std::string* out, const char* key, const std::string& value) {
  out->append(",\"").append(key).append("\":");
  manifest_json::AppendString(out, value);
}

void AddNumber(std::string* out, const char* key, uint64_t value) {
  out->append(",\"").append(key).append("\":").append(std::to_string(value));
}

template <typename T>
bool ReadInt(const Poco::JSON::Object& obj, const char* key, T* out) {
  if (!obj.has(key)) return true;  // optional: the zero default stands
  const Poco::Dynamic::Var& v = obj.get(key);
  if (!v.isInteger()) return false;
  *out = v.convert<T>();
  return true;
}

bool ReadString(const Poco::JSON::Object& obj, const char* key, std::string* out) {
  if (!obj.has(key)) return true;
  const Poco::Dynamic::Var& v = obj.get(key);
  if (!v.isString()) return false;
  *out = v.extract<std::string>();
  return true;
}

// Appends the entries of one file's text, oldest first.
void ParseText(const std::string& text, JournalReadResult* out) {
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();  // a last line without its newline
    auto entry = ParseJournalLine(text.substr(begin, end - begin));
    if (entry.ok()) {
      out->entries.push_back(std::move(entry).value());
    } else if (end > begin) {
      ++out->skipped_lines;
    }
    begin = end + 1;
  }
}

}  // namespace

bool IsJournalEvent(const std::string& event) {
  return std::find(kEvents.begin(), kEvents.end(), event) != kEvents.end();
}

std::string JournalLine(const JournalEntry& e) {
  std::string line = "{\"time\":" + std::to_string(e.time);
  AddString(&line, "event", e.event);
  AddString(&line, "outcome", e.outcome);
  AddString(&line, "actor", e.actor);
  AddString(&line, "subject", e.subject);
  AddNumber(&line, "bytes", e.bytes);
  AddNumber(&line, "duration_ms", e.duration_ms);
  AddString(&line, "message", e.message);
  line.push_back('}');
  return line;
}

Result<JournalEntry> ParseJournalLine(const std::string& line) {
  const Status bad = Status::Corruption("not a journal entry");
  if (line.empty() || line.size() > BackupJournal::kMaxLineBytes || line.front() != '{') return bad;
  try {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var parsed = parser.parse(line);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return bad;
    const auto& obj = parsed.extract<Poco::JSON::Object::Ptr>();
    JournalEntry e;
    e.outcome.clear();
    const bool fields_ok =
        obj->has("time") && obj->has("event") && ReadInt(*obj, "time", &e.time) &&
        ReadString(*obj, "event", &e.event) && ReadString(*obj, "outcome", &e.outcome) &&
        ReadString(*obj, "actor", &e.actor) && ReadString(*obj, "subject", &e.subject) &&
        ReadInt(*obj, "bytes", &e.bytes) && ReadInt(*obj, "duration_ms", &e.duration_ms) &&
        ReadString(*obj, "message", &e.message);
    if (!fields_ok || e.event.empty()) return bad;
    return e;
  } catch (const Poco::Exception&) {
    return bad;
  } catch (const std::exception&) {
    return bad;
  }
}

BackupJournal::BackupJournal(Env* env, std::string dir, uint64_t max_bytes)
    : env_(env),
      dir_(std::move(dir)),
      path_(JoinPath(dir_, "backup-journal.jsonl")),
      rotated_path_(path_ + ".1"),
      max_bytes_(max_bytes) {}

std::string BackupJournal::JournalDir(const std::string& data_root) {
  return JoinPath(data_root, "journal");
}

Result<bool> BackupJournal::EndsWithNewline() const {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env_->NewRandomAccessFile(path_));
  if (file->Size() == 0) return true;
  char last = 0;
  ARKWIKI_ASSIGN_OR_RETURN(size_t n, file->ReadAt(file->Size() - 1, &last, 1));
  return n == 1 && last == '\n';
}

// Starts a new file when the line would take the current one past the cap.
// `created` says whether the file is new, so its directory entry needs a sync.
Status BackupJournal::RotateIfNeeded(uint64_t line_size, bool* created) {
  ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(dir_));
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(path_));
  *created = !exists;
  if (!exists) return Status::Ok();
  ARKWIKI_ASSIGN_OR_RETURN(uint64_t size, env_->GetFileSize(path_));
  if (size == 0 || size + line_size <= max_bytes_) return Status::Ok();
  ARKWIKI_RETURN_IF_ERROR(env_->Rename(path_, rotated_path_));
  *created = true;
  return Status::Ok();
}

Status BackupJournal::Append(const JournalEntry& entry) {
  if (!IsJournalEvent(entry.event)) {
    return Status::InvalidArgument("journal: unknown event \"" + entry.event + "\"");
  }
  if (entry.outcome != "ok" && entry.outcome != "failed" && entry.outcome != "skipped") {
    return Status::InvalidArgument("journal: outcome must be ok, failed or skipped");
  }
  std::string line = JournalLine(entry);
  if (line.size() > kMaxLineBytes) return Status::InvalidArgument("journal: entry too long");
  line.push_back('\n');

  std::lock_guard<std::mutex> lock(mu_);
  Status s = [&]() -> Status {
    bool created = false;
    ARKWIKI_RETURN_IF_ERROR(RotateIfNeeded(line.size(), &created));
    if (!created) {
      ARKWIKI_ASSIGN_OR_RETURN(bool clean_end, EndsWithNewline());
      if (!clean_end) line.insert(line.begin(), '\n');  // end a torn line first
    }
    ARKWIKI_ASSIGN_OR_RETURN(auto file, env_->NewWritableFile(path_, CreateMode::kAppend));
    ARKWIKI_RETURN_IF_ERROR(file->Append(line));
    ARKWIKI_RETURN_IF_ERROR(file->Sync());
    ARKWIKI_RETURN_IF_ERROR(file->Close());
    if (created) ARKWIKI_RETURN_IF_ERROR(env_->SyncDir(dir_));
    return Status::Ok();
  }();
  return s.ok() ? s : s.WithContext("backup journal " + path_);
}

Result<JournalReadResult> BackupJournal::ReadNewest(size_t limit) const {
  std::lock_guard<std::mutex> lock(mu_);
  JournalReadResult result;
  for (const std::string* p : {&rotated_path_, &path_}) {
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(*p));
    if (!exists) continue;
    // A file past the cap (written by a build with a larger one) is still read.
    ARKWIKI_ASSIGN_OR_RETURN(std::string text,
                             ReadFileToString(env_, *p, std::max<uint64_t>(max_bytes_, 64) * 4));
    ParseText(text, &result);
  }
  std::reverse(result.entries.begin(), result.entries.end());
  if (result.entries.size() > limit) result.entries.resize(limit);
  return result;
}

}  // namespace arkwiki
