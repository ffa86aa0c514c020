#include "pipelines/prompt_encoding.h"

#include <torch/torch.h>

#include "util/error.h"

namespace easel::pipelines {

namespace {

constexpr int kWindow = 77;  // CLIP's context length (tokenizer model_max_length)

// Token windows of `text` for one tower: one truncated window, or every 77-token chunk.
std::vector<std::vector<int>> token_windows(const SDTextEncoder& e, const std::string& text, bool chunk,
                                            int& dropped) {
  if (chunk) return e.tokenizer.encode_chunks(text, kWindow, e.pad);
  auto enc = e.tokenizer.encode_padded(text, kWindow, e.pad, true);
  dropped = enc.dropped;
  return {enc.ids};
}

torch::Tensor ids_tensor(const std::vector<int>& ids) {
  return torch::tensor(std::vector<int64_t>(ids.begin(), ids.end()), torch::kLong).unsqueeze(0);
}

// Per tower, the windows of one text, padded with empty-prompt windows to `count`.
using TowerWindows = std::vector<std::vector<std::vector<int>>>;

PromptConditioning encode_windows(SDModel& model, const TowerWindows& windows, int clip_skip) {
  std::vector<torch::Tensor> per_window;
  PromptConditioning c;
  for (size_t w = 0; w < windows[0].size(); ++w) {
    std::vector<torch::Tensor> per_tower;
    for (size_t k = 0; k < model.encoders.size(); ++k) {
      auto& enc = model.encoders[k].model;
      auto out = enc->forward(ids_tensor(windows[k][w]));
      if (model.is_sdxl()) {
        // diffusers StableDiffusionXLPipeline.encode_prompt: hidden_states[-(clip_skip + 2)], no final norm.
        const int64_t L = enc->config.num_hidden_layers;
        check(clip_skip >= 1 && clip_skip <= L,
              "clip skip must be between 1 and " + std::to_string(L) + ", got " + std::to_string(clip_skip));
        per_tower.push_back(out.hidden_states[L - clip_skip].to(torch::kFloat));
        if (k == 1 && w == 0) c.pooled = out.text_embeds.to(torch::kFloat);
      } else {
        per_tower.push_back(enc->clip_skip(out, clip_skip).to(torch::kFloat));
      }
    }
    per_window.push_back(torch::cat(per_tower, -1));
  }
  c.context = torch::cat(per_window, 1);
  return c;
}

std::string dropped_warning(const char* what, int dropped) {
  return std::string(what) + " is too long for CLIP's 77-token window: the last " + std::to_string(dropped) +
         " token(s) were dropped (use --long-prompt chunk to keep them)";
}

}  // namespace

EncodedPrompts encode_prompts(SDModel& model, const std::string& prompt, const std::string& negative,
                              const PromptOptions& options) {
  c10::InferenceMode guard;
  EncodedPrompts r;
  TowerWindows pos, neg;
  for (const auto& e : model.encoders) {
    int dropped_pos = 0, dropped_neg = 0;
    pos.push_back(token_windows(e, prompt, options.chunk_long_prompts, dropped_pos));
    neg.push_back(token_windows(e, negative, options.chunk_long_prompts, dropped_neg));
    if (&e == &model.encoders[0]) {
      if (dropped_pos) r.warnings.push_back(dropped_warning("prompt", dropped_pos));
      if (dropped_neg && !options.zero_negative) r.warnings.push_back(dropped_warning("negative prompt", dropped_neg));
    }
    // A1111 chunking: both sides get the same number of windows, the shorter padded with empty ones.
    const auto empty = e.tokenizer.encode_chunks("", kWindow, e.pad).front();
    while (pos.back().size() < neg.back().size()) pos.back().push_back(empty);
    while (neg.back().size() < pos.back().size()) neg.back().push_back(empty);
  }
  r.cond = encode_windows(model, pos, options.clip_skip);
  if (options.zero_negative) {
    r.uncond.context = torch::zeros_like(r.cond.context);
    if (r.cond.pooled.defined()) r.uncond.pooled = torch::zeros_like(r.cond.pooled);
  } else {
    r.uncond = encode_windows(model, neg, options.clip_skip);
  }
  return r;
}

}  // namespace easel::pipelines
