// The restore point commands as a user runs them: snapshot, list, check,
// export, delete, prune and restore, with their exit codes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "arkwiki/core/file_lock.h"
#include "arkwiki/storage/storage.h"
#include "support/arkwiki_process.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The pack in `backups` whose index (its trailer "arkwiki-pack-v1 " and
// the index length, the index "<sha256> <offset> <size>" lines before it)
// names one of `names`; empty when none does.
std::string PackHolding(const std::string& backups, const std::set<std::string>& names) {
  const std::string dir = backups + "/objects/packs";
  auto packs = Env::Default()->ListDir(dir);
  if (!packs.ok()) return "";
  for (const DirEntry& e : *packs) {
    if (e.name.size() < 5 || e.name.compare(e.name.size() - 5, 5, ".pack") != 0) continue;
    const std::string bytes = Slurp(dir + "/" + e.name);
    if (bytes.size() < 32 || bytes.compare(bytes.size() - 32, 16, "arkwiki-pack-v1 ") != 0) {
      continue;
    }
    const uint64_t n = std::stoull(bytes.substr(bytes.size() - 16, 15));
    if (n + 32 > bytes.size()) continue;
    std::istringstream index(bytes.substr(bytes.size() - 32 - n, n));
    std::string sha;
    uint64_t offset = 0, size = 0;
    while (index >> sha >> offset >> size) {
      if (names.count(sha) > 0) return dir + "/" + e.name;
    }
  }
  return "";
}

class RepositoryCliTest : public ::testing::Test {
 protected:
  void SetUp() override { SeedWikiAt(data_); }
  int Run(const std::vector<std::string>& args) {
    last_ = RunArkwiki(args);
    return last_.exit_code;
  }
  // The id printed by `backup snapshot` ("restore point <id> ...").
  // The names (SHA-256s) of the live uploads.
  std::set<std::string> UploadNames() {
    std::set<std::string> names;
    const std::string uploads = data_ + "/live/uploads";
    auto prefixes = Env::Default()->ListDir(uploads);
    if (!prefixes.ok()) return names;
    for (const DirEntry& p : *prefixes) {
      auto files = Env::Default()->ListDir(uploads + "/" + p.name);
      if (!files.ok()) continue;
      for (const DirEntry& f : *files) names.insert(f.name);
    }
    return names;
  }
  std::string Snapshot() {
    EXPECT_EQ(Run({"backup", "snapshot", "--data", data_, "--label", "nightly"}), 0) << last_.err;
    const std::string prefix = "restore point ";
    EXPECT_EQ(last_.out.rfind(prefix, 0), 0u) << last_.out;
    return last_.out.substr(prefix.size(), last_.out.find(' ', prefix.size()) - prefix.size());
  }
  TempDir dir_;
  std::string data_ = dir_.Sub("data");
  CommandResult last_;
};

TEST_F(RepositoryCliTest, SnapshotListExportVerify) {
  const std::string id = Snapshot();
  EXPECT_EQ(Run({"backup", "snapshots", "--data", data_}), 0) << last_.err;
  EXPECT_NE(last_.out.find(id), std::string::npos) << last_.out;
  EXPECT_NE(last_.out.find("\"nightly\""), std::string::npos) << last_.out;
  EXPECT_EQ(Run({"backup", "snapshots", "--data", data_, "--json"}), 0) << last_.err;
  EXPECT_NE(last_.out.find("\"id\":\"" + id + "\""), std::string::npos) << last_.out;
  EXPECT_NE(last_.out.find("\"trigger\":\"cli\""), std::string::npos) << last_.out;
  EXPECT_NE(last_.out.find("\"check\":\"passed\""), std::string::npos) << last_.out;
  const std::string archive = dir_.Sub("point.zip");
  EXPECT_EQ(Run({"backup", "export", "--data", data_, "--snapshot", id, "--out", archive}), 0)
      << last_.err;
  EXPECT_EQ(Run({"backup", "verify", archive}), 0) << last_.err;
  EXPECT_EQ(Run({"backup", "export", "--data", data_, "--snapshot", "20260101T000000Z-abcdef",
                 "--out", dir_.Sub("none.zip")}),
            1);
  EXPECT_EQ(Run({"backup", "export", "--data", data_, "--out", archive}), 2);
}

TEST_F(RepositoryCliTest, CheckFindsDamageAndExitsThree) {
  Snapshot();
  EXPECT_EQ(Run({"backup", "check", "--data", data_, "--read-all"}), 0) << last_.err;
  EXPECT_NE(last_.out.find("OK:"), std::string::npos) << last_.out;
  // Damage the stored uploads: the pack (docs/backup-repository.md) that
  // holds a live upload, which the next snapshot can store again (not one
  // of database or manifest chunks: a manifest's head differs each time).
  const std::string object = PackHolding(data_ + "/backups", UploadNames());
  ASSERT_FALSE(object.empty());
  std::ofstream(object, std::ios::binary | std::ios::app) << "rot";
  EXPECT_EQ(Run({"backup", "check", "--data", data_, "--read-subset", "0"}), 3) << last_.err;
  EXPECT_NE(last_.out.find("DAMAGED"), std::string::npos) << last_.out;
  EXPECT_EQ(Run({"backup", "check", "--data", data_, "--read-subset", "abc"}), 2);
  // The next snapshot repairs it from the live upload.
  Snapshot();
  EXPECT_EQ(Run({"backup", "check", "--data", data_, "--read-all", "--json"}), 0) << last_.out;
  EXPECT_NE(last_.out.find("\"ok\":true"), std::string::npos) << last_.out;
}

