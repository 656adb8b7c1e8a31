// A scratch directory under $TMPDIR (default /tmp), removed with its
// contents when the object dies.
#pragma once

#include <cstddef>
#include <string>

namespace arkwiki::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Lists every file under `root` recursively as relative paths with their
// SHA-256, one "path sha256" per line, sorted: a byte-level fingerprint.
std::string TreeFingerprint(const std::string& root);

// How many entries `dir` holds (not recursing); a failed listing fails the
// test and counts 0.
size_t EntriesIn(const std::string& dir);

}  // namespace arkwiki::testing
