// Off-site copies as a user runs them: backup copy --to, snapshots --from,
// check --target, prune --target and restore --from into a new directory,
// with their exit codes and messages.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "arkwiki/backup/directory_target.h"
#include "arkwiki/backup/offsite.h"
#include "support/arkwiki_process.h"
#include "support/s3rver_fixture.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

constexpr char kPassphrase[] = "tell no one\n";

class OffsiteCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SeedWikiAt(data_);
    ASSERT_EQ(Run({"backup", "snapshot", "--data", data_, "--quiet"}), 0) << last_.err;
  }
  int Run(const std::vector<std::string>& args, const std::string& stdin_text = "") {
    last_ = RunArkwiki(args, stdin_text);
    return last_.exit_code;
  }
  int Copy() { return Run({"backup", "copy", "--data", data_, "--to", target_}, kPassphrase); }
  // The repository id the last command's recovery sheet names; empty if none.
  std::string SheetRepositoryId() const {
    const std::string marker = "RECOVERY SHEET: new off-site repository ";
    const size_t at = last_.err.find(marker);
    return at == std::string::npos ? "" : last_.err.substr(at + marker.size(), 32);
  }
  // A file of the seeded wiki's copy: they are small, so in a pack.
  std::string AnyPackFile() {
    const std::string packs = target_ + "/packs";
    return packs + "/" + Env::Default()->ListDir(packs)->at(0).name;
  }

  TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string target_ = dir_.Sub("nas");
  CommandResult last_;
};

TEST_F(OffsiteCliTest, CopyThenListThenCopyAgainSendsNothingNew) {
  ASSERT_EQ(Copy(), 0) << last_.err;
  EXPECT_NE(last_.out.find("objects sent"), std::string::npos) << last_.out;
  ASSERT_EQ(Run({"backup", "snapshots", "--from", target_, "--json"}, kPassphrase), 0) << last_.err;
  EXPECT_NE(last_.out.find("\"trigger\":\"cli\""), std::string::npos) << last_.out;
  EXPECT_EQ(Copy(), 0) << last_.err;
  EXPECT_NE(last_.out.find("already holds every restore point"), std::string::npos) << last_.out;
}

TEST_F(OffsiteCliTest, RestoresIntoAnEmptyDirectoryWithThePassphraseOnly) {
  ASSERT_EQ(Copy(), 0) << last_.err;
  const std::string sheet = dir_.Sub("passphrase");
  std::ofstream(sheet) << kPassphrase;
  const std::string fresh = dir_.Sub("new-machine");
  ASSERT_EQ(Run({"backup", "restore", "--data", fresh, "--from", target_, "--snapshot", "latest",
                 "--passphrase-file", sheet, "--yes"}),
            0)
      << last_.err;
  EXPECT_NE(last_.out.find("from directory " + target_), std::string::npos) << last_.out;
  EXPECT_EQ(DumpWiki(fresh), DumpWiki(data_));
}

TEST_F(OffsiteCliTest, WrongPassphraseIsRefusedAndTouchesNothing) {
  ASSERT_EQ(Copy(), 0) << last_.err;
  const std::string fresh = dir_.Sub("new-machine");
  EXPECT_EQ(Run({"backup", "restore", "--data", fresh, "--from", target_, "--snapshot", "latest",
                 "--yes"},
                "guess\n"),
            4);
  EXPECT_NE(last_.err.find("wrong passphrase"), std::string::npos) << last_.err;
  EXPECT_FALSE(*Env::Default()->FileExists(fresh));
  EXPECT_EQ(Run({"backup", "copy", "--data", data_, "--to", target_}, "guess\n"), 4);
}

// Another repository sealed with the same passphrase, put in place of the
// target's, passes every other check: --repository-id (the recovery
// sheet's, in its restore command) refuses it before anything is touched.
TEST_F(OffsiteCliTest, ATargetHoldingAnotherRepositoryThanTheSheetsIsRefused) {
  ASSERT_EQ(Copy(), 0) << last_.err;
  const std::string id = SheetRepositoryId();
  ASSERT_EQ(id.size(), 32u) << last_.err;
  EXPECT_NE(last_.err.find("--snapshot latest --yes --repository-id " + id), std::string::npos)
      << last_.err;
  const std::string other(32, 'a');
  const std::string fresh = dir_.Sub("new-machine");
  EXPECT_EQ(Run({"backup", "restore", "--data", fresh, "--from", target_, "--snapshot", "latest",
                 "--yes", "--repository-id", other},
                kPassphrase),
            3);
  EXPECT_NE(last_.err.find("holds off-site repository " + id + ", not " + other), std::string::npos)
      << last_.err;
  EXPECT_FALSE(*Env::Default()->FileExists(fresh));
  EXPECT_EQ(Run({"backup", "snapshots", "--from", target_, "--repository-id", other}, kPassphrase),
            3);
  EXPECT_EQ(Run({"backup", "prune", "--target", target_, "--repository-id", other}, kPassphrase),
            3);
  ASSERT_EQ(Run({"backup", "restore", "--data", fresh, "--from", target_, "--snapshot", "latest",
                 "--yes", "--repository-id", id},
                kPassphrase),
            0)
      << last_.err;
  EXPECT_EQ(DumpWiki(fresh), DumpWiki(data_));
}

