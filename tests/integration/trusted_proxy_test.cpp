// A reverse proxy in front (trusted_proxy): the client is the last address
// of its X-Forwarded-For, for login throttling and the metrics address;
// from anywhere else that header is the client's word and ignored.
#include "arkwiki/core/url.h"
#include "wiki_fixture.h"

namespace arkwiki::testing {
namespace {

using TrustedProxyTest = WikiServerTest;

constexpr char kAllowed[] = "203.0.113.7";

void AllowMetricsFrom(HttpClient admin) {
  const HttpResponse put = admin.Request(
      "PUT", "/api/settings", std::string(R"({"metrics_allow_address":")") + kAllowed + R"("})",
      "application/json");
  ASSERT_EQ(put.status, 200) << put.body;
}

int AnonymousMetrics(HttpClient c, const std::string& forwarded_for) {
  return c.Request("GET", "/metrics", "", "", {{"X-Forwarded-For", forwarded_for}}).status;
}

// A login form sent as if through the proxy for `forwarded_for`.
int Login(HttpClient& c, const std::string& password, const std::string& forwarded_for) {
  const std::string csrf = ExtractCsrf(c.Get("/login").body);
  const std::string body =
      "name=reader&password=" + UrlEncodeComponent(password) + "&csrf=" + UrlEncodeComponent(csrf);
  return c
      .Request("POST", "/login", body, "application/x-www-form-urlencoded",
               {{"X-Forwarded-For", forwarded_for}})
      .status;
}

TEST_F(TrustedProxyTest, ForwardedForIsIgnoredWithoutATrustedProxy) {
  AllowMetricsFrom(Client("admin"));
  EXPECT_EQ(AnonymousMetrics(Client(), kAllowed), 401);
}

TEST_F(TrustedProxyTest, TheProxysLastForwardedAddressIsTheClient) {
  RestartWithConfig("trusted_proxy = 127.0.0.1\n");
  AllowMetricsFrom(Client("admin"));
  EXPECT_EQ(AnonymousMetrics(Client(), std::string("198.51.100.1, ") + kAllowed), 200);
  // The addresses before the last are whatever the client sent the proxy.
  EXPECT_EQ(AnonymousMetrics(Client(), std::string(kAllowed) + ", 198.51.100.1"), 401);
  EXPECT_EQ(AnonymousMetrics(Client(), "not an address"), 401);
  EXPECT_EQ(Client().Get("/metrics").status, 401) << "the proxy's own address is not allowed";
}

// Behind a proxy every client has the proxy's address: without
// trusted_proxy, one client guessing a password would throttle everyone's
// logins for that name.
TEST_F(TrustedProxyTest, OneClientsFailedLoginsDoNotThrottleAnotherBehindTheProxy) {
  RestartWithConfig("trusted_proxy = 127.0.0.1\n");
  HttpClient guesser = Client();
  int last = 0;
  for (int i = 0; i < 12 && last != 429; ++i) last = Login(guesser, "wrong", "198.51.100.66");
  ASSERT_EQ(last, 429) << "the guesser is throttled";
  HttpClient owner = Client();
  EXPECT_EQ(Login(owner, kPassword, "198.51.100.20"), 303) << "another client logs in";
}

}  // namespace
}  // namespace arkwiki::testing
