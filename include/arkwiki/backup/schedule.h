// When automatic backups, repository checks and test restores run.
//
// A schedule is one of:
//
//   off                  never runs by itself
//   every <N>h           N hours (1..168) after the last run
//   daily HH:MM          every day at HH:MM
//   weekly <day> HH:MM   once a week; day is sun mon tue wed thu fri sat
//
// Times are UTC, always: "daily 02:30" runs at 02:30 UTC whatever the
// server's TZ is, so that a schedule means the same on every machine and no
// run is skipped or doubled when daylight saving time changes. The text
// above is the stable form stored in settings and the config file and used
// by the JSON API: FormatSchedule(ParseSchedule(s)) is s in canonical
// spelling (lower case, single spaces, two-digit hours and minutes).
//
// A run is due when a slot has passed since the last run (for "every", when
// N hours have). A server that was down through several slots finds one run
// due at start, not one per missed slot: after that run the last run is
// later than every slot that passed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "arkwiki/core/status.h"

namespace arkwiki {

struct BackupSchedule {
  enum class Kind { kOff, kEveryHours, kDaily, kWeekly };
  Kind kind = Kind::kOff;
  int every_hours = 0;  // kEveryHours: 1..kMaxEveryHours
  int weekday = 0;      // kWeekly: 0 = Sunday .. 6 = Saturday
  int hour = 0;         // kDaily, kWeekly: 0..23 (UTC)
  int minute = 0;       // kDaily, kWeekly: 0..59

  static constexpr int kMaxEveryHours = 168;

  static BackupSchedule Off() { return {}; }
  static BackupSchedule EveryHours(int hours);
  static BackupSchedule Daily(int hour, int minute);
  static BackupSchedule Weekly(int weekday, int hour, int minute);

  bool operator==(const BackupSchedule&) const = default;
};

// Parses the text form above; surrounding blanks and upper case are
// accepted. kInvalidArgument names what is wrong and shows the valid forms.
Result<BackupSchedule> ParseSchedule(std::string_view text);
// The canonical text form ("off", "every 6h", "daily 02:30", "weekly sun 03:00").
std::string FormatSchedule(const BackupSchedule& schedule);
// kInvalidArgument if a field is out of range (ParseSchedule never returns one).
Status ValidateSchedule(const BackupSchedule& schedule);

// Whether a run is due at `now` (Unix seconds). `last_run` is the start time
// of the last run that counted (any trigger), or nullopt if there never was
// one: then a run is due at once unless the schedule is off. A last run
// later than `now` means the clock went back; a run is then due, so that
// the record is set right.
bool IsDue(const BackupSchedule& schedule, std::optional<int64_t> last_run, int64_t now);

// At server start: whether a run was missed while the server was down. The
// same rule as IsDue; named for the call site. It is one run, however many
// slots were missed.
bool MissedRunAtStart(const BackupSchedule& schedule, std::optional<int64_t> last_run, int64_t now);

// When the next run should start: `now` if one is due, otherwise the next
// slot after `now` (for "every", last_run + N hours). nullopt when off.
std::optional<int64_t> NextRun(const BackupSchedule& schedule, std::optional<int64_t> last_run,
                               int64_t now);

// The defaults: a daily backup, and a weekly repository check and test
// restore at quiet hours, after the backup.
BackupSchedule DefaultBackupSchedule();       // daily 02:30
BackupSchedule DefaultCheckSchedule();        // weekly sun 03:30
BackupSchedule DefaultTestRestoreSchedule();  // weekly sun 04:30

}  // namespace arkwiki