// A target named from targets.conf is held to the repository_id recorded
// there: replaced by another repository, or emptied, it is refused, and
// copy starts no new repository on it.
TEST_F(OffsiteCliTest, ANamedTargetIsHeldToTheRepositoryTargetsConfRecords) {
  ASSERT_EQ(Copy(), 0) << last_.err;
  const std::string id = SheetRepositoryId();
  ASSERT_EQ(id.size(), 32u) << last_.err;
  const std::string conf_dir = data_ + "/offsite";
  ASSERT_EQ(::mkdir(conf_dir.c_str(), 0700), 0);
  const auto pin = [&](const std::string& pinned) {
    std::ofstream(conf_dir + "/targets.conf")
        << "[nas]\nlocation = " << target_
        << "\npassphrase = tell no one\nrepository_id = " << pinned << "\n";
    ASSERT_EQ(::chmod((conf_dir + "/targets.conf").c_str(), 0600), 0);
  };
  // The repository it holds: checked, then written to.
  pin(id);
  ASSERT_EQ(Run({"backup", "snapshot", "--data", data_, "--quiet"}), 0) << last_.err;
  EXPECT_EQ(Run({"backup", "copy", "--data", data_, "--to", "nas"}), 0) << last_.err;
  EXPECT_NE(last_.out.find("copied "), std::string::npos) << last_.out;
  EXPECT_EQ(Run({"backup", "prune", "--data", data_, "--target", "nas"}), 0) << last_.err;
  // Another: refused, and its .incoming/ (another copy's files) left alone.
  pin(std::string(32, 'b'));
  ASSERT_EQ(::mkdir((target_ + "/.incoming").c_str(), 0700), 0);
  std::ofstream(target_ + "/.incoming/other.part") << "another copy's";
  EXPECT_EQ(Run({"backup", "snapshots", "--data", data_, "--from", "nas"}), 3);
  EXPECT_NE(last_.err.find("holds off-site repository " + id + ", not " + std::string(32, 'b')),
            std::string::npos)
      << last_.err;
  EXPECT_EQ(Run({"backup", "copy", "--data", data_, "--to", "nas"}), 3);
  EXPECT_EQ(Run({"backup", "prune", "--data", data_, "--target", "nas"}), 3);
  EXPECT_TRUE(*Env::Default()->FileExists(target_ + "/.incoming/other.part"));
  // Gone (an unmounted disk): not made again.
  ASSERT_EQ(Env::Default()->RemoveTree(target_).code(), StatusCode::kOk);
  EXPECT_EQ(Run({"backup", "copy", "--data", data_, "--to", "nas"}), 1);
  EXPECT_NE(last_.err.find("no off-site target directory"), std::string::npos) << last_.err;
  EXPECT_FALSE(*Env::Default()->FileExists(target_));
  // Emptied: no new repository.
  ASSERT_EQ(::mkdir(target_.c_str(), 0700), 0);
  EXPECT_EQ(Run({"backup", "copy", "--data", data_, "--to", "nas"}), 3);
  EXPECT_NE(last_.err.find("holds no off-site repository"), std::string::npos) << last_.err;
  EXPECT_FALSE(*Env::Default()->FileExists(target_ + "/key")) << "no new repository";
}

