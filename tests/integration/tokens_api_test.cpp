// DELETE /api/tokens/<id> over a real socket: the owner or an admin revokes,
// others get 403, unknown ids 404, and a revoked token stops working.
#include <Poco/JSON/Parser.h>

#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

class TokensApiTest : public WikiServerTest {
 protected:
  // The id of `user`'s token labelled `label`, from `arkwiki token list`.
  int64_t TokenId(const std::string& user, const std::string& label) {
    CommandResult r = RunArkwiki({"token", "list", "--json", "--data", data_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto body = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    auto tokens = body->getArray("tokens");
    for (size_t i = 0; i < tokens->size(); ++i) {
      auto t = tokens->getObject(static_cast<unsigned>(i));
      if (t->getValue<std::string>("user") == user && t->getValue<std::string>("label") == label) {
        return t->getValue<int64_t>("id");
      }
    }
    ADD_FAILURE() << "no token " << label << " of " << user << " in " << r.out;
    return -1;
  }
  HttpResponse Revoke(const std::string& role, int64_t id) {
    return Client(role).Request("DELETE", "/api/tokens/" + std::to_string(id));
  }
};

TEST_F(TokensApiTest, TheOwnerRevokesTheirOwnToken) {
  const int64_t id = TokenId("reader", "cli");
  HttpResponse r = Revoke("reader", id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"("revoked":true)"), std::string::npos) << r.body;
  EXPECT_EQ(Client("reader").Get("/api/me").status, 401);  // the token is gone
  HttpResponse audit = Client("admin").Get("/api/audit?limit=5");
  EXPECT_NE(audit.body.find(R"("action":"token.revoke")"), std::string::npos) << audit.body;
  EXPECT_NE(audit.body.find("user=reader"), std::string::npos) << audit.body;
}

TEST_F(TokensApiTest, AnAdminRevokesAnyonesToken) {
  ASSERT_EQ(Revoke("admin", TokenId("editor", "cli")).status, 200);
  EXPECT_EQ(Client("editor").Get("/api/me").status, 401);
}

TEST_F(TokensApiTest, OthersGet403AndUnknownIds404) {
  const int64_t id = TokenId("admin", "cli");
  EXPECT_EQ(Revoke("editor", id).status, 403);
  EXPECT_EQ(Revoke("reader", id).status, 403);
  EXPECT_EQ(Client().Request("DELETE", "/api/tokens/" + std::to_string(id)).status, 401);
  EXPECT_EQ(Client("admin").Get("/api/me").status, 200);  // still valid
  EXPECT_EQ(Revoke("admin", 987654).status, 404);
  EXPECT_EQ(Revoke("editor", 987654).status, 404);
  EXPECT_EQ(Client("admin").Request("DELETE", "/api/tokens/abc").status, 404);
}

}  // namespace
}  // namespace arkwiki::testing
