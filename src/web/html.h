// HTML and URL escaping for the web layer: the only places text becomes
// markup or a URL. Everything here is pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace arkwiki {

// Escapes the five characters that matter in HTML text and in quoted
// attribute values: & < > " ' (as &amp; &lt; &gt; &quot; &#39;). Safe for
// element content and for attribute values in either kind of quotes; not
// sufficient for unquoted attributes, URLs in href/src (check the scheme
// first) or for <script>/<style> content (never put user text there).
std::string HtmlEscape(std::string_view text);

// Percent-encodes every byte except the RFC 3986 unreserved characters
// (A-Z a-z 0-9 - . _ ~), using upper-case hex. Suitable for a path segment or
// a query-string key or value. UTF-8 is encoded byte by byte.
std::string UrlEncodeComponent(std::string_view text);

// Decodes %XX escapes. With `plus_as_space` (HTML form / query-string
// encoding) '+' decodes to ' '; otherwise '+' is kept (RFC 3986 paths).
// Fails on a '%' not followed by two hex digits and on any NUL byte, literal
// or encoded; on failure returns "" and sets *ok to false (ok may be null).
// Does not check that the result is valid UTF-8 (see IsValidUtf8).
std::string UrlDecode(std::string_view text, bool* ok, bool plus_as_space = false);

}  // namespace arkwiki
