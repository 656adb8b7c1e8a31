// PUT /api/users/<name> over a real socket: a change is all or nothing, and
// each applied change is in the audit log with what it changed.
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

class UsersApiTest : public WikiServerTest {
 protected:
  HttpResponse Update(const std::string& name, const std::string& json) {
    return Client("admin").Request("PUT", "/api/users/" + name, json, "application/json");
  }
  std::string Audit() { return Client("admin").Get("/api/audit").body; }
};

TEST_F(UsersApiTest, AChangeWithOneBadFieldChangesNothing) {
  const std::string audit_before = Audit();
  for (const char* json :
       {R"({"role":"admin","password":"short"})", R"({"disabled":true,"password":"short"})",
        R"({"role":"admin","disabled":"yes"})", R"({"disabled":true,"role":"owner"})"}) {
    HttpResponse r = Update("reader", json);
    EXPECT_EQ(r.status, 400) << json << ": " << r.body;
  }
  // Still a reader, still enabled: the reader's token works and is refused
  // admin data; its settings page is still forbidden.
  EXPECT_EQ(Client("reader").Get("/api/settings").status, 403);
  EXPECT_EQ(Client("reader").Get("/api/pages").status, 200);
  EXPECT_EQ(Audit(), audit_before);
}

TEST_F(UsersApiTest, AnAppliedChangeIsAuditedWithWhatItChanged) {
  HttpResponse r = Update("reader", R"({"role":"editor","password":"a new long password"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"editor\""), std::string::npos) << r.body;
  const std::string audit = Audit();
  EXPECT_NE(audit.find("user.update"), std::string::npos) << audit;
  EXPECT_NE(audit.find("reader: role=editor, password"), std::string::npos) << audit;
  EXPECT_EQ(audit.find("a new long password"), std::string::npos) << audit;
}

// The audit names the user as stored and only what changed: a role it
// already has is no change, and a refused change on the last admin leaves
// no entry.
TEST_F(UsersApiTest, TheAuditNamesTheStoredUserAndOnlyRealChanges) {
  const std::string before = Audit();
  EXPECT_EQ(Update("reader", R"({"role":"reader","disabled":false})").status, 200);
  EXPECT_EQ(Update("admin", R"({"role":"admin","disabled":true})").status, 409);
  EXPECT_EQ(Audit(), before);
  ASSERT_EQ(Update("READER", R"({"role":"editor"})").status, 200);
  EXPECT_NE(Audit().find("reader: role=editor"), std::string::npos) << Audit();
}

TEST_F(UsersApiTest, AnUnknownUserIs404AndNothingIsAudited) {
  const std::string audit_before = Audit();
  EXPECT_EQ(Update("nobody", R"({"role":"editor"})").status, 404);
  EXPECT_EQ(Audit(), audit_before);
}

}  // namespace
}  // namespace arkwiki::testing
