// Router: maps (method, path pattern) to a handler with an access rule.
// Patterns are '/'-separated; "{name}" captures one decoded segment and
// "{name...}" captures the rest of the path.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "exchange.h"

namespace arkwiki::web {

enum class Access {
  kAnyone,    // anonymous visitors too
  kLoggedIn,  // any role
  kEditor,
  kAdmin,
};

using Handler = std::function<void(Exchange&)>;

struct Route {
  std::string method;
  std::vector<std::string> pattern;
  Access access;
  Handler handler;
};

class Router {
 public:
  void Add(const std::string& method, const std::string& pattern, Access access, Handler h);
  // Finds the route for ex.method/ex.path and fills ex.params. Sets
  // *path_matched when some route has the path but not the method (405).
  const Route* Match(Exchange& ex, bool* path_matched) const;

 private:
  std::vector<Route> routes_;
};

std::vector<std::string> SplitPath(const std::string& path);

}  // namespace arkwiki::web
