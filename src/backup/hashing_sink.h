// A ByteSink that forwards everything and hashes what passes (the archive's
// SHA-256 for the audit log) without holding it.
#pragma once

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {

class HashingSink final : public ByteSink {
 public:
  explicit HashingSink(ByteSink* target) : target_(target) {}
  Status Write(std::string_view data) override {
    ARKWIKI_RETURN_IF_ERROR(target_->Write(data));
    hash_.Update(data);
    bytes_ += data.size();
    return Status::Ok();
  }
  Status Flush() override { return target_->Flush(); }
  uint64_t bytes() const { return bytes_; }
  std::string FinishHex() { return hash_.FinishHex(); }

 private:
  ByteSink* target_;
  Sha256 hash_;
  uint64_t bytes_ = 0;
};

}  // namespace arkwiki
