// Who has used the wiki lately: the time of each logged-in user's last
// request through a browser session, kept in memory only (a restart
// forgets it, which is right: nobody is mid-edit in a server that just
// started). The import preview names them, since an import logs them out
// and loses their unsaved edits. Requests with an API token are scripts,
// not people, and are not counted. Private to the web layer.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace arkwiki::web {

class ActiveUsers {
 public:
  // Notes a request by `name` at `now` (Unix seconds). Cheap: one map
  // assignment under a mutex; entries older than a day are dropped every
  // so often, so the map holds at most the users of the last day.
  void Seen(const std::string& name, int64_t now);
  // Users seen at or after `since`, sorted, without `except`.
  std::vector<std::string> Since(int64_t since, const std::string& except) const;

 private:
  static constexpr int64_t kForgetAfterSeconds = int64_t{24} * 3600;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int64_t> last_seen_;
  int64_t next_prune_ = 0;
};

}  // namespace arkwiki::web
