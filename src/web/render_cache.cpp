#include "render_cache.h"

#include <charconv>
#include <vector>

#include "arkwiki/core/hash.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/slug.h"
#include "markdown_safety.h"

namespace arkwiki::web {
namespace {

constexpr std::string_view kMagic = "arkwiki-render-cache ";
constexpr size_t kKeyHexLen = 64;
// More slugs than any rendering of a bounded page could link to.
constexpr uint64_t kMaxSlugs = uint64_t{1} << 20;

std::string LimitsTag(const MarkdownLimits& limits) {
  return std::to_string(limits.max_bytes) + "/" + std::to_string(limits.max_line_bytes) + "/" +
         std::to_string(limits.max_table_columns) + "/" + std::to_string(limits.max_depth);
}

// Cuts the next line (without its '\n') from the front of *rest.
bool NextLine(std::string_view* rest, std::string_view* line) {
  size_t end = rest->find('\n');
  if (end == std::string_view::npos) return false;
  *line = rest->substr(0, end);
  rest->remove_prefix(end + 1);
  return true;
}

std::string Body(const RenderedMarkdown& rendered) {
  std::string body = std::to_string(rendered.linked_slugs.size()) + "\n";
  for (const std::string& slug : rendered.linked_slugs) body += slug + "\n";
  return body + rendered.html;
}

// Parses and checks an entry file; false if anything is off.
bool ParseEntry(std::string_view file, std::string_view version, std::string_view key,
                RenderedMarkdown* out) {
  std::string_view rest = file, line;
  if (!NextLine(&rest, &line) || line != std::string(kMagic) + std::string(version)) return false;
  if (!NextLine(&rest, &line) || line != key) return false;
  if (!NextLine(&rest, &line) || line != Sha256Hex(rest)) return false;
  uint64_t count = 0;
  if (!NextLine(&rest, &line) ||
      std::from_chars(line.data(), line.data() + line.size(), count).ptr !=
          line.data() + line.size() ||
      line.empty() || count > kMaxSlugs) {
    return false;
  }
  out->linked_slugs.clear();
  for (uint64_t i = 0; i < count; ++i) {
    if (!NextLine(&rest, &line) || !IsValidSlug(std::string(line))) return false;
    out->linked_slugs.emplace_back(line);
  }
  // The checksum only proves the file is whole: it is no secret. The
  // allowlist check is what keeps planted HTML out of a page.
  if (!markdown_safety::IsAllowedHtml(rest)) return false;
  out->html.assign(rest);
  out->over_budget = false;
  return true;
}

}  // namespace

RenderCache::RenderCache(Env* env, std::string dir) : RenderCache(env, std::move(dir), Options{}) {}

RenderCache::RenderCache(Env* env, std::string dir, Options options)
    : env_(env),
      root_(std::move(dir)),
      dir_(JoinPath(root_, options.version)),
      options_(std::move(options)),
      limits_tag_(LimitsTag(MarkdownLimits{})) {
  if (!options_.render) {
    options_.render = [](std::string_view markdown) { return RenderMarkdownBase(markdown); };
  }
}

std::string RenderCache::Key(std::string_view markdown) const {
  Sha256 hash;
  hash.Update(options_.version);
  hash.Update(std::string_view("\n", 1));
  hash.Update(limits_tag_);
  hash.Update(std::string_view("\n", 1));
  hash.Update(markdown);
  return hash.FinishHex();
}

std::string RenderCache::PathOf(const std::string& key) const { return JoinPath(dir_, key); }

std::string RenderCache::EntryPath(std::string_view markdown) const {
  return PathOf(Key(markdown));
}

size_t RenderCache::size() {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.size();
}

RenderedMarkdown RenderCache::Get(std::string_view markdown) {
  const std::string key = Key(markdown);
  RenderedMarkdown rendered;
  if (Lookup(key)) {
    if (Read(key, &rendered)) return rendered;
    Forget(key);
  }
  rendered = options_.render(markdown);
  if (!rendered.over_budget) Store(key, rendered);
  return rendered;
}

bool RenderCache::Open() {
  if (state_ != State::kUnopened) return state_ == State::kOpen;
  state_ = State::kBroken;
  Status made = env_->CreateDirs(dir_);
  if (!made.ok()) {
    LogError("render cache disabled, pages render on every view: " + made.ToString());
    return false;
  }
  auto versions = env_->ListDir(root_);
  if (versions.ok()) {
    for (const DirEntry& e : *versions) {
      if (e.name == options_.version) continue;
      Status removed = env_->RemoveTree(JoinPath(root_, e.name));
      if (!removed.ok()) LogWarning("render cache: " + removed.ToString());
    }
  }
  if (!IndexEntries()) return false;
  state_ = State::kOpen;
  return true;
}

bool RenderCache::IndexEntries() {
  auto listed = env_->ListDir(dir_);
  if (!listed.ok()) {
    LogError("render cache disabled, pages render on every view: " + listed.status().ToString());
    return false;
  }
  for (const DirEntry& e : *listed) {
    const std::string path = JoinPath(dir_, e.name);
    Result<uint64_t> size = e.type == DirEntry::Type::kFile && IsLowerHex(e.name, kKeyHexLen)
                                ? env_->GetFileSize(path)
                                : Result<uint64_t>(Status::InvalidArgument("not an entry"));
    if (size.ok()) {
      Remember(e.name, *size);
      continue;
    }
    // Temporary files of an interrupted write, and anything else.
    Status removed =
        e.type == DirEntry::Type::kDir ? env_->RemoveTree(path) : env_->RemoveFile(path);
    if (!removed.ok()) LogWarning("render cache: " + removed.ToString());
  }
  return true;
}

bool RenderCache::Lookup(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!Open()) return false;
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return true;
}

