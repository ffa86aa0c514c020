// Where the CLIP vocabulary is when the user names none (single-file checkpoints carry no tokenizer).
#pragma once
#include <filesystem>

namespace easel::text {

// The first of: $EASEL_CLIP_VOCAB; then, for the folder of the running executable and each of its first four
// parents P, a `clip-bpe` folder at P/share/easel/clip-bpe (installed), P/data/clip-bpe (source tree) or
// P/shared/clip-bpe (the shared data beside a checkout). A folder counts when it holds
// bpe_simple_vocab_16e6.txt.gz or vocab.json + merges.txt. Throws easel::Error saying how to point at one.
std::filesystem::path default_clip_vocab();

}  // namespace easel::text
