// Formatting for templates: dates, byte counts, sentences, search snippets
// and lists. Pure. Private to the web layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "template.h"

namespace arkwiki::web {

// Sets `name` to the list and "has_<name>" to whether it has items, so a
// template can put a heading around a list only when it is not empty.
void SetList(TemplateValue* data, const std::string& name, TemplateValue list);

// "2026-11-26 17:28 UTC". Dates in the UI are shown in UTC.
std::string FormatDate(int64_t unix_seconds);
// {text, iso, day} for a <time datetime="iso">text</time> element; day is
// just "2026-11-26".
TemplateValue DateValue(int64_t unix_seconds);
// "1.5 MiB", "512 bytes".
std::string FormatBytes(int64_t bytes);

// Escapes a search snippet, then turns its \x01/\x02 match markers into
// <mark></mark>. The result is safe to insert raw.
std::string MarkSnippet(const std::string& snippet);

// A store message as a sentence: first letter upper-case, final period.
std::string AsSentence(std::string text);

// Parses a whole decimal number (no sign, no junk); nullopt otherwise.
std::optional<int64_t> ParseCount(const std::string& text);

}  // namespace arkwiki::web
