// A ByteSink that hashes what passes through it (private to the backup layer).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {

// Hashes what passes through on its way to `next` (nullptr: dropped).
class HashingTee final : public ByteSink {
 public:
  explicit HashingTee(ByteSink* next) : next_(next) {}
  Status Write(std::string_view data) override {
    sha_.Update(data);
    bytes_ += data.size();
    return next_ ? next_->Write(data) : Status::Ok();
  }
  Status Flush() override { return next_ ? next_->Flush() : Status::Ok(); }
  // The SHA-256 (lowercase hex) of the bytes written; no Write after it.
  std::string FinishHex() { return sha_.FinishHex(); }
  uint64_t bytes() const { return bytes_; }

 private:
  ByteSink* next_;
  Sha256 sha_;
  uint64_t bytes_ = 0;
};

}  // namespace arkwiki
