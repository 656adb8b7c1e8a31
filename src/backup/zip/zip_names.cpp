#include "zip/zip_names.h"

#include "arkwiki/core/slug.h"
#include "zip/zip_format.h"

namespace arkwiki::zip {
namespace {

bool HasControlCharacter(std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    if (c < 0x20 || c == 0x7F) return true;
    // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < name.size()) {
      auto d = static_cast<unsigned char>(name[i + 1]);
      if (d >= 0x80 && d <= 0x9F) return true;
    }
  }
  return false;
}

bool StartsWithDriveLetter(std::string_view name) {
  return name.size() >= 2 && name[1] == ':' &&
         ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'));
}

// Checks each '/'-separated component; the name is known non-empty and
// neither starts nor ends with '/'.
Status CheckComponents(std::string_view name) {
  size_t start = 0;
  for (;;) {
    size_t slash = name.find('/', start);
    std::string_view part = name.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part.empty()) {
      return Status::InvalidArgument(EntryMessage(name, "path has an empty component (\"//\")"));
    }
    if (part == "..")
      return Status::InvalidArgument(EntryMessage(name, "path escapes the archive"));
    if (part == ".") {
      return Status::InvalidArgument(EntryMessage(name, "path has a \".\" component"));
    }
    if (slash == std::string_view::npos) return Status::Ok();
    start = slash + 1;
  }
}

}  // namespace

std::string EntryMessage(std::string_view name, std::string_view problem) {
  std::string out = "entry ";
  out += QuoteName(name);
  out += ": ";
  out += problem;
  return out;
}

Status CheckEntryName(std::string_view name, size_t max_name_bytes) {
  auto bad = [&](const std::string& problem) {
    return Status::InvalidArgument(EntryMessage(name, problem));
  };
  if (name.empty()) return bad("name is empty");
  if (name.size() > max_name_bytes) {
    return bad("name is " + std::to_string(name.size()) + " bytes, over the limit of " +
               std::to_string(max_name_bytes));
  }
  if (!IsValidUtf8(name)) return bad("name is not valid UTF-8");
  if (HasControlCharacter(name)) return bad("name contains a control character");
  if (name.find('\\') != std::string_view::npos) {
    return bad("name contains a backslash (a Windows path separator)");
  }
  if (name.front() == '/') return bad("path is absolute");
  if (StartsWithDriveLetter(name)) return bad("path starts with a drive letter");
  if (name.back() == '/') return bad("is a directory entry; a backup holds only files");
  return CheckComponents(name);
}

std::string CaseFoldKey(std::string_view name) {
  std::string key(name);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

int CompareFolded(std::string_view a, std::string_view b) {
  auto fold = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 'A' && u <= 'Z' ? u - 'A' + 'a' : u;
  };
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const int d = fold(a[i]) - fold(b[i]);
    if (d != 0) return d;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

}  // namespace arkwiki::zip
