// Users, upload files and settings of the difference (restore_diff.h).
#include <cctype>
#include <map>

#include "arkwiki/storage/settings_store.h"
#include "restore/diff_merge.h"
#include "restore/restore_diff_parts.h"

namespace arkwiki {
namespace {

// users.name is COLLATE NOCASE; the merge needs the BINARY order.
constexpr char kUsersSql[] = "SELECT name, role, disabled FROM users ORDER BY name COLLATE BINARY";
// One row per upload file: the same content on two pages is one file.
constexpr char kUploadsSql[] =
    "SELECT sha256, max(size) FROM uploads GROUP BY sha256 ORDER BY sha256 COLLATE BINARY";
constexpr char kSettingsSql[] = "SELECT key, value FROM settings ORDER BY key COLLATE BINARY";

UserVersion ReadUser(const RowCursor& row) { return UserVersion{row.Text(1), row.Int(2) != 0}; }

bool SameUserName(std::string_view a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

struct UserStep {
  DiffList list;
  UserChange change;
};

std::optional<UserStep> ClassifyUser(const RowCursor* b, const RowCursor* l) {
  if (b != nullptr && l != nullptr && b->View(1) == l->View(1) && b->Int(2) == l->Int(2)) {
    return std::nullopt;
  }
  UserStep step;
  if (b != nullptr) {
    step.change.name = b->Text(0);
    step.change.in_backup = ReadUser(*b);
  }
  if (l != nullptr) {
    step.change.name = l->Text(0);
    step.change.now = ReadUser(*l);
  }
  step.list = b == nullptr   ? DiffList::kUsersRemoved
              : l == nullptr ? DiffList::kUsersAdded
                             : DiffList::kUsersChanged;
  return step;
}

template <typename T>
void Keep(BoundedList<T>& list, T entry, size_t max_entries) {
  ++list.total;
  if (list.first.size() < max_entries) list.first.push_back(std::move(entry));
}

// Column 0 of whichever side has the row (MergeByKey gives at least one).
std::string KeyOf(const RowCursor* b, const RowCursor* l) {
  if (b != nullptr) return b->Text(0);
  return l != nullptr ? l->Text(0) : std::string();
}

// The value a wiki runs with: the stored one, else the default of a known
// key (a wiki stores only what was changed), else none.
std::optional<std::string> EffectiveValue(const RowCursor* row, const std::string& key) {
  if (row != nullptr) return row->Text(1);
  static const std::map<std::string, std::string> defaults = SettingsToMap(SiteSettings{});
  auto it = defaults.find(key);
  if (it == defaults.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> ForLog(const std::string& key, const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  return SettingValueForLog(key, *v);
}

}  // namespace

Status DiffUsers(DiffDbs& dbs, const DiffOptions& options, RestoreDiff* diff) {
  bool importer_is_admin = false;
  ARKWIKI_RETURN_IF_ERROR(
      MergeByKey(dbs.backup.get(), dbs.live.get(), kUsersSql,
                 [&](const RowCursor* b, const RowCursor* l) -> Status {
                   if (b != nullptr && SameUserName(b->View(0), options.importer) &&
                       b->View(1) == "admin" && b->Int(2) == 0) {
                     importer_is_admin = true;
                   }
                   auto step = ClassifyUser(b, l);
                   if (!step) return Status::Ok();
                   auto& list = step->list == DiffList::kUsersAdded     ? diff->users_added
                                : step->list == DiffList::kUsersRemoved ? diff->users_removed
                                                                        : diff->users_changed;
                   Keep(list, std::move(step->change), options.max_entries);
                   return Status::Ok();
                 }));
  diff->importer_loses_admin = !options.importer.empty() && !importer_is_admin;
  return Status::Ok();
}

Status DiffUploads(DiffDbs& dbs, RestoreDiff* diff) {
  UploadChange& u = diff->uploads;
  return MergeByKey(dbs.backup.get(), dbs.live.get(), kUploadsSql,
                    [&](const RowCursor* b, const RowCursor* l) -> Status {
                      if (b == nullptr) {
                        ++u.files_removed;
                        u.bytes_removed += static_cast<uint64_t>(l->Int(1));
                      } else if (l == nullptr) {
                        ++u.files_added;
                        u.bytes_added += static_cast<uint64_t>(b->Int(1));
                      }
                      return Status::Ok();
                    });
}

Status DiffSettings(DiffDbs& dbs, const DiffOptions& options, RestoreDiff* diff) {
  return MergeByKey(dbs.backup.get(), dbs.live.get(), kSettingsSql,
                    [&](const RowCursor* b, const RowCursor* l) -> Status {
                      const std::string key = KeyOf(b, l);
                      const std::optional<std::string> in_backup = EffectiveValue(b, key);
                      const std::optional<std::string> now = EffectiveValue(l, key);
                      if (in_backup == now) return Status::Ok();
                      SettingChange change{key, ForLog(key, in_backup), ForLog(key, now)};
                      Keep(diff->settings_changed, std::move(change), options.max_entries);
                      return Status::Ok();
                    });
}

Status ForEachUserChange(const DiffSources& sources, DiffList list,
                         const std::function<Status(const UserChange&)>& on_user) {
  if (IsPageList(list)) return Status::InvalidArgument("not a list of users");
  ARKWIKI_ASSIGN_OR_RETURN(DiffDbs dbs, OpenDiffDbs(sources));
  return MergeByKey(dbs.backup.get(), dbs.live.get(), kUsersSql,
                    [&](const RowCursor* b, const RowCursor* l) -> Status {
                      auto step = ClassifyUser(b, l);
                      if (!step || step->list != list) return Status::Ok();
                      return on_user(step->change);
                    });
}

}  // namespace arkwiki
