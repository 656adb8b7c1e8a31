#include "arkwiki/backup/backup_journal.h"

#include <gtest/gtest.h>

#include "arkwiki/testing/fault_injection_env.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

JournalEntry Entry(int64_t time, std::string event = "backup", std::string message = "") {
  JournalEntry e;
  e.time = time;
  e.event = std::move(event);
  e.actor = "alice";
  e.subject = "snap-" + std::to_string(time);
  e.bytes = 1000 + static_cast<uint64_t>(time);
  e.duration_ms = 7;
  e.message = std::move(message);
  return e;
}

std::string ReadAll(const std::string& path) {
  auto text = ReadFileToString(Env::Default(), path);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : std::string();
}

Status WriteRaw(const std::string& path, std::string_view data) {
  ARKWIKI_ASSIGN_OR_RETURN(auto f, Env::Default()->NewWritableFile(path, CreateMode::kAppend));
  ARKWIKI_RETURN_IF_ERROR(f->Append(data));
  return f->Close();
}

// An Env whose appends write the first half of the data and then report a
// full disk, as a real ENOSPC in the middle of a write does.
class HalfWriteEnv : public EnvWrapper {
 public:
  using EnvWrapper::EnvWrapper;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewWritableFile(p, m));
    return std::unique_ptr<WritableFile>(new HalfFile(std::move(file)));
  }

 private:
  class HalfFile : public WritableFile {
   public:
    explicit HalfFile(std::unique_ptr<WritableFile> f) : f_(std::move(f)) {}
    Status Append(std::string_view data) override {
      ARKWIKI_RETURN_IF_ERROR(f_->Append(data.substr(0, data.size() / 2)));
      return Status::NoSpace("write: No space left on device");
    }
    Status Sync() override { return f_->Sync(); }
    Status Close() override { return f_->Close(); }

   private:
    std::unique_ptr<WritableFile> f_;
  };
};

TEST(BackupJournalTest, LineRoundTripsWithEscapes) {
  JournalEntry e = Entry(5, "import", "quote \" backslash \\ newline \n tab \t ünïcode");
  const std::string line = JournalLine(e);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto parsed = ParseJournalLine(line);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, e);
}

TEST(BackupJournalTest, ParseRejectsWhatIsNotAnEntry) {
  for (const char* line :
       {"", "{", "[]", "{\"event\":\"backup\"}", "{\"time\":\"x\",\"event\":\"b\"}",
        "{\"time\":1,\"event\":\"backup\",\"bytes\":\"many\"}", "garbage"}) {
    EXPECT_FALSE(ParseJournalLine(line).ok()) << line;
  }
  EXPECT_TRUE(ParseJournalLine(R"({"time":1,"event":"future_event","extra":[1,2]})").ok());
}

TEST(BackupJournalTest, AppendsAndReadsNewestFirst) {
  testing::TempDir dir;
  BackupJournal journal(Env::Default(), BackupJournal::JournalDir(dir.path()));
  EXPECT_EQ(journal.path(), dir.path() + "/journal/backup-journal.jsonl");
  auto empty = journal.ReadNewest(10);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->entries.empty());
  for (int64_t t = 1; t <= 5; ++t) ASSERT_TRUE(journal.Append(Entry(t)).ok());
  auto read = journal.ReadNewest(3);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->entries.size(), 3u);
  EXPECT_EQ(read->entries[0], Entry(5));
  EXPECT_EQ(read->entries[2], Entry(3));
  EXPECT_EQ(read->skipped_lines, 0u);
}

TEST(BackupJournalTest, RefusesUnknownEventsAndOutcomes) {
  testing::TempDir dir;
  BackupJournal journal(Env::Default(), dir.path());
  EXPECT_EQ(journal.Append(Entry(1, "reboot")).code(), StatusCode::kInvalidArgument);
  JournalEntry e = Entry(1);
  e.outcome = "meh";
  EXPECT_EQ(journal.Append(e).code(), StatusCode::kInvalidArgument);
  e.outcome = "failed";
  e.message = std::string(BackupJournal::kMaxLineBytes, 'x');
  EXPECT_EQ(journal.Append(e).code(), StatusCode::kInvalidArgument);
}

