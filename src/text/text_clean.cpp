// ftfy 6.3.1 fixers (ftfy/__init__.py fix_text / fix_and_explain, ftfy/fixes.py, ftfy/chardata.py) and CLIP's
// whitespace_clean + lower, re-implemented on UTF-32 strings with ICU for NFC, NFKC and lower-casing.
#include "text/text_clean.h"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <array>
#include <cctype>
#include <stdexcept>

#include "text/html_entities.h"

namespace easel::text {
namespace {

// Windows-1252 for bytes 0x80..0x9F, "sloppy" (the five undefined bytes map to themselves) as ftfy's
// sloppy-windows-1252 codec and Python's html._invalid_charrefs both have it.
constexpr std::array<char32_t, 32> kCp1252C1 = {
    0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};

icu::UnicodeString to_icu(std::u32string_view s) {
  return icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(s.data()), static_cast<int32_t>(s.size()));
}

std::u32string from_icu(const icu::UnicodeString& s) {
  std::u32string out;
  out.reserve(s.length());
  for (int32_t i = 0; i < s.length();) {
    UChar32 c = s.char32At(i);
    out.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  return out;
}

const icu::Normalizer2& normalizer(bool nfkc) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = nfkc ? icu::Normalizer2::getNFKCInstance(status) : icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU normalizer unavailable: ") + u_errorName(status));
  return *n;
}

std::u32string nfc(const std::u32string& s) {
  // NFC of text without non-ASCII code points is the text itself.
  bool ascii = true;
  for (char32_t c : s) ascii = ascii && c < 0x80;
  if (ascii) return s;
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = normalizer(false).normalize(to_icu(s), status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("ICU NFC failed: ") + u_errorName(status));
  return from_icu(out);
}

bool is_ascii_alnum(char32_t c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Python's html.unescape of one numeric reference `&#<body>;` as ftfy's _unescape_fixup uses it; returns false
// where ftfy keeps the text (the body is not a whole number, or the result would contain ';').
bool unescape_numeric(std::u32string_view body, std::u32string& out) {
  bool hex = body.size() > 1 && (body[0] == 'x' || body[0] == 'X');
  std::u32string_view digits = hex ? body.substr(1) : body;
  unsigned long long num = 0;
  for (char32_t c : digits) {
    int d;
    if (c >= '0' && c <= '9') d = static_cast<int>(c - '0');
    else if (hex && c >= 'a' && c <= 'f') d = static_cast<int>(c - 'a' + 10);
    else if (hex && c >= 'A' && c <= 'F') d = static_cast<int>(c - 'A' + 10);
    else return false;
    num = num * (hex ? 16 : 10) + d;
    if (num > 0x10FFFF) num = 0x110000;  // saturate: anything past the last code point reads the same
  }
  // Python html._replace_charref: _invalid_charrefs, then surrogates / out of range, then _invalid_codepoints.
  if (num == 0) out.push_back(0xFFFD);
  else if (num == 0x0D) out.push_back(0x0D);
  else if (num >= 0x80 && num <= 0x9F) out.push_back(kCp1252C1[num - 0x80]);
  else if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) out.push_back(0xFFFD);
  else if ((num >= 0x1 && num <= 0x8) || num == 0xB || (num >= 0xE && num <= 0x1F) || (num >= 0x7F && num <= 0x9F) ||
           (num >= 0xFDD0 && num <= 0xFDEF) || (num & 0xFFFE) == 0xFFFE) {
    // removed
  } else if (num == ';') {
    return false;
  } else {
    out.push_back(static_cast<char32_t>(num));
  }
  return true;
}

// ftfy.fixes.unescape_html: HTML_ENTITY_RE = "&#?[0-9A-Za-z]{1,24};" replaced by _unescape_fixup.
std::u32string unescape_html(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '&') {
      out.push_back(s[i++]);
      continue;
    }
    size_t start = i + 1 + (i + 1 < s.size() && s[i + 1] == '#');
    size_t end = start;
    while (end < s.size() && end - start <= 24 && is_ascii_alnum(s[end])) ++end;
    size_t len = end - start;
    if (len < 1 || len > 24 || end >= s.size() || s[end] != ';') {
      out.push_back(s[i++]);
      continue;
    }
    std::u32string_view body(s.data() + start, len);
    std::u32string_view whole(s.data() + i, end + 1 - i);
    bool numeric = start == i + 2;
    bool replaced = false;
    if (numeric) {
      replaced = unescape_numeric(body, out);
    } else {
      std::string name(body.begin(), body.end());  // ASCII only
      if (const char* value = html_entity(name)) {
        std::u32string v = utf8_to_u32(value);
        out += v;
        replaced = true;
      }
    }
    if (!replaced) out.append(whole);
    i = end + 1;
  }
  return out;
}

