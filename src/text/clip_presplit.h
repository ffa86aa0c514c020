// CLIP's pre-tokenisation regex, applied to cleaned, lower-cased text before byte-level BPE:
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// with IGNORECASE, as `regex.findall` runs it (openai/CLIP clip/simple_tokenizer.py, transformers
// models/clip/tokenization_clip.py). Written as a scanner over ICU character properties rather than a regex.
#pragma once
#include <string_view>
#include <vector>

namespace easel::text {

// The pieces findall returns, in order, as views into `text`. Whitespace separates pieces and is dropped;
// a run of letters is one piece, each number character is its own piece, and a run of other characters is
// one piece. The alternatives are tried in the order above at each position (so "'single" -> "'s", "ingle").
std::vector<std::u32string_view> clip_presplit(std::u32string_view text);

}  // namespace easel::text
