// The files a CLIP BPE tokenizer is made of, read from any of the three forms they ship in:
//  - OpenAI's `bpe_simple_vocab_16e6.txt.gz` (merges only; the vocabulary is derived from them exactly as
//    openai/CLIP clip/simple_tokenizer.py SimpleTokenizer.__init__ does),
//  - Hugging Face `vocab.json` + `merges.txt` (transformers CLIPTokenizer.__init__),
//  - a diffusers model folder (its `tokenizer/` subfolder) or such a tokenizer folder, whose
//    special_tokens_map.json / tokenizer_config.json name the pad token.
#pragma once
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace easel::text {

struct ClipVocab {
  std::vector<std::string> tokens;  // id -> token (byte-level BPE alphabet, UTF-8); "" for ids no token has
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order (rank = index)
  std::string pad_token;  // as the tokenizer config names it ("<|endoftext|>" SD1, "!" SD2); "" = not named
  std::string source;     // the file(s) read, for error messages
};

// The first 48,894 merges are used, as both references slice them (lines [1, 49152-256-2+1) of the file).
constexpr int kClipMergeCount = 49152 - 256 - 2;

// Loads from `path`: a .gz file, a vocab.json (merges.txt beside it), or a folder holding vocab.json +
// merges.txt, bpe_simple_vocab_16e6.txt.gz, or a tokenizer/ subfolder. Throws easel::Error naming the file for a
// missing, unreadable or malformed vocabulary.
ClipVocab load_clip_vocab(const std::filesystem::path& path);

// The byte -> character table of GPT-2 / CLIP byte-level BPE (bytes_to_unicode): printable Latin-1 bytes map to
// themselves, the others to U+0100 upwards. Index = byte value, value = that character in UTF-8.
const std::vector<std::string>& byte_to_unicode();

}  // namespace easel::text