TEST(BackupJournalTest, TornLastLineIsSkippedAndTheNextAppendStartsFresh) {
  testing::TempDir dir;
  BackupJournal journal(Env::Default(), dir.path());
  ASSERT_TRUE(journal.Append(Entry(1)).ok());
  const std::string torn = JournalLine(Entry(2)).substr(0, 20);
  ASSERT_TRUE(WriteRaw(journal.path(), torn).ok());  // a crash in the middle of a line
  auto read = journal.ReadNewest(10);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->entries.size(), 1u);
  EXPECT_EQ(read->skipped_lines, 1u);

  ASSERT_TRUE(journal.Append(Entry(3)).ok());
  read = journal.ReadNewest(10);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->entries.size(), 2u);
  EXPECT_EQ(read->entries[0], Entry(3));
  EXPECT_EQ(read->entries[1], Entry(1));
  EXPECT_EQ(read->skipped_lines, 1u);
}

TEST(BackupJournalTest, RotatesToOneOlderFilePastTheCap) {
  testing::TempDir dir;
  const uint64_t line = JournalLine(Entry(100)).size() + 1;
  BackupJournal journal(Env::Default(), dir.path(), line * 4);
  for (int64_t t = 100; t < 120; ++t) ASSERT_TRUE(journal.Append(Entry(t)).ok());
  EXPECT_LE(ReadAll(journal.path()).size(), line * 4);
  EXPECT_LE(ReadAll(journal.path() + ".1").size(), line * 4);
  auto read = journal.ReadNewest(100);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->entries.size(), 8u);  // the current file and the one before it
  EXPECT_EQ(read->entries.front(), Entry(119));
  EXPECT_EQ(read->entries.back(), Entry(112));
}

// Every mutating operation of an append fails in turn: the append reports
// the full disk, and the entries written before stay readable.
TEST(BackupJournalTest, DiskFullAtAnyStepLeavesEarlierEntriesReadable) {
  for (uint64_t fail_at = 1;; ++fail_at) {
    testing::TempDir dir;
    FaultInjectionEnv env(Env::Default());
    BackupJournal journal(&env, dir.path(), 1 << 20);
    ASSERT_TRUE(journal.Append(Entry(1)).ok());
    ASSERT_TRUE(journal.Append(Entry(2)).ok());
    env.FailAt(env.operations() + fail_at);
    Status s = journal.Append(Entry(3));
    if (s.ok()) {
      ASSERT_GT(fail_at, 3u);  // create, append, sync (and close) were swept
      break;
    }
    EXPECT_EQ(s.code(), StatusCode::kNoSpace) << fail_at;
    EXPECT_NE(s.message().find("backup journal"), std::string::npos) << s.message();
    auto read = journal.ReadNewest(10);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    ASSERT_GE(read->entries.size(), 2u) << fail_at;
    EXPECT_EQ(read->entries.back(), Entry(1));
  }
}

TEST(BackupJournalTest, HalfWrittenLineOnFullDiskIsSkippedLater) {
  testing::TempDir dir;
  BackupJournal good(Env::Default(), dir.path());
  ASSERT_TRUE(good.Append(Entry(1)).ok());
  HalfWriteEnv full(Env::Default());
  BackupJournal failing(&full, dir.path());
  EXPECT_EQ(failing.Append(Entry(2)).code(), StatusCode::kNoSpace);
  ASSERT_TRUE(good.Append(Entry(3)).ok());
  auto read = good.ReadNewest(10);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->entries.size(), 2u);
  EXPECT_EQ(read->entries[0], Entry(3));
  EXPECT_EQ(read->entries[1], Entry(1));
  EXPECT_EQ(read->skipped_lines, 1u);
}

}  // namespace
}  // namespace arkwiki
