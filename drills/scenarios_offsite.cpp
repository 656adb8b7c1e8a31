// Scenarios 19 and 20: machine lost. Seed, write a restore point and copy
// it to an off-site target (19: a directory, 20: an S3 bucket on a local
// s3rver); then delete the whole data directory with its repository of
// restore points, restore from the target into an empty directory with
// nothing but the passphrase (and, for S3, the endpoint and a credentials
// file), and diff against the seed. A wrong passphrase is refused first,
// leaving the new directory untouched.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "scenario_util.h"
#ifdef ARKWIKI_DRILL_S3RVER
#include "support/s3rver_fixture.h"
#endif

namespace arkwiki::drill {
namespace {

namespace fs = std::filesystem;

constexpr char kPassphrase[] = "drill: the passphrase on the recovery sheet";

Status Run(DrillContext& ctx, const std::vector<std::string>& args, const std::string& what,
           const std::string& stdin_text = "") {
  ARKWIKI_ASSIGN_OR_RETURN(auto r, ctx.Arkwiki(args, {}, stdin_text));
  if (r.exit_code != 0) {
    return Status::IoError(what + " exited " + std::to_string(r.exit_code) + ": " + r.err);
  }
  return Status::Ok();
}

// Where the copy goes and the flags that reach it (after --to / --from).
struct OffsiteWhere {
  std::string target;
  std::vector<std::string> flags;
};

std::vector<std::string> With(std::vector<std::string> args, const OffsiteWhere& where) {
  args.insert(args.end(), where.flags.begin(), where.flags.end());
  return args;
}

// The copy, the loss, the refused wrong passphrase and the restore.
void LoseAndRestore(DrillContext& ctx, const Golden& g, const std::string& dir,
                    const OffsiteWhere& where, Verdict* v) {
  const std::string data = dir + "/data", fresh = dir + "/new-machine";
  DRILL_CHECK(ctx.CopyGolden(g, data));
  DRILL_CHECK(Run(ctx, {"backup", "snapshot", "--data", data, "--quiet"}, "backup snapshot"));
  DRILL_CHECK(Run(ctx, With({"backup", "copy", "--data", data, "--to", where.target}, where),
                  "backup copy", std::string(kPassphrase) + "\n"));
  std::error_code ec;
  fs::remove_all(data, ec);
  if (ec || fs::exists(data)) return v->Fail("setup: could not delete " + data);
  v->Note("deleted the data directory and its repository of restore points");

  DRILL_ASSIGN(auto wrong, ctx.Arkwiki(With({"backup", "restore", "--data", fresh, "--from",
                                             where.target, "--snapshot", "latest", "--yes"},
                                            where),
                                       {}, "not the passphrase\n"));
  if (wrong.exit_code == 0) return v->Fail("a wrong passphrase was accepted");
  if (wrong.err.find("wrong passphrase") == std::string::npos) {
    v->Fail("a wrong passphrase was refused without saying so: " + wrong.err);
  }
  if (fs::exists(fresh)) v->Fail("a refused restore created " + fresh);

  const std::string sheet = dir + "/passphrase.txt";
  std::ofstream(sheet) << kPassphrase << "\n";
  DRILL_ASSIGN(auto restored, ctx.Arkwiki(With({"backup", "restore", "--data", fresh, "--from",
                                                where.target, "--snapshot", "latest",
                                                "--passphrase-file", sheet, "--yes", "--quiet"},
                                               where)));
  v->restore_seconds = restored.seconds;
  if (restored.exit_code != 0) {
    return v->Fail("restore from the target exited " + std::to_string(restored.exit_code) + ": " +
                   restored.err);
  }
  DRILL_ASSIGN(auto diffs, ctx.DiffDataDir(fresh, g.fp));
  v->RecordDiff("wiki restored from the off-site copy vs the seed", diffs);
}

void MachineLost(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  (void)path;
  DRILL_ASSIGN(std::string dir, ctx.NewDir("machine-lost"));
  LoseAndRestore(ctx, g, dir, {dir + "/nas", {}}, v);
}

void MachineLostS3(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  (void)path;
#ifdef ARKWIKI_DRILL_S3RVER
  DRILL_ASSIGN(std::string dir, ctx.NewDir("machine-lost-s3"));
  auto server = testing::S3rverProcess::Start(dir + "/s3rver", "wiki-offsite");
  if (server.status().code() == StatusCode::kUnsupported) {
    return v->Skip(server.status().message());
  }
  DRILL_CHECK(server.status());
  // What the recovery sheet lists besides the passphrase: the bucket, the
  // endpoint and the credentials (a file, as on a new machine).
  const std::string credentials = dir + "/aws-credentials";
  std::ofstream(credentials) << "[default]\naws_access_key_id = "
                             << testing::S3rverProcess::kAccessKey
                             << "\naws_secret_access_key = " << testing::S3rverProcess::kSecretKey
                             << "\n";
  if (::chmod(credentials.c_str(), 0600) != 0) return v->Fail("setup: chmod " + credentials);
  LoseAndRestore(ctx, g, dir,
                 {"s3://wiki-offsite/" + g.profile,
                  {"--endpoint", (*server)->endpoint(), "--credentials-file", credentials}},
                 v);
#else
  (void)ctx;
  (void)g;
  v->Skip("built without the tests' s3rver fixture (ARKWIKI_BUILD_TESTS=OFF)");
#endif
}

}  // namespace

std::vector<Scenario> OffsiteScenarios() {
  return {
      {19,
       "machine-lost",
       "restore from an off-site directory target with the passphrase only",
       {"cli"},
       MachineLost},
      {21,
       "machine-lost-s3",
       "restore from an off-site S3 target (a local s3rver) with the passphrase only",
       {"cli"},
       MachineLostS3},
  };
}

}  // namespace arkwiki::drill
