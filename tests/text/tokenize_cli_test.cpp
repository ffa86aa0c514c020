// `easel tokenize`: ids as a JSON array, padding choice, token strings, truncation warning, errors.
#include <gtest/gtest.h>

#include "test_util.h"

namespace easel::test {
namespace {

const std::string kCat = "[49406,320,1125,539,320,2368,49407,";

TEST(TokenizeCli, PrintsPaddedIdsForEachPadChoice) {
  EASEL_SHARED_OR_SKIP(bpe, "clip-bpe/bpe_simple_vocab_16e6.txt.gz");
  RunResult eos = run_easel("tokenize --tokenizer " + bpe.string() + " 'a photo of a cat'");
  ASSERT_EQ(eos.exit_code, 0) << eos.out;
  EXPECT_EQ(eos.out.rfind(kCat + "49407,", 0), 0u) << eos.out;
  RunResult zero = run_easel("tokenize --pad zero --tokenizer " + bpe.string() + " 'A Photo Of A CAT'");
  ASSERT_EQ(zero.exit_code, 0) << zero.out;
  EXPECT_EQ(zero.out.rfind(kCat + "0,", 0), 0u) << zero.out;
}

TEST(TokenizeCli, ModelFolderPadAndTokenStrings) {
  EASEL_SHARED_OR_SKIP(sdxl, "oracle/sdxl_tiny/diffusers/tokenizer_2");
  RunResult r = run_easel("tokenize --tokens --tokenizer " + sdxl.string() + " 'a photo of a cat'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind(kCat + "0,", 0), 0u) << r.out;  // tokenizer_2 pads with "!" = 0
  EXPECT_NE(r.out.find("\n[\"a</w>\",\"photo</w>\",\"of</w>\",\"a</w>\",\"cat</w>\"]\n"), std::string::npos) << r.out;
}

TEST(TokenizeCli, FindsTheSharedVocabularyByItself) {
  EASEL_SHARED_OR_SKIP(bpe, "clip-bpe");
  RunResult r = run_easel("tokenize 'a photo of a cat'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind(kCat, 0), 0u) << r.out;
}

TEST(TokenizeCli, WarnsAboutDroppedTokensUnlessNoTruncate) {
  EASEL_SHARED_OR_SKIP(bpe, "clip-bpe");
  std::string prompt;
  for (int i = 0; i < 80; ++i) prompt += "cat ";
  RunResult cut = run_easel("tokenize --tokenizer " + bpe.string() + " '" + prompt + "'");
  ASSERT_EQ(cut.exit_code, 0) << cut.out;
  EXPECT_NE(cut.out.find("5 tokens dropped"), std::string::npos) << cut.out;
  RunResult full = run_easel("tokenize --no-truncate --tokenizer " + bpe.string() + " '" + prompt + "'");
  ASSERT_EQ(full.exit_code, 0) << full.out;
  EXPECT_EQ(full.out.find("dropped"), std::string::npos) << full.out;
  EXPECT_EQ(std::count(full.out.begin(), full.out.end(), ','), 81);  // 82 ids
}

TEST(TokenizeCli, MissingVocabularyIsAnError) {
  TempDir dir;
  RunResult r = run_easel("tokenize --tokenizer " + (dir / "nope.gz").string() + " 'a cat'");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("nope.gz"), std::string::npos) << r.out;
  RunResult bad_pad = run_easel("tokenize --pad left 'a cat'");
  EXPECT_EQ(bad_pad.exit_code, 2) << bad_pad.out;
}

}  // namespace
}  // namespace easel::test
