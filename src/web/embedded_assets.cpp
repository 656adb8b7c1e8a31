#include "embedded_assets.h"

#include "arkwiki/web/template.h"
#include "embedded_files.h"

namespace arkwiki {
namespace {

std::string_view Find(const embedded::File* files, size_t count, std::string_view name) {
  for (size_t i = 0; i < count; ++i) {
    if (files[i].name == name) return files[i].data;
  }
  return {};
}

std::vector<std::string> Names(const embedded::File* files, size_t count) {
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i) names.emplace_back(files[i].name);
  return names;  // the generator emits them sorted
}

}  // namespace

std::string_view EmbeddedTemplate(std::string_view name) {
  return Find(embedded::kTemplates, embedded::kTemplateCount, name);
}

std::vector<std::string> EmbeddedTemplateNames() {
  return Names(embedded::kTemplates, embedded::kTemplateCount);
}

std::string_view EmbeddedAsset(std::string_view name) {
  return Find(embedded::kAssets, embedded::kAssetCount, name);
}

std::vector<std::string> EmbeddedAssetNames() {
  return Names(embedded::kAssets, embedded::kAssetCount);
}

Status AddEmbeddedTemplates(TemplateSet* set) {
  for (size_t i = 0; i < embedded::kTemplateCount; ++i) {
    const embedded::File& file = embedded::kTemplates[i];
    ARKWIKI_RETURN_IF_ERROR(set->Add(std::string(file.name), file.data));
  }
  return Status::Ok();
}

}  // namespace arkwiki
