#include "report.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "arkwiki/core/markup_escape.h"

namespace arkwiki::drill {
namespace {

// JUnit XML: control characters XML 1.0 does not allow become spaces.
std::string XmlEscape(const std::string& s) {
  return MarkupEscape(s, ControlChars::kReplaceWithSpace);
}

std::string Millis(double ms) {
  if (ms < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f ms", ms);
  return buf;
}

std::string Seconds(double s) {
  if (s < 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

std::string CaseName(const Verdict& v) {
  return std::to_string(v.scenario) + "-" + v.name + " [" + v.profile + "/" + v.path + "]";
}

Poco::JSON::Object::Ptr VerdictJson(const Verdict& v) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("scenario", v.scenario);
  o->set("name", v.name);
  o->set("profile", v.profile);
  o->set("path", v.path);
  o->set("result", v.result);
  o->set("data_lost", v.data_lost);
  o->set("differences", v.differences);
  o->set("restore_seconds", v.restore_seconds);
  o->set("downtime_ms", v.downtime_ms);
  o->set("downtime_source", v.downtime_source);
  o->set("seconds", v.seconds);
  Poco::JSON::Array::Ptr notes = new Poco::JSON::Array;
  for (const auto& n : v.notes) notes->add(n);
  o->set("notes", notes);
  return o;
}

std::string JUnit(const std::vector<Verdict>& verdicts, double total_seconds) {
  int failures = 0, skipped = 0;
  for (const auto& v : verdicts) {
    failures += v.result == "fail";
    skipped += v.result == "skip" || v.result == "xfail";
  }
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n<testsuite name=\"arkwiki-drill\""
    << " tests=\"" << verdicts.size() << "\" failures=\"" << failures << "\" skipped=\"" << skipped
    << "\" time=\"" << total_seconds << "\">\n";
  for (const auto& v : verdicts) {
    std::string notes;
    for (const auto& n : v.notes) notes += n + "\n";
    x << "  <testcase classname=\"drill." << XmlEscape(v.profile) << "." << v.path << "\" name=\""
      << XmlEscape(CaseName(v)) << "\" time=\"" << v.seconds << "\">\n";
    if (v.result == "fail") {
      x << "    <failure message=\"" << XmlEscape(v.data_lost ? "data lost" : "misbehaved") << "\">"
        << XmlEscape(notes) << "</failure>\n";
    } else if (v.result == "skip" || v.result == "xfail") {
      x << "    <skipped message=\"" << XmlEscape(v.notes.empty() ? "" : v.notes.back())
        << "\"/>\n";
    }
    x << "    <system-out>"
      << XmlEscape("restore " + Seconds(v.restore_seconds) + ", downtime " + Millis(v.downtime_ms) +
                   "\n" + notes)
      << "</system-out>\n  </testcase>\n";
  }
  x << "</testsuite>\n</testsuites>\n";
  return x.str();
}

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return out ? Status::Ok() : Status::IoError("cannot write " + path);
}

}  // namespace

void Verdict::Fail(const std::string& why) {
  result = "fail";
  notes.push_back("FAIL: " + why);
}

void Verdict::Skip(const std::string& why) {
  if (result != "fail") result = "skip";
  notes.push_back("SKIP: " + why);
}

void Verdict::RecordDiff(const std::string& what, const std::vector<std::string>& diffs) {
  differences += static_cast<int64_t>(diffs.size());
  if (diffs.empty()) {
    notes.push_back(what + ": identical");
    return;
  }
  data_lost = true;
  Fail(what + ": " + std::to_string(diffs.size()) + " difference(s)");
  for (size_t i = 0; i < diffs.size() && i < 8; ++i) notes.push_back("  " + diffs[i]);
}

bool AnyFailure(const std::vector<Verdict>& verdicts) {
  for (const auto& v : verdicts) {
    if (v.result == "fail" || (v.data_lost && v.result != "xfail")) return true;
  }
  return false;
}

void PrintTable(const std::vector<Verdict>& verdicts) {
  std::printf("\n%-3s %-22s %-8s %-5s %-6s %-9s %-10s %-10s %s\n", "#", "scenario", "profile",
              "path", "result", "data lost", "restore", "downtime", "time");
  for (const auto& v : verdicts) {
    std::printf("%-3d %-22s %-8s %-5s %-6s %-9s %-10s %-10s %s\n", v.scenario, v.name.c_str(),
                v.profile.c_str(), v.path.c_str(), v.result.c_str(), v.data_lost ? "YES" : "none",
                Seconds(v.restore_seconds).c_str(), Millis(v.downtime_ms).c_str(),
                Seconds(v.seconds).c_str());
    if (v.result != "pass") {
      for (const auto& n : v.notes) std::printf("      %s\n", n.c_str());
    }
  }
}

Status WriteReports(const std::string& dir, const std::vector<Verdict>& verdicts,
                    const DrillConfig& config, double total_seconds) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir + ": " + ec.message());
  Poco::JSON::Object::Ptr root = new Poco::JSON::Object;
  root->set("arkwiki", config.arkwiki);
  root->set("seed", config.seed);
  root->set("big_upload_mb", config.big_upload_mb);
  root->set("total_seconds", total_seconds);
  root->set("ok", !AnyFailure(verdicts));
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const auto& v : verdicts) list->add(VerdictJson(v));
  root->set("scenarios", list);
  std::ostringstream json;
  Poco::JSON::Stringifier::stringify(root, json, 2);
  ARKWIKI_RETURN_IF_ERROR(WriteText(dir + "/report.json", json.str() + "\n"));
  return WriteText(dir + "/junit.xml", JUnit(verdicts, total_seconds));
}

}  // namespace arkwiki::drill
