// The HTTP import of an archive with one value arkwiki's API could not have
// written (fixtures/hostile/db-row-*, fixtures/hostile_rows.h): 422 naming
// the table, the row and the rule, and the running wiki is untouched.
#include <fstream>
#include <sstream>

#include "backup_web_helpers.h"
#include "hostile_rows.h"

namespace arkwiki::testing {
namespace {

class HostileRowsWebTest : public HostileImportWebTest {};

TEST_F(HostileRowsWebTest, ImportIs422NamingTheRowAndTheWikiIsUntouched) {
  const std::string before = VisibleState();
  for (const fixture::RowTamper& t : fixture::RowTampers()) {
    const std::string zip = ReadHostileFixture(t.name);
    ASSERT_FALSE(zip.empty()) << t.name << " is missing: run arkwiki-make-hostile-fixtures";
    for (const char* query : {"?dry_run=1", ""}) {
      HttpResponse r = ApiRestore(zip, query);
      EXPECT_EQ(r.status, 422) << t.name << query << ": " << r.body;
      EXPECT_NE(ParseJson(r.body)->optValue<std::string>("error", "").find(t.refusal),
                std::string::npos)
          << t.name << query << ": " << r.body;
      EXPECT_EQ(VisibleState(), before) << t.name << query;
      EXPECT_TRUE(DirEmpty(data_ + "/staging")) << t.name << query;
    }
  }
  EXPECT_EQ(Client().Get("/api/health").status, 200);
}

}  // namespace
}  // namespace arkwiki::testing
