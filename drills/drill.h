// The drill runner's model: configuration, the seeded "golden" wiki each
// scenario starts from, and the verdict each scenario run produces.
//
// Every scenario works on its own copy of a golden data directory, runs
// real `arkwiki` processes (the server and the CLI), applies one fault,
// restores through one path — "cli" (`arkwiki backup restore`, server
// stopped) or "http" (POST /api/restore on a running server) — and diffs
// the result against the golden fingerprint through the JSON API.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fingerprint.h"

namespace arkwiki::drill {

struct DrillConfig {
  std::string arkwiki;       // the arkwiki binary under test
  std::string work_root;     // scratch space; one directory per run
  std::string report_dir;    // report.json and junit.xml ("" = none)
  std::string archives_dir;  // fixtures/archives (old-format archives)
  std::vector<std::string> profiles;
  std::vector<int> scenarios;  // empty = all
  std::vector<std::string> paths = {"cli", "http"};
  uint64_t seed = 1;
  int typical_pages = 2000;
  int64_t big_upload_mb = 100;  // edge profile's large upload
  // Known problems, as "ID", "ID:path" or "ID:path:profile" (e.g. "5:cli"). An --xfail run
  // still runs; failing it is reported as "xfail" and does not fail the
  // drill, passing it as "xpass" (time to remove it). A --skip run does
  // not run at all (for known problems that also hang).
  std::vector<std::string> xfail;
  std::vector<std::string> skip;
  bool keep_work = false;  // keep scratch directories for inspection
  bool verbose = false;
};

// A seeded wiki with the server stopped, and its fingerprint.
struct Golden {
  std::string profile;
  std::string data_dir;
  std::string fingerprint_path;
  fixture::Fingerprint fp;
};

struct Verdict {
  int scenario = 0;
  std::string name;
  std::string profile;
  std::string path;             // cli | http
  std::string result = "pass";  // pass | fail | skip | xfail | xpass
  bool data_lost = false;       // the restored or surviving wiki differs
  int64_t differences = 0;
  double restore_seconds = -1;  // the restore command or request
  double downtime_ms = -1;      // the window the wiki did not serve
  std::string downtime_source;  // how downtime_ms was measured
  double seconds = 0;           // the whole scenario
  std::vector<std::string> notes;

  // Records a failed expectation (the scenario misbehaved).
  void Fail(const std::string& why);
  // Records a skip with its reason, unless already failed.
  void Skip(const std::string& why);
  void Note(const std::string& text) { notes.push_back(text); }
  // Records a diff; any difference is data lost and a failure.
  void RecordDiff(const std::string& what, const std::vector<std::string>& diffs);
};

class DrillContext;
using ScenarioFn =
    std::function<void(DrillContext&, const Golden&, const std::string& path, Verdict*)>;

struct Scenario {
  int id;
  std::string name;
  std::string summary;
  std::vector<std::string> paths;  // which of cli/http apply
  ScenarioFn run;
  bool per_profile = true;  // false: runs once (its input is not a profile)
};

// All scenarios, by id (scenarios_*.cpp).
const std::vector<Scenario>& AllScenarios();

}  // namespace arkwiki::drill
