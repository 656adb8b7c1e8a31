// Escaping text for HTML and XML: the one function behind the web layer's
// HtmlEscape, the S3 request bodies and the drill reports. Pure and
// thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace arkwiki {

// What to do with ASCII control characters other than tab, line feed and
// carriage return, which XML 1.0 does not allow even as references.
enum class ControlChars {
  kKeep,              // copied as they are
  kReplaceWithSpace,  // each becomes ' ' (reports that must stay valid XML)
};

// Escapes the five characters that matter in markup text and in quoted
// attribute values: & < > " ' (as &amp; &lt; &gt; &quot; &#39;, which HTML
// and XML both read). Safe for element content and for attribute values in
// either kind of quotes; not for unquoted attributes, URLs (check the
// scheme first) or <script>/<style> content.
std::string MarkupEscape(std::string_view text, ControlChars control = ControlChars::kKeep);

}  // namespace arkwiki
