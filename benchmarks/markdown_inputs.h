// The Markdown inputs the Markdown benchmarks render: pathological families
// (wide tables, nesting, long runs of delimiters) and an ordinary page.
// Shared by markdown_bench (render time) and http_markdown_bench (save and
// view over HTTP).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace arkwiki::bench {

struct Input {
  std::string name;
  std::string markdown;
};

inline std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

inline std::string WideTable(size_t columns, size_t rows) {
  std::string row = "|" + Repeat(" x |", columns) + "\n";
  std::string md = row + "|" + Repeat("---|", columns) + "\n";
  for (size_t i = 0; i < rows; ++i) md += row;
  return md;
}

inline std::string DeepLists(size_t depth) {
  std::string md;
  for (size_t i = 0; i < depth; ++i) md += std::string(i * 2, ' ') + "- x\n";
  return md;
}

inline std::string Backticks(size_t runs) {
  std::string md;
  for (size_t i = 1; i <= runs; ++i) md += std::string(i, '`') + "a";
  return md;
}

inline std::string LinkRefs(size_t count) {
  std::string defs, uses;
  for (size_t i = 0; i < count; ++i) {
    defs += "[r" + std::to_string(i) + "]: /wiki/p" + std::to_string(i) + "\n";
    uses += "[x][r" + std::to_string(i) + "] ";
  }
  return uses + "\n\n" + defs;
}

// A plausible wiki page: headings, paragraphs with emphasis and links, a
// list, a task list, a small table and a code block; about 0.6 KB per copy.
inline std::string OrdinaryPage(size_t copies) {
  const std::string section =
      "## Setting up the build\n\n"
      "Install the *packages* listed in **ci/deps.sh**, then see [[Getting Started]] and "
      "[the manual](https://example.org/manual). Inline `code` and ~~old~~ text too.\n\n"
      "- first step, with a [link](/wiki/first-step)\n- second step\n  - nested item\n"
      "- third step: www.example.com\n\n"
      "- [x] done item\n- [ ] open item\n\n"
      "| Option | Default | Meaning |\n|:--|:-:|--:|\n| port | 8080 | where to listen |\n"
      "| data | ./data | [[Data Directory|data folder]] |\n\n"
      "```cpp\nint main() { return Run(argc, argv); }\n```\n\n"
      "> A quote with *emphasis* and a footnote-like [ref][r1].\n\n[r1]: /wiki/refs\n\n";
  return Repeat(section, copies);
}

inline std::vector<Input> Inputs(bool quick) {
  const size_t k = quick ? 10 : 1;  // divisor for --quick
  return {
      {"ordinary page x 1", OrdinaryPage(1)},
      {"ordinary page x 50", OrdinaryPage(50)},
      {"ordinary page x 500", OrdinaryPage(500 / k)},
      {"table 1,000 cols x 50 rows", WideTable(1000 / k, 50)},
      {"table 5,000 cols x 50 rows", WideTable(5000 / k, 50)},
      {"table 20,000 cols x 50 rows", WideTable(20000 / k, 50)},
      {"table 3 cols x 100,000 rows", WideTable(3, 100000 / k)},
      {"`![[]()` x 20,000", Repeat("![[]()", 20000 / k)},
      {"`![[]()` x 100,000", Repeat("![[]()", 100000 / k)},
      {"`[` x 100,000", Repeat("[", 100000 / k)},
      {"`*_[` x 100,000 (one line)", Repeat("*_[", 100000 / k)},
      {"`*a **a ` x 50,000", Repeat("*a **a ", 50000 / k)},
      {"`a_ ` x 100,000", Repeat("a_ ", 100000 / k)},
      {"`>` x 50,000 (nesting)", Repeat(">", 50000 / k) + " x\n"},
      {"`- ` x 50,000 (nesting)", Repeat("- ", 50000 / k) + "x\n"},
      {"nested lists 5,000 deep", DeepLists(5000 / k)},
      {"backtick runs 1..2,000", Backticks(2000 / k)},
      {"link refs x 50,000", LinkRefs(50000 / k)},
      {"`www.a` x 100,000 (autolinks)", Repeat("www.a.b_ ", 100000 / k)},
      {"`[[a]]` x 100,000 (wiki links)", Repeat("[[a]] ", 100000 / k)},
      {"`<!--` x 100,000", Repeat("<!-- ", 100000 / k)},
      {"`&#` entities x 100,000", Repeat("&#1234567 &amp ", 100000 / k)},
  };
}

}  // namespace arkwiki::bench
