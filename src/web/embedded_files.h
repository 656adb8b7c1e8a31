// Private to the web layer: the tables in the source file generated at build
// time by embed_assets.cmake from src/web/templates/ and src/web/assets/.
#pragma once

#include <cstddef>
#include <string_view>

namespace arkwiki::embedded {

struct File {
  std::string_view name;  // templates: file stem ("layout"); assets: file name
  std::string_view data;
};

extern const File kTemplates[];
extern const size_t kTemplateCount;
extern const File kAssets[];
extern const size_t kAssetCount;

}  // namespace arkwiki::embedded
