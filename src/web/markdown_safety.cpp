#include "markdown_safety.h"

#include <algorithm>
#include <cstdint>

namespace arkwiki::markdown_safety {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Browser-style normalisation; returns false for URLs we refuse outright.
bool Normalise(std::string_view url, std::string* out) {
  out->clear();
  for (char ch : url) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\t' || c == '\n' || c == '\r') continue;
    out->push_back(ch);
  }
  auto is_space_or_control = [](char ch) { return static_cast<unsigned char>(ch) <= 0x20; };
  while (!out->empty() && is_space_or_control(out->back())) out->pop_back();
  size_t start = 0;
  while (start < out->size() && is_space_or_control((*out)[start])) ++start;
  out->erase(0, start);
  for (char ch : *out) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

UrlVerdict ClassifyImageData(const std::string& lower) {
  for (std::string_view type :
       {"data:image/png", "data:image/gif", "data:image/jpeg", "data:image/webp"}) {
    if (StartsWith(lower, type) && lower.size() > type.size() &&
        (lower[type.size()] == ';' || lower[type.size()] == ',')) {
      return UrlVerdict::kAllow;
    }
  }
  return UrlVerdict::kReject;
}

}  // namespace

UrlVerdict ClassifyUrl(std::string_view url, UrlUse use) {
  std::string norm;
  if (!Normalise(url, &norm)) return UrlVerdict::kReject;
  size_t stop = norm.find_first_of(":/?#");
  if (stop == std::string::npos || norm[stop] != ':') {
    // No scheme: relative, /absolute-path, ?query or #fragment. An image
    // must stay on this host, so no "//host" or backslash tricks.
    if (use == UrlUse::kImage) {
      bool host_relative = norm.size() >= 2 && (norm[0] == '/' || norm[0] == '\\') &&
                           (norm[1] == '/' || norm[1] == '\\');
      if (host_relative || norm.find('\\') != std::string::npos) return UrlVerdict::kReject;
    }
    return UrlVerdict::kAllow;
  }
  const std::string lower = Lower(norm);
  const std::string scheme = lower.substr(0, stop);
  if (use == UrlUse::kImage) {
    if (scheme == "data") return ClassifyImageData(lower);
    if (scheme == "http" || scheme == "https") return UrlVerdict::kExternalImage;
    return UrlVerdict::kReject;
  }
  if (scheme == "http" || scheme == "https" || scheme == "mailto" || scheme == "tel") {
    return UrlVerdict::kAllow;
  }
  return UrlVerdict::kReject;
}

namespace {

struct TagRule {
  std::string_view tag;
  std::string_view attributes;  // space-separated allowlist
};

// Exactly what cmark-gfm 0.29's HTML renderer (with our extensions) and our
// wiki links emit in safe mode.
constexpr TagRule kRules[] = {
    {"a", " href title class "},
    {"blockquote", " "},
    {"br", " "},
    {"code", " class "},
    {"del", " "},
    {"em", " "},
    {"h1", " "},
    {"h2", " "},
    {"h3", " "},
    {"h4", " "},
    {"h5", " "},
    {"h6", " "},
    {"hr", " "},
    {"img", " src alt title "},
    {"input", " type checked disabled "},
    {"li", " "},
    {"ol", " start "},
    {"p", " "},
    {"pre", " lang "},
    {"strong", " "},
    {"table", " "},
    {"tbody", " "},
    {"td", " align "},
    {"th", " align "},
    {"thead", " "},
    {"tr", " "},
    {"ul", " "},
};

const TagRule* FindRule(std::string_view tag) {
  for (const TagRule& rule : kRules) {
    if (rule.tag == tag) return &rule;
  }
  return nullptr;
}

bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// Decodes a numeric character reference body ("#106", "#x6A"); -1 if bad.
long DecodeNumericEntity(std::string_view entity) {
  if (entity.size() < 2 || entity.size() > 10 || entity[0] != '#') return -1;
  bool hex = entity[1] == 'x' || entity[1] == 'X';
  std::string_view digits = entity.substr(hex ? 2 : 1);
  if (digits.empty()) return -1;
  long value = 0;
  for (char c : digits) {
    int d = (c >= '0' && c <= '9')          ? c - '0'
            : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                            : -1;
    if (d < 0) return -1;
    value = value * (hex ? 16 : 10) + d;
  }
  return value;
}

// Decodes character references as a browser would in an attribute value, so
// that the URL checks see what the browser sees. Non-ASCII code points become
// '?' (they cannot form a scheme). False on anything we do not recognise.
bool DecodeAttribute(std::string_view value, std::string* out) {
  out->clear();
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '&') {
      out->push_back(value[i]);
      continue;
    }
    size_t end = value.find(';', i);
    if (end == std::string_view::npos) return false;
    std::string_view entity = value.substr(i + 1, end - i - 1);
    long code = DecodeNumericEntity(entity);
    if (entity == "amp") {
      out->push_back('&');
    } else if (entity == "lt") {
      out->push_back('<');
    } else if (entity == "gt") {
      out->push_back('>');
    } else if (entity == "quot") {
      out->push_back('"');
    } else if (code >= 0) {
      out->push_back(code < 0x80 ? static_cast<char>(code) : '?');
    } else {
      return false;
    }
    i = end;
  }
  return true;
}

// Checks one tag starting at html[*pos] == '<'; advances *pos past it.
bool CheckTag(std::string_view html, size_t* pos) {
  size_t i = *pos + 1;
  if (html.substr(i, 3) == "!--") {
    size_t end = html.find("-->", i + 3);
    if (end == std::string_view::npos) return false;
    *pos = end + 3;
    return true;
  }
  bool closing = i < html.size() && html[i] == '/';
  if (closing) ++i;
  size_t name_start = i;
  while (i < html.size() && IsNameChar(html[i])) ++i;
  const TagRule* rule = FindRule(html.substr(name_start, i - name_start));
  if (rule == nullptr) return false;
  std::string decoded;
  while (true) {
    while (i < html.size() && html[i] == ' ') ++i;
    if (i >= html.size()) return false;
    if (html[i] == '>' || html.substr(i, 2) == "/>") break;
    if (closing) return false;
    size_t attr_start = i;
    while (i < html.size() && IsNameChar(html[i])) ++i;
    std::string attr(html.substr(attr_start, i - attr_start));
    if (attr.empty() || rule->attributes.find(" " + attr + " ") == std::string_view::npos) {
      return false;
    }
    if (html.substr(i, 2) != "=\"") return false;
    size_t value_end = html.find('"', i + 2);
    if (value_end == std::string_view::npos) return false;
    std::string_view value = html.substr(i + 2, value_end - i - 2);
    if (value.find_first_of("<>") != std::string_view::npos) return false;
    if (!DecodeAttribute(value, &decoded)) return false;
    if (attr == "href" && ClassifyUrl(decoded, UrlUse::kLink) != UrlVerdict::kAllow) return false;
    if (attr == "src" && ClassifyUrl(decoded, UrlUse::kImage) != UrlVerdict::kAllow) return false;
    if (attr == "type" && decoded != "checkbox") return false;
    i = value_end + 1;
  }
  *pos = html[i] == '>' ? i + 1 : i + 2;
  return true;
}

}  // namespace

bool IsAllowedHtml(std::string_view html) {
  size_t pos = 0;
  while ((pos = html.find('<', pos)) != std::string_view::npos) {
    if (!CheckTag(html, &pos)) return false;
  }
  return true;
}

}  // namespace arkwiki::markdown_safety
