// Replays every input the archive-reader fuzzer ever crashed on (kept under
// fixtures/fuzz-regressions/) through the same harness, in the normal suite:
// in the Release build that proves no crash; in the ASan+UBSan build of
// ci/quality.sh it proves no memory or undefined-behaviour error either.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/archive_reader_harness.h"

namespace arkwiki {
namespace {

namespace fs = std::filesystem;

// The inputs kept in `dir` (below the source tree), less their README.
std::vector<fs::path> InputsIn(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() != ".md") out.push_back(e.path());
  }
  return out;
}

void Replay(const std::vector<fs::path>& inputs) {
  for (const fs::path& p : inputs) {
    SCOPED_TRACE(p.string());
    std::ifstream in(p, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << p;
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fuzz::RunArchiveReaderInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
}

TEST(FuzzRegressionsTest, ReplayedInputsDoNotCrash) {
  const std::vector<fs::path> inputs =
      InputsIn(fs::path(ARKWIKI_SOURCE_DIR) / "fixtures" / "fuzz-regressions");
  Replay(inputs);
  RecordProperty("inputs", static_cast<int>(inputs.size()));
}

// The fuzzer's checked-in seeds (real backups among them) pass every check
// of the harness, the split's read-back included: a harness that aborted on
// a valid archive would stop the fuzzer at its first input.
TEST(FuzzRegressionsTest, SeedInputsPassTheHarness) {
  const std::vector<fs::path> inputs =
      InputsIn(fs::path(ARKWIKI_SOURCE_DIR) / "tests" / "fuzz" / "corpus");
  ASSERT_GE(inputs.size(), 3u);
  Replay(inputs);
}

TEST(FuzzRegressionsTest, EmptyAndTinyInputs) {
  // The corner cases every parser gets wrong once.
  fuzz::RunArchiveReaderInput(nullptr, 0);
  const std::string eocd_only("PK\x05\x06" + std::string(18, '\0'));
  fuzz::RunArchiveReaderInput(reinterpret_cast<const uint8_t*>(eocd_only.data()), eocd_only.size());
}

}  // namespace
}  // namespace arkwiki
