// arkwiki-drill: recovery drills against real arkwiki processes. The
// usage, options and exit codes are kUsage below (arkwiki-drill --help).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <sstream>

#include "cli_flags.h"
#include "diff_command.h"
#include "drill_context.h"
#include "report.h"
#include "seeder.h"

namespace arkwiki::drill {

std::vector<Scenario> DamageScenarios();
std::vector<Scenario> LoadScenarios();
std::vector<Scenario> CrashScenarios();
std::vector<Scenario> FaultScenarios();
std::vector<Scenario> TamperedScenarios();
std::vector<Scenario> RepositoryScenarios();
std::vector<Scenario> OffsiteScenarios();
std::vector<Scenario> RepositoryFaultScenarios();
std::vector<Scenario> RepositoryLoadScenarios();

const std::vector<Scenario>& AllScenarios() {
  static const std::vector<Scenario> all = [] {
    std::vector<Scenario> v;
    for (auto group : {DamageScenarios(), LoadScenarios(), CrashScenarios(), FaultScenarios(),
                       TamperedScenarios(), RepositoryScenarios(), RepositoryFaultScenarios(),
                       RepositoryLoadScenarios(), OffsiteScenarios()}) {
      v.insert(v.end(), group.begin(), group.end());
    }
    for (auto& s : v) s.per_profile = s.id != 12;  // the old archive is its own input
    return v;
  }();
  return all;
}

namespace {

const char kUsage[] =
    "usage: arkwiki-drill [run] [--quick | --full] [--profiles small,edge] [--scenarios 1,8]\n"
    "                     [--paths cli,http] [--report-dir DIR] [--work DIR] [--seed N]\n"
    "                     [--pages N] [--big-upload-mb N] [--archives DIR] [--arkwiki PATH]\n"
    "                     [--xfail 5:cli,2] [--skip 1:cli] [--keep] [--verbose]\n"
    "       arkwiki-drill diff A B [--tokens FP.json] [--ignore-times] [--exclude PREFIX]\n"
    "       arkwiki-drill list\n"
    "\n"
    "Runs named disaster scenarios against real arkwiki processes and writes a\n"
    "report. --quick (the default, what CI runs): every scenario on the small\n"
    "and edge profiles, with the edge profile's big upload at 8 MiB unless\n"
    "--big-upload-mb says otherwise. --full: small, typical and edge with the\n"
    "100 MiB upload. list prints the scenarios; diff compares two wikis.\n"
    "\n"
    "exit codes:\n"
    "  0  every scenario passed (skips allowed)\n"
    "  1  a scenario lost data or misbehaved (diff: the wikis differ)\n"
    "  2  usage error\n"
    "  3  the fixtures could not be seeded (diff: a side could not be read)\n";

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSeed = 3;

std::vector<std::string> Split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Result<DrillConfig> ConfigFrom(const fixture::Flags& f) {
  DrillConfig c;
  const bool full = f.Has("full");
  c.arkwiki = f.Get("arkwiki", ARKWIKI_BINARY);
  c.work_root = f.Get("work", "/tmp/arkwiki-drill-" + std::to_string(::getpid()));
  c.report_dir = f.Get("report-dir");
  c.archives_dir = f.Get("archives", ARKWIKI_FIXTURES_SOURCE_DIR "/archives");
  c.profiles = Split(f.Get("profiles", full ? "small,typical,edge" : "small,edge"));
  c.paths = Split(f.Get("paths", "cli,http"));
  for (const auto& id : Split(f.Get("scenarios"))) c.scenarios.push_back(std::atoi(id.c_str()));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t seed, f.GetInt("seed", 1));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t pages, f.GetInt("pages", 2000));
  ARKWIKI_ASSIGN_OR_RETURN(c.big_upload_mb, f.GetInt("big-upload-mb", full ? 100 : 8));
  c.seed = static_cast<uint64_t>(seed);
  c.typical_pages = static_cast<int>(pages);
  c.xfail = Split(f.Get("xfail"));
  c.skip = Split(f.Get("skip"));
  c.keep_work = f.Has("keep");
  c.verbose = f.Has("verbose");
  if (f.Has("quick") && full) return Status::InvalidArgument("--quick or --full, not both");
  return c;
}

