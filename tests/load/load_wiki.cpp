#include "load/load_wiki.h"

#include <Poco/JSON/Object.h>

#include <cstring>
#include <fstream>
#include <random>

#include "arkwiki/process/http_client.h"
#include "support/arkwiki_process.h"

namespace arkwiki::load {
namespace {

constexpr int kWideColumns = 5000;
constexpr int kWideRows = 50;
constexpr int kRepeats = 40000;

const char* const kWords[] = {"backup",  "restore", "wiki",   "page",    "garden",  "river",
                              "lamp",    "cabinet", "ledger", "harbour", "violet",  "signal",
                              "orchard", "tunnel",  "copper", "meadow",  "archive", "beacon"};

std::string Words(std::mt19937* rng, int n) {
  std::string text;
  std::uniform_int_distribution<size_t> pick(0, std::size(kWords) - 1);
  for (int i = 0; i < n; ++i) {
    if (i > 0) text += ' ';
    text += kWords[pick(*rng)];
  }
  return text;
}

// `size` random bytes: an upload the backup stores as it is.
std::string UploadBytes(std::mt19937_64* rng, size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i + 8 <= bytes.size(); i += 8) {
    const uint64_t v = (*rng)();
    std::memcpy(bytes.data() + i, &v, 8);
  }
  return bytes;
}

// `size` bytes of words: an upload the backup deflates.
std::string UploadText(std::mt19937_64* rng, size_t size) {
  std::mt19937 words(static_cast<unsigned>((*rng)()));
  std::string text;
  text.reserve(size + 64);
  while (text.size() < size) text += Words(&words, 12) + ".\n";
  text.resize(size);
  return text;
}

Status AddUser(const std::string& data, const std::string& name, const std::string& role) {
  auto add = testing::RunArkwiki(
      {"user", "add", "--data", data, "--name", name, "--role", role, "--password-stdin"},
      std::string(kPassword) + "\n");
  if (add.exit_code == 0) return Status::Ok();
  return Status::IoError("arkwiki user add " + name + " exited " + std::to_string(add.exit_code) +
                         ": " + add.err);
}

Status PutPage(process::HttpClient& client, const std::string& slug, const std::string& title,
               const std::string& markdown) {
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("title", title);
  body->set("markdown", markdown);
  return client.Json("PUT", "/api/pages/" + slug, body).status().WithContext("seeding " + slug);
}

Result<std::unique_ptr<process::ServerProcess>> Start(const LoadOptions& options,
                                                      const std::string& dir,
                                                      const std::string& data) {
  process::EnvVars env = {{"ARKWIKI_HEAD_TIMEOUT_MS", std::to_string(options.head_timeout_ms)}};
  if (options.threads > 0) {
    const std::string config = dir + "/arkwiki.conf";
    std::ofstream(config) << "threads = " << options.threads << "\n";
    env["ARKWIKI_CONFIG"] = config;
  }
  return testing::StartServer(data, env);
}

Status SeedPages(const LoadOptions& options, process::HttpClient& admin, LoadWiki* wiki) {
  for (int i = 0; i < options.pages; ++i) {
    wiki->page_slugs.push_back("page-" + std::to_string(i));
    ARKWIKI_RETURN_IF_ERROR(PutPage(admin, wiki->page_slugs.back(), "Page " + std::to_string(i),
                                    PageMarkdown(i, options.pages)));
  }
  for (size_t i = 0; i < wiki->editor_slugs.size(); ++i) {
    ARKWIKI_RETURN_IF_ERROR(PutPage(admin, wiki->editor_slugs[i], "Edited " + std::to_string(i),
                                    PageMarkdown(static_cast<int>(i), options.pages)));
  }
  ARKWIKI_RETURN_IF_ERROR(PutPage(admin, kWideTableSlug, "Wide table", WideTableMarkdown()));
  std::string repeated;
  for (int i = 0; i < kRepeats; ++i) repeated += std::string(kRepeatedWord) + " ";
  ARKWIKI_RETURN_IF_ERROR(PutPage(admin, kRepeatedWordSlug, "Repeated word", repeated));
  const uint64_t total = static_cast<uint64_t>(options.upload_mb) << 20;
  const auto files = static_cast<uint64_t>(options.uploads);
  std::mt19937_64 rng(42);
  for (uint64_t i = 0; total > 0 && i < files; ++i) {
    const auto size = static_cast<size_t>(total / files + (i < total % files ? 1 : 0));
    const bool text = i % 2 == 1;
    ARKWIKI_RETURN_IF_ERROR(admin
                                .Upload("page-0",
                                        "bulk-" + std::to_string(i) + (text ? ".txt" : ".bin"),
                                        text ? UploadText(&rng, size) : UploadBytes(&rng, size))
                                .status());
  }
  return Status::Ok();
}

}  // namespace

std::string WideTableMarkdown() {
  std::string row;
  std::string text;
  for (int r = 0; r < kWideRows + 2; ++r) {
    row.clear();
    for (int c = 0; c < kWideColumns; ++c) row += r == 1 ? "|-" : "|x";
    text += row + "|\n";
  }
  return text;
}

std::string PageMarkdown(int i, int pages) {
  std::mt19937 rng(static_cast<unsigned>(i) + 1);
  std::string md = "# Page " + std::to_string(i) + "\n\n" + Words(&rng, 60) + ".\n\n";
  md += "## Notes\n\n";
  for (int item = 0; item < 8; ++item) md += "- " + Words(&rng, 6) + "\n";
  md += "\nSee [page " + std::to_string((i + 1) % pages) + "](/wiki/page-" +
        std::to_string((i + 1) % pages) + ") and **" + Words(&rng, 2) + "**.\n\n";
  md += "| name | value | note |\n|---|---|---|\n";
  for (int row = 0; row < 10; ++row) {
    md += "| " + Words(&rng, 1) + " | " + std::to_string(row * 17 + i) + " | " + Words(&rng, 3) +
          " |\n";
  }
  md += '\n';
  md += Words(&rng, 120) + ".\n\n```\n" + Words(&rng, 12) + "\n```\n";
  return md;
}

Result<LoadWiki> SetUpWiki(const LoadOptions& options, const std::string& dir) {
  LoadWiki wiki;
  wiki.data_dir = dir + "/data";
  ARKWIKI_RETURN_IF_ERROR(AddUser(wiki.data_dir, "admin", "admin"));
  for (int i = 0; i < options.editors; ++i) {
    wiki.editor_names.push_back("editor" + std::to_string(i));
    wiki.editor_slugs.push_back("edited-" + std::to_string(i));
    ARKWIKI_RETURN_IF_ERROR(AddUser(wiki.data_dir, wiki.editor_names.back(), "editor"));
  }
  auto token = testing::RunArkwiki({"token", "create", "--data", wiki.data_dir, "--user", "admin"});
  if (token.exit_code != 0) return Status::IoError("arkwiki token create: " + token.err);
  wiki.admin_token = token.out.substr(0, token.out.find('\n'));
  ARKWIKI_ASSIGN_OR_RETURN(wiki.server, Start(options, dir, wiki.data_dir));
  process::HttpClient admin(wiki.server->port(), wiki.admin_token);
  ARKWIKI_RETURN_IF_ERROR(SeedPages(options, admin, &wiki));
  return wiki;
}

}  // namespace arkwiki::load
