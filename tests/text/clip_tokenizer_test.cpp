// Parity of ClipTokenizer with transformers 4.30 CLIPTokenizer + ftfy (the `ftfy` variant of
// ../shared/oracle/tokenizer/clip_tokenizer_refs.json, see ../shared/oracle/README.md section 1), the three
// vocabulary sources, and bad vocabulary files.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"
#include "text/clip_tokenizer.h"
#include "util/error.h"

namespace easel::text {
namespace {

using Pad = ClipTokenizer::Pad;

nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

void check_against_refs(const ClipTokenizer& tok, const nlohmann::json& refs) {
  ASSERT_GE(refs["prompts"].size(), 41u);
  for (const auto& p : refs["prompts"]) {
    const std::string prompt = p["prompt"];
    const auto& r = p["ftfy"];
    SCOPED_TRACE("prompt: " + prompt);
    EXPECT_EQ(tok.tokens(prompt), r["tokens"].get<std::vector<std::string>>());
    EXPECT_EQ(tok.encode_padded(prompt, 2, Pad::Auto, false).ids, r["ids_untruncated"].get<std::vector<int>>());
    auto sd1 = tok.encode_padded(prompt, 77, Pad::Eos);
    EXPECT_EQ(sd1.ids, r["sd1_ids_77"].get<std::vector<int>>());
    EXPECT_EQ(sd1.mask, r["sd1_attention_mask_77"].get<std::vector<int>>());
    auto sd2 = tok.encode_padded(prompt, 77, Pad::Zero);
    EXPECT_EQ(sd2.ids, r["sd2_ids_77"].get<std::vector<int>>());
    EXPECT_EQ(sd2.mask, r["sd2_attention_mask_77"].get<std::vector<int>>());
    EXPECT_EQ(sd2.ids, r["openai_clip_ids_77"].get<std::vector<int>>());
    int content = static_cast<int>(r["ids_untruncated"].size()) - 2;
    EXPECT_EQ(sd1.dropped, std::max(0, content - 75));
  }
}

TEST(ClipTokenizer, MatchesReferenceIdsFromEachVocabularySource) {
  EASEL_SHARED_OR_SKIP(refs_path, "oracle/tokenizer/clip_tokenizer_refs.json");
  EASEL_SHARED_OR_SKIP(bpe, "clip-bpe");
  nlohmann::json refs = read_json(refs_path);
  for (const char* source : {"bpe_simple_vocab_16e6.txt.gz", "vocab.json", "merges.txt"}) {
    SCOPED_TRACE(source);
    check_against_refs(ClipTokenizer::load(bpe / source), refs);
  }
}

TEST(ClipTokenizer, VocabularySourcesAgree) {
  EASEL_SHARED_OR_SKIP(bpe, "clip-bpe");
  ClipVocab gz = load_clip_vocab(bpe / "bpe_simple_vocab_16e6.txt.gz");
  ClipVocab hf = load_clip_vocab(bpe / "vocab.json");
  EXPECT_EQ(gz.tokens.size(), 49408u);
  EXPECT_EQ(gz.tokens, hf.tokens);
  EXPECT_EQ(gz.merges, hf.merges);
  EXPECT_EQ(gz.merges.size(), static_cast<size_t>(kClipMergeCount));
  EXPECT_EQ(gz.tokens[0], "!");
  EXPECT_EQ(gz.tokens[256], "!</w>");
  EXPECT_EQ(gz.tokens[320], "a</w>");
}

TEST(ClipTokenizer, ModelFoldersGiveTheirPadToken) {
  EASEL_SHARED_OR_SKIP(sd1, "oracle/sd1_tiny/diffusers");
  EASEL_SHARED_OR_SKIP(pastel, "vendor-data/fork_pastel_mix");
  EASEL_SHARED_OR_SKIP(sdxl2, "oracle/sdxl_tiny/diffusers/tokenizer_2");
  EASEL_SHARED_OR_SKIP(bpe, "clip-bpe/bpe_simple_vocab_16e6.txt.gz");
  const std::vector<int> cat = {49406, 320, 2368, 49407};
  for (const auto& dir : {sd1, sd1 / "tokenizer", pastel}) {
    ClipTokenizer tok = ClipTokenizer::load(dir);
    EXPECT_EQ(tok.pad(), 49407) << dir;
    auto e = tok.encode_padded("a cat");
    EXPECT_EQ(std::vector<int>(e.ids.begin(), e.ids.begin() + 4), cat);
    EXPECT_EQ(e.ids[76], 49407);
  }
  ClipTokenizer sd2 = ClipTokenizer::load(sdxl2);
  EXPECT_EQ(sd2.pad(), 0);
  EXPECT_EQ(sd2.encode_padded("a cat").ids[4], 0);
  EXPECT_EQ(ClipTokenizer::load(bpe).pad(), 49407);  // the OpenAI file names no pad: eos
}

TEST(ClipTokenizer, CachedAndUncachedEncodingsAgree) {
  EASEL_SHARED_OR_SKIP(bpe, "clip-bpe");
  ClipTokenizer tok = ClipTokenizer::load(bpe);
  const std::string prompt = "supercalifragilistic astronaut riding a horse, astronaut!";
  std::vector<int> first = tok.encode(prompt);
  EXPECT_EQ(tok.encode(prompt), first);
  tok.clear_cache();
  EXPECT_EQ(tok.encode(prompt), first);
}

TEST(ClipTokenizer, ChunksCoverLongPromptsInWindows) {
  EASEL_SHARED_OR_SKIP(bpe, "clip-bpe");
  ClipTokenizer tok = ClipTokenizer::load(bpe);
  std::string prompt;
  for (int i = 0; i < 80; ++i) prompt += "cat ";
  std::vector<int> ids = tok.encode(prompt);
  ASSERT_EQ(ids.size(), 80u);
  auto chunks = tok.encode_chunks(prompt, 77, Pad::Zero);
  ASSERT_EQ(chunks.size(), 2u);
  for (const auto& c : chunks) {
    ASSERT_EQ(c.size(), 77u);
    EXPECT_EQ(c[0], tok.bos());
  }
  EXPECT_EQ(chunks[0][76], tok.eos());
  EXPECT_EQ(std::vector<int>(chunks[0].begin() + 1, chunks[0].begin() + 76), std::vector<int>(ids.begin(), ids.begin() + 75));
  EXPECT_EQ(std::vector<int>(chunks[1].begin() + 1, chunks[1].begin() + 6), std::vector<int>(ids.begin() + 75, ids.end()));
  EXPECT_EQ(chunks[1][6], tok.eos());
  EXPECT_EQ(chunks[1][7], 0);
  auto empty = tok.encode_chunks("");
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0][0], tok.bos());
  EXPECT_EQ(empty[0][1], tok.eos());
  EXPECT_EQ(empty[0][2], tok.pad());
}

