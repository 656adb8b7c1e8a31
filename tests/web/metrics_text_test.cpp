#include "metrics_text.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace arkwiki::web {
namespace {

BackupMetrics Sample() {
  BackupMetrics m;
  m.version = "1.2.3";
  m.instance = "abc";
  m.last_success_time = 1764680400;
  m.last_duration_seconds = 2.5;
  m.last_bytes = 10485760;
  m.failures_total = 3;
  m.last_check_time = 1764600000;
  m.last_check_passed = true;
  m.last_test_restore_time = 1764500000;
  m.last_test_restore_passed = false;
  m.snapshot_count = 12;
  m.repository_bytes = 123456789;
  return m;
}

std::map<std::string, std::string> Values(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    values[line.substr(0, space)] = line.substr(space + 1);
  }
  return values;
}

// The text exposition format, line by line: HELP and TYPE once per family,
// before its samples; valid names; a float value; a final newline.
TEST(MetricsTextTest, FollowsTheExpositionFormat) {
  for (const BackupMetrics& m : {Sample(), BackupMetrics{}}) {
    const std::string text = MetricsText(m);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) [^\n]+)");
    const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter))");
    const std::regex sample(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9][0-9.e+-]*|NaN|[+-]Inf))");
    std::set<std::string> helped, typed;
    std::string current;
    std::istringstream in(text);
    std::string line;
    std::smatch match;
    while (std::getline(in, line)) {
      if (std::regex_match(line, match, help)) {
        EXPECT_TRUE(helped.insert(match[1]).second) << "second HELP: " << line;
        current = match[1];
      } else if (std::regex_match(line, match, type)) {
        EXPECT_TRUE(typed.insert(match[1]).second) << "second TYPE: " << line;
        EXPECT_EQ(match[1], current) << "TYPE after its HELP: " << line;
        if (match[2] == "counter") {
          EXPECT_TRUE(current.ends_with("_total")) << line;
        }
      } else if (std::regex_match(line, match, sample)) {
        EXPECT_EQ(match[1], current) << "sample under its own family: " << line;
        EXPECT_TRUE(typed.count(match[1])) << line;
      } else {
        ADD_FAILURE() << "not an exposition line: " << line;
      }
    }
    EXPECT_EQ(helped, typed);
    EXPECT_EQ(helped.size(), 11u);
  }
}

TEST(MetricsTextTest, CarriesTheValues) {
  const auto v = Values(MetricsText(Sample()));
  EXPECT_EQ(v.at("arkwiki_info{version=\"1.2.3\",instance=\"abc\"}"), "1");
  EXPECT_EQ(v.at("arkwiki_backup_last_success_timestamp_seconds"), "1764680400");
  EXPECT_EQ(std::stod(v.at("arkwiki_backup_last_duration_seconds")), 2.5);
  EXPECT_EQ(v.at("arkwiki_backup_last_size_bytes"), "10485760");
  EXPECT_EQ(v.at("arkwiki_backup_failures_total"), "3");
  EXPECT_EQ(v.at("arkwiki_backup_last_check_success"), "1");
  EXPECT_EQ(v.at("arkwiki_backup_last_test_restore_success"), "0");
  EXPECT_EQ(v.at("arkwiki_backup_snapshots"), "12");
  EXPECT_EQ(v.at("arkwiki_backup_repository_bytes"), "123456789");
}

TEST(MetricsTextTest, UnknownOutcomesHaveNoSample) {
  const auto v = Values(MetricsText(BackupMetrics{}));
  EXPECT_EQ(v.count("arkwiki_backup_last_check_success"), 0u);
  EXPECT_EQ(v.count("arkwiki_backup_last_test_restore_success"), 0u);
  EXPECT_EQ(v.at("arkwiki_backup_last_success_timestamp_seconds"), "0");
}

TEST(MetricsTextTest, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  BackupMetrics m;
  m.instance = "x\"} 1\nfake_metric 9";
  const std::string text = MetricsText(m);
  EXPECT_NE(text.find(R"(instance="x\"} 1\nfake_metric 9"} 1)"), std::string::npos) << text;
  EXPECT_EQ(Values(text).count("fake_metric"), 0u);
}

}  // namespace
}  // namespace arkwiki::web