TEST_F(RepositoryCliTest, DeleteAndPrune) {
  const std::string first = Snapshot();
  const std::string second = Snapshot();
  EXPECT_EQ(Run({"backup", "delete", "--data", data_, "--snapshot", second}), 0) << last_.err;
  EXPECT_EQ(Run({"backup", "delete", "--data", data_, "--snapshot", second}), 1);
  EXPECT_EQ(Run({"backup", "prune", "--data", data_, "--forget", first}), 0) << last_.err;
  EXPECT_NE(last_.out.find("pruned"), std::string::npos) << last_.out;
  EXPECT_EQ(Run({"backup", "snapshots", "--data", data_}), 0);
  EXPECT_EQ(last_.out, "");
}

TEST_F(RepositoryCliTest, PruneForgetWhileACopyRunsIsBusyAndForgetsNothing) {
  const std::string id = Snapshot();
  // What an off-site copy holds while it reads the repository.
  auto copying = AcquireSharedLock(data_ + "/backups/copy.lock");
  ASSERT_TRUE(copying.ok()) << copying.status().ToString();
  EXPECT_EQ(Run({"backup", "prune", "--data", data_, "--forget", id}), 4) << last_.err;
  EXPECT_NE(last_.err.find("copy"), std::string::npos) << last_.err;
  ::close(*copying);
  EXPECT_EQ(Run({"backup", "snapshots", "--data", data_}), 0) << last_.err;
  EXPECT_NE(last_.out.find(id), std::string::npos) << "forgotten though refused: " << last_.out;
  EXPECT_EQ(Run({"backup", "prune", "--data", data_, "--forget", id}), 0) << last_.err;
  EXPECT_EQ(Run({"backup", "snapshots", "--data", data_}), 0);
  EXPECT_EQ(last_.out, "");
}

TEST_F(RepositoryCliTest, BackupDirInsideLiveIsRefused) {
  EXPECT_EQ(Run({"backup", "snapshot", "--data", data_, "--backup-dir", data_ + "/live/b"}), 2);
  EXPECT_NE(last_.err.find("must not be inside"), std::string::npos) << last_.err;
  const std::string elsewhere = dir_.Sub("elsewhere");
  EXPECT_EQ(
      RunArkwiki({"backup", "snapshot", "--data", data_}, "", {{"ARKWIKI_BACKUP_DIR", elsewhere}})
          .exit_code,
      0);
  EXPECT_TRUE(*Env::Default()->FileExists(elsewhere + "/repository.json"));
}

TEST_F(RepositoryCliTest, RestoreSnapshotBringsBackTheWikiOfItsTime) {
  const std::string before = DumpWiki(data_);
  const std::string id = Snapshot();
  {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok());
    AddUpload(**storage, "home", "later.txt", "added after the restore point");
  }
  ASSERT_NE(DumpWiki(data_), before);
  EXPECT_EQ(Run({"backup", "restore", "--data", data_, "--snapshot", id}), 2);
  EXPECT_EQ(Run({"backup", "restore", "--data", data_, "--snapshot", id, "--yes"}), 0) << last_.err;
  EXPECT_NE(last_.out.find("restored restore point " + id), std::string::npos) << last_.out;
  EXPECT_EQ(DumpWiki(data_), before);
  // The repository survives the restore, outside live/.
  EXPECT_EQ(Run({"backup", "snapshots", "--data", data_}), 0);
  EXPECT_NE(last_.out.find(id), std::string::npos);
}

