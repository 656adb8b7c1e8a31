#include "arkwiki/core/markup_escape.h"

namespace arkwiki {
namespace {

bool IsDisallowedControl(char c) {
  return static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

}  // namespace

std::string MarkupEscape(std::string_view text, ControlChars control) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += control == ControlChars::kReplaceWithSpace && IsDisallowedControl(c) ? ' ' : c;
    }
  }
  return out;
}

}  // namespace arkwiki
