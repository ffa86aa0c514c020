#include "text/clip_presplit.h"

#include <unicode/uchar.h>

namespace easel::text {
namespace {

// ASCII answered directly (most prompt text), the rest from ICU's Unicode data.
bool is_letter(char32_t c) {
  if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
  return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_L_MASK) != 0;
}
bool is_number(char32_t c) {
  if (c < 0x80) return c >= '0' && c <= '9';
  return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_N_MASK) != 0;
}
bool is_space(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
  return u_isUWhiteSpace(static_cast<UChar32>(c));
}

// Length of `lit` (lower-case ASCII) if it occurs at text[pos] under simple case folding (the regex module's
// IGNORECASE: "ſ" matches "s"), else 0.
size_t match_literal(std::u32string_view text, size_t pos, std::u32string_view lit) {
  // Every literal starts with '<' or '\'', which nothing else case-folds to.
  if (text.size() - pos < lit.size() || text[pos] != lit[0]) return 0;
  for (size_t k = 1; k < lit.size(); ++k) {
    char32_t c = text[pos + k];
    if (c != lit[k] && static_cast<char32_t>(u_foldCase(static_cast<UChar32>(c), U_FOLD_CASE_DEFAULT)) != lit[k])
      return 0;
  }
  return lit.size();
}

// Length of the piece the first matching alternative gives at `pos`, or 0 when none matches (whitespace).
size_t piece_at(std::u32string_view text, size_t pos) {
  static constexpr std::u32string_view kLiterals[] = {U"<|startoftext|>", U"<|endoftext|>", U"'s", U"'t",
                                                      U"'re", U"'ve", U"'m", U"'ll", U"'d"};
  for (std::u32string_view lit : kLiterals)
    if (size_t n = match_literal(text, pos, lit)) return n;
  char32_t c = text[pos];
  size_t end = pos + 1;
  if (is_letter(c)) {
    while (end < text.size() && is_letter(text[end])) ++end;
    return end - pos;
  }
  if (is_number(c)) return 1;
  if (is_space(c)) return 0;
  auto other = [](char32_t x) { return !is_space(x) && !is_letter(x) && !is_number(x); };
  while (end < text.size() && other(text[end])) ++end;
  return end - pos;
}

}  // namespace

std::vector<std::u32string_view> clip_presplit(std::u32string_view text) {
  std::vector<std::u32string_view> pieces;
  for (size_t pos = 0; pos < text.size();) {
    size_t n = piece_at(text, pos);
    if (n == 0) {
      ++pos;
      continue;
    }
    pieces.push_back(text.substr(pos, n));
    pos += n;
  }
  return pieces;
}

}  // namespace easel::text
