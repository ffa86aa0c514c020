// Filling a model's parameters from a checkpoint by name: the module's registered names are the diffusers /
// transformers keys, so a state dict in that layout loads directly (single-file layouts are renamed first).
#pragma once
#include <torch/nn/module.h>

#include <string>

#include "io/state_dict.h"

namespace easel::models {

// Sets every parameter and buffer of `module` to the tensor of the same name in `weights`, converted to the
// parameter's dtype: a contiguous tensor already of that dtype is shared, not copied; any other is converted into
// the parameter's own storage, and the pages it occupied in a mapped checkpoint are given back to the kernel
// (io::release_mapped_pages), so a load holds one copy of the model, not two. Throws easel::Error naming `source`
// and the offending keys when a parameter has no tensor (missing), a tensor matches no parameter (unexpected;
// known-benign buffers such as text_model.embeddings.position_ids excepted) or shapes differ. Nothing is
// modified when it throws, so a failed load never leaves random weights behind.
void load_weights(torch::nn::Module& module, const io::StateDict& weights, const std::string& source);

}  // namespace easel::models
