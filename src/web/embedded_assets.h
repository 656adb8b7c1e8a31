// Templates and static assets compiled into the binary.
//
// The sources are src/web/templates/*.html and src/web/assets/*; the build
// turns them into byte arrays (src/web/embed_assets.cmake), so the server
// never reads them from disk and a deployment is one file.
//
// Template names are file stems: "layout" for templates/layout.html. Asset
// names are file names: "style.css" (to be served at /assets/style.css).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/status.h"

namespace arkwiki {

class TemplateSet;

// The source of template `name`, or "" if there is none.
std::string_view EmbeddedTemplate(std::string_view name);
// All template names, sorted.
std::vector<std::string> EmbeddedTemplateNames();
// The bytes of asset `name`, or "" if there is none.
std::string_view EmbeddedAsset(std::string_view name);
// All asset names, sorted.
std::vector<std::string> EmbeddedAssetNames();

// Adds every embedded template to `set`. Fails (InvalidArgument, naming the
// template and line) only if a template does not parse: a build defect.
Status AddEmbeddedTemplates(TemplateSet* set);

}  // namespace arkwiki
