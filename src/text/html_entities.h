// Named HTML character references, for the ftfy-style text repair in text_clean.h.
#pragma once
#include <string_view>

namespace easel::text {

// The UTF-8 text of the entity `&name;` (name given without '&' and ';', case-sensitive, e.g. "amp", "AMP",
// "hellip"), or nullptr when ftfy 6.3 would not unescape it.
const char* html_entity(std::string_view name);

}  // namespace easel::text
