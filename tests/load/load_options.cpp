#include "load/load_options.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace arkwiki::load {
namespace {

struct IntFlag {
  int LoadOptions::*field;
  int min;
  int max;
  const char* help;
};

const std::map<std::string, IntFlag>& IntFlags() {
  static const std::map<std::string, IntFlag> flags = {
      {"browsers", {&LoadOptions::browsers, 0, 4096, "anonymous clients viewing pages"}},
      {"views", {&LoadOptions::views, 0, 1000000, "page views per browser"}},
      {"editors", {&LoadOptions::editors, 0, 64, "logged-in editors saving pages"}},
      {"saves", {&LoadOptions::saves, 0, 100000, "saves per editor"}},
      {"searchers", {&LoadOptions::searchers, 0, 1024, "clients sending pathological searches"}},
      {"searches",
       {&LoadOptions::searches, 0, 100000, "searches per searcher (and as many wide-table views)"}},
      {"backups", {&LoadOptions::backups, 0, 1000, "backups downloaded, one after another"}},
      {"slowloris", {&LoadOptions::slowloris, 0, 4096, "slow-head connections held open"}},
      {"slow-line-ms",
       {&LoadOptions::slow_line_ms, 1, 600000, "gap between a slow connection's header lines"}},
      {"head-timeout-ms",
       {&LoadOptions::head_timeout_ms, 100, 600000,
        "the server's head deadline (its default is 10000)"}},
      {"threads", {&LoadOptions::threads, 0, 1024, "server worker threads (0: its default)"}},
      {"pages", {&LoadOptions::pages, 1, 1000000, "ordinary pages seeded"}},
      {"upload-mb", {&LoadOptions::upload_mb, 0, 4096, "MiB of uploads seeded"}},
      {"uploads",
       {&LoadOptions::uploads, 1, 100000,
        "files the upload MiB are split into: random bytes (stored) and text (deflated), "
        "alternately"}},
      {"health-gap-ms", {&LoadOptions::health_gap_ms, 1, 60000, "pause between health probes"}},
      {"health-bound-ms",
       {&LoadOptions::health_bound_ms, 100, 600000,
        "a health probe failing to answer within this is a failure"}},
      {"watchdog-s",
       {&LoadOptions::watchdog_s, 1, 86400, "stop the run (a failure) after this many seconds"}},
  };
  return flags;
}

}  // namespace

Result<LoadOptions> ParseLoadOptions(const std::vector<std::string>& args) {
  LoadOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      continue;
    }
    if (arg == "--keep") {
      o.keep = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return Status::InvalidArgument("unexpected argument " + arg);
    std::string name = arg.substr(2);
    std::string value;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    }
    auto flag = IntFlags().find(name);
    if (flag == IntFlags().end()) return Status::InvalidArgument("unknown flag --" + name);
    int n = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (error != std::errc() || end != value.data() + value.size() || n < flag->second.min ||
        n > flag->second.max) {
      return Status::InvalidArgument("--" + name + " takes a whole number from " +
                                     std::to_string(flag->second.min) + " to " +
                                     std::to_string(flag->second.max));
    }
    o.*(flag->second.field) = n;
  }
  return o;
}

std::string LoadUsage() {
  const LoadOptions defaults;
  std::string text =
      "usage: arkwiki-load [--FLAG N]... [--keep]\n"
      "Runs a real `arkwiki serve` on loopback and drives it at once with browsers,\n"
      "editors, a backup download, pathological searches with wide-table views, and\n"
      "slow-head (slowloris) connections, while /api/health is probed from fresh\n"
      "connections. Every client does its count of requests, then the run ends.\n"
      "Prints p50/p99/max latencies per kind of request. Fails on any request that\n"
      "ends in anything but a documented outcome; it never fails on a latency.\n\nflags:\n";
  for (const auto& [name, flag] : IntFlags()) {
    std::string line = "  --" + name + " N";
    line.resize(std::max<size_t>(line.size() + 1, 24), ' ');
    text += line + flag.help + " (default " + std::to_string(defaults.*(flag.field)) + ")\n";
  }
  text +=
      "  --keep                keep the data directory and the server log\n"
      "\nexit codes: 0 every request ended as documented; 1 some did not, or a client\n"
      "did not finish its count; 2 bad flags, or the wiki could not be set up\n";
  return text;
}

}  // namespace arkwiki::load