Result<Golden> SeedGolden(DrillContext& ctx, const std::string& profile) {
  const DrillConfig& c = ctx.config();
  const std::string dir = c.work_root + "/golden-" + profile;
  // A run that was killed (or kept with --keep) leaves its golden wiki;
  // the harness owns this directory and seeds it afresh.
  std::error_code gone;
  std::filesystem::remove_all(dir, gone);
  if (gone) return Status::IoError("cannot clear " + dir + ": " + gone.message());
  fixture::SeedOptions o;
  o.profile.profile = profile;
  o.profile.seed = c.seed;
  o.profile.pages = c.typical_pages;
  o.profile.big_upload_mb = c.big_upload_mb;
  o.arkwiki = c.arkwiki;
  o.data_dir = dir + "/data";
  o.work_dir = dir + "/work";
  o.verbose = c.verbose;
  ARKWIKI_ASSIGN_OR_RETURN(fixture::Fingerprint fp, fixture::SeedWiki(o));
  Golden g{profile, o.data_dir, dir + "/fingerprint.json", std::move(fp)};
  ARKWIKI_RETURN_IF_ERROR(fixture::WriteFingerprint(g.fp, g.fingerprint_path));
  return g;
}

bool Selected(const DrillConfig& c, const Scenario& s) {
  return c.scenarios.empty() ||
         std::find(c.scenarios.begin(), c.scenarios.end(), s.id) != c.scenarios.end();
}

// Matches "ID", "ID:path" or "ID:path:profile".
bool Listed(const std::vector<std::string>& list, int id, const std::string& path,
            const std::string& profile) {
  const std::string bare = std::to_string(id);
  for (const std::string& key : {bare, bare + ":" + path, bare + ":" + path + ":" + profile}) {
    if (std::find(list.begin(), list.end(), key) != list.end()) return true;
  }
  return false;
}

// Applies --xfail to a finished run.
void ApplyXfail(Verdict* v) {
  if (v->result == "fail") {
    v->result = "xfail";
    v->Note("known failure (--xfail): not counted against the drill");
  } else if (v->result == "pass") {
    v->result = "xpass";
    v->Note("listed with --xfail but passed: remove it from the list");
  }
}

Verdict RunOne(DrillContext& ctx, const Scenario& s, const Golden& g, const std::string& path) {
  Verdict v;
  v.scenario = s.id;
  v.name = s.name;
  v.profile = s.per_profile ? g.profile : "archive";
  v.path = path;
  if (Listed(ctx.config().skip, s.id, path, v.profile)) {
    v.Skip("not run: listed with --skip (a known problem)");
    return v;
  }
  const auto start = std::chrono::steady_clock::now();
  try {
    s.run(ctx, g, path, &v);
  } catch (const std::exception& e) {
    v.Fail(std::string("exception: ") + e.what());
  }
  v.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (Listed(ctx.config().xfail, s.id, path, v.profile)) ApplyXfail(&v);
  if (v.result == "fail" || v.result == "xfail" || ctx.config().keep_work) {
    for (const auto& d : ctx.scratch_dirs()) v.Note("kept for inspection: " + d);
  } else {
    ctx.RemoveScratchDirs();
  }
  return v;
}

