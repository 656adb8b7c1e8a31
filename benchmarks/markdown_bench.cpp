// markdown_bench: render time of pathological and ordinary Markdown.
//
// Columns: the raw libraries on the same input (cmark-gfm 0.29 with the
// extensions arkwiki enables; md4c 0.4.8 with the equivalent flags), then
// arkwiki's own RenderMarkdown (limits, URL policy, wiki links, allowlist
// check), which is what a save runs. Prints one Markdown table row per input.
//
// Usage: markdown_bench [--quick] [--skip-cmark-over MS] [--filter SUBSTR]
//   --quick              smaller inputs (CI smoke test)
//   --skip-cmark-over MS skip raw cmark-gfm on an input once a smaller input
//                        of the same family took longer than MS (default 0:
//                        never skip)
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <md4c-html.h>
#include <md4c.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "markdown.h"
#include "markdown_inputs.h"

namespace {

using arkwiki::bench::Input;
using arkwiki::bench::Inputs;

double Millis(const std::function<void()>& fn) {
  auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The best of up to 3 runs, stopping after the first run over 1 s.
double Time(const std::function<void()>& fn) {
  double best = Millis(fn);
  for (int i = 1; i < 3 && best < 1000; ++i) best = std::min(best, Millis(fn));
  return best;
}

size_t RenderCmark(const std::string& md) {
  static bool registered = false;
  if (!registered) cmark_gfm_core_extensions_ensure_registered();
  registered = true;
  const int options = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
  cmark_parser* parser = cmark_parser_new(options);
  for (const char* name : {"table", "strikethrough", "autolink", "tasklist", "tagfilter"}) {
    cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension(name));
  }
  cmark_parser_feed(parser, md.data(), md.size());
  cmark_node* doc = cmark_parser_finish(parser);
  char* html = cmark_render_html(doc, options, cmark_parser_get_syntax_extensions(parser));
  size_t size = std::strlen(html);
  cmark_get_default_mem_allocator()->free(html);
  cmark_node_free(doc);
  cmark_parser_free(parser);
  return size;
}

size_t RenderMd4c(const std::string& md) {
  std::string html;
  const unsigned flags = MD_DIALECT_GITHUB | MD_FLAG_NOHTML | MD_FLAG_WIKILINKS;
  md_html(
      md.data(), static_cast<MD_SIZE>(md.size()),
      [](const MD_CHAR* text, MD_SIZE size, void* out) {
        static_cast<std::string*>(out)->append(text, size);
      },
      &html, flags, 0);
  return html.size();
}

std::string Cell(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f" : "%.0f", ms);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  double skip_cmark_over = 0;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      quick = true;
    } else if (arg == "--skip-cmark-over" && i + 1 < argc) {
      skip_cmark_over = std::stod(argv[++i]);
    } else if (arg == "--filter" && i + 1 < argc) {
      filter = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--quick] [--skip-cmark-over MS] [--filter S]\n", argv[0]);
      return 2;
    }
  }
  std::printf("| input | size KB | cmark-gfm ms | md4c ms | arkwiki render ms |\n");
  std::printf("|---|--:|--:|--:|--:|\n");
  double last_cmark = 0;
  std::string last_family;
  for (const Input& input : Inputs(quick)) {
    if (!filter.empty() && input.name.find(filter) == std::string::npos) continue;
    std::string family = input.name.substr(0, input.name.find_first_of("0123456789"));
    if (family != last_family) last_cmark = 0;
    last_family = family;
    std::string cmark = "skipped";
    if (skip_cmark_over <= 0 || last_cmark <= skip_cmark_over) {
      last_cmark = Time([&] { RenderCmark(input.markdown); });
      cmark = Cell(last_cmark);
    }
    double md4c = Time([&] { RenderMd4c(input.markdown); });
    double ours = Time([&] { arkwiki::RenderMarkdown(input.markdown, nullptr); });
    std::printf("| %s | %zu | %s | %s | %s |\n", input.name.c_str(), input.markdown.size() / 1024,
                cmark.c_str(), Cell(md4c).c_str(), Cell(ours).c_str());
    std::fflush(stdout);
  }
  return 0;
}
