// How the difference a restore would make (arkwiki/backup/restore_diff.h)
// looks to users: JSON for POST /api/restore?dry_run=1 and template values
// for the import preview and its "show all" pages. Private to the web layer.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "arkwiki/backup/restore_diff.h"
#include "arkwiki/backup/restore_diff_json.h"
#include "template.h"

namespace arkwiki::web {

// Minutes a person counts as using the wiki after their last request.
inline constexpr int kActiveWindowMinutes = 15;

// {"window_minutes", "count", "names"}.
Poco::JSON::Object::Ptr ActiveUsersJson(const std::vector<std::string>& names);

// "Pages the import removes", ... for headings.
const char* DiffListTitle(DiffList list);

// Template values of the preview's lists; each links its "show all" page
// (handlers_restore_diff.h) when it has more entries than it shows.
TemplateValue DifferenceValue(const RestoreDiff& diff, const std::string& staged_id);
TemplateValue PageChangeValue(const PageChange& change);
TemplateValue UserChangeValue(const UserChange& change);
// {count, names [{name}], has_active} for the "who is using the wiki" warning.
TemplateValue ActiveUsersValue(const std::vector<std::string>& names);

}  // namespace arkwiki::web