// Seeds `profile` and runs every selected scenario on it. Scenarios that
// are not per profile run only with the first profile.
Status RunProfile(DrillContext& ctx, const std::string& profile, std::set<int>* ran,
                  std::vector<Verdict>* verdicts) {
  const DrillConfig& config = ctx.config();
  std::fprintf(stderr, "seeding the %s profile...\n", profile.c_str());
  const auto seed_start = std::chrono::steady_clock::now();
  ARKWIKI_ASSIGN_OR_RETURN(Golden golden, SeedGolden(ctx, profile));
  std::fprintf(stderr, "seeded %s in %.1f s: %zu pages, %zu users\n", profile.c_str(),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - seed_start).count(),
               golden.fp.state.pages.size(), golden.fp.state.users.size());
  for (const Scenario& s : AllScenarios()) {
    if (!Selected(config, s) || (!s.per_profile && ran->count(s.id))) continue;
    ran->insert(s.id);
    for (const auto& path : s.paths) {
      if (std::find(config.paths.begin(), config.paths.end(), path) == config.paths.end()) continue;
      Verdict v = RunOne(ctx, s, golden, path);
      std::fprintf(stderr, "  %2d %-22s %-8s %-4s %s (%.1f s)\n", v.scenario, v.name.c_str(),
                   v.profile.c_str(), v.path.c_str(), v.result.c_str(), v.seconds);
      verdicts->push_back(std::move(v));
    }
  }
  return Status::Ok();
}

int RunDrills(const DrillConfig& config) {
  DrillContext ctx(config);
  std::vector<Verdict> verdicts;
  const auto start = std::chrono::steady_clock::now();
  std::set<int> ran;
  for (const auto& profile : config.profiles) {
    Status s = RunProfile(ctx, profile, &ran, &verdicts);
    if (!s.ok()) {
      std::fprintf(stderr, "error: seeding %s: %s\n", profile.c_str(), s.ToString().c_str());
      return kExitSeed;
    }
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PrintTable(verdicts);
  if (!config.report_dir.empty()) {
    Status s = WriteReports(config.report_dir, verdicts, config, total);
    if (!s.ok())
      std::fprintf(stderr, "error: writing the report: %s\n", s.message().c_str());
    else
      std::printf("\nreport: %s/report.json, %s/junit.xml\n", config.report_dir.c_str(),
                  config.report_dir.c_str());
  }
  const bool failed = AnyFailure(verdicts);
  std::printf("%s: %zu scenario run(s) in %.1f s\n", failed ? "FAILED" : "PASSED", verdicts.size(),
              total);
  if (!failed && !config.keep_work) {
    std::error_code ec;
    std::filesystem::remove_all(config.work_root, ec);
  } else {
    std::printf("work directory kept: %s\n", config.work_root.c_str());
  }
  return failed ? kExitFailed : 0;
}

int List() {
  for (const Scenario& s : AllScenarios()) {
    std::printf("%2d  %-22s %s\n", s.id, s.name.c_str(), s.summary.c_str());
  }
  return 0;
}

}  // namespace
}  // namespace arkwiki::drill

int main(int argc, char** argv) {
  using namespace arkwiki;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h" || (a == args[0] && a == "help")) {
      std::fputs(drill::kUsage, stdout);
      return 0;
    }
  }
  if (!args.empty() && args[0] == "diff") {
    return fixture::RunDiffCommand({args.begin() + 1, args.end()}, ARKWIKI_BINARY);
  }
  if (!args.empty() && args[0] == "list") return drill::List();
  if (!args.empty() && args[0] == "run") args.erase(args.begin());
  auto flags =
      fixture::ParseFlags(args,
                          {"profiles", "scenarios", "paths", "report-dir", "work", "seed", "pages",
                           "big-upload-mb", "archives", "arkwiki", "xfail", "skip"},
                          {"quick", "full", "keep", "verbose"});
  auto config = flags.ok() ? drill::ConfigFrom(*flags) : Result<drill::DrillConfig>(flags.status());
  if (!config.ok()) {
    std::fprintf(stderr, "error: %s\n%s", config.status().message().c_str(), drill::kUsage);
    return drill::kExitUsage;
  }
  return drill::RunDrills(*config);
}
