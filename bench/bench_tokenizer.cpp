// CLIP tokenizer throughput: 10,000 made-up prompts (deterministic) encoded to 77 ids, with the per-word BPE
// cache cleared before each run (cold) and kept (warm); median of several runs. Also the vocabulary load time.
// Usage: bench_tokenizer [VOCAB_PATH] (default: the vocabulary `easel tokenize` finds).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "text/clip_tokenizer.h"
#include "text/default_vocab.h"
#include "util/error.h"

namespace {

using easel::text::ClipTokenizer;
using Clock = std::chrono::steady_clock;

// Prompts in the style people write: subject, setting, style tags, weights, numbers, some non-ASCII text.
std::vector<std::string> make_prompts(size_t n) {
  const std::vector<std::string> subjects = {"a photo of a cat", "an astronaut riding a horse", "portrait of an old fisherman",
      "a red fox in the snow", "a futuristic city skyline", "a bowl of ramen", "a medieval castle on a hill",
      "two robots playing chess", "a lighthouse in a storm", "a cozy café interior", "Crème brûlée on a plate",
      "猫が寝ている", "кот на диване", "a dragon made of glass", "street market in Marrakesh"};
  const std::vector<std::string> settings = {"at sunset", "under the northern lights", "in the rain", "on mars",
      "in a misty forest", "at golden hour", "underwater", "in Tokyo at night", "during a thunderstorm", "in winter"};
  const std::vector<std::string> tags = {"highly detailed", "4k", "8k uhd", "trending on artstation", "octane render",
      "(masterpiece:1.2)", "((best quality))", "[blurry]", "cinematic lighting", "soft focus", "film grain",
      "oil painting", "watercolor", "by Greg Rutkowski", "35mm", "f/1.8", "hyperrealistic", "digital art",
      "🔥", "dramatic", "volumetric fog", "sharp", "bokeh", "award-winning", "&amp; vivid colors", "“moody”"};
  std::mt19937 rng(20240601);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  std::vector<std::string> prompts;
  prompts.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    std::string p = pick(subjects) + " " + pick(settings);
    size_t ntags = 2 + rng() % 12;
    for (size_t t = 0; t < ntags; ++t) p += ", " + pick(tags);
    if (rng() % 4 == 0) p += ", seed " + std::to_string(rng() % 100000);
    if (rng() % 3 == 0) p[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[0])));
    prompts.push_back(std::move(p));
  }
  return prompts;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

int main(int argc, char** argv) try {
  const std::filesystem::path vocab = argc > 1 ? std::filesystem::path(argv[1]) : easel::text::default_clip_vocab();
  constexpr int kRuns = 5;
  std::vector<double> load_s;
  for (int r = 0; r < 3; ++r) {
    auto t0 = Clock::now();
    ClipTokenizer::load(vocab);
    load_s.push_back(seconds_since(t0));
  }
  ClipTokenizer tok = ClipTokenizer::load(vocab);
  const std::vector<std::string> prompts = make_prompts(10000);

  std::printf("CLIP tokenizer, %zu prompts, vocabulary %s (load %.1f ms, median of 3)\n", prompts.size(),
              vocab.string().c_str(), median(load_s) * 1e3);
  std::printf("%-6s %12s %14s %12s %10s\n", "cache", "prompts/s", "tokens/s", "ms/10k", "dropped");
  for (bool warm : {false, true}) {
    std::vector<double> times;
    size_t tokens = 0, dropped = 0;
    for (int r = 0; r < kRuns; ++r) {
      if (!warm) tok.clear_cache();
      tokens = dropped = 0;
      auto t0 = Clock::now();
      for (const auto& p : prompts) {
        ClipTokenizer::Encoded e = tok.encode_padded(p);
        tokens += static_cast<size_t>(std::count(e.mask.begin(), e.mask.end(), 1)) + static_cast<size_t>(e.dropped);
        dropped += static_cast<size_t>(e.dropped);
      }
      times.push_back(seconds_since(t0));
    }
    double s = median(times);
    std::printf("%-6s %12.0f %14.0f %12.1f %10zu\n", warm ? "warm" : "cold", prompts.size() / s, tokens / s, s * 1e3,
                dropped);
  }
  return 0;
} catch (const easel::Error& e) {
  std::fprintf(stderr, "bench_tokenizer: %s\n", e.what());
  return 1;
}
