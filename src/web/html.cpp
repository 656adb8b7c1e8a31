#include "html.h"

#include "arkwiki/core/markup_escape.h"

namespace arkwiki {

std::string HtmlEscape(std::string_view text) { return MarkupEscape(text); }

}  // namespace arkwiki
