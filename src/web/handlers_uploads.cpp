#include "web/app.h"
namespace arkwiki::web {
void RegisterUploadRoutes(WikiApp&) {}
}  // namespace arkwiki::web
