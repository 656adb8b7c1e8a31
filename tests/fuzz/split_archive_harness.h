// The archive-splitting fuzz harness (arkwiki/backup/split_archive.h), run
// on every input of the archive-reader fuzz target and by the regression
// replay test. An import splits the archive as it arrives, before anything
// in it is checked, so the splitter sees hostile bytes first.
#pragma once

#include <string_view>

namespace arkwiki::fuzz {

// Feeds `bytes` to an ArchiveSplitter in chunks whose sizes are drawn from
// the bytes themselves, with pieces of a few bytes so that small inputs make
// them, in a scratch directory under $TMPDIR (or /tmp). Aborts unless the
// split archive reads back as exactly `bytes` (every read of any length at
// any offset, past the end included), its pieces are in order, disjoint and
// inside it, and each piece's SHA-256 and CRC-32 are those of its bytes.
// Removes every file it made.
void CheckSplitArchive(std::string_view bytes);

}  // namespace arkwiki::fuzz
