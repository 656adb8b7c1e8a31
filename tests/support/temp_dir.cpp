#include "support/temp_dir.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"

namespace arkwiki::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base && *base ? base : "/tmp") + "/arkwiki-test-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TreeFingerprint(const std::string& root) {
  std::vector<std::string> lines;
  for (auto it = std::filesystem::recursive_directory_iterator(root);
       it != std::filesystem::recursive_directory_iterator(); ++it) {
    std::string rel = std::filesystem::relative(it->path(), root).string();
    if (it->is_symlink()) {
      lines.push_back(rel + " symlink");
    } else if (it->is_regular_file()) {
      auto digest = Sha256File(Env::Default(), it->path().string());
      lines.push_back(rel + " " + (digest.ok() ? digest->sha256 : "unreadable"));
    } else if (it->is_directory()) {
      lines.push_back(rel + "/");
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

size_t EntriesIn(const std::string& dir) {
  auto listed = Env::Default()->ListDir(dir);
  EXPECT_TRUE(listed.ok()) << dir << ": " << listed.status().ToString();
  return listed.ok() ? listed->size() : 0;
}

}  // namespace arkwiki::testing
