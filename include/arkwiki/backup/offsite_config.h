// The off-site targets configured for a wiki: DATA/offsite/targets.conf.
//
// The file is outside DATA/live/, so a backup never holds it and an import
// never replaces it, and it must be readable by its owner only (mode 0600
// or stricter): it holds the passphrase and the target credentials. One
// section per target, in INI syntax:
//
//   [nas]
//   ; a directory, or s3://bucket/prefix
//   location = /mnt/nas/wiki
//   passphrase = correct horse battery staple
//   ; or, instead of passphrase: the file whose first line is the
//   ; passphrase (it too must be mode 0600 or stricter)
//   passphrase_file = /etc/arkwiki/nas.passphrase
//   ; this target's retention (optional; defaults as RetentionPolicy)
//   keep_last = 3
//   keep_daily = 7
//   keep_weekly = 4
//   keep_monthly = 12
//   ; a prune removes an object no restore point names only once it is
//   ; this many hours old (optional; default 24; 0 = at once), so that a
//   ; copy to the same target from another machine is not broken
//   prune_grace_hours = 24
//   ; written by the server after its first copy to the target (32 hex
//   ; digits): a copy to a target that holds another repository, or none,
//   ; is refused; remove the line to start over on a new repository
//   repository_id = 3f0c9a...
//   ; S3 only
//   endpoint = https://s3.example.com
//   region = eu-west-1
//   access_key_id = ...
//   secret_access_key = ...
//   ca_file = /etc/ssl/my-ca.pem
//   path_style = true
#pragma once

#include <string>
#include <vector>

#include "arkwiki/backup/offsite_targets.h"
#include "arkwiki/backup/retention.h"
#include "arkwiki/core/env.h"

namespace arkwiki {

struct OffsiteTargetConfig {
  std::string name;  // the section name, [a-z0-9_-]+
  OffsiteTargetSpec spec;
  // Loaded: the passphrase itself, read from passphrase_file when one is
  // named. Saved: passphrase_file when set, else the passphrase.
  std::string passphrase;
  std::string passphrase_file;
  RetentionPolicy retention;
  // PruneTarget's grace period for unnamed objects, in hours (0 to
  // kMaxPruneGraceHours).
  int prune_grace_hours = 24;
  static constexpr int kMaxPruneGraceHours = 24 * 365;
  // The off-site repository the target holds (OffsiteKey::repository_id),
  // pinned by the first copy to it; empty until then.
  std::string repository_id;
};

// DATA/offsite/targets.conf.
std::string OffsiteConfigPath(const std::string& data_dir);

// A repository id as a person may type it (in capitals, say), as
// OffsiteKey writes it: lower case. Checking that it is one is the reader's.
std::string RepositoryIdAsWritten(std::string typed);

// The targets in `path`, sorted by name; empty when the file is absent.
// PermissionDenied when group or others may read it (saying to chmod 600);
// InvalidArgument, naming the section and key, for a missing location or
// passphrase, an unknown key or a bad count.
Result<std::vector<OffsiteTargetConfig>> LoadOffsiteTargets(Env* env, const std::string& path);

// InvalidArgument, naming the target and the setting, for what `t` cannot
// be saved with: a bad name, no location or passphrase, a value of more
// than one line or with spaces at its ends, an s3:// location without an
// endpoint, a relative directory, a bad retention, a repository_id that is
// not 32 lowercase hex digits.
Status ValidateOffsiteTarget(const OffsiteTargetConfig& t);
// Writes `targets` to `path` durably (temp, fsync, rename), in the order
// given, as LoadOffsiteTargets reads them; the file is mode 0600 and its
// directory 0700. Comments of a hand-written file are not kept.
Status SaveOffsiteTargets(Env* env, const std::string& path,
                          const std::vector<OffsiteTargetConfig>& targets);
// PermissionDenied, saying to chmod 600, when group or others may read `path`.
Status CheckOffsiteFilePrivate(const std::string& path);
// The passphrase in the file `path`: its first line. Refused (naming
// `where`) when others may read the file or it is empty.
Result<std::string> ReadPassphraseFile(Env* env, const std::string& path, const std::string& where);
// S3 credentials from a file in the AWS shared credentials format (what
// `aws configure` writes to ~/.aws/credentials):
//
//   [default]
//   aws_access_key_id = AKIA...
//   aws_secret_access_key = ...
//
// `profile` names the section ("default" when empty); other keys
// (aws_session_token, region) are ignored; '#' and ';' start comments.
// PermissionDenied when group or others may read the file (saying to
// chmod 600); NotFound for a missing file or profile; InvalidArgument when
// the profile lacks either key. Messages never quote the secret.
struct S3Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};
Result<S3Credentials> LoadS3CredentialsFile(Env* env, const std::string& path,
                                            const std::string& profile);

}  // namespace arkwiki
