// The fixtures/hostile/db-* archives, each otherwise a genuine backup whose
// database schema is not exactly arkwiki's, with the words the refusal must
// contain (it names the offending object). Shared by the CLI and HTTP tests.
#pragma once

#include <string>

namespace arkwiki::testing {

struct HostileSchemaCase {
  const char* fixture;  // fixtures/hostile/<fixture>.zip
  const char* refusal;
};

inline constexpr HostileSchemaCase kHostileSchemaCases[] = {
    {"db-schema-mismatch", "has an object arkwiki does not create: table backdoor"},
    {"db-trigger-innocent-name",
     "has an object arkwiki does not create: trigger page_search_backdoor"},
    {"db-view-innocent-name", "has an object arkwiki does not create: view page_search_recent"},
    {"db-index-innocent-name", "has an object arkwiki does not create: index pages_slug"},
    {"db-column-default-changed", "defines table pages differently"},
    {"db-column-constraint-changed", "defines table users differently"},
    {"db-extra-column", "defines table users differently"},
};

inline std::string HostileSchemaFixturePath(const HostileSchemaCase& c) {
  return std::string(ARKWIKI_SOURCE_DIR) + "/fixtures/hostile/" + c.fixture + ".zip";
}

}  // namespace arkwiki::testing
