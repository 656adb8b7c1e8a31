#include "router.h"

#include "arkwiki/core/url.h"

namespace arkwiki::web {

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string::npos) next = path.size();
    if (next > pos) out.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return out;
}

void Router::Add(const std::string& method, const std::string& pattern, Access access, Handler h) {
  routes_.push_back({method, SplitPath(pattern), access, std::move(h)});
}

static bool MatchPattern(const std::vector<std::string>& pattern,
                         const std::vector<std::string>& segments,
                         std::map<std::string, std::string>* params) {
  params->clear();
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    bool capture = p.size() > 2 && p.front() == '{' && p.back() == '}';
    if (capture && p.size() > 5 && p.compare(p.size() - 4, 4, "...}") == 0) {
      if (i >= segments.size()) return false;
      std::string rest;
      for (size_t k = i; k < segments.size(); ++k) rest += (k > i ? "/" : "") + segments[k];
      (*params)[p.substr(1, p.size() - 5)] = rest;
      return true;
    }
    if (i >= segments.size()) return false;
    if (capture) {
      (*params)[p.substr(1, p.size() - 2)] = segments[i];
    } else if (p != segments[i]) {
      return false;
    }
  }
  return pattern.size() == segments.size();
}

const Route* Router::Match(Exchange& ex, bool* path_matched) const {
  // Segments are decoded one by one, so an encoded '/' cannot split a slug.
  std::vector<std::string> segments = SplitPath(ex.path);
  *path_matched = false;
  for (std::string& s : segments) {
    bool ok = true;
    s = UrlDecode(s, &ok);
    if (!ok || s == "." || s == ".." || s.find('/') != std::string::npos) return nullptr;
  }
  std::map<std::string, std::string> params;
  for (const Route& r : routes_) {
    if (!MatchPattern(r.pattern, segments, &params)) continue;
    *path_matched = true;
    if (r.method == ex.method || (r.method == "GET" && ex.method == "HEAD")) {
      ex.params = params;
      return &r;
    }
  }
  return nullptr;
}

}  // namespace arkwiki::web
