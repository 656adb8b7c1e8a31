// The archive-reader fuzz harness, shared by the libFuzzer target
// (archive_reader_fuzz.cpp) and the regression replay test
// (tests/backup/fuzz_regressions_test.cpp), so a crash input kept under
// fixtures/fuzz-regressions/ is replayed through exactly the code that found it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace arkwiki::fuzz {

// Feeds `data` to everything that reads an uploaded backup before it is
// trusted: ZipReader::Open (end records, central directory, entry names and
// caps, local headers; in canonical mode too when ZipLimits has it), every
// entry through ReadEntry (inflate, size and CRC guards); then
// ZipStreamReader, which must reach ZipReader's canonical verdict, and
// ParseManifest on its manifest.json and CheckEntrySet against it. The input is also parsed as a
// manifest on its own, and once more with its manifest_sha256 recomputed so
// that mutations get past the checksum into the field checks.
// Then it is split as an import receives it (CheckSplitArchive), which
// aborts unless the split reads back as exactly the input.
// Returns nothing: failures are expected; only crashes, sanitizer reports,
// hangs, runaway memory and a split that changes the bytes are bugs.
void RunArchiveReaderInput(const uint8_t* data, size_t size);

}  // namespace arkwiki::fuzz