TEST_F(RepositoryCliTest, RestoreKeepsThePreviousDataAsABeforeImportRestorePoint) {
  const std::string archive = dir_.Sub("a.zip");
  ASSERT_EQ(Run({"backup", "create", "--data", data_, "--out", archive}), 0) << last_.err;
  {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok());
    AddUpload(**storage, "home", "later.txt", "added after the backup");
  }
  const std::string changed = DumpWiki(data_);
  ASSERT_EQ(Run({"backup", "restore", "--data", data_, archive, "--yes"}), 0) << last_.err;
  const std::string marker = "safety backup of the previous data: restore point ";
  const size_t at = last_.out.find(marker);
  ASSERT_NE(at, std::string::npos) << last_.out;
  const std::string id =
      last_.out.substr(at + marker.size(), last_.out.find('\n', at) - at - marker.size());
  ASSERT_NE(DumpWiki(data_), changed);
  // No safety ZIP any more: the restore point holds the replaced data.
  auto safety = Env::Default()->ListDir(DataDirLayout(data_).safety);
  if (safety.ok()) {
    for (const DirEntry& e : *safety) EXPECT_EQ(e.name.find(".zip"), std::string::npos) << e.name;
  }
  ASSERT_EQ(Run({"backup", "snapshots", "--data", data_}), 0) << last_.err;
  EXPECT_NE(last_.out.find(id + "  "), std::string::npos) << last_.out;
  EXPECT_NE(last_.out.find("before-import"), std::string::npos) << last_.out;
  // It is the undo: restoring it brings the replaced wiki back.
  ASSERT_EQ(Run({"backup", "restore", "--data", data_, "--snapshot", id, "--yes"}), 0) << last_.err;
  EXPECT_EQ(DumpWiki(data_), changed);
  // Each step is in the journal, outside live/, with the CLI as its actor.
  std::ifstream in(data_ + "/journal/backup-journal.jsonl");
  const std::string journal((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(journal.find(
                "\"event\":\"restore_point\",\"outcome\":\"ok\",\"actor\":\"cli\",\"subject\":\"" +
                id + "\""),
            std::string::npos)
      << journal;
  EXPECT_NE(journal.find("\"event\":\"import\",\"outcome\":\"ok\",\"actor\":\"cli\""),
            std::string::npos)
      << journal;
  // The archive the CLI made, too: every backup is in the journal.
  EXPECT_NE(journal.find("\"event\":\"backup\",\"outcome\":\"ok\",\"actor\":\"cli\","
                         "\"subject\":\"file " +
                         archive + "\""),
            std::string::npos)
      << journal;
}

TEST_F(RepositoryCliTest, AnEncryptedRepositoryWorksWithItsPassphraseFileAndOnlyWithIt) {
  const std::string passphrase = dir_.Sub("backups.passphrase");
  std::ofstream(passphrase) << "correct horse\n";
  ASSERT_EQ(::chmod(passphrase.c_str(), 0600), 0);
  const std::string conf = dir_.Sub("arkwiki.conf");
  std::ofstream(conf) << "backup_encrypt = true\nbackup_passphrase_file = " << passphrase << "\n";
  const std::map<std::string, std::string> env{{"ARKWIKI_CONFIG", conf}};
  auto run = [&](const std::vector<std::string>& args) {
    last_ = RunArkwiki(args, "", env);
    return last_.exit_code;
  };
  const std::string before = DumpWiki(data_);
  ASSERT_EQ(run({"backup", "snapshot", "--data", data_, "--label", "nightly"}), 0) << last_.err;
  const std::string id = last_.out.substr(14, last_.out.find(' ', 14) - 14);
  std::ifstream format(data_ + "/backups/repository.json");
  const std::string format_text((std::istreambuf_iterator<char>(format)), {});
  EXPECT_NE(format_text.find("\"format_version\": 5"), std::string::npos) << format_text;
  EXPECT_NE(format_text.find("\"encryption\""), std::string::npos) << format_text;
  EXPECT_EQ(run({"backup", "snapshots", "--data", data_}), 0) << last_.err;
  EXPECT_NE(last_.out.find("\"nightly\""), std::string::npos) << last_.out;
  EXPECT_EQ(run({"backup", "check", "--data", data_, "--read-all"}), 0) << last_.err;
  const std::string archive = dir_.Sub("point.zip");
  EXPECT_EQ(run({"backup", "export", "--data", data_, "--snapshot", id, "--out", archive}), 0)
      << last_.err;
  EXPECT_EQ(run({"backup", "verify", archive}), 0) << last_.err;
  {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok());
    AddUpload(**storage, "home", "later.txt", "added after the restore point");
  }
  EXPECT_EQ(run({"backup", "restore", "--data", data_, "--snapshot", id, "--yes"}), 0) << last_.err;
  EXPECT_EQ(DumpWiki(data_), before);
  // Without the passphrase file the repository is refused, saying why.
  EXPECT_NE(Run({"backup", "snapshots", "--data", data_}), 0);
  EXPECT_NE(last_.err.find("backup_passphrase_file"), std::string::npos) << last_.err;
  // A passphrase file others may read is refused.
  ASSERT_EQ(::chmod(passphrase.c_str(), 0644), 0);
  EXPECT_NE(run({"backup", "snapshots", "--data", data_}), 0);
  EXPECT_NE(last_.err.find("chmod 600"), std::string::npos) << last_.err;
}

TEST_F(RepositoryCliTest, EveryCommandAnswersHelp) {
  for (const char* verb : {"snapshot", "snapshots", "check", "prune", "delete", "export"}) {
    CommandResult r = RunArkwiki({"backup", verb, "--help"});
    EXPECT_EQ(r.exit_code, 0) << verb;
    EXPECT_NE(r.out.find("usage: arkwiki backup snapshot"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("exit codes:"), std::string::npos) << r.out;
  }
}

}  // namespace
}  // namespace arkwiki::testing
