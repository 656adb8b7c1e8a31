// Private to the web layer: the limits applied to Markdown before it is
// parsed, so that no page, however hostile, costs more than a bounded amount
// to render or to display.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace arkwiki {

struct MarkdownLimits {
  // Bytes of Markdown rendered; the rest of a longer page is cut at a line
  // end and not shown. Pages are stored whole (up to 16 MiB) either way.
  size_t max_bytes = size_t{4} << 20;
  // Bytes per line; longer lines are cut. Large enough for an inline
  // data:image of about 190 KB.
  size_t max_line_bytes = size_t{256} << 10;
  // '|' characters per line outside fenced code, which bounds a table's
  // columns (a table's cell count is columns x rows, and short rows are
  // padded, so unbounded columns multiply the output).
  size_t max_table_columns = 128;
  // Nested block quotes and lists; deeper containers render flat.
  size_t max_depth = 32;
  // Wall-clock time for one render; past it the page is shown as escaped
  // source text. Checked every few hundred parser events.
  std::chrono::milliseconds budget{2000};
};

struct BoundedMarkdown {
  std::string text;                  // valid UTF-8, within the limits
  std::vector<std::string> notices;  // one sentence per limit that cut something
};

// Repairs invalid UTF-8 (to U+FFFD) and applies max_bytes, max_line_bytes
// and max_table_columns to `markdown`.
BoundedMarkdown BoundMarkdown(std::string_view markdown, const MarkdownLimits& limits);

}  // namespace arkwiki
