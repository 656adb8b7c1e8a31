// The load test's counts and settings, from its command line. The defaults
// are what CI runs (ctest's load_test); pass larger counts by hand.
#pragma once

#include <string>
#include <vector>

#include "arkwiki/core/status.h"

namespace arkwiki::load {

struct LoadOptions {
  int browsers = 32;            // anonymous visitors, each viewing `views` pages
  int views = 100;              // page views per browser
  int editors = 4;              // logged-in editors, each saving `saves` times
  int saves = 25;               // saves per editor (edit form, then save)
  int searchers = 8;            // each sends `searches` pathological searches
  int searches = 10;            // ... and opens the wide-table page as often
  int backups = 3;              // backups downloaded one after another
  int slowloris = 30;           // connections that send their head slowly
  int slow_line_ms = 500;       // gap between a slow connection's header lines
  int head_timeout_ms = 3000;   // the server's head_timeout_ms
  int threads = 0;              // the server's worker threads; 0: its default
  int pages = 200;              // ordinary pages seeded for the browsers
  int upload_mb = 8;            // uploaded, so that a backup takes a while
  int uploads = 1;              // files `upload_mb` is split into
  int health_gap_ms = 100;      // pause between health probes
  int health_bound_ms = 10000;  // a health probe must answer within this
  int watchdog_s = 240;         // the run is stopped (and fails) after this
  bool keep = false;            // keep the data directory and server log
  bool help = false;
};

// Parses "--name N" / "--name=N" and the booleans --keep and --help
// (also -h). InvalidArgument names a flag that is unknown or not a count.
Result<LoadOptions> ParseLoadOptions(const std::vector<std::string>& args);

// The usage text, with the flags, their defaults and the exit codes.
std::string LoadUsage();

}  // namespace arkwiki::load
