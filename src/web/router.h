// Router: maps (method, path pattern) to a handler with an access rule.
// Patterns are '/'-separated; "{name}" captures one decoded segment and
// "{name...}" captures the rest of the path.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "exchange.h"

namespace arkwiki::web {

enum class Access {
  kAnyone,  // anonymous visitors too
  // Anonymous visitors too, but only while the wiki has no users and its
  // setup code is active; otherwise 404 before the body is read, so that
  // nobody can hold a worker of the long-request lane by trickling one.
  // Finding a user ends the setup code.
  kAnyoneDuringSetup,
  kLoggedIn,  // any role
  kEditor,
  kAdmin,
};

using Handler = std::function<void(Exchange&)>;

// Bodies read before the handler runs are small: a request from an
// anonymous visitor, or a form, is refused (413) by its declared length
// before any of it is read, and a chunked one once a capped read passes
// the limit. Routes that take larger bodies (page text, uploads, imports)
// say so or read the body themselves under their own limits.
inline constexpr size_t kMaxAnonymousBodyBytes = size_t{64} << 10;
inline constexpr size_t kMaxFormBytes = size_t{64} << 10;
// A form that carries a page's text (pages are at most 16 MiB).
inline constexpr size_t kMaxPageFormBytes = size_t{20} << 20;
// The "Order children" form: one field per child page (slugs are at most
// 200 bytes, 600 percent-encoded) for up to kMaxOrderedChildren children.
inline constexpr size_t kMaxOrderedChildren = 5000;
inline constexpr size_t kMaxOrderFormBytes = size_t{4} << 20;

struct Route {
  std::string method;
  std::vector<std::string> pattern;
  Access access;
  Handler handler;
  size_t max_form_bytes = kMaxFormBytes;
};

class Router {
 public:
  void Add(const std::string& method, const std::string& pattern, Access access, Handler h,
           size_t max_form_bytes = kMaxFormBytes);
  // Finds the route for ex.method/ex.path and fills ex.params. Otherwise
  // sets *allowed to the methods the path has, as an Allow header lists
  // them ("GET, HEAD, POST"), or "" when no route has the path (404).
  const Route* Match(Exchange& ex, std::string* allowed) const;

 private:
  std::vector<Route> routes_;
};

std::vector<std::string> SplitPath(const std::string& path);

}  // namespace arkwiki::web
