#include "web/app.h"
namespace arkwiki::web {
void RegisterPageRoutes(WikiApp&) {}
}  // namespace arkwiki::web
