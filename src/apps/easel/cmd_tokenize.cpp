// `easel tokenize "text"`: the CLIP token ids of a prompt as the text encoder sees them, for debugging prompts.
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/easel/command.h"
#include "text/clip_tokenizer.h"
#include "text/default_vocab.h"

namespace easel::app {
namespace {

struct TokenizeOptions {
  std::string text;
  std::string tokenizer;
  std::string pad;
  int max_length = 77;
  bool no_truncate = false;
  bool show_tokens = false;
};

int run_tokenize(const TokenizeOptions& o) {
  using text::ClipTokenizer;
  ClipTokenizer tok = ClipTokenizer::load(o.tokenizer.empty() ? text::default_clip_vocab() : std::filesystem::path(o.tokenizer));
  ClipTokenizer::Pad pad = o.pad == "eos" ? ClipTokenizer::Pad::Eos
                           : o.pad == "zero" ? ClipTokenizer::Pad::Zero
                                             : ClipTokenizer::Pad::Auto;
  ClipTokenizer::Encoded e = tok.encode_padded(o.text, o.max_length, pad, !o.no_truncate);
  std::cout << nlohmann::json(e.ids).dump() << "\n";
  if (o.show_tokens) std::cout << nlohmann::json(tok.tokens(o.text)).dump() << "\n";
  if (e.dropped > 0)
    std::cerr << "easel tokenize: warning: prompt is longer than " << o.max_length << " tokens; " << e.dropped
              << " tokens dropped\n";
  return 0;
}

EASEL_COMMAND("tokenize", "Print the CLIP token ids of a prompt as a JSON array", [](CLI::App& sub) {
  auto o = std::make_shared<TokenizeOptions>();
  sub.add_option("text", o->text, "The prompt")->required();
  sub.add_option("--tokenizer", o->tokenizer,
                 "bpe_simple_vocab_16e6.txt.gz, vocab.json, a tokenizer folder or a diffusers model folder "
                 "(default: $EASEL_CLIP_VOCAB or the clip-bpe folder found beside easel)");
  sub.add_option("--pad", o->pad, "Padding id: eos (49407, SD1.x/SDXL) or zero (0, SD2.x/OpenCLIP); default: "
                                  "the tokenizer's pad token, else eos")
      ->check(CLI::IsMember({"eos", "zero"}));
  sub.add_option("--max-length", o->max_length, "Sequence length, bos and eos included")
      ->check(CLI::Range(2, 1 << 20))
      ->capture_default_str();
  sub.add_flag("--no-truncate", o->no_truncate, "Keep every token of a long prompt instead of cutting to max length");
  sub.add_flag("--tokens", o->show_tokens, "Also print the BPE token strings (a second JSON array)");
  return [o] { return run_tokenize(*o); };
});

}  // namespace
}  // namespace easel::app
