// Why our own diff: Debian 12 ships libdtl-dev (header-only, Wu/Manber/Myers
// O(NP)), but it has no bound on work. Its only limit restarts the search
// from scratch when its path table fills, so a large rewritten page can pin
// a core. A revision diff is computed on a web request, so we need a hard
// cap. Greedy Myers O((N+M)·D) with a cap on D and on total steps is about
// 100 lines, and the fallback (common prefix and suffix kept, the middle
// shown as replaced) is still a readable diff.
#include "line_diff.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>

namespace arkwiki {
namespace {

// Total diagonal and snake steps allowed before giving up (~tens of ms).
constexpr int64_t kMaxWork = 20'000'000;

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// The core works on two int sequences (line ids) and appends to `out`.
class Myers {
 public:
  Myers(const std::vector<int>& a, const std::vector<int>& b) : a_(a), b_(b) {}

  // Returns false when a cap was hit; `ops` is then unspecified.
  // On success `ops` holds one of 'S', 'A', 'R' per output line, in order.
  bool Run(std::string* ops) {
    const int n = static_cast<int>(a_.size());
    const int m = static_cast<int>(b_.size());
    const int d_max = std::min(n + m, kMaxDiffEditDistance);
    offset_ = d_max + 1;
    std::vector<int> v(2 * offset_ + 1, -1);
    int64_t work = 0;
    for (int d = 0; d <= d_max; ++d) {
      for (int k = -d; k <= d; k += 2) {
        int x = d == 0 ? 0 : Step(v, d, k, n, m, nullptr);
        if (x < 0) {
          v[offset_ + k] = -1;
          continue;
        }
        int y = x - k;
        while (x < n && y < m && a_[x] == b_[y]) ++x, ++y, ++work;
        v[offset_ + k] = x;
        if (x == n && y == m) {
          trace_.emplace_back(v.begin() + offset_ - d, v.begin() + offset_ + d + 1);
          Backtrack(d, n, m, ops);
          return true;
        }
      }
      work += d + 1;
      if (work > kMaxWork) return false;
      trace_.emplace_back(v.begin() + offset_ - d, v.begin() + offset_ + d + 1);
    }
    return false;
  }

 private:
  // The furthest x reachable on diagonal k with d edits, before the snake,
  // from `v` holding step d-1 (indexed by offset_ or, for a trace row, by
  // d-1). Returns -1 when unreachable. *down says which move was taken.
  int Step(const std::vector<int>& v, int d, int k, int n, int m, bool* down) const {
    auto at = [&](int kk) { return v[offset_ + kk]; };
    int down_x = -1, right_x = -1;
    if (k + 1 <= d - 1 && at(k + 1) >= 0 && at(k + 1) - (k + 1) < m) down_x = at(k + 1);
    if (k - 1 >= -(d - 1) && at(k - 1) >= 0 && at(k - 1) < n) right_x = at(k - 1) + 1;
    if (down != nullptr) *down = down_x >= right_x;
    return std::max(down_x, right_x);
  }

  void Backtrack(int d_end, int n, int m, std::string* ops) {
    std::string rev;
    int x = n, y = m;
    for (int d = d_end; d > 0; --d) {
      // Rebuild a full-width view of step d-1 so Step() can index it.
      std::vector<int> prev(2 * offset_ + 1, -1);
      const std::vector<int>& row = trace_[d - 1];
      std::copy(row.begin(), row.end(), prev.begin() + offset_ - (d - 1));
      bool down = false;
      int k = x - y;
      Step(prev, d, k, n, m, &down);
      int prev_k = down ? k + 1 : k - 1;
      int prev_x = prev[offset_ + prev_k];
      int prev_y = prev_x - prev_k;
      int mid_x = down ? prev_x : prev_x + 1;
      for (; x > mid_x; --x, --y) rev += 'S';
      rev += down ? 'A' : 'R';
      x = prev_x;
      y = prev_y;
    }
    for (; x > 0; --x) rev += 'S';
    ops->assign(rev.rbegin(), rev.rend());
  }

  const std::vector<int>& a_;
  const std::vector<int>& b_;
  int offset_ = 0;
  std::vector<std::vector<int>> trace_;  // v[-d..d] after each step d
};

void Emit(std::vector<DiffLine>* out, DiffLine::Kind kind, std::string_view text) {
  out->push_back(DiffLine{kind, std::string(text)});
}

}  // namespace

std::vector<DiffLine> DiffLines(std::string_view a_text, std::string_view b_text) {
  const std::vector<std::string_view> a = SplitLines(a_text);
  const std::vector<std::string_view> b = SplitLines(b_text);
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  const size_t a_end = a.size() - suffix, b_end = b.size() - suffix;

  // Line ids make each comparison in the search one int compare.
  std::unordered_map<std::string_view, int> ids;
  ids.reserve((a_end - prefix) + (b_end - prefix));
  std::vector<int> a_ids, b_ids;
  for (size_t i = prefix; i < a_end; ++i)
    a_ids.push_back(ids.emplace(a[i], ids.size()).first->second);
  for (size_t i = prefix; i < b_end; ++i)
    b_ids.push_back(ids.emplace(b[i], ids.size()).first->second);

  std::string ops;
  if (!Myers(a_ids, b_ids).Run(&ops)) {
    ops.assign(a_ids.size(), 'R');
    ops.append(b_ids.size(), 'A');
  }

  std::vector<DiffLine> out;
  out.reserve(prefix + ops.size() + suffix);
  for (size_t i = 0; i < prefix; ++i) Emit(&out, DiffLine::kSame, a[i]);
  size_t ai = prefix, bi = prefix;
  for (size_t i = 0; i < ops.size();) {
    // Within each changed run, list removals before additions.
    if (ops[i] == 'S') {
      Emit(&out, DiffLine::kSame, a[ai++]);
      ++bi;
      ++i;
      continue;
    }
    size_t j = i;
    while (j < ops.size() && ops[j] != 'S') ++j;
    size_t removed = std::count(ops.begin() + i, ops.begin() + j, 'R');
    size_t added = (j - i) - removed;
    for (size_t r = 0; r < removed; ++r) Emit(&out, DiffLine::kRemoved, a[ai++]);
    for (size_t r = 0; r < added; ++r) Emit(&out, DiffLine::kAdded, b[bi++]);
    i = j;
  }
  for (size_t i = a_end; i < a.size(); ++i) Emit(&out, DiffLine::kSame, a[i]);
  return out;
}

}  // namespace arkwiki
