// RenderCache: each Markdown text is rendered once, and its HTML is kept in
// files under DATA/cache/render/ for the views that follow. Private to the
// web layer.
//
// What it stores is RenderMarkdownBase's output (HTML and linked slugs),
// which depends on the Markdown text, the renderer version and the limits
// alone; links to missing pages are marked at view time (MarkMissingLinks).
// An entry's name is the SHA-256 of all three, so an entry can never be
// stale: a rename, an import, an undo or a migration that changes a page's
// text simply asks for another entry. Renderings that ran out of their time
// budget depend on the clock, and are never stored.
//
// The cache is not part of the wiki: it lies outside DATA/live, no backup
// holds it, and deleting it at any time is safe. Every entry read is checked
// (header, checksum, slugs, and the HTML allowlist of markdown_safety); an
// entry that fails is logged, deleted and rendered again. Any I/O failure
// is logged and degrades to rendering: Get never fails.
//
// Layout: DATA/cache/render/<version>/<64 hex digits>; directories of other
// renderer versions are deleted on first use. Entry file:
//   arkwiki-render-cache <version>\n
//   <key: 64 hex>\n
//   <SHA-256 of everything after this line: 64 hex>\n
//   <count of linked slugs>\n
//   <one slug per line>\n...
//   <HTML to the end of the file>
// Entries are written to a temporary name and renamed into place, unsynced:
// a torn entry after a crash fails its checksum and is rendered again.
//
// Size: at most Options::max_entries entries and Options::max_bytes bytes;
// past either, the least recently used entries are deleted. Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "arkwiki/core/env.h"
#include "markdown.h"

namespace arkwiki::web {

class RenderCache {
 public:
  using RenderFn = std::function<RenderedMarkdown(std::string_view markdown)>;

  struct Options {
    size_t max_entries = 20000;
    uint64_t max_bytes = uint64_t{256} << 20;
    // Renderings larger than this are not stored.
    uint64_t max_entry_bytes = uint64_t{32} << 20;
    // Names the renderer's output format; part of every key and the
    // directory name. Tests pass their own.
    std::string version{kMarkdownRendererVersion};
    // Renders a miss; RenderMarkdownBase with default limits when empty.
    // Its result must say over_budget when the budget cut it.
    RenderFn render;
  };

  // `dir` is DATA/cache/render; it is created on first use.
  RenderCache(Env* env, std::string dir);
  RenderCache(Env* env, std::string dir, Options options);

  // RenderMarkdownBase(markdown): from the cache if a valid entry exists,
  // else rendered now and stored.
  RenderedMarkdown Get(std::string_view markdown);

  // The key of `markdown`'s entry (64 hex digits).
  std::string Key(std::string_view markdown) const;
  // The path of `markdown`'s entry file.
  std::string EntryPath(std::string_view markdown) const;
  // Entries the cache knows of.
  size_t size();

 private:
  struct Entry {
    uint64_t bytes = 0;
    std::list<std::string>::iterator lru;  // position in lru_
  };

  // Creates the directory, deletes other versions and stray files, indexes
  // the entries. False (logged) if the cache cannot be used at all.
  bool Open();
  bool IndexEntries();
  bool Lookup(const std::string& key);
  void Forget(const std::string& key);
  bool Read(const std::string& key, RenderedMarkdown* out);
  void Store(const std::string& key, const RenderedMarkdown& rendered);
  Status WriteEntry(const std::string& temp, std::string_view data);
  void Remember(const std::string& key, uint64_t bytes);
  std::string PathOf(const std::string& key) const;

  Env* env_;
  const std::string root_;  // DATA/cache/render
  const std::string dir_;   // root_/<version>
  Options options_;
  std::string limits_tag_;  // the limits' values, as part of every key

  std::mutex mutex_;  // guards everything below
  enum class State { kUnopened, kOpen, kBroken } state_ = State::kUnopened;
  std::list<std::string> lru_;  // keys, most recently used first
  std::unordered_map<std::string, Entry> entries_;
  uint64_t bytes_ = 0;
  uint64_t next_temp_ = 0;
};

}  // namespace arkwiki::web
