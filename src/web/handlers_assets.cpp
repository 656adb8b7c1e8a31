// GET /assets/{name}: the stylesheet and other files compiled into the
// binary (see embedded_assets.h).
#include "handlers_assets.h"

#include "app.h"
#include "embedded_assets.h"

namespace arkwiki::web::assets {
namespace {

std::string AssetContentType(const std::string& name) {
  auto ends_with = [&](const char* ext) {
    std::string e(ext);
    return name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".png")) return "image/png";
  if (ends_with(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

}  // namespace

void ServeAsset(WikiApp& app, Exchange& ex) {
  const std::string name = ex.Param("name");
  std::string_view bytes = EmbeddedAsset(name);
  if (bytes.empty()) return app.SendError(ex, Status::NotFound("no asset '" + name + "'"));
  // Assets change only with the binary; an hour keeps upgrades visible.
  ex.response.set("Cache-Control", "public, max-age=3600");
  SendBody(ex, 200, AssetContentType(name), std::string(bytes));
}

}  // namespace arkwiki::web::assets
