// The backup journal: a record of every backup, download, import, undo,
// restore point, prune, check and test restore, kept outside the live
// database so that an import or an undo cannot erase it.
//
//   DATA/journal/backup-journal.jsonl     one JSON object per line, oldest first
//   DATA/journal/backup-journal.jsonl.1   the previous file, after a rotation
//
// The journal sits beside live/, not in it: a restore swaps live/ whole and
// leaves the journal alone, and no backup or restore point contains it.
//
// A line (fields may be added; readers ignore the ones they do not know):
//
//   {"time":1796216400,"event":"backup","outcome":"ok","actor":"alice",
//    "subject":"arkwiki-backup-2026-12-02T130000Z.zip","bytes":10485760,
//    "duration_ms":2300,"message":""}
//
//   time         Unix seconds (UTC)
//   event        backup | download | import | undo | restore_point | forget |
//                prune | check | test_restore | offsite_copy
//   outcome      ok | failed | skipped (work left to a later run)
//   actor        user name, "scheduler" or "cli"; may be empty
//   subject      what it was about: a restore point id, an archive name,
//                an off-site target's name (offsite_copy)
//   bytes        bytes written or read; 0 when it does not apply
//   duration_ms  how long it took; 0 when it does not apply
//   message      the error of a failure, or a note
//
// Durability: Append returns OK only after the line is on disk (fdatasync,
// plus a directory sync when it created or rotated the file). A crash or a
// full disk while appending can leave a torn last line; readers skip it and
// count it, and the next Append starts on a fresh line.
//
// Bounded growth: when a line would take the file past max_bytes, the file
// is renamed to backup-journal.jsonl.1 (replacing the older one) and a new
// file is started, so the journal never takes more than about 2 x max_bytes.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

struct JournalEntry {
  int64_t time = 0;
  std::string event;
  std::string outcome = "ok";
  std::string actor;
  std::string subject;
  uint64_t bytes = 0;
  uint64_t duration_ms = 0;
  std::string message;

  bool operator==(const JournalEntry&) const = default;
};

// The event names a writer may use (see the header comment).
bool IsJournalEvent(const std::string& event);

struct JournalReadResult {
  std::vector<JournalEntry> entries;  // newest first
  // Lines that were not a journal entry (a torn last line after a crash,
  // or damage), skipped.
  size_t skipped_lines = 0;
};

class BackupJournal {
 public:
  static constexpr uint64_t kDefaultMaxBytes = 1ull << 20;
  // Lines longer than this are refused by Append and skipped by readers.
  static constexpr size_t kMaxLineBytes = size_t{16} << 10;

  // `dir` is DATA/journal (JournalDir); it is created on the first Append.
  BackupJournal(Env* env, std::string dir, uint64_t max_bytes = kDefaultMaxBytes);

  // DATA/journal for the data directory `data_root`.
  static std::string JournalDir(const std::string& data_root);
  const std::string& path() const { return path_; }

  // Appends one entry durably. kInvalidArgument for an unknown event or
  // outcome or an oversized entry; the Env's error (kNoSpace, kIoError)
  // otherwise, with earlier entries left readable. Thread-safe.
  [[nodiscard]] Status Append(const JournalEntry& entry);

  // The newest `limit` entries, newest first, from both files. A missing
  // journal is empty, not an error.
  [[nodiscard]] Result<JournalReadResult> ReadNewest(size_t limit) const;

 private:
  [[nodiscard]] Status RotateIfNeeded(uint64_t line_size, bool* created);
  [[nodiscard]] Result<bool> EndsWithNewline() const;

  Env* env_;
  std::string dir_;
  std::string path_;
  std::string rotated_path_;
  uint64_t max_bytes_;
  mutable std::mutex mu_;
};

// The entry as its journal line, without the newline.
std::string JournalLine(const JournalEntry& entry);
// Parses one journal line; kCorruption if it is not a journal entry.
Result<JournalEntry> ParseJournalLine(const std::string& line);

}  // namespace arkwiki
