#include <algorithm>
#include <map>

#include "arkwiki/core/slug.h"
#include "arkwiki/storage/upload_store.h"
#include "row_check_util.h"

namespace arkwiki {

bool IsValidUploadName(std::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == '.' || !IsValidUtf8(name)) return false;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '"' || c == ':' || c == '<' ||
        c == '>' || c == '|' || c == '?' || c == '*') {
      return false;
    }
  }
  return name.find("..") == std::string_view::npos;
}

std::string SanitizeUploadName(std::string_view client_name) {
  // Browsers on Windows may send a full path; keep the last component.
  size_t cut = client_name.find_last_of("/\\");
  if (cut != std::string_view::npos) client_name.remove_prefix(cut + 1);
  std::string out;
  for (unsigned char c : client_name) {
    bool bad = c < 0x20 || c == 0x7f || c == '"' || c == ':' || c == '<' || c == '>' || c == '|' ||
               c == '?' || c == '*';
    out += bad ? '_' : static_cast<char>(c);
  }
  while (out.find("..") != std::string::npos) out.replace(out.find(".."), 2, ".");
  while (!out.empty() && (out.front() == '.' || out.front() == ' ')) out.erase(0, 1);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > 200) out.erase(0, out.size() - 200);  // keep the extension
  while (!out.empty() && !IsValidUtf8(out)) out.erase(0, 1);
  return IsValidUploadName(out) ? out : "";
}

std::string ContentTypeForName(std::string_view name) {
  static const std::map<std::string, std::string> kTypes = {
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"avif", "image/avif"},
      {"pdf", "application/pdf"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"json", "application/json"},
      {"zip", "application/zip"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"mp3", "audio/mpeg"},
      {"ogg", "audio/ogg"},
  };
  size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto it = kTypes.find(ext);
  // SVG and HTML are served as octet-stream on purpose: inline they could
  // run script in our origin.
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

Status ValidateUploadMeta(std::string_view content_type, std::string_view uploader) {
  ARKWIKI_RETURN_IF_ERROR(
      row_check::CheckBoundedText("the content type", content_type, kMaxUploadMetaBytes));
  return row_check::CheckBoundedText("the uploader", uploader, kMaxUploadMetaBytes);
}

}  // namespace arkwiki
