// Which set of worker threads (lane) serves a request, decided from its
// request line alone, before any worker reads it.
//
// Page views must never queue behind requests that may hold a worker for
// seconds. Those are told apart by route: searches, backup and restore
// point downloads, archive imports (restore uploads), attachment uploads,
// and the admin actions that take or check a backup while the client
// waits. Everything else, page views included, is the view lane's. A
// wide-table page is a page view like any other: its HTML is rendered when
// it is saved, and the route does not say how large it is.
#pragma once

#include <string_view>

namespace arkwiki::web {

enum class Lane {
  kView,  // page views and every other short request
  kLong,  // requests that may hold a worker for seconds
};

// The lane of a request by its method and target; a query string in the
// target is ignored. Unknown routes are the view lane's (they answer 404).
Lane LaneOf(std::string_view method, std::string_view target);

// The lane of the request whose head begins `head` ("GET /path HTTP/1.1\r\n
// ..."). A head whose request line cannot be read goes to the view lane,
// whose worker answers 400.
Lane LaneOfHead(std::string_view head);

const char* LaneName(Lane lane);

}  // namespace arkwiki::web
