#include "models/load.h"

#include <set>
#include <sstream>

#include "io/mapped_file.h"
#include "util/error.h"

namespace easel::models {

namespace {
// Keys some writers store and others do not, and that no module here needs: transformers <= 4.30 saved the CLIP
// position_ids buffer (an arange); the models compute it.
const std::set<std::string> kBenignKeys = {"text_model.embeddings.position_ids"};

std::string shape_str(c10::IntArrayRef s) {
  std::ostringstream o;
  o << s;
  return o.str();
}

// The bytes a (non-negatively strided) view reaches from its first element.
size_t span_bytes(const torch::Tensor& t) {
  if (t.numel() == 0) return 0;
  int64_t last = 0;
  for (int64_t d = 0; d < t.dim(); ++d) last += (t.size(d) - 1) * t.stride(d);
  return static_cast<size_t>(last + 1) * t.element_size();
}

// "a, b, c and 12 more"
std::string name_list(const std::vector<std::string>& names) {
  constexpr size_t kShown = 6;
  std::string s;
  for (size_t i = 0; i < names.size() && i < kShown; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > kShown) s += " and " + std::to_string(names.size() - kShown) + " more";
  return s;
}
}  // namespace

void load_weights(torch::nn::Module& module, const io::StateDict& weights, const std::string& source) {
  std::vector<std::pair<std::string, torch::Tensor>> targets;
  for (const auto& p : module.named_parameters(true)) targets.emplace_back(p.key(), p.value());
  for (const auto& b : module.named_buffers(true)) targets.emplace_back(b.key(), b.value());

  std::vector<std::string> missing, unexpected, mismatched;
  std::set<std::string> expected;
  for (const auto& [name, param] : targets) {
    expected.insert(name);
    auto it = weights.tensors.find(name);
    if (it == weights.tensors.end()) {
      missing.push_back(name);
    } else if (it->second.sizes() != param.sizes()) {
      mismatched.push_back(name + " " + shape_str(it->second.sizes()) + " (model expects " +
                           shape_str(param.sizes()) + ")");
    }
  }
  for (const auto& [name, tensor] : weights.tensors)
    if (!expected.count(name) && !kBenignKeys.count(name)) unexpected.push_back(name);

  std::string err;
  if (!missing.empty()) err += std::to_string(missing.size()) + " missing keys: " + name_list(missing) + "; ";
  if (!unexpected.empty())
    err += std::to_string(unexpected.size()) + " unexpected keys: " + name_list(unexpected) + "; ";
  if (!mismatched.empty()) err += "shape mismatch: " + name_list(mismatched) + "; ";
  check(err.empty(), source + ": " + err.substr(0, err.size() - 2));

  torch::NoGradGuard no_grad;
  for (auto& [name, param] : targets) {
    const torch::Tensor& src = weights.tensors.at(name);
    if (src.scalar_type() == param.scalar_type() && src.is_contiguous()) {
      param.set_data(src);  // no copy: the parameter reads the file's (mapped) pages
      continue;
    }
    // Converted in place: the module's own storage is filled, so loading never holds two copies of a model
    // (its construction-time weights freed to a heap that keeps them resident, plus the loaded ones). The file's
    // pages are not needed again: without giving them back a single-file checkpoint stays resident until its last
    // component is loaded (a 2 GB fp16 SD 1.5 file on top of the model being filled).
    param.copy_(src);
    io::release_mapped_pages(src.data_ptr(), span_bytes(src));
  }
}

}  // namespace easel::models
