// URL encoding, shared by the web layer (links, query strings) and the CLI
// (requests to a server). Pure and thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace arkwiki {

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
