// Private to the web layer: HTML character references in Markdown, decoded
// as CommonMark decodes them.
#pragma once

#include <string>
#include <string_view>

namespace arkwiki {

// Appends the UTF-8 for `entity` ("&amp;", "&#123;", "&#x1F600;") to *out.
// A numeric reference to 0, a surrogate or past U+10FFFF gives U+FFFD.
// False, appending nothing, for a name HTML5 does not define.
bool DecodeEntity(std::string_view entity, std::string* out);

}  // namespace arkwiki
