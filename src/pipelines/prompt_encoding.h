// Text conditioning for Stable Diffusion: prompt and negative prompt through the model's text encoder(s), as
// diffusers' StableDiffusionPipeline / StableDiffusionXLPipeline encode_prompt do, plus A1111-style chunking of
// long prompts.
#pragma once
#include <torch/types.h>

#include <string>
#include <vector>

#include "pipelines/sd_model.h"

namespace easel::pipelines {

struct PromptOptions {
  int clip_skip = 1;              // A1111 counting: 1 = all layers, 2 = skip the last
  bool chunk_long_prompts = false;  // false: cut to 77 tokens (diffusers); true: 77-token windows concatenated
  bool zero_negative = false;     // SDXL with an omitted negative: uncond embeddings are zeros (diffusers'
                                  // force_zeros_for_empty_prompt)
};

struct PromptConditioning {
  torch::Tensor context;  // [1, S, D] float32: SD1/SD2 last (or clip-skipped) hidden state; SDXL cat of both towers
  torch::Tensor pooled;   // SDXL: second tower's projected pooled output [1, P]; undefined otherwise
};

struct EncodedPrompts {
  PromptConditioning cond, uncond;  // uncond has the same sequence length as cond
  std::vector<std::string> warnings;  // e.g. how many tokens truncation dropped
};

// Encodes `prompt` and `negative`. SD1/SD2: context = last_hidden_state, or final_layer_norm of an earlier layer
// with clip skip. SDXL: context = cat(hidden state L-clip_skip of each tower) without final norm (diffusers'
// hidden_states[-2] for clip skip 1). Clip skip applies to both prompts, as in A1111 (diffusers skips layers for
// the prompt only). Chunk mode pads the shorter of prompt / negative with empty windows.
EncodedPrompts encode_prompts(SDModel& model, const std::string& prompt, const std::string& negative,
                              const PromptOptions& options);

}  // namespace easel::pipelines
