#include "web/app.h"
namespace arkwiki::web {
void RegisterApiRoutes(WikiApp&) {}
}  // namespace arkwiki::web
