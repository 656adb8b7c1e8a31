#include "load/load_clients.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "arkwiki/core/url.h"
#include "arkwiki/process/http_client.h"
#include "support/arkwiki_process.h"

namespace arkwiki::load {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// "KIND answered STATUS: first bytes of the body".
std::string Unexpected(const std::string& what, const process::HttpReply& r) {
  return what + " answered " + std::to_string(r.status) + ": " + r.body.substr(0, 160);
}

// The value of the form field `name` in `html` (value="..." after name="NAME").
std::string InputValue(const std::string& html, const std::string& name) {
  size_t pos = html.find("name=\"" + name + "\"");
  if (pos == std::string::npos) return "";
  pos = html.find("value=\"", pos);
  if (pos == std::string::npos) return "";
  pos += 7;
  return html.substr(pos, html.find('"', pos) - pos);
}

// The whole number after `"key":` in a JSON text, or -1.
int64_t JsonCount(const std::string& json, const std::string& key) {
  const std::string marker = "\"" + key + "\":";
  const size_t pos = json.find(marker);
  if (pos == std::string::npos) return -1;
  return std::strtoll(json.c_str() + pos + marker.size(), nullptr, 10);
}

// Pathological searches: repeated words on a page of one repeated word,
// many terms, very long terms, FTS5 syntax and wildcards, invalid UTF-8.
std::vector<std::string> PathologicalQueries() {
  std::vector<std::string> q = {kRepeatedWord,
                                "quux quux quux",
                                "q",
                                "\"quux",
                                "quux*",
                                "*",
                                "NEAR(quux quux, 0)",
                                "quux OR quux AND NOT quux",
                                "^quux",
                                "title:quux",
                                std::string(4000, 'x'),
                                "\xff\xfe quux \xc0"};
  std::string many;
  for (int i = 0; i < 1500; ++i) many += 'w' + std::to_string(i) + ' ';
  q.push_back(many);
  std::string repeated;
  for (int i = 0; i < 1000; ++i) repeated += "quux ";
  q.push_back(repeated);
  return q;
}

}  // namespace

void StopSignal::Set() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    set_ = true;
  }
  cv_.notify_all();
}

bool StopSignal::IsSet() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return set_;
}

bool StopSignal::WaitFor(std::chrono::milliseconds d) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return cv_.wait_for(lock, d, [this] { return set_; });
}

void RunBrowser(const ClientContext& c, int id) {
  process::HttpClient client(c.port);
  const auto& slugs = c.wiki->page_slugs;
  c.start->arrive_and_wait();
  for (int i = 0; i < c.options->views; ++i) {
    const std::string path =
        "/wiki/" +
        slugs[(static_cast<size_t>(id) * 7919 + static_cast<size_t>(i) * 31) % slugs.size()];
    const char* kind = c.backups_running->load() > 0 ? kPageViewDuringBackup : kPageView;
    const auto t0 = Clock::now();
    process::HttpReply r = client.Get(path);
    c.log->Record(kind, MsSince(t0));
    if (r.status != 200) c.log->Fail(kind, Unexpected("GET " + path, r));
  }
}

void RunEditor(const ClientContext& c, int id) {
  process::HttpClient client(c.port);
  const std::string& slug = c.wiki->editor_slugs[static_cast<size_t>(id)];
  const std::string edit = "/wiki/" + slug + "/edit";
  c.start->arrive_and_wait();
  if (!testing::LoginWithForm(client, c.wiki->editor_names[static_cast<size_t>(id)], kPassword)) {
    c.log->Fail(kSave, c.wiki->editor_names[static_cast<size_t>(id)] + " could not log in");
    return;
  }
  for (int i = 0; i < c.options->saves; ++i) {
    auto t0 = Clock::now();
    process::HttpReply form = client.Get(edit);
    c.log->Record(kEditForm, MsSince(t0));
    if (form.status != 200) {
      c.log->Fail(kEditForm, Unexpected("GET " + edit, form));
      continue;
    }
    std::map<std::string, std::string> fields = {
        {"csrf", testing::ExtractCsrf(form.body)},
        {"base_revision", InputValue(form.body, "base_revision")},
        {"title", "Edited " + std::to_string(id)},
        {"markdown", PageMarkdown(id * 1000 + i, 1000) + "\nsave " + std::to_string(i) + "\n"},
        {"parent", ""},
        {"visibility", "public"},
        {"comment", "load test save " + std::to_string(i)},
        {"action", "save"}};
    t0 = Clock::now();
    process::HttpReply saved = client.PostForm(edit, fields);
    c.log->Record(kSave, MsSince(t0));
    if (saved.status != 303) c.log->Fail(kSave, Unexpected("POST " + edit, saved));
  }
}

