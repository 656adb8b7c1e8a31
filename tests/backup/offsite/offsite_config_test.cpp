// DATA/offsite/targets.conf: read only when private, every key checked.
#include "arkwiki/backup/offsite_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"

namespace arkwiki {
namespace {

class OffsiteConfigTest : public ::testing::Test {
 protected:
  Result<std::vector<OffsiteTargetConfig>> Load(const std::string& text, mode_t mode = 0600) {
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
    return LoadOffsiteTargets(Env::Default(), path_);
  }
  testing::TempDir dir_;
  std::string path_ = dir_.Sub("targets.conf");
};

TEST_F(OffsiteConfigTest, ReadsEachTargetWithItsRetention) {
  auto targets = Load(
      "[nas]\nlocation = /mnt/nas/wiki\npassphrase = pw one\nkeep_monthly = 12\n"
      "[cloud]\nlocation = s3://bucket/wiki\npassphrase = pw2\nendpoint = https://s3.test\n"
      "access_key_id = AK\nsecret_access_key = SK\npath_style = true\n");
  ASSERT_TRUE(targets.ok()) << targets.status().ToString();
  ASSERT_EQ(targets->size(), 2u);
  const OffsiteTargetConfig& cloud = targets->at(0);
  EXPECT_EQ(cloud.name, "cloud");
  EXPECT_EQ(cloud.spec.endpoint, "https://s3.test");
  EXPECT_EQ(cloud.spec.secret_access_key, "SK");
  EXPECT_TRUE(cloud.spec.path_style);
  const OffsiteTargetConfig& nas = targets->at(1);
  EXPECT_EQ(nas.spec.location, "/mnt/nas/wiki");
  EXPECT_EQ(nas.passphrase, "pw one");
  EXPECT_EQ(nas.retention.keep_monthly, 12);
  EXPECT_EQ(nas.retention.keep_daily, RetentionPolicy{}.keep_daily);
}

TEST_F(OffsiteConfigTest, PruneGraceHoursDefaultsToADayIsReadSavedAndBounded) {
  auto targets = Load(
      "[a]\nlocation = /mnt/a\npassphrase = p\n"
      "[b]\nlocation = /mnt/b\npassphrase = p\nprune_grace_hours = 0\n");
  ASSERT_TRUE(targets.ok()) << targets.status().ToString();
  EXPECT_EQ(targets->at(0).prune_grace_hours, 24);
  EXPECT_EQ(targets->at(1).prune_grace_hours, 0);
  OffsiteTargetConfig c = targets->at(1);
  c.prune_grace_hours = 72;
  ASSERT_TRUE(SaveOffsiteTargets(Env::Default(), path_, {c}).ok());
  auto back = LoadOffsiteTargets(Env::Default(), path_);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->at(0).prune_grace_hours, 72);
  EXPECT_EQ(Load("[a]\nlocation = /x\npassphrase = p\nprune_grace_hours = -1\n").status().code(),
            StatusCode::kInvalidArgument);
  c.prune_grace_hours = OffsiteTargetConfig::kMaxPruneGraceHours + 1;
  EXPECT_EQ(ValidateOffsiteTarget(c).code(), StatusCode::kInvalidArgument);
}

TEST_F(OffsiteConfigTest, APinnedRepositoryIdIsReadSavedAndMustBeHex) {
  const std::string id = "0123456789abcdef0123456789abcdef";
  auto targets = Load("[a]\nlocation = /mnt/a\npassphrase = p\nrepository_id = " + id + "\n");
  ASSERT_TRUE(targets.ok()) << targets.status().ToString();
  EXPECT_EQ(targets->at(0).repository_id, id);
  ASSERT_TRUE(SaveOffsiteTargets(Env::Default(), path_, *targets).ok());
  auto back = LoadOffsiteTargets(Env::Default(), path_);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->at(0).repository_id, id);
  // Typed in capitals by hand, it is read as OffsiteKey writes it.
  auto typed = Load(
      "[a]\nlocation = /x\npassphrase = p\nrepository_id = "
      "0123456789ABCDEF0123456789abcdef\n");
  ASSERT_TRUE(typed.ok()) << typed.status().ToString();
  EXPECT_EQ(typed->at(0).repository_id, id);
  for (const std::string bad :
       {"0123", "0123456789abcdef0123456789abcdef0", "0123456789abcdef0123456789abcdeg"}) {
    EXPECT_EQ(
        Load("[a]\nlocation = /x\npassphrase = p\nrepository_id = " + bad + "\n").status().code(),
        StatusCode::kInvalidArgument)
        << bad;
    OffsiteTargetConfig c = back->at(0);
    c.repository_id = bad;
    EXPECT_EQ(ValidateOffsiteTarget(c).code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST_F(OffsiteConfigTest, AbsentFileMeansNoTargets) {
  auto targets = LoadOffsiteTargets(Env::Default(), dir_.Sub("none.conf"));
  ASSERT_TRUE(targets.ok());
  EXPECT_TRUE(targets->empty());
}

TEST_F(OffsiteConfigTest, RefusesAFileOthersMayRead) {
  auto targets = Load("[nas]\nlocation = /x\npassphrase = p\n", 0644);
  EXPECT_EQ(targets.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(targets.status().message().find("chmod 600"), std::string::npos);
}

TEST_F(OffsiteConfigTest, RefusesUnknownKeysMissingFieldsAndBadCounts) {
  EXPECT_EQ(Load("[nas]\nlocation = /x\npassphrase = p\npasword = typo\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Load("[nas]\nlocation = /x\n").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Load("[nas]\nlocation = /x\npassphrase = p\nkeep_last = -1\n").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Load("[nas]\nlocation = /x\npassphrase = p\nkeep_last = many\n").status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(OffsiteConfigTest, ReadsThePassphraseFromAPrivatePassphraseFile) {
  const std::string secret = dir_.Sub("nas.passphrase");
  std::ofstream(secret) << "from the file\nignored\n";
  ::chmod(secret.c_str(), 0600);
  auto targets = Load("[nas]\nlocation = /x\npassphrase_file = " + secret + "\n");
  ASSERT_TRUE(targets.ok()) << targets.status().ToString();
  EXPECT_EQ(targets->at(0).passphrase, "from the file");
  EXPECT_EQ(targets->at(0).passphrase_file, secret);
  ::chmod(secret.c_str(), 0640);
  auto open = Load("[nas]\nlocation = /x\npassphrase_file = " + secret + "\n");
  EXPECT_EQ(open.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(open.status().message().find("chmod 600"), std::string::npos);
  EXPECT_EQ(Load("[nas]\nlocation = /x\npassphrase = p\npassphrase_file = " + secret + "\n")
                .status()
                .code(),
            StatusCode::kInvalidArgument);
}

TEST_F(OffsiteConfigTest, SavedTargetsReadBackAndTheFileIsPrivate) {
  OffsiteTargetConfig nas;
  nas.name = "nas";
  nas.spec.location = "/mnt/nas/wiki";
  nas.passphrase = "pass; with = signs";
  nas.retention.keep_monthly = 12;
  OffsiteTargetConfig cloud;
  cloud.name = "cloud";
  cloud.spec.location = "s3://bucket/wiki";
  cloud.spec.endpoint = "https://s3.test";
  cloud.spec.access_key_id = "AK";
  cloud.spec.secret_access_key = "SK";
  cloud.spec.path_style = false;
  cloud.passphrase = "pw2";
  const std::string path = dir_.Sub("offsite") + "/targets.conf";
  ASSERT_TRUE(SaveOffsiteTargets(Env::Default(), path, {nas, cloud}).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto back = LoadOffsiteTargets(Env::Default(), path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ(back->at(0).spec.secret_access_key, "SK");
  EXPECT_FALSE(back->at(0).spec.path_style);
  EXPECT_EQ(back->at(1).passphrase, "pass; with = signs");
  EXPECT_EQ(back->at(1).retention.keep_monthly, 12);
}

TEST_F(OffsiteConfigTest, SaveRefusesWhatCouldNotBeReadBack) {
  OffsiteTargetConfig t;
  t.name = "nas";
  t.spec.location = "/x";
  t.passphrase = "two\nlines";
  EXPECT_EQ(ValidateOffsiteTarget(t).code(), StatusCode::kInvalidArgument);
  t.passphrase = " padded";
  EXPECT_EQ(ValidateOffsiteTarget(t).code(), StatusCode::kInvalidArgument);
  t.passphrase = "ok";
  t.spec.location = "relative/dir";
  EXPECT_EQ(ValidateOffsiteTarget(t).code(), StatusCode::kInvalidArgument);
  t.spec.location = "s3://bucket";
  EXPECT_EQ(ValidateOffsiteTarget(t).code(), StatusCode::kInvalidArgument);  // no endpoint
  t.spec.endpoint = "https://s3.test";
  EXPECT_TRUE(ValidateOffsiteTarget(t).ok());
  t.name = "Bad Name";
  EXPECT_EQ(ValidateOffsiteTarget(t).code(), StatusCode::kInvalidArgument);
}

class S3CredentialsFileTest : public OffsiteConfigTest {
 protected:
  Result<S3Credentials> LoadCredentials(const std::string& text, const std::string& profile = "",
                                        mode_t mode = 0600) {
    std::ofstream(path_) << text;
    ::chmod(path_.c_str(), mode);
    return LoadS3CredentialsFile(Env::Default(), path_, profile);
  }
};

constexpr char kAwsCredentials[] =
    "# written by aws configure\n"
    "[default]\n"
    "aws_access_key_id = AKDEFAULT\n"
    "aws_secret_access_key = secret/default+1\n"
    "\n"
    "[backup]\n"
    "; the wiki's own key\n"
    "aws_access_key_id=AKBACKUP\n"
    "aws_secret_access_key=secret-backup\n"
    "aws_session_token = ignored\n"
    "region = eu-west-1\n";

TEST_F(S3CredentialsFileTest, ReadsTheDefaultOrTheNamedProfile) {
  auto c = LoadCredentials(kAwsCredentials);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKDEFAULT");
  EXPECT_EQ(c->secret_access_key, "secret/default+1");
  c = LoadCredentials(kAwsCredentials, "backup");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKBACKUP");
  EXPECT_EQ(c->secret_access_key, "secret-backup");
}

TEST_F(S3CredentialsFileTest, RefusesAFileOthersMayReadWithoutQuotingTheSecret) {
  auto c = LoadCredentials(kAwsCredentials, "", 0640);
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(c.status().message().find("chmod 600"), std::string::npos);
  EXPECT_EQ(c.status().message().find("secret"), std::string::npos) << c.status().message();
}

TEST_F(S3CredentialsFileTest, MissingFileProfileOrKeyIsNamed) {
  EXPECT_EQ(LoadS3CredentialsFile(Env::Default(), dir_.Sub("none"), "").status().code(),
            StatusCode::kNotFound);
  auto c = LoadCredentials(kAwsCredentials, "nightly");
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find("[nightly]"), std::string::npos);
  c = LoadCredentials("[default]\naws_access_key_id = AK\n");
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("aws_secret_access_key"), std::string::npos);
}

}  // namespace
}  // namespace arkwiki
