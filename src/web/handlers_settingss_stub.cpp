#include "web/app.h"
namespace arkwiki::web {
void RegisterSettingsRoutes(WikiApp&) {}
}  // namespace arkwiki::web
