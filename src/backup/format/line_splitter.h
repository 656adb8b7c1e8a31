// LineSplitter: the lines of a text read a block at a time (private to the
// backup layer): a restore point's chunk lists, an off-site record's pack
// index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "arkwiki/core/status.h"

namespace arkwiki {

class LineSplitter {
 public:
  // A line longer than `max_line` that a block's end cuts is refused (one
  // wholly inside a block is for the caller's parser to judge), so that
  // what waits for the next block stays bounded.
  explicit LineSplitter(size_t max_line) : max_line_(max_line) {}

  // Hands `on_line` each line `block` completes (without its '\n'), in
  // order; the rest waits for the next block. Stops at on_line's first
  // error, or with too_long(n) for line n (counted from 1) past max_line.
  template <typename OnLine, typename TooLong>
  Status Feed(std::string_view block, const OnLine& on_line, const TooLong& too_long) {
    for (size_t eol; (eol = block.find('\n')) != std::string_view::npos;) {
      if (partial_.empty()) {
        ARKWIKI_RETURN_IF_ERROR(on_line(block.substr(0, eol)));
      } else {
        partial_.append(block.substr(0, eol));
        if (partial_.size() > max_line_) return too_long(lines_ + 1);
        ARKWIKI_RETURN_IF_ERROR(on_line(std::string_view(partial_)));
        partial_.clear();
      }
      ++lines_;
      block.remove_prefix(eol + 1);
    }
    partial_.append(block);
    if (partial_.size() > max_line_) return too_long(lines_ + 1);
    return Status::Ok();
  }
  // Lines handed on so far.
  uint64_t lines() const { return lines_; }
  // Whether a line waits for its '\n': at the end of the text, a line cut
  // short.
  bool open() const { return !partial_.empty(); }

 private:
  size_t max_line_;
  std::string partial_;  // a line split between two blocks
  uint64_t lines_ = 0;
};

}  // namespace arkwiki
