// The word-level tokenizer of easel's own models. Its vocabulary is a plain list of words stored inside the model
// file (safetensors metadata), so a model needs no outside vocabulary. Text is lower-cased and split into runs of
// letters and digits; every other character separates words. Words not in the vocabulary become <unk> and are
// reported, never silently dropped.
#pragma once
#include <nlohmann/json_fwd.hpp>
#include <torch/types.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace easel::text {

class WordTokenizer {
 public:
  // Fixed ids of the special tokens; words follow from id 4 in vocabulary order.
  static constexpr int64_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;

  WordTokenizer() = default;
  // words: the vocabulary (no duplicates, no empty words); max_length: ids per caption including <bos>/<eos>.
  WordTokenizer(std::vector<std::string> words, int64_t max_length);

  struct Encoding {
    std::vector<int64_t> ids;           // max_length ids: <bos> words <eos> <pad>...
    std::vector<std::string> unknown;   // words that became <unk>, in order
    int64_t dropped = 0;                // words cut because the caption was longer than max_length - 2
  };
  Encoding encode(const std::string& text) const;
  // [N, max_length] int64 ids of several captions; unknown words of all of them are appended to *unknown.
  torch::Tensor encode_batch(const std::vector<std::string>& texts, std::vector<std::string>* unknown = nullptr) const;

  // Lower-cased words of text, in order (the split encode uses).
  static std::vector<std::string> split(const std::string& text);

  int64_t vocab_size() const { return int64_t(words_.size()) + 4; }
  int64_t max_length() const { return max_length_; }
  const std::vector<std::string>& words() const { return words_; }

  // {"words": [...], "max_length": N}; from_json throws easel::Error naming `source` on a malformed value.
  nlohmann::json to_json() const;
  static WordTokenizer from_json(const nlohmann::json& j, const std::string& source);

 private:
  std::vector<std::string> words_;
  std::unordered_map<std::string, int64_t> index_;
  int64_t max_length_ = 0;
};

}  // namespace easel::text
