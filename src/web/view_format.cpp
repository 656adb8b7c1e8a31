#include "view_format.h"

#include <cstdio>

#include "arkwiki/core/clock.h"
#include "html.h"

namespace arkwiki::web {

void SetList(TemplateValue* data, const std::string& name, TemplateValue list) {
  data->Set("has_" + name, !list.AsList().empty());
  data->Set(name, std::move(list));
}

std::string FormatDate(int64_t unix_seconds) {
  std::string iso = FormatIsoUtc(unix_seconds);  // 2026-11-26T17:28:14Z
  if (iso.size() < 16) return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

TemplateValue DateValue(int64_t unix_seconds) {
  std::string iso = FormatIsoUtc(unix_seconds);
  return TemplateValue::MakeMap(
      {{"text", FormatDate(unix_seconds)}, {"iso", iso}, {"day", iso.substr(0, 10)}});
}

std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  auto v = static_cast<double>(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 3) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, kUnits[unit]);
  return buf;
}

std::string MarkSnippet(const std::string& snippet) {
  std::string escaped = HtmlEscape(snippet);
  std::string out;
  out.reserve(escaped.size() + 32);
  bool open = false;  // keep the tags balanced even if a marker is missing
  for (char c : escaped) {
    if (c == '\x01') {
      if (!open) out += "<mark>";
      open = true;
    } else if (c == '\x02') {
      if (open) out += "</mark>";
      open = false;
    } else {
      out += c;
    }
  }
  if (open) out += "</mark>";
  return out;
}

std::string AsSentence(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = text[0] - 'a' + 'A';
  if (!text.empty() && text.back() != '.' && text.back() != '!' && text.back() != '?') {
    text += '.';
  }
  return text;
}

std::optional<int64_t> ParseCount(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

}  // namespace arkwiki::web