TEST_F(OffsiteCliTest, DamagedObjectFailsCheckAndRestoreWithExitThree) {
  ASSERT_EQ(Copy(), 0) << last_.err;
  EXPECT_EQ(Run({"backup", "check", "--target", target_, "--read-all"}, kPassphrase), 0)
      << last_.err;
  {
    std::fstream f(AnyPackFile(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7f');
  }
  EXPECT_EQ(Run({"backup", "check", "--target", target_, "--read-all"}, kPassphrase), 3);
  EXPECT_NE(last_.out.find("DAMAGED"), std::string::npos) << last_.out;
  const std::string fresh = dir_.Sub("new-machine");
  EXPECT_EQ(Run({"backup", "restore", "--data", fresh, "--from", target_, "--snapshot", "latest",
                 "--yes"},
                kPassphrase),
            3)
      << last_.err;
  EXPECT_NE(last_.err.find("failed authentication"), std::string::npos) << last_.err;
}

TEST_F(OffsiteCliTest, PruneKeepsWhatRetentionAsks) {
  ASSERT_EQ(Copy(), 0) << last_.err;
  ASSERT_EQ(Run({"backup", "snapshot", "--data", data_, "--quiet"}), 0) << last_.err;
  ASSERT_EQ(Copy(), 0) << last_.err;
  ASSERT_EQ(Run({"backup", "prune", "--target", target_, "--keep-last", "1", "--keep-daily", "0",
                 "--keep-weekly", "0", "--keep-monthly", "0"},
                kPassphrase),
            0)
      << last_.err;
  EXPECT_NE(last_.out.find("forgot "), std::string::npos) << last_.out;
  ASSERT_EQ(Run({"backup", "snapshots", "--from", target_}, kPassphrase), 0) << last_.err;
  EXPECT_EQ(std::count(last_.out.begin(), last_.out.end(), '\n'), 1) << last_.out;
}

TEST_F(OffsiteCliTest, PruneAndCopyExitFourWhileAnotherRunHoldsTheTarget) {
  ASSERT_EQ(Copy(), 0) << last_.err;
  auto target = OpenDirectoryTarget(Env::Default(), target_, false);
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  auto held = OffsiteTargetLock::Acquire(DefaultBackupDir(data_), **target, "server copy run");
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_EQ(Run({"backup", "prune", "--data", data_, "--target", target_}, kPassphrase), 4);
  EXPECT_NE(last_.err.find("another off-site copy or prune of " + (*target)->Describe() +
                           " is running (pid"),
            std::string::npos)
      << last_.err;
  EXPECT_EQ(Copy(), 4) << last_.err;
  held->reset();
  EXPECT_EQ(Run({"backup", "prune", "--data", data_, "--target", target_}, kPassphrase), 0)
      << last_.err;
}

TEST_F(OffsiteCliTest, CopiesToS3AndRestoresFromItOnABareMachine) {
  ARKWIKI_START_S3RVER_OR_SKIP(s3, dir_.Sub("s3rver"), "wiki-backups");
  setenv("AWS_ACCESS_KEY_ID", S3rverProcess::kAccessKey.c_str(), 1);
  setenv("AWS_SECRET_ACCESS_KEY", S3rverProcess::kSecretKey.c_str(), 1);
  const std::string url = "s3://wiki-backups/site1";
  const std::string endpoint = s3->endpoint();
  ASSERT_EQ(
      Run({"backup", "copy", "--data", data_, "--to", url, "--endpoint", endpoint}, kPassphrase), 0)
      << last_.err;
  ASSERT_EQ(
      Run({"backup", "snapshots", "--from", url, "--endpoint", endpoint, "--json"}, kPassphrase), 0)
      << last_.err;
  EXPECT_NE(last_.out.find("\"trigger\":\"cli\""), std::string::npos) << last_.out;
  const std::string fresh = dir_.Sub("new-machine");
  ASSERT_EQ(Run({"backup", "restore", "--data", fresh, "--from", url, "--endpoint", endpoint,
                 "--snapshot", "latest", "--yes"},
                kPassphrase),
            0)
      << last_.err;
  EXPECT_EQ(DumpWiki(fresh), DumpWiki(data_));
}

TEST_F(OffsiteCliTest, S3SettingsFromFlagsReachTheRecoverySheetAndTheRestore) {
  ARKWIKI_START_S3RVER_OR_SKIP(s3, dir_.Sub("s3rver"), "wiki-backups");
  setenv("AWS_ACCESS_KEY_ID", S3rverProcess::kAccessKey.c_str(), 1);
  setenv("AWS_SECRET_ACCESS_KEY", S3rverProcess::kSecretKey.c_str(), 1);
  const std::string url = "s3://wiki-backups/site3";
  const std::vector<std::string> where = {"--endpoint", s3->endpoint(), "--region", "eu-central-1"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), where.begin(), where.end());
    return args;
  };
  ASSERT_EQ(Run(with({"backup", "copy", "--data", data_, "--to", url}), kPassphrase), 0)
      << last_.err;
  // The sheet's command is whole: no placeholder for a setting it was given.
  EXPECT_NE(last_.err.find("arkwiki backup restore --data NEWDIR --from " + url + " --endpoint " +
                           s3->endpoint() + " --region eu-central-1 --snapshot latest --yes"),
            std::string::npos)
      << last_.err;
  EXPECT_EQ(last_.err.find(S3rverProcess::kSecretKey), std::string::npos) << last_.err;
  const std::string fresh = dir_.Sub("new-machine");
  ASSERT_EQ(Run(with({"backup", "restore", "--data", fresh, "--from", url, "--snapshot", "latest",
                      "--yes"}),
                kPassphrase),
            0)
      << last_.err;
  EXPECT_EQ(DumpWiki(fresh), DumpWiki(data_));
}