void RenderCache::Forget(const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    bytes_ -= it->second.bytes;
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  Status removed = env_->RemoveFile(PathOf(key));
  if (!removed.ok() && removed.code() != StatusCode::kNotFound) {
    LogWarning("render cache: " + removed.ToString());
  }
}

bool RenderCache::Read(const std::string& key, RenderedMarkdown* out) {
  auto file = ReadFileToString(env_, PathOf(key), options_.max_entry_bytes + 4096);
  if (!file.ok()) {
    if (file.status().code() != StatusCode::kNotFound) {
      LogWarning("render cache: rendering again: " + file.status().ToString());
    }
    return false;
  }
  if (!ParseEntry(*file, options_.version, key, out)) {
    LogWarning("render cache: entry " + key + " is damaged or not ours; rendering again");
    return false;
  }
  return true;
}

void RenderCache::Store(const std::string& key, const RenderedMarkdown& rendered) {
  std::string body = Body(rendered);
  if (body.size() > options_.max_entry_bytes) return;
  std::string data =
      std::string(kMagic) + options_.version + "\n" + key + "\n" + Sha256Hex(body) + "\n" + body;
  std::string temp;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!Open()) return;
    temp = PathOf(key) + ".tmp-" + std::to_string(next_temp_++);
  }
  Status written = WriteEntry(temp, data);
  if (written.ok()) written = env_->Rename(temp, PathOf(key));
  if (!written.ok()) {
    LogWarning("render cache: could not store entry " + key + ": " + written.ToString());
    (void)env_->RemoveFile(temp);  // best effort: the next start removes leftovers
    return;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  Remember(key, data.size());
}

// Unsynced on purpose: see the header.
Status RenderCache::WriteEntry(const std::string& temp, std::string_view data) {
  auto file = env_->NewWritableFile(temp, CreateMode::kTruncate);
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) {
    // The directory was deleted while the server ran.
    ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(dir_));
    file = env_->NewWritableFile(temp, CreateMode::kTruncate);
  }
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(data);
  Status closed = (*file)->Close();
  return s.ok() ? closed : s;
}

// Adds or refreshes `key` and deletes the least recently used entries past
// the caps. Called with mutex_ held.
void RenderCache::Remember(const std::string& key, uint64_t bytes) {
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    bytes_ -= it->second.bytes;
    lru_.erase(it->second.lru);
    entries_.erase(it);
  }
  lru_.push_front(key);
  entries_[key] = Entry{bytes, lru_.begin()};
  bytes_ += bytes;
  while (entries_.size() > options_.max_entries || bytes_ > options_.max_bytes) {
    const std::string victim = lru_.back();
    auto v = entries_.find(victim);
    bytes_ -= v->second.bytes;
    entries_.erase(v);
    lru_.pop_back();
    Status removed = env_->RemoveFile(PathOf(victim));
    if (!removed.ok() && removed.code() != StatusCode::kNotFound) {
      LogWarning("render cache: " + removed.ToString());
    }
  }
}

}  // namespace arkwiki::web
