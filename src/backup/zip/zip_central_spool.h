// CentralSpool: the ZIP central directory as ZipWriter builds it, entry by
// entry, until Finish() writes it out (private to the backup layer).
//
// The encoded records (~130 bytes per upload entry) are gathered in pieces
// of about 1 MiB. In memory by default; with a spool file, every full piece
// goes to that file, so a writer holds one piece whatever the entry count
// (200,000 entries: 26 MB otherwise; benchmarks/README.md). A record never
// straddles two pieces.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki::zip {

class CentralSpool {
 public:
  static constexpr size_t kPieceBytes = size_t{1} << 20;

  CentralSpool() = default;
  ~CentralSpool();  // removes the spool file
  CentralSpool(const CentralSpool&) = delete;
  CentralSpool& operator=(const CentralSpool&) = delete;

  // From now on, full pieces go to a new file at `path` (created
  // exclusively; removed by the destructor). Call before the first record.
  Status UseFile(Env* env, std::string path);

  // The piece to encode the next record into; then call Sealed().
  std::string* Tail();
  // Moves the tail to the spool file once it is full. An error leaves the
  // directory incomplete: the caller must treat it as fatal.
  Status Sealed();

  // Calls on_piece with every piece, in order (spooled ones read back one at
  // a time); stops at the first error or when on_piece sets *stop.
  Status ForEachPiece(
      const std::function<Status(std::string_view piece, bool* stop)>& on_piece) const;
  // Frees the in-memory pieces.
  void Clear();

 private:
  Env* env_ = nullptr;
  std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::vector<size_t> spooled_;      // sizes of the pieces in the file, in order
  std::vector<std::string> pieces_;  // in memory, after the spooled ones
};

}  // namespace arkwiki::zip