TEST(ClipTokenizer, NoTruncateKeepsEveryToken) {
  EASEL_SHARED_OR_SKIP(bpe, "clip-bpe");
  ClipTokenizer tok = ClipTokenizer::load(bpe);
  std::string prompt;
  for (int i = 0; i < 100; ++i) prompt += "a ";
  auto full = tok.encode_padded(prompt, 77, Pad::Auto, false);
  EXPECT_EQ(full.ids.size(), 102u);
  EXPECT_EQ(full.dropped, 0);
  auto cut = tok.encode_padded(prompt);
  EXPECT_EQ(cut.ids.size(), 77u);
  EXPECT_EQ(cut.dropped, 25);
  EXPECT_EQ(cut.ids[76], tok.eos());
}

void write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

// The error message of loading `path`, or "" when it loads.
std::string load_error(const std::filesystem::path& path) {
  try {
    ClipTokenizer::load(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ClipTokenizer, BadVocabularyFilesAreNamedInErrors) {
  test::TempDir dir;
  EXPECT_NE(load_error(dir / "missing.txt.gz").find("missing.txt.gz"), std::string::npos);
  EXPECT_NE(load_error(dir.path).find("no CLIP vocabulary"), std::string::npos);

  write(dir / "junk.txt.gz", std::string("\x1f\x8b\x08\x00", 4) + std::string(100, '\x5a'));
  EXPECT_NE(load_error(dir / "junk.txt.gz").find("junk.txt.gz"), std::string::npos);

  // A well-formed gzip holding only a few merges: truncated.
  gzFile g = gzopen((dir / "short.txt.gz").c_str(), "wb");
  std::string text = "header\ni n\nt h\n";
  gzwrite(g, text.data(), static_cast<unsigned>(text.size()));
  gzclose(g);
  std::string e = load_error(dir / "short.txt.gz");
  EXPECT_NE(e.find("short.txt.gz"), std::string::npos);
  EXPECT_NE(e.find("48894"), std::string::npos);

  std::filesystem::create_directory(dir / "hf");
  write(dir / "hf" / "vocab.json", "{\"a\": 0,");
  EXPECT_NE(load_error(dir / "hf").find("merges.txt"), std::string::npos);  // missing beside vocab.json
  write(dir / "hf" / "merges.txt", "#version: 0.2\na b\n");
  EXPECT_NE(load_error(dir / "hf").find("vocab.json"), std::string::npos);  // malformed JSON
  write(dir / "hf" / "vocab.json", "{\"a\": 0, \"b\": 1}");
  EXPECT_NE(load_error(dir / "hf").find("not in the vocabulary"), std::string::npos);
  write(dir / "hf" / "merges.txt", "#version: 0.2\na b c\n");
  EXPECT_NE(load_error(dir / "hf").find("line 2"), std::string::npos);
}

}  // namespace
}  // namespace easel::text
