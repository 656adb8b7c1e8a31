#include "repository/object_set.h"

#include <algorithm>
#include <cstdlib>
#include <new>
#include <utility>

namespace arkwiki {

void ObjectSet::AddAll(std::vector<ObjectRef> batch) {
  std::sort(batch.begin(), batch.end());
  batch.erase(std::unique(batch.begin(), batch.end()), batch.end());
  // In place: the refs not held yet are counted, the set grows by exactly
  // that, its objects move to the back, and the merge writes from the
  // front. A batch of objects held already neither grows nor copies it.
  size_t fresh = 0;
  {
    const ObjectRef* held = refs_;
    const ObjectRef* const end = refs_ + size_;
    for (const ObjectRef& ref : batch) {
      held = std::lower_bound(held, end, ref);
      if (held == end || !(*held == ref)) ++fresh;
    }
  }
  if (fresh == 0) return;
  const size_t old_size = size_;
  Resize(old_size + fresh);
  std::move_backward(refs_, refs_ + old_size, refs_ + size_);
  // `out` never passes `held`: it has written the held objects consumed and
  // at most `fresh` new ones, and `held` starts `fresh` ahead.
  ObjectRef* const end = refs_ + size_;
  ObjectRef* held = refs_ + fresh;
  ObjectRef* out = refs_;
  for (const ObjectRef& ref : batch) {
    while (held != end && *held < ref) *out++ = *held++;
    if (held != end && *held == ref) continue;  // held: keeps its size
    *out++ = ref;
  }
  // The held objects left are in place once every new one is in.
}

void ObjectSet::Resize(size_t size) {
  if (size == 0) {
    std::free(refs_);
    refs_ = nullptr;
  } else {
    void* grown = std::realloc(refs_, size * sizeof(ObjectRef));
    if (grown == nullptr) throw std::bad_alloc();
    refs_ = static_cast<ObjectRef*>(grown);
    std::fill(refs_ + std::min(size_, size), refs_ + size, ObjectRef{});
  }
  size_ = size;
}

ObjectSet::~ObjectSet() { std::free(refs_); }

ObjectSet::ObjectSet(ObjectSet&& other) noexcept
    : refs_(std::exchange(other.refs_, nullptr)), size_(std::exchange(other.size_, 0)) {}

ObjectSet& ObjectSet::operator=(ObjectSet&& other) noexcept {
  if (this != &other) {
    std::free(refs_);
    refs_ = std::exchange(other.refs_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

bool ObjectSet::Contains(const Sha256Raw& sha256) const {
  return std::binary_search(refs_, refs_ + size_, ObjectRef{sha256, 0});
}

}  // namespace arkwiki
