// The text repair CLIP applies to a prompt before byte-level BPE: transformers' CLIPTokenizer (v4.30, with ftfy
// installed) computes `whitespace_clean(ftfy.fix_text(text)).lower()` (models/clip/tokenization_clip.py), and
// OpenAI CLIP's SimpleTokenizer does the same (clip/simple_tokenizer.py). Strings are UTF-8 at the boundary and
// UTF-32 inside, so that every step works on whole code points as Python's str does.
#pragma once
#include <string>
#include <string_view>

namespace easel::text {

// UTF-8 -> UTF-32; each ill-formed byte sequence becomes U+FFFD.
std::u32string utf8_to_u32(std::string_view utf8);
// Appends the UTF-8 encoding of `text` to `out`.
void append_utf8(std::string& out, std::u32string_view text);

// ftfy 6.3.1 `fix_text(text)` with its default configuration: per line, repeated until nothing changes,
// unescape_html ("auto": off from the first line that contains '<'), fix_c1_controls, fix_latin_ligatures,
// fix_character_width, uncurl_quotes, fix_line_breaks, remove_terminal_escapes, remove_control_chars, NFC.
// Not done: ftfy's mojibake detector (fix_encoding: re-decoding text such as "cafÃ©" that was decoded with the
// wrong codec), so such text is left as it is where ftfy would repair it.
std::u32string ftfy_fix_text(std::u32string_view text);

// CLIP's `whitespace_clean(...).lower()`: runs of Unicode White_Space become one space, the ends are stripped,
// then Unicode full lower-casing (Python's str.lower(), e.g. final sigma, "İ" -> "i̇").
std::u32string whitespace_clean_lower(std::u32string_view text);

// The whole CLIP prompt clean-up: whitespace_clean_lower(ftfy_fix_text(utf8_to_u32(prompt))).
std::u32string clip_clean_text(std::string_view prompt);

}  // namespace easel::text
