// The word tokenizer of easel's own models: ids, unknown words reported, truncation counted, JSON round trip.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "text/word_tokenizer.h"
#include "util/error.h"

namespace easel::test {
namespace {

using text::WordTokenizer;

TEST(WordTokenizer, EncodesWordsBetweenBosAndEos) {
  WordTokenizer t({"a", "red", "circle"}, 6);
  auto e = t.encode("A Red, circle!");
  EXPECT_EQ(e.ids, (std::vector<int64_t>{WordTokenizer::kBos, 4, 5, 6, WordTokenizer::kEos, WordTokenizer::kPad}));
  EXPECT_TRUE(e.unknown.empty());
  EXPECT_EQ(e.dropped, 0);
  EXPECT_EQ(t.vocab_size(), 7);
}

TEST(WordTokenizer, ReportsUnknownWords) {
  WordTokenizer t({"a", "circle"}, 8);
  auto e = t.encode("a mauve circle");
  EXPECT_EQ(e.ids[2], WordTokenizer::kUnk);
  EXPECT_EQ(e.unknown, std::vector<std::string>{"mauve"});
}

TEST(WordTokenizer, CountsWordsCutByMaxLength) {
  WordTokenizer t({"a"}, 4);
  auto e = t.encode("a a a a");
  EXPECT_EQ(e.ids, (std::vector<int64_t>{WordTokenizer::kBos, 4, 4, WordTokenizer::kEos}));
  EXPECT_EQ(e.dropped, 2);
}

TEST(WordTokenizer, EmptyTextIsBosEos) {
  WordTokenizer t({"a"}, 4);
  EXPECT_EQ(t.encode("").ids, (std::vector<int64_t>{WordTokenizer::kBos, WordTokenizer::kEos, 0, 0}));
}

TEST(WordTokenizer, JsonRoundTripAndErrors) {
  WordTokenizer t({"blue", "star"}, 10);
  WordTokenizer u = WordTokenizer::from_json(t.to_json(), "test");
  EXPECT_EQ(u.words(), t.words());
  EXPECT_EQ(u.max_length(), 10);
  EXPECT_THROW(WordTokenizer::from_json(nlohmann::json{{"words", 3}}, "test"), Error);
  EXPECT_THROW(WordTokenizer({"a", "a"}, 5), Error);
  EXPECT_THROW(WordTokenizer({"a"}, 2), Error);
}

TEST(WordTokenizer, BatchStacksRows) {
  WordTokenizer t({"a", "b"}, 4);
  std::vector<std::string> unknown;
  auto ids = t.encode_batch({"a", "b zz"}, &unknown);
  EXPECT_EQ(ids.sizes(), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(ids[1][1].item<int64_t>(), 5);
  EXPECT_EQ(unknown, std::vector<std::string>{"zz"});
}

}  // namespace
}  // namespace easel::test
