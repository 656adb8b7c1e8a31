// A ByteSink writing to standard output (`--out -`).
#pragma once

#include "arkwiki/backup/byte_sink.h"

namespace arkwiki::cli {

class StdoutSink final : public ByteSink {
 public:
  Status Write(std::string_view data) override;
};

}  // namespace arkwiki::cli
