// CLIP's byte-level BPE tokenizer, giving the ids of transformers' CLIPTokenizer (v4.30, ftfy installed) and of
// OpenAI CLIP's SimpleTokenizer: clean the prompt (text_clean.h), pre-split it (clip_presplit.h), map each
// piece's UTF-8 bytes to the byte alphabet, apply the ranked merges with "</w>" on the last symbol
// (tokenization_clip.py `bpe`), look the symbols up in the vocabulary.
//
// The SD variants differ only in padding: SD1.x / SDXL tokenizer 1 pad with <|endoftext|> (49407), SD2.x / SDXL
// tokenizer_2 / OpenCLIP with id 0 ("!"). OpenAI `clip.tokenize(text)` equals encode_padded(text, 77, Pad::Zero).ids
// (it cuts [sot]+ids+[eot] to 77 and forces the last id to eot, which keeps the same 75 tokens).
// Special-token text in a prompt ("<|endoftext|>") becomes the special id, as the CLIP regex makes it.
//
// Thread safety: encoding from several threads is safe (the per-word cache is guarded by a mutex).
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "text/clip_vocab.h"

namespace easel::text {

class ClipTokenizer {
 public:
  // Which id fills the positions after eos: Auto = the pad token the tokenizer files name (eos when they name
  // none, e.g. for bpe_simple_vocab_16e6.txt.gz), Eos = <|endoftext|>, Zero = id 0 ("!").
  enum class Pad { Auto, Eos, Zero };

  struct Encoded {
    std::vector<int> ids;   // bos, tokens, eos, then padding
    std::vector<int> mask;  // 1 for bos..eos, 0 for padding (the attention mask transformers returns)
    int dropped = 0;        // content tokens cut by truncation
  };

  // Loads a vocabulary in any form load_clip_vocab accepts. Throws easel::Error naming a missing or bad file.
  static ClipTokenizer load(const std::filesystem::path& path);
  // Builds from already-read files; throws easel::Error when merges and vocabulary disagree.
  explicit ClipTokenizer(const ClipVocab& vocab);

  // Token ids of `text`, without bos/eos.
  std::vector<int> encode(std::string_view text) const;
  // The BPE strings of `text` (transformers' tokenize(): byte-alphabet text, "</w>" ending a word).
  std::vector<std::string> tokens(std::string_view text) const;
  // bos + ids + eos padded to max_len (transformers padding="max_length"). With truncate, keeps bos, the first
  // max_len-2 tokens and eos and reports how many were dropped; without, returns all ids (at least max_len).
  Encoded encode_padded(std::string_view text, int max_len = 77, Pad pad = Pad::Auto, bool truncate = true) const;
  // A1111-style long prompts: the tokens cut into consecutive windows of window-2 tokens, each as
  // bos + tokens + eos padded to `window`. An empty prompt gives one window.
  std::vector<std::vector<int>> encode_chunks(std::string_view text, int window = 77, Pad pad = Pad::Auto) const;

  int bos() const { return bos_; }
  int eos() const { return eos_; }
  // The id Pad::Auto pads with.
  int pad() const { return pad_; }
  int pad_id(Pad pad) const;
  int vocab_size() const { return static_cast<int>(vocab_.size()); }
  // The token string of an id ("" for an id outside the vocabulary).
  const std::string& token(int id) const;
  // Forgets the per-word BPE results (for measuring cold-cache speed).
  void clear_cache() const;

 private:
  // BPE of one pre-split piece (UTF-8 bytes), through the cache.
  void append_piece(std::string_view piece, std::vector<int>& out) const;
  std::vector<int> bpe(std::string_view piece) const;

  struct Merge {
    int rank;
    int merged;
  };
  std::vector<std::string> vocab_;
  std::unordered_map<uint64_t, Merge> merges_;  // (left id << 32 | right id) -> rank and merged id
  int byte_id_[256];                            // byte -> id of its byte-alphabet character
  int byte_end_id_[256];                        // byte -> id of that character + "</w>"
  int bos_ = 0, eos_ = 0, pad_ = 0;
  mutable std::unordered_map<std::string, std::vector<int>> cache_;
  mutable std::unique_ptr<std::mutex> cache_mutex_ = std::make_unique<std::mutex>();
};

}  // namespace easel::text
