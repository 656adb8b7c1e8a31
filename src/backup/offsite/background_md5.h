// The MD5 of a streamed body, computed on a thread of its own while the
// sending thread seals and sends the next bytes (private to the S3
// target). One hasher serves a Client's streamed bodies one after another.
//
// Update copies each piece, cut to at most kMaxPiece bytes, into one of
// kSlots blocks and hands it over, so the hasher may fall up to kSlots
// pieces behind before Update waits (a busy machine may leave it
// unscheduled for a while): memory is at most kSlots blocks of
// kMaxPiece (a pack, 4 MiB, is given whole, and took a block that size
// in each slot). Threads meet only
// there, and in Start and FinishHex, which wait until every piece handed
// over is hashed. The digest is of exactly the bytes given to Update, in
// order, as if computed inline.
#pragma once

#include <Poco/Crypto/DigestEngine.h>

#include <array>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "arkwiki/core/status.h"

namespace arkwiki::s3 {

class BackgroundMd5 {
 public:
  static constexpr size_t kSlots = 3;
  static constexpr size_t kMaxPiece = size_t{1} << 20;

  BackgroundMd5() = default;
  ~BackgroundMd5();  // stops the hasher and joins it
  BackgroundMd5(const BackgroundMd5&) = delete;
  BackgroundMd5& operator=(const BackgroundMd5&) = delete;

  // Begins a new digest, dropping whatever an unfinished one held.
  void Start();
  // Hands a copy of `data` to the hasher and returns while it is hashed.
  // IoError when the hasher cannot be started or has failed (the digest
  // is then lost: Start again).
  Status Update(std::string_view data);
  // The MD5 (lowercase hex) of the bytes given since Start, once hashed;
  // the same errors as Update. Start again before the next Update.
  Result<std::string> FinishHex();

 private:
  Status UpdatePiece(std::string_view data);
  void Run();
  // Waits until every piece handed over is hashed. `lock` holds mu_.
  void WaitIdle(std::unique_lock<std::mutex>& lock);

  std::mutex mu_;
  std::condition_variable cv_;
  // The pieces handed over and not yet hashed are slots_[next_], ... in
  // order, `pending_` of them; those are the hasher's, the rest the caller's.
  std::array<std::string, kSlots> slots_;
  size_t next_ = 0;
  size_t pending_ = 0;
  bool stop_ = false;
  std::string failed_;  // why hashing failed, until Start
  // Touched by the hasher only while a piece is pending, else by the caller.
  Poco::Crypto::DigestEngine md5_{"MD5"};
  std::thread thread_;  // started by the first Update
};

}  // namespace arkwiki::s3
