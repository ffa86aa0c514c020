// The ftfy-style repair and CLIP clean-up. Expected strings were produced with ftfy 6.3.1 and the `regex` module:
// whitespace_clean(ftfy.fix_text(s)).lower().
#include <gtest/gtest.h>

#include "text/clip_presplit.h"
#include "text/text_clean.h"

namespace easel::text {
namespace {

std::string clean(std::string_view s) {
  std::string out;
  append_utf8(out, clip_clean_text(s));
  return out;
}

struct Case {
  const char* input;
  const char* expected;
  const char* why;
};

const Case kCases[] = {
    {"&amp;amp; x", "& x", "entities are unescaped until nothing changes"},
    {"&HELLIP; &hellip; &Eacute; &EACUTE;", "\u2026 \u2026 \u00e9 \u00e9", "HTML5 names and ftfy's all-caps aliases"},
    {"&#59; &#x41; &#65 &#0; &#128; &#x110000; &#12ab;", "&#59; a &#65 \ufffd \u20ac \ufffd &#12ab;",
     "numeric references as html.unescape, kept where the result has ';' or the ';' is missing"},
    {"a < b &amp; c", "a < b &amp; c", "a '<' turns HTML unescaping off"},
    {"line1 &amp;\nline2 <b> &amp;\nline3 &amp;", "line1 & line2 <b> &amp; line3 &amp;",
     "... from its line on, for the rest of the text"},
    {"\u0085\u0093quoted\u0094", "\u2026\"quoted\"", "C1 controls read as windows-1252"},
    {"\ufb03 \u0149 \u01c5", "ffi 'n d\u017e", "Latin ligatures"},
    {"\uff21\uff22\uff23\u3000\uff76", "abc \u30ab", "full-width and half-width forms"},
    {"\u201ccurly\u201d \u2018single\u2019", "\"curly\" 'single'", "curly quotes"},
    {"\x1b[31mred\x1b[0m", "red", "terminal escapes"},
    {"a\x0b" "b\x0c" "c", "ab c", "vertical tab is a removed control, form feed is whitespace"},
    {"a\r\nb\rc\u2028d", "a b c d", "line breaks"},
    {"  \t ", "", "whitespace only"},
    {"e\u0301", "\u00e9", "NFC"},
    {"\u03a3\u0391\u03a3 \u03a3\u0391\u03a3.", "\u03c3\u03b1\u03c2 \u03c3\u03b1\u03c2.", "final sigma"},
    {"\u0130", "i\u0307", "full lower-case mapping"},
    {"a\xff" "b", "a\ufffdb", "ill-formed UTF-8"},
};

TEST(TextClean, MatchesFtfyWhitespaceCleanLower) {
  for (const Case& c : kCases) EXPECT_EQ(clean(c.input), c.expected) << c.why;
}

std::vector<std::string> split(std::string_view s) {
  std::u32string text = utf8_to_u32(s);
  std::vector<std::string> out;
  for (std::u32string_view p : clip_presplit(text)) {
    out.emplace_back();
    append_utf8(out.back(), p);
  }
  return out;
}

TEST(ClipPresplit, AlternativesInRegexOrder) {
  using V = std::vector<std::string>;
  EXPECT_EQ(split("don't 'single' x1234 <|endoftext|>!! ok"),
            (V{"don", "'t", "'s", "ingle", "'", "x", "1", "2", "3", "4", "<|endoftext|>", "!!", "ok"}));
  EXPECT_EQ(split("caf\u00e9 \u65e5\u672c ,.;"), (V{"caf\u00e9", "\u65e5\u672c", ",.;"}));
  EXPECT_EQ(split("'\u017f"), (V{"'\u017f"}));  // IGNORECASE: long s folds to s
}

}  // namespace
}  // namespace easel::text
