// Schedules: parsing, formatting and slot arithmetic. All arithmetic is on
// UTC Unix seconds; a day is 86,400 seconds (leap seconds do not exist in
// Unix time), so no calendar library is needed.
#include "arkwiki/backup/schedule.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <vector>

#include "arkwiki/core/clock.h"

namespace arkwiki {
namespace {

constexpr int64_t kWeek = 7 * kSecondsPerDay;
constexpr int kEpochWeekday = 4;  // 1970-01-01 was a Thursday
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};
constexpr const char* kForms =
    R"(; use "off", "every <N>h" (N 1..168), "daily HH:MM" or "weekly <sun..sat> HH:MM" (UTC))";

Status Invalid(const std::string& what) {
  return Status::InvalidArgument("backup schedule: " + what + kForms);
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool ParseInt(std::string_view s, int* out) {
  if (s.empty() || s.size() > 3) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// "HH:MM", two digits each.
Status ParseTimeOfDay(std::string_view s, int* hour, int* minute) {
  if (s.size() != 5 || s[2] != ':' || !ParseInt(s.substr(0, 2), hour) ||
      !ParseInt(s.substr(3, 2), minute)) {
    return Invalid("time \"" + std::string(s) + "\" is not HH:MM");
  }
  if (*hour > 23 || *minute > 59) return Invalid("time \"" + std::string(s) + "\" is out of range");
  return Status::Ok();
}

Result<BackupSchedule> ParseEvery(const std::vector<std::string>& w) {
  int hours = 0;
  if (w.size() != 2 || w[1].size() < 2 || w[1].back() != 'h' ||
      !ParseInt(std::string_view(w[1]).substr(0, w[1].size() - 1), &hours)) {
    return Invalid(R"("every" needs a number of hours such as "every 6h")");
  }
  BackupSchedule s = BackupSchedule::EveryHours(hours);
  ARKWIKI_RETURN_IF_ERROR(ValidateSchedule(s));
  return s;
}

Result<BackupSchedule> ParseDaily(const std::vector<std::string>& w) {
  if (w.size() != 2) return Invalid(R"("daily" needs a time such as "daily 02:30")");
  int hour = 0;
  int minute = 0;
  ARKWIKI_RETURN_IF_ERROR(ParseTimeOfDay(w[1], &hour, &minute));
  return BackupSchedule::Daily(hour, minute);
}

Result<BackupSchedule> ParseWeekly(const std::vector<std::string>& w) {
  if (w.size() != 3)
    return Invalid(R"("weekly" needs a day and a time such as "weekly sun 03:00")");
  int day = -1;
  for (size_t i = 0; i < kDayNames.size(); ++i) {
    if (w[1] == kDayNames[i]) day = static_cast<int>(i);
  }
  if (day < 0) return Invalid("unknown day \"" + w[1] + "\"");
  int hour = 0;
  int minute = 0;
  ARKWIKI_RETURN_IF_ERROR(ParseTimeOfDay(w[2], &hour, &minute));
  return BackupSchedule::Weekly(day, hour, minute);
}

int64_t TimeOfDay(const BackupSchedule& s) { return (s.hour * 60LL + s.minute) * 60; }

// The latest daily or weekly slot at or before `t`.
int64_t PreviousSlot(const BackupSchedule& s, int64_t t) {
  const int64_t day = FloorDiv(t, kSecondsPerDay);
  if (s.kind == BackupSchedule::Kind::kDaily) {
    int64_t slot = day * kSecondsPerDay + TimeOfDay(s);
    return slot > t ? slot - kSecondsPerDay : slot;
  }
  const int64_t back = FloorMod(day + kEpochWeekday - s.weekday, 7);
  int64_t slot = (day - back) * kSecondsPerDay + TimeOfDay(s);
  return slot > t ? slot - kWeek : slot;
}

int64_t SlotLength(const BackupSchedule& s) {
  return s.kind == BackupSchedule::Kind::kDaily ? kSecondsPerDay : kWeek;
}

}  // namespace

BackupSchedule BackupSchedule::EveryHours(int hours) {
  BackupSchedule s;
  s.kind = Kind::kEveryHours;
  s.every_hours = hours;
  return s;
}

BackupSchedule BackupSchedule::Daily(int hour, int minute) {
  BackupSchedule s;
  s.kind = Kind::kDaily;
  s.hour = hour;
  s.minute = minute;
  return s;
}

BackupSchedule BackupSchedule::Weekly(int weekday, int hour, int minute) {
  BackupSchedule s = Daily(hour, minute);
  s.kind = Kind::kWeekly;
  s.weekday = weekday;
  return s;
}

Status ValidateSchedule(const BackupSchedule& s) {
  switch (s.kind) {
    case BackupSchedule::Kind::kOff:
      return Status::Ok();
    case BackupSchedule::Kind::kEveryHours:
      if (s.every_hours < 1 || s.every_hours > BackupSchedule::kMaxEveryHours) {
        return Invalid("every " + std::to_string(s.every_hours) + "h is out of range");
      }
      return Status::Ok();
    case BackupSchedule::Kind::kWeekly:
      if (s.weekday < 0 || s.weekday > 6) return Invalid("weekday out of range");
      [[fallthrough]];
    case BackupSchedule::Kind::kDaily:
      if (s.hour < 0 || s.hour > 23 || s.minute < 0 || s.minute > 59) {
        return Invalid("time out of range");
      }
      return Status::Ok();
  }
  return Invalid("unknown kind");
}

Result<BackupSchedule> ParseSchedule(std::string_view text) {
  const std::vector<std::string> w = Words(text);
  if (w.empty()) return Invalid("empty");
  if (w[0] == "off" && w.size() == 1) return BackupSchedule::Off();
  if (w[0] == "every") return ParseEvery(w);
  if (w[0] == "daily") return ParseDaily(w);
  if (w[0] == "weekly") return ParseWeekly(w);
  return Invalid("\"" + std::string(text) + "\" is not a schedule");
}

std::string FormatSchedule(const BackupSchedule& s) {
  char hhmm[16];
  std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", s.hour, s.minute);
  switch (s.kind) {
    case BackupSchedule::Kind::kOff:
      return "off";
    case BackupSchedule::Kind::kEveryHours:
      return "every " + std::to_string(s.every_hours) + "h";
    case BackupSchedule::Kind::kDaily:
      return std::string("daily ") + hhmm;
    case BackupSchedule::Kind::kWeekly:
      return "weekly " + std::string(kDayNames.at(static_cast<size_t>(s.weekday))) + " " + hhmm;
  }
  return "off";
}

bool IsDue(const BackupSchedule& s, std::optional<int64_t> last_run, int64_t now) {
  if (s.kind == BackupSchedule::Kind::kOff || !ValidateSchedule(s).ok()) return false;
  if (!last_run || *last_run > now) return true;
  if (s.kind == BackupSchedule::Kind::kEveryHours) {
    return now - *last_run >= int64_t{s.every_hours} * 3600;
  }
  return PreviousSlot(s, now) > *last_run;
}

bool MissedRunAtStart(const BackupSchedule& s, std::optional<int64_t> last_run, int64_t now) {
  return IsDue(s, last_run, now);
}

std::optional<int64_t> NextRun(const BackupSchedule& s, std::optional<int64_t> last_run,
                               int64_t now) {
  if (s.kind == BackupSchedule::Kind::kOff || !ValidateSchedule(s).ok()) return std::nullopt;
  if (IsDue(s, last_run, now)) return now;
  if (s.kind == BackupSchedule::Kind::kEveryHours) {
    return *last_run + int64_t{s.every_hours} * 3600;
  }
  return PreviousSlot(s, now) + SlotLength(s);
}

BackupSchedule DefaultBackupSchedule() { return BackupSchedule::Daily(2, 30); }
BackupSchedule DefaultCheckSchedule() { return BackupSchedule::Weekly(0, 3, 30); }
BackupSchedule DefaultTestRestoreSchedule() { return BackupSchedule::Weekly(0, 4, 30); }

}  // namespace arkwiki
