// FlashStore: the one-line messages shown after a redirect ("Page saved.").
//
// The message stays on the server; the redirect carries only a random id
// (?flash=ID), which shows the message only to the session that caused it
// and only for kFlashTtlSeconds. So no link can put text of its choosing on
// a page of ours. Bounded: the oldest messages go first beyond kMaxFlashes.
// Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace arkwiki::web {

inline constexpr int64_t kFlashTtlSeconds = 600;
inline constexpr size_t kMaxFlashes = 4096;

struct Flash {
  std::string kind;  // "success", "error", "warning" or "info": a CSS class suffix
  std::string text;
};

class FlashStore {
 public:
  // Keeps `text` for the visitor whose session token is `owner` ("" for an
  // anonymous visitor) and returns its id. A `kind` outside the fixed set
  // becomes "info".
  std::string Put(const std::string& owner, const std::string& kind, const std::string& text,
                  int64_t now);
  // The message `id` when `owner` put it and it has not expired.
  std::optional<Flash> Get(const std::string& owner, const std::string& id, int64_t now);

 private:
  struct Entry {
    std::string owner;
    Flash flash;
    int64_t expires = 0;
  };
  void DropExpired(int64_t now);  // needs mutex_

  std::mutex mutex_;
  std::map<std::string, Entry> entries_;
  std::deque<std::string> order_;  // ids, oldest first (so also by expiry)
};

}  // namespace arkwiki::web
