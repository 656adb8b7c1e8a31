// Helpers for the Backup & Import web tests (backup_web_test.cpp,
// backup_import_web_test.cpp).
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "support/wait_until.h"
#include "wiki_fixture.h"

namespace arkwiki::testing {

inline Poco::JSON::Object::Ptr ParseJson(const std::string& text) {
  try {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception&) {
    return new Poco::JSON::Object;
  }
}

inline std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary)
      .write(data.data(), static_cast<std::streamsize>(data.size()));
}

// True when `dir` is missing or holds nothing.
inline bool DirEmpty(const std::string& dir) {
  std::error_code ec;
  return !std::filesystem::exists(dir, ec) || std::filesystem::is_empty(dir, ec);
}

// Files named archive-* in `dir`: archives the server is receiving
// (an import's in staging/, a check's in tmp/).
inline size_t ArchivesBeingReceived(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    // Not its pieces (archive-....zip.piece-N): one archive, however split.
    const std::string name = e.path().filename().string();
    n += name.rfind("archive-", 0) == 0 && name.ends_with(".zip") ? 1 : 0;
  }
  return n;
}

class BackupWebFixture : public WikiServerTest {
 protected:
  HttpResponse ApiBackup(const std::string& role = "admin") {
    return Client(role).Request("POST", "/api/backups");
  }
  HttpResponse ApiRestore(const std::string& zip, const std::string& query = "",
                          const std::string& role = "admin") {
    return Client(role).Request("POST", "/api/restore" + query, zip, "application/zip");
  }
  HttpResponse UploadFile(const std::string& page, const std::string& name,
                          const std::string& content) {
    return Client("editor").Request("POST", "/api/pages/" + page + "/uploads",
                                    MultipartBody("XyZbOuNdArY", "file", name, content),
                                    "multipart/form-data; boundary=XyZbOuNdArY");
  }
  // The wiki the backup tests start from: pages alpha ("version one") and
  // docs, and one upload on docs.
  void SeedTheWiki() {
    ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"version one"})").status,
              201);
    ASSERT_EQ(PutPage("editor", "docs", R"({"title":"Docs","markdown":"files"})").status, 201);
    ASSERT_EQ(UploadFile("docs", "one.bin", RandomBytes(200000, 3)).status, 201);
  }
  // Changes made after a backup, which a restore must undo.
  void ChangeTheWiki() {
    ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"version two"})").status,
              200);
    ASSERT_EQ(PutPage("editor", "beta", R"({"title":"Beta","markdown":"new"})").status, 201);
    ASSERT_EQ(UploadFile("docs", "two.bin", RandomBytes(100000, 4)).status, 201);
  }
  // Undoes the last import from Settings as `admin` would, and expects the
  // wiki ChangeTheWiki made to be back.
  void UndoInBrowserBringsBackTheChangedWiki(HttpClient& admin, const std::string& csrf);
  std::string AlphaText() {
    return ParseJson(Client("admin").Get("/api/pages/alpha").body)
        ->optValue<std::string>("markdown", "");
  }
  // A logged-in browser session for `role`, and its CSRF token.
  HttpClient Browser(const std::string& role, std::string* csrf) {
    HttpClient c(server_->port());
    EXPECT_TRUE(LoginWithForm(c, role, kPassword));
    *csrf = ExtractCsrf(c.Get("/preferences").body);
    return c;
  }
  // What a user can see of the wiki: page list, every page's content and
  // the upload files byte for byte. (The database file itself changes with
  // WAL checkpoints, so it is not compared byte-wise.)
  std::string VisibleState() {
    std::string out = Client("admin").Get("/api/pages").body;
    auto list = ParseJson(out);
    for (const char* slug : {"alpha", "beta", "docs"}) {
      out += Client("admin").Get(std::string("/api/pages/") + slug).body;
    }
    return out + TreeFingerprint(data_ + "/live/uploads");
  }
  // Polls a browser import job until it ends; 503 during the swap is normal.
  Poco::JSON::Object::Ptr WaitForJob(HttpClient& browser, const std::string& id) {
    for (int i = 0; i < 600; ++i) {
      HttpResponse r = browser.Get("/api/restore/status?job=" + id);
      if (r.status == 200) {
        auto job = ParseJson(r.body);
        if (job->optValue<std::string>("state", "") != "running") return job;
      } else if (r.status != 503 && r.status != -1) {
        ADD_FAILURE() << "status poll answered " << r.status << ": " << r.body;
        return new Poco::JSON::Object;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "import job " << id << " did not finish";
    return new Poco::JSON::Object;
  }
};

// The job id in a progress page (data-status-url="...?job=ID").
inline std::string JobIdFromPage(const std::string& html) {
  const std::string marker = "status?job=";
  size_t pos = html.find(marker);
  if (pos == std::string::npos) return "";
  pos += marker.size();
  return html.substr(pos, html.find('"', pos) - pos);
}

inline void BackupWebFixture::UndoInBrowserBringsBackTheChangedWiki(HttpClient& admin,
                                                                    const std::string& csrf) {
  HttpResponse undo = admin.PostForm("/settings/backup/undo", {{"csrf", csrf}});
  ASSERT_EQ(undo.status, 202) << undo.body;
  auto job = WaitForJob(admin, JobIdFromPage(undo.body));
  EXPECT_EQ(job->optValue<std::string>("state", ""), "done")
      << job->optValue<std::string>("message", "");
  EXPECT_EQ(AlphaText(), "version two");
  EXPECT_EQ(Client("admin").Get("/api/pages/beta").status, 200);
  EXPECT_EQ(Client().Get("/files/docs/two.bin").body, RandomBytes(100000, 4));
}

// The bytes of fixtures/hostile/<name>.zip ("" when it is missing).
inline std::string ReadHostileFixture(const std::string& name) {
  std::ifstream in(std::string(ARKWIKI_SOURCE_DIR) + "/fixtures/hostile/" + name + ".zip",
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A running wiki with one page, for imports of hostile archives that must
// leave it untouched.
class HostileImportWebTest : public BackupWebFixture {
 protected:
  void SetUp() override {
    BackupWebFixture::SetUp();
    ASSERT_EQ(PutPage("editor", "alpha", R"({"title":"Alpha","markdown":"kept"})").status, 201);
  }
};

}  // namespace arkwiki::testing
