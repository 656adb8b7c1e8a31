// libFuzzer target for the archive reader: ZIP structure, entry checks,
// inflate guards and manifest parsing (see archive_reader_harness.h).
// Built with -DARKWIKI_BUILD_FUZZERS=ON -DCMAKE_CXX_COMPILER=clang++; how to
// run it is in the README ("Fuzzing") and ci/quality.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz/archive_reader_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  arkwiki::fuzz::RunArchiveReaderInput(data, size);
  return 0;
}
