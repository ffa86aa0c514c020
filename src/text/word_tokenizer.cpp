#include "text/word_tokenizer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cctype>

#include "util/error.h"

namespace easel::text {

WordTokenizer::WordTokenizer(std::vector<std::string> words, int64_t max_length)
    : words_(std::move(words)), max_length_(max_length) {
  check(max_length_ >= 3, "word tokenizer: max_length must be at least 3");
  for (size_t i = 0; i < words_.size(); ++i) {
    check(!words_[i].empty(), "word tokenizer: empty word in the vocabulary");
    check(index_.emplace(words_[i], int64_t(i) + 4).second, "word tokenizer: duplicate word '" + words_[i] + "'");
  }
}

std::vector<std::string> WordTokenizer::split(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (unsigned char c : text) {
    if (std::isalnum(c)) {
      cur.push_back(char(std::tolower(c)));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

WordTokenizer::Encoding WordTokenizer::encode(const std::string& text) const {
  check(max_length_ >= 3, "word tokenizer: not loaded");
  Encoding e;
  e.ids.assign(size_t(max_length_), kPad);
  e.ids[0] = kBos;
  size_t pos = 1;
  for (const std::string& w : split(text)) {
    auto it = index_.find(w);
    if (it == index_.end()) e.unknown.push_back(w);
    if (int64_t(pos) >= max_length_ - 1) {
      ++e.dropped;
      continue;
    }
    e.ids[pos++] = it == index_.end() ? kUnk : it->second;
  }
  e.ids[pos] = kEos;
  return e;
}

torch::Tensor WordTokenizer::encode_batch(const std::vector<std::string>& texts,
                                          std::vector<std::string>* unknown) const {
  torch::Tensor ids = torch::empty({int64_t(texts.size()), max_length_}, torch::kInt64);
  auto* p = ids.data_ptr<int64_t>();
  for (size_t i = 0; i < texts.size(); ++i) {
    Encoding e = encode(texts[i]);
    std::copy(e.ids.begin(), e.ids.end(), p + i * size_t(max_length_));
    if (unknown) unknown->insert(unknown->end(), e.unknown.begin(), e.unknown.end());
  }
  return ids;
}

nlohmann::json WordTokenizer::to_json() const { return {{"words", words_}, {"max_length", max_length_}}; }

WordTokenizer WordTokenizer::from_json(const nlohmann::json& j, const std::string& source) {
  try {
    return WordTokenizer(j.at("words").get<std::vector<std::string>>(), j.at("max_length").get<int64_t>());
  } catch (const nlohmann::json::exception& e) {
    throw Error(source + ": malformed tokenizer: " + e.what());
  }
}

}  // namespace easel::text