TEST_F(OffsiteCliTest, S3FlagsWithADirectoryTargetAreAUsageError) {
  for (const std::vector<std::string>& flag : std::vector<std::vector<std::string>>{
           {"--region", "eu-central-1"}, {"--virtual-host"}, {"--ca-file", "/etc/ca.pem"}}) {
    std::vector<std::string> args = {"backup", "snapshots", "--from", target_};
    args.insert(args.end(), flag.begin(), flag.end());
    EXPECT_EQ(Run(args, kPassphrase), 2) << flag[0] << ": " << last_.err;
    EXPECT_NE(last_.err.find("s3:// targets only"), std::string::npos) << last_.err;
  }
}

TEST_F(OffsiteCliTest, CopiesToS3AndRestoresWithACredentialsFile) {
  ARKWIKI_START_S3RVER_OR_SKIP(s3, dir_.Sub("s3rver"), "wiki-backups");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_PROFILE");
  const std::string credentials = dir_.Sub("credentials");
  std::ofstream(credentials) << "# written by aws configure\n[other]\naws_access_key_id = nobody\n"
                             << "aws_secret_access_key = nothing\n\n[default]\naws_access_key_id = "
                             << S3rverProcess::kAccessKey
                             << "\naws_secret_access_key = " << S3rverProcess::kSecretKey
                             << "\nregion = us-east-1\n";
  ASSERT_EQ(::chmod(credentials.c_str(), 0600), 0);
  const std::string url = "s3://wiki-backups/site2";
  const std::vector<std::string> where = {"--endpoint", s3->endpoint(), "--credentials-file",
                                          credentials};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), where.begin(), where.end());
    return args;
  };
  ASSERT_EQ(Run(with({"backup", "copy", "--data", data_, "--to", url}), kPassphrase), 0)
      << last_.err;
  const std::string fresh = dir_.Sub("new-machine");
  ASSERT_EQ(Run(with({"backup", "restore", "--data", fresh, "--from", url, "--snapshot", "latest",
                      "--yes"}),
                kPassphrase),
            0)
      << last_.err;
  EXPECT_EQ(DumpWiki(fresh), DumpWiki(data_));
  // Another profile's keys are other keys: s3rver does not know them.
  setenv("AWS_PROFILE", "other", 1);
  EXPECT_EQ(Run(with({"backup", "snapshots", "--from", url}), kPassphrase), 4) << last_.err;
  EXPECT_NE(last_.err.find("InvalidAccessKeyId"), std::string::npos) << last_.err;
  unsetenv("AWS_PROFILE");
}

TEST_F(OffsiteCliTest, CredentialsFileOthersCanReadIsRefused) {
  const std::string credentials = dir_.Sub("credentials");
  std::ofstream(credentials)
      << "[default]\naws_access_key_id = a\naws_secret_access_key = s3cret\n";
  ASSERT_EQ(::chmod(credentials.c_str(), 0644), 0);
  EXPECT_NE(Run({"backup", "snapshots", "--from", "s3://bucket/wiki", "--endpoint",
                 "http://127.0.0.1:1", "--credentials-file", credentials},
                kPassphrase),
            0);
  EXPECT_NE(last_.err.find("chmod 600 " + credentials), std::string::npos) << last_.err;
  EXPECT_EQ(last_.err.find("s3cret"), std::string::npos) << "the secret is never shown";
  ASSERT_EQ(::chmod(credentials.c_str(), 0600), 0);
  EXPECT_EQ(Run({"backup", "snapshots", "--from", target_, "--credentials-file", credentials},
                kPassphrase),
            2);
  EXPECT_NE(last_.err.find("for s3:// targets only"), std::string::npos) << last_.err;
}

TEST_F(OffsiteCliTest, S3WithoutCredentialsNamesTheVariablesToSet) {
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(
      Run({"backup", "snapshots", "--from", "s3://bucket/wiki", "--endpoint", "http://127.0.0.1:1"},
          kPassphrase),
      2);
  EXPECT_NE(last_.err.find("AWS_ACCESS_KEY_ID"), std::string::npos) << last_.err;
}

TEST_F(OffsiteCliTest, CopyNeedsATargetAndAPassphrase) {
  EXPECT_EQ(Run({"backup", "copy", "--data", data_}), 2);
  EXPECT_NE(last_.err.find("--to TARGET"), std::string::npos) << last_.err;
  EXPECT_EQ(Run({"backup", "copy", "--data", data_, "--to", target_}, ""), 2);
  EXPECT_NE(last_.err.find("passphrase"), std::string::npos) << last_.err;
}

}  // namespace
}  // namespace arkwiki::testing
