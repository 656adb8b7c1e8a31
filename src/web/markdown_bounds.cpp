// The limits are plain line surgery, done before parsing, so they cost one
// linear pass whatever the input. They can cut a line that was not a table
// (ASCII art with many '|'), which the notice then explains.
#include "markdown_bounds.h"

#include "arkwiki/core/utf8.h"

namespace arkwiki {
namespace {

// The largest n <= `limit` that does not split a UTF-8 sequence in `text`.
size_t Utf8Floor(std::string_view text, size_t limit) {
  if (limit >= text.size()) return text.size();
  while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80) --limit;
  return limit;
}

// True if `line` opens or closes a fenced code block (``` or ~~~ after at
// most three spaces). Nested fences of other lengths are not told apart: a
// miss only means a long code line is treated as text.
bool IsFence(std::string_view line) {
  size_t i = 0;
  while (i < 3 && i < line.size() && line[i] == ' ') ++i;
  line.remove_prefix(i);
  return line.substr(0, 3) == "```" || line.substr(0, 3) == "~~~";
}

// The length of `line` kept when a table row may have at most `max_cells`
// cells: up to and including the '|' that ends the last allowed cell (a
// leading '|' opens the first cell); anything after it is cut. Escaped "\\|" does not count.
size_t CutAtColumns(std::string_view line, size_t max_cells) {
  size_t first = line.find_first_not_of(" \t");
  size_t allowed = max_cells + (first != std::string_view::npos && line[first] == '|' ? 1 : 0);
  size_t pipes = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\') {
      ++i;
    } else if (line[i] == '|' && ++pipes == allowed) {
      bool more = line.find_first_not_of(" \t", i + 1) != std::string_view::npos;
      return more ? i + 1 : line.size();
    }
  }
  return line.size();
}

constexpr char kCutSize[] = "This page is too long to show in full; only its beginning is shown.";
constexpr char kCutLine[] = "A very long line was cut short.";
constexpr char kCutTable[] = "A table row had too many columns; the extra columns are not shown.";

}  // namespace

BoundedMarkdown BoundMarkdown(std::string_view markdown, const MarkdownLimits& limits) {
  BoundedMarkdown out;
  bool cut_size = false, cut_line = false, cut_table = false;
  if (markdown.size() > limits.max_bytes) {
    size_t end = markdown.rfind('\n', limits.max_bytes);
    markdown = markdown.substr(0, end == std::string_view::npos ? limits.max_bytes : end + 1);
    cut_size = true;
  }
  const std::string valid = ToValidUtf8(markdown);
  std::string_view rest = valid;
  out.text.reserve(rest.size());
  bool in_fence = false;
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
    if (IsFence(line)) in_fence = !in_fence;
    if (line.size() > limits.max_line_bytes) {
      line = line.substr(0, Utf8Floor(line, limits.max_line_bytes));
      cut_line = true;
    }
    if (!in_fence) {
      size_t keep = CutAtColumns(line, limits.max_table_columns);
      cut_table = cut_table || keep < line.size();
      line = line.substr(0, keep);
    }
    out.text.append(line);
    if (eol != std::string_view::npos) out.text += '\n';
  }
  if (cut_size) out.notices.emplace_back(kCutSize);
  if (cut_line) out.notices.emplace_back(kCutLine);
  if (cut_table) out.notices.emplace_back(kCutTable);
  return out;
}

}  // namespace arkwiki