// ftfy.chardata.LIGATURES (fix_latin_ligatures); returns nullptr for other characters.
const char32_t* ligature(char32_t c) {
  switch (c) {
    case 0x0132: return U"IJ";
    case 0x0133: return U"ij";
    case 0x0149: return U"\u02BCn";
    case 0x01F1: return U"DZ";
    case 0x01F2: return U"Dz";
    case 0x01F3: return U"dz";
    case 0x01C4: return U"D\u017D";
    case 0x01C5: return U"D\u017E";
    case 0x01C6: return U"d\u017E";
    case 0x01C7: return U"LJ";
    case 0x01C8: return U"Lj";
    case 0x01C9: return U"lj";
    case 0x01CA: return U"NJ";
    case 0x01CB: return U"Nj";
    case 0x01CC: return U"nj";
    case 0xFB00: return U"ff";
    case 0xFB01: return U"fi";
    case 0xFB02: return U"fl";
    case 0xFB03: return U"ffi";
    case 0xFB04: return U"ffl";
    case 0xFB05: return U"\u017Ft";
    case 0xFB06: return U"st";
    default: return nullptr;
  }
}

// ftfy.chardata.WIDTH_MAP (fix_character_width): U+3000 -> space, and each of U+FF01..U+FFEF whose NFKC form
// differs -> that form. Built once from ICU's NFKC, as ftfy builds it from unicodedata.
const std::u32string* width_form(char32_t c) {
  static const std::array<std::u32string, 0xFFF0 - 0xFF01> table = [] {
    std::array<std::u32string, 0xFFF0 - 0xFF01> t;
    for (char32_t c = 0xFF01; c < 0xFFF0; ++c) {
      UErrorCode status = U_ZERO_ERROR;
      icu::UnicodeString n = normalizer(true).normalize(icu::UnicodeString(static_cast<UChar32>(c)), status);
      std::u32string s = U_SUCCESS(status) ? from_icu(n) : std::u32string();
      if (s != std::u32string(1, c)) t[c - 0xFF01] = s;
    }
    return t;
  }();
  static const std::u32string space = U" ";
  if (c == 0x3000) return &space;
  if (c >= 0xFF01 && c < 0xFFF0 && !table[c - 0xFF01].empty()) return &table[c - 0xFF01];
  return nullptr;
}

// ftfy.chardata.CONTROL_CHARS (remove_control_chars).
bool is_removed_control(char32_t c) {
  return c <= 0x08 || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F || (c >= 0x206A && c <= 0x206F) ||
         c == 0xFEFF || (c >= 0xFFF9 && c <= 0xFFFC);
}

// fix_c1_controls, fix_latin_ligatures, fix_character_width, uncurl_quotes and fix_line_breaks in one pass:
// each maps single characters (or "\r\n") independently, so applying them in sequence equals one pass here.
std::u32string map_characters(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char32_t c = s[i];
    if (c >= 0x80 && c <= 0x9F) c = kCp1252C1[c - 0x80];  // fix_c1_controls (may give a curly quote or U+2026)
    if (const char32_t* lig = ligature(c)) {
      for (const char32_t* p = lig; *p; ++p) out.push_back(*p == 0x02BC ? U'\'' : *p);  // uncurl the ʼ of ŉ
      continue;
    }
    if (const std::u32string* w = width_form(c)) {
      for (char32_t x : *w) out.push_back(x == 0x2018 || x == 0x2019 ? U'\'' : x);
      continue;
    }
    if (c == 0x02BC || (c >= 0x2018 && c <= 0x201B)) c = '\'';
    else if (c >= 0x201C && c <= 0x201F) c = '"';
    else if (c == '\r') {
      if (i + 1 < s.size() && s[i + 1] == '\n') continue;  // "\r\n" -> "\n": the '\n' follows
      c = '\n';
    } else if (c == 0x2028 || c == 0x2029 || c == 0x85) {
      c = '\n';
    }
    out.push_back(c);
  }
  return out;
}

