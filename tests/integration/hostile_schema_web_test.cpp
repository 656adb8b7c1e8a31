// The HTTP import of an archive whose database schema is not exactly
// arkwiki's (fixtures/hostile/db-*, each otherwise a genuine backup): 422
// naming the offending object, and the running wiki is untouched.
#include <fstream>
#include <sstream>

#include "backup_web_helpers.h"
#include "support/hostile_schema_cases.h"

namespace arkwiki::testing {
namespace {

class HostileSchemaWebTest : public HostileImportWebTest {};

TEST_F(HostileSchemaWebTest, ImportIs422NamingTheObjectAndTheWikiIsUntouched) {
  const std::string before = VisibleState();
  for (const auto& [fixture, refusal] : kHostileSchemaCases) {
    const std::string zip = ReadHostileFixture(fixture);
    ASSERT_FALSE(zip.empty()) << fixture << " is missing: run arkwiki-make-hostile-fixtures";
    for (const char* query : {"?dry_run=1", ""}) {
      HttpResponse r = ApiRestore(zip, query);
      EXPECT_EQ(r.status, 422) << fixture << query << ": " << r.body;
      EXPECT_NE(ParseJson(r.body)->optValue<std::string>("error", "").find(refusal),
                std::string::npos)
          << fixture << query << ": " << r.body;
      EXPECT_EQ(VisibleState(), before) << fixture << query;
      EXPECT_TRUE(DirEmpty(data_ + "/staging")) << fixture << query;
    }
  }
  EXPECT_EQ(Client().Get("/api/health").status, 200);
}

}  // namespace
}  // namespace arkwiki::testing
