// Line-by-line diff of two texts, for comparing page revisions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace arkwiki {

struct DiffLine {
  enum Kind { kSame, kAdded, kRemoved };
  Kind kind = kSame;
  std::string text;  // the line without its "\n" (or "\r\n")

  bool operator==(const DiffLine&) const = default;
};

// Returns the lines of `a` and `b` as one sequence: kSame lines appear in
// both, kRemoved only in `a`, kAdded only in `b`. Keeping the kSame and
// kRemoved lines yields `a`; keeping kSame and kAdded yields `b`. Within a
// changed run, removals come before additions.
//
// Lines are split on "\n"; a trailing "\r" is dropped and a missing final
// newline is ignored, so "x\r\n" and "x" compare equal.
//
// The result is a shortest edit script (Myers) unless the texts differ too
// much: beyond about kMaxDiffEditDistance changed lines, or a fixed budget of
// comparisons, the unmatched middle is reported as all removed then all
// added. That bounds CPU and memory on huge or unrelated revisions.
std::vector<DiffLine> DiffLines(std::string_view a, std::string_view b);

inline constexpr int kMaxDiffEditDistance = 1000;

}  // namespace arkwiki