void RunSearcher(const ClientContext& c, int id) {
  process::HttpClient client(c.port);
  const std::vector<std::string> queries = PathologicalQueries();
  const std::string wide = std::string("/wiki/") + kWideTableSlug;
  c.start->arrive_and_wait();
  for (int i = 0; i < c.options->searches; ++i) {
    const std::string& q = queries[static_cast<size_t>(id * 5 + i) % queries.size()];
    const std::string path = "/api/search?q=" + UrlEncodeComponent(q);
    auto t0 = Clock::now();
    process::HttpReply r = client.Get(path);
    c.log->Record(kSearch, MsSince(t0));
    if (r.status == 200) {
      c.log->Count(r.body.find(R"("truncated":true)") != std::string::npos ? "search truncated"
                                                                           : "search complete");
    } else if (r.status == 409 && r.body.find("\"busy\"") != std::string::npos) {
      c.log->Count("search 409 busy");
    } else {
      c.log->Fail(kSearch, Unexpected("GET /api/search?q=" + q.substr(0, 40), r));
    }
    t0 = Clock::now();
    r = client.Get(wide);
    c.log->Record(kWideView, MsSince(t0));
    if (r.status != 200) c.log->Fail(kWideView, Unexpected("GET " + wide, r));
  }
}

void RunBackups(const ClientContext& c) {
  process::HttpClient client(c.port, c.wiki->admin_token);
  c.start->arrive_and_wait();
  for (int i = 0; i < c.options->backups; ++i) {
    c.backups_running->fetch_add(1);
    const auto t0 = Clock::now();
    auto status = client.DownloadToFile("POST", "/api/backups", "/dev/null");
    c.log->Record(kBackup, MsSince(t0));
    c.backups_running->fetch_sub(1);
    if (!status.ok()) {
      c.log->Fail(kBackup, status.status().ToString());
    } else if (*status != 200) {
      c.log->Fail(kBackup, "POST /api/backups answered " + std::to_string(*status));
    }
  }
}

void RunHealthProbe(const ClientContext& c, const StopSignal& stop) {
  c.start->arrive_and_wait();
  do {
    const auto t0 = Clock::now();
    std::string body;
    int status = -1;
    std::string error;
    try {
      Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(c.port));
      session.setTimeout(Poco::Timespan(c.options->health_bound_ms * Poco::Timespan::MILLISECONDS));
      Poco::Net::HTTPRequest rq("GET", "/api/health", Poco::Net::HTTPMessage::HTTP_1_1);
      session.sendRequest(rq);
      Poco::Net::HTTPResponse rs;
      Poco::StreamCopier::copyToString(session.receiveResponse(rs), body);
      status = rs.getStatus();
    } catch (const Poco::Exception& e) {
      error = e.displayText();
    }
    const double ms = MsSince(t0);
    c.log->Record(kHealth, ms);
    if (status != 200) {
      c.log->Fail(kHealth, "GET /api/health: " + (error.empty() ? std::to_string(status) : error) +
                               " after " + std::to_string(static_cast<int>(ms)) + " ms");
    } else if (ms > c.options->health_bound_ms) {
      c.log->Fail(kHealth, "GET /api/health took " + std::to_string(static_cast<int>(ms)) + " ms");
    } else {
      if (body.find(R"("load":"busy")") != std::string::npos) c.log->Count("health load busy");
      c.log->Peak("health: most requests waiting", JsonCount(body, "waiting"));
      c.log->Peak("health: most searches running", JsonCount(body, "searches_running"));
    }
  } while (!stop.WaitFor(std::chrono::milliseconds(c.options->health_gap_ms)));
}

}  // namespace arkwiki::load
