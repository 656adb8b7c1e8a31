// OffsiteRestoreCommand: the command a recovery sheet shows, with every S3
// setting a restore on a bare machine needs and nothing secret.
#include <gtest/gtest.h>

#include "arkwiki/backup/offsite_targets.h"

namespace arkwiki {
namespace {

TEST(OffsiteRestoreCommandTest, ADirectoryTargetNeedsOnlyItsPath) {
  OffsiteTargetSpec spec;
  spec.location = "/mnt/nas/wiki";
  EXPECT_EQ(OffsiteRestoreCommand(spec),
            "arkwiki backup restore --data NEWDIR --from /mnt/nas/wiki --snapshot latest --yes");
}

TEST(OffsiteRestoreCommandTest, AnS3TargetCarriesEverySettingButTheSecrets) {
  OffsiteTargetSpec spec;
  spec.location = "s3://wiki-backups/site1";
  spec.endpoint = "https://s3.eu-central-1.amazonaws.com";
  spec.region = "eu-central-1";
  spec.path_style = false;
  spec.ca_file = "/etc/ssl/corp-ca.pem";
  spec.access_key_id = "AKIDEXAMPLE";
  spec.secret_access_key = "wJalrXUtnFEMI/K7MDENG";
  const std::string command = OffsiteRestoreCommand(spec);
  EXPECT_EQ(command,
            "arkwiki backup restore --data NEWDIR --from s3://wiki-backups/site1 --endpoint "
            "https://s3.eu-central-1.amazonaws.com --region eu-central-1 --virtual-host "
            "--ca-file /etc/ssl/corp-ca.pem --snapshot latest --yes");
  EXPECT_EQ(command.find("AKIDEXAMPLE"), std::string::npos);
  EXPECT_EQ(command.find("wJalr"), std::string::npos);
}

TEST(OffsiteRestoreCommandTest, PathStyleAndTheDefaultRegionAddNoFlags) {
  OffsiteTargetSpec spec;
  spec.location = "s3://b";
  spec.endpoint = "http://127.0.0.1:9000";
  EXPECT_EQ(OffsiteRestoreCommand(spec),
            "arkwiki backup restore --data NEWDIR --from s3://b --endpoint http://127.0.0.1:9000 "
            "--snapshot latest --yes");
}

TEST(OffsiteRestoreCommandTest, WordsAShellWouldSplitOrExpandAreQuoted) {
  OffsiteTargetSpec spec;
  spec.location = "/mnt/My Backups/it's $HOME";
  EXPECT_EQ(OffsiteRestoreCommand(spec),
            "arkwiki backup restore --data NEWDIR --from '/mnt/My Backups/it'\\''s $HOME' "
            "--snapshot latest --yes");
}

}  // namespace
}  // namespace arkwiki
