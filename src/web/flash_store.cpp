#include "flash_store.h"

#include <array>
#include <string_view>

#include "arkwiki/core/hash.h"

namespace arkwiki::web {
namespace {

std::string KnownKind(const std::string& kind) {
  static constexpr std::array<std::string_view, 4> kKinds = {"success", "error", "warning", "info"};
  for (std::string_view k : kKinds) {
    if (kind == k) return std::string(k);
  }
  return "info";
}

}  // namespace

std::string FlashStore::Put(const std::string& owner, const std::string& kind,
                            const std::string& text, int64_t now) {
  std::string id = RandomHex(12);
  std::lock_guard<std::mutex> lock(mutex_);
  DropExpired(now);
  while (order_.size() >= kMaxFlashes) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
  entries_[id] = Entry{owner, Flash{KnownKind(kind), text}, now + kFlashTtlSeconds};
  order_.push_back(id);
  return id;
}

std::optional<Flash> FlashStore::Get(const std::string& owner, const std::string& id, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  DropExpired(now);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.owner != owner) return std::nullopt;
  return it->second.flash;
}

void FlashStore::DropExpired(int64_t now) {
  while (!order_.empty()) {
    auto it = entries_.find(order_.front());
    if (it != entries_.end() && it->second.expires > now) break;
    if (it != entries_.end()) entries_.erase(it);
    order_.pop_front();
  }
}

}  // namespace arkwiki::web
