// The API refuses a revision comment an import would refuse (the same
// validator), so a wiki written through the API always backs up.
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

using RevisionLimitsTest = WikiServerTest;

TEST_F(RevisionLimitsTest, ApiRefusesACommentTheImportWouldRefuse) {
  const std::string too_long = std::string(65537, 'x');
  EXPECT_EQ(
      PutPage("editor", "p", R"({"title":"P","markdown":"x","comment":")" + too_long + R"("})")
          .status,
      400);
  EXPECT_EQ(PutPage("editor", "p", R"({"title":"P","markdown":"x","comment":"a\u0000b"})").status,
            400);
  EXPECT_EQ(Client().Get("/api/pages/p").status, 404);
  const std::string longest = std::string(65536, 'x');
  ASSERT_EQ(PutPage("editor", "p", R"({"title":"P","markdown":"x","comment":")" + longest + R"("})")
                .status,
            201);
  CommandResult backup =
      RunArkwiki({"backup", "create", "--data", data_, "--out", dir_.Sub("wiki.zip")});
  EXPECT_EQ(backup.exit_code, 0) << backup.err;
}

}  // namespace
}  // namespace arkwiki::testing
