// HTML escaping for the web layer: the one place text becomes markup.
// Pure and thread-safe. URL encoding is in arkwiki/core/url.h.
#pragma once

#include <string>
#include <string_view>

namespace arkwiki {

// Escapes the five characters that matter in HTML text and in quoted
// attribute values: & < > " ' (as &amp; &lt; &gt; &quot; &#39;; the web
// layer's name for MarkupEscape, arkwiki/core/markup_escape.h). Safe for
// element content and for attribute values in either kind of quotes; not
// sufficient for unquoted attributes, URLs in href/src (check the scheme
// first) or for <script>/<style> content (never put user text there).
std::string HtmlEscape(std::string_view text);

}  // namespace arkwiki