// ftfy.fixes.remove_terminal_escapes (ANSI_RE "\033\[((?:\d|;)*)([a-zA-Z])", \d being any Unicode digit) and
// then remove_control_chars.
std::u32string remove_escapes_and_controls(const std::u32string& s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == 0x1B && i + 1 < s.size() && s[i + 1] == '[') {
      size_t j = i + 2;
      while (j < s.size() && (s[j] == ';' || u_charType(static_cast<UChar32>(s[j])) == U_DECIMAL_DIGIT_NUMBER)) ++j;
      if (j < s.size() && s[j] < 0x80 && std::isalpha(static_cast<int>(s[j]))) {
        i = j;
        continue;
      }
    }
    if (!is_removed_control(s[i])) out.push_back(s[i]);
  }
  return out;
}

// One ftfy segment: apply the fixers in fix_and_explain's order until the text stops changing.
std::u32string fix_segment(std::u32string text, bool unescape) {
  while (true) {
    std::u32string orig = text;
    if (unescape) text = unescape_html(text);
    text = map_characters(text);
    text = remove_escapes_and_controls(text);
    text = nfc(text);
    if (text == orig) return text;
  }
}

}  // namespace

std::u32string utf8_to_u32(std::string_view utf8) {
  std::u32string out;
  out.reserve(utf8.size());
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  int32_t n = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(s, i, n, c);
    out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
  }
  return out;
}

void append_utf8(std::string& out, std::u32string_view text) {
  for (char32_t c : text) {
    uint8_t buf[4];
    int32_t len = 0;
    U8_APPEND_UNSAFE(buf, len, static_cast<UChar32>(c));
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  }
}

std::u32string ftfy_fix_text(std::u32string_view text) {
  // ftfy.fix_text: segments end after each '\n' (at most max_decode_length = 10^6 code points); in "auto" mode
  // HTML unescaping stops for good at the first segment containing '<' (fix_text rebinds its config).
  constexpr size_t kMaxSegment = 1000000;
  std::u32string out;
  bool unescape = true;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find(U'\n', pos);
    size_t end = nl == std::u32string_view::npos ? text.size() : nl + 1;
    if (end - pos > kMaxSegment) end = pos + kMaxSegment;
    std::u32string segment(text.substr(pos, end - pos));
    if (unescape && segment.find(U'<') != std::u32string::npos) unescape = false;
    out += fix_segment(std::move(segment), unescape);
    pos = end;
  }
  return out;
}

std::u32string whitespace_clean_lower(std::u32string_view text) {
  std::u32string collapsed;
  collapsed.reserve(text.size());
  bool ascii = true;
  for (char32_t c : text) {
    if (u_isUWhiteSpace(static_cast<UChar32>(c))) {
      if (!collapsed.empty() && collapsed.back() != ' ') collapsed.push_back(' ');
      continue;
    }
    ascii = ascii && c < 0x80;
    collapsed.push_back(c);
  }
  if (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
  if (ascii) {
    for (char32_t& c : collapsed)
      if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    return collapsed;
  }
  icu::UnicodeString s = to_icu(collapsed);
  s.toLower(icu::Locale::getRoot());
  return from_icu(s);
}

std::u32string clip_clean_text(std::string_view prompt) {
  return whitespace_clean_lower(ftfy_fix_text(utf8_to_u32(prompt)));
}

}  // namespace easel::text
