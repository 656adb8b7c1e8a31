// Scenario 19: machine lost. Seed, write a restore point and copy it to an
// off-site directory target; then delete the whole data directory with its
// repository of restore points, restore from the target into an empty
// directory with nothing but the passphrase, and diff against the seed. A
// wrong passphrase is refused first, leaving the new directory untouched.
#include <filesystem>
#include <fstream>

#include "scenario_util.h"

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

void MachineLost(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  (void)path;
  DRILL_ASSIGN(std::string dir, ctx.NewDir("machine-lost"));
  const std::string data = dir + "/data", target = dir + "/nas", fresh = dir + "/new-machine";
  DRILL_CHECK(ctx.CopyGolden(g, data));
  DRILL_CHECK(Run(ctx, {"backup", "snapshot", "--data", data, "--quiet"}, "backup snapshot"));
  DRILL_CHECK(Run(ctx, {"backup", "copy", "--data", data, "--to", target}, "backup copy",
                  std::string(kPassphrase) + "\n"));
  std::error_code ec;
  fs::remove_all(data, ec);
  if (ec || fs::exists(data)) return v->Fail("setup: could not delete " + data);
  v->Note("deleted the data directory and its repository of restore points");

  DRILL_ASSIGN(auto wrong, ctx.Arkwiki({"backup", "restore", "--data", fresh, "--from", target,
                                        "--snapshot", "latest", "--yes"},
                                       {}, "not the passphrase\n"));
  if (wrong.exit_code == 0) return v->Fail("a wrong passphrase was accepted");
  if (wrong.err.find("wrong passphrase") == std::string::npos) {
    v->Fail("a wrong passphrase was refused without saying so: " + wrong.err);
  }
  if (fs::exists(fresh)) v->Fail("a refused restore created " + fresh);

  const std::string sheet = dir + "/passphrase.txt";
  std::ofstream(sheet) << kPassphrase << "\n";
  DRILL_ASSIGN(auto restored,
               ctx.Arkwiki({"backup", "restore", "--data", fresh, "--from", target, "--snapshot",
                            "latest", "--passphrase-file", sheet, "--yes", "--quiet"}));
  v->restore_seconds = restored.seconds;
  if (restored.exit_code != 0) {
    return v->Fail("restore from the target exited " + std::to_string(restored.exit_code) + ": " +
                   restored.err);
  }
  DRILL_ASSIGN(auto diffs, ctx.DiffDataDir(fresh, g.fp));
  v->RecordDiff("wiki restored from the off-site copy vs the seed", diffs);
}

}  // namespace

std::vector<Scenario> OffsiteScenarios() {
  return {
      {19,
       "machine-lost",
       "restore from an off-site directory target with the passphrase only",
       {"cli"},
       MachineLost},
  };
}

}  // namespace arkwiki::drill
