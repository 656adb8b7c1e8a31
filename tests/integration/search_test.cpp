// Search over HTTP: budgets, shutdown, and text that must not leak through.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <future>
#include <thread>

#include "arkwiki/core/slug.h"
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

Poco::JSON::Object::Ptr ParseObject(const std::string& body) {
  Poco::JSON::Parser parser;
  return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
}

class SearchApiTest : public WikiServerTest {
 protected:
  // Restarts the server so that every search stops at its first progress
  // callback until the server shuts down.
  void RestartWithStalledSearches() {
    ASSERT_EQ(server_->Stop(), 0);
    auto server = StartServer(data_, {{"ARKWIKI_TEST_STALL_READS", "1"}});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
  }
  // Saves a page, restarts with stalled searches and starts one search for
  // it; returns when the server reports it running (invalid on failure).
  std::future<HttpResponse> StartStalledSearch() {
    const int saved =
        PutPage("editor", "home", R"({"title":"Home","markdown":"welcome quux"})").status;
    EXPECT_EQ(saved, 201);
    if (saved != 201) return {};
    RestartWithStalledSearches();
    const int port = server_->port();
    auto search = std::async(std::launch::async,
                             [port] { return HttpClient(port).Get("/api/search?q=quux"); });
    EXPECT_TRUE(WaitForRunningSearch()) << server_->LogTail();
    if (::testing::Test::HasFailure()) return {};
    return search;
  }
  // Waits (bounded) until /api/health reports a running search.
  bool WaitForRunningSearch() {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < give_up) {
      HttpResponse h = Client().Get("/api/health");
      if (h.body.find(R"("searches_running":1)") != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

TEST_F(SearchApiTest, RunningSearchDoesNotBlockPageViews) {
  std::future<HttpResponse> search = StartStalledSearch();
  ASSERT_TRUE(search.valid());
  EXPECT_EQ(Client().Get("/api/pages/home").status, 200);
  EXPECT_EQ(Client().Get("/wiki/home").status, 200);
  HttpResponse health = Client().Get("/api/health");
  EXPECT_NE(health.body.find(R"("searches_running":1)"), std::string::npos) << health.body;
  EXPECT_NE(health.body.find(R"("waiting":0)"), std::string::npos) << health.body;
  EXPECT_EQ(server_->Stop(), 0);
  EXPECT_EQ(search.get().status, 200);
}

TEST_F(SearchApiTest, ShutdownInterruptsRunningSearch) {
  std::future<HttpResponse> search = StartStalledSearch();
  ASSERT_TRUE(search.valid());
  // Without the interruption the stalled search would never end: the server
  // would give up after its drain and exit with the search unanswered.
  EXPECT_EQ(server_->Stop(), 0);
  HttpResponse r = search.get();
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = ParseObject(r.body);
  EXPECT_TRUE(body->getValue<bool>("truncated"));
  EXPECT_EQ(body->getValue<std::string>("stopped_by"), "shutdown");
}

TEST_F(SearchApiTest, ControlCharactersInTextDoNotFakeHighlights) {
  ASSERT_EQ(PutPage("editor", "home",
                    R"({"title":"Home","markdown":"plain \u0001fake\u0002 words then quux"})")
                .status,
            201);
  HttpResponse r = Client().Get("/api/search?q=quux");
  ASSERT_EQ(r.status, 200);
  auto results = ParseObject(r.body)->getArray("results");
  ASSERT_EQ(results->size(), 1u);
  const std::string snippet = results->getObject(0)->getValue<std::string>("snippet");
  EXPECT_EQ(std::count(snippet.begin(), snippet.end(), '*'), 2) << snippet;
  EXPECT_NE(snippet.find("*quux*"), std::string::npos) << snippet;
  HttpResponse html = Client().Get("/search?q=quux");
  EXPECT_EQ(html.body.find("<mark>fake</mark>"), std::string::npos);
  EXPECT_NE(html.body.find("<mark>quux</mark>"), std::string::npos);
}

TEST_F(SearchApiTest, InvalidUtf8QueryIsNotEchoedRaw) {
  HttpResponse r = Client().Get("/api/search?q=qu%FFux%C0%AF");
  ASSERT_EQ(r.status, 200);
  EXPECT_TRUE(IsValidUtf8(r.body)) << r.body;
  EXPECT_EQ(ParseObject(r.body)->getValue<std::string>("query"),
            "qu\xEF\xBF\xBDux\xEF\xBF\xBD\xEF\xBF\xBD");
  HttpResponse html = Client().Get("/search?q=qu%FFux");
  EXPECT_TRUE(IsValidUtf8(html.body));
}

TEST_F(SearchApiTest, ReportsIgnoredTermsAndTruncation) {
  ASSERT_EQ(PutPage("editor", "home", R"({"title":"Home","markdown":"alpha"})").status, 201);
  std::string q = "alpha";
  for (int i = 0; i < 20; ++i) q += "+w" + std::to_string(i) + "x";
  HttpResponse r = Client().Get("/api/search?q=" + q);
  ASSERT_EQ(r.status, 200);
  auto body = ParseObject(r.body);
  EXPECT_EQ(body->getValue<int>("ignored_terms"), 21 - 16);
  EXPECT_FALSE(body->getValue<bool>("truncated"));
  EXPECT_FALSE(body->has("stopped_by"));
  // Repeating a word does not multiply the work: it is searched once.
  HttpResponse repeated = Client().Get("/api/search?q=alpha+alpha+ALPHA+alp");
  auto again = ParseObject(repeated.body);
  EXPECT_EQ(again->getValue<int>("ignored_terms"), 0);
  EXPECT_EQ(again->getArray("results")->size(), 1u);
}

}  // namespace
}  // namespace arkwiki::testing
