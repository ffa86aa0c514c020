// Trains easel-mini's diffusion prior: predict a scene's CLIP image embedding from its caption (Ramesh et al.
// 2022, sec. 2.2: the model predicts the unnoised embedding; the caption is dropped 10% of the time for
// classifier-free guidance).
#include <torch/torch.h>

#include <sstream>

#include "models/mini_prior.h"
#include "pipelines/unclip_stages.h"
#include "sampling/schedule.h"
#include "train/mini_configs.h"
#include "train/noising.h"
#include "train/tasks.h"
#include "train/world_batch.h"

namespace easel::train {
namespace {

class PriorTask : public Task {
 public:
  explicit PriorTask(const TaskOptions& o) : seed_(o.seed), clip_(o.clip_path) {
    config_ = o.config.is_null() ? default_prior_config(clip_.tokenizer.max_length()) : o.config;
    model_ = models::MiniPrior(models::MiniPriorConfig::from_json(config_, "prior config"));
    noise_ = sampling::NoiseConfig::from_json(prior_scheduler());
    abar_ = sampling::make_alphas_cumprod(noise_);
    empty_ = pipelines::encode_prompts(clip_.clip, clip_.tokenizer, {""});
  }
  std::string kind() const override { return "prior"; }
  torch::nn::Module& module() override { return *model_; }

  torch::Tensor loss(uint64_t first, int64_t count) override {
    WorldBatch b = world_batch(seed_, first, count, int(clip_.clip->config.image_size));
    torch::Tensor x0, emb, hid;
    {
      torch::NoGradGuard no_grad;
      x0 = clip_.clip->encode_image(b.images);
      auto cond = pipelines::encode_prompts(clip_.clip, clip_.tokenizer, b.captions);
      emb = cond.embeds;
      hid = cond.hidden;
    }
    NoisedItems n = noise_items(x0, abar_, seed_, /*stream=*/2, first, 1);
    torch::Tensor drop = n.uniform.select(1, 0).lt(0.1);
    emb = torch::where(drop.unsqueeze(1), empty_.embeds.expand_as(emb), emb);
    hid = torch::where(drop.view({-1, 1, 1}), empty_.hidden.expand_as(hid), hid);
    return torch::mse_loss(model_(n.x_t, n.t, emb, hid), training_target(n, x0, noise_.prediction_type));
  }

  // Mean cosine similarity between sampled and true image embeddings of 64 validation scenes, next to the
  // text embedding's own similarity (what the prior must beat).
  std::string evaluate() override {
    WorldBatch b = world_batch(validation_seed(seed_), 0, 64, int(clip_.clip->config.image_size));
    torch::Tensor truth = clip_.clip->encode_image(b.images);
    auto cond = pipelines::encode_prompts(clip_.clip, clip_.tokenizer, b.captions);
    at::Generator gen = item_generator(seed_, 99, 0);
    torch::Tensor sampled = pipelines::sample_prior(model_, noise_, cond, empty_, {}, gen);
    const double s = torch::cosine_similarity(sampled, truth, 1).mean().item<double>();
    const double t = torch::cosine_similarity(cond.embeds, truth, 1).mean().item<double>();
    std::ostringstream o;
    o.precision(3);
    o << "val cos(prior sample, image) " << s << " (text embedding: " << t << ")";
    return o.str();
  }

  std::optional<io::Image> sample_grid() override { return std::nullopt; }

  std::map<std::string, std::string> metadata() const override {
    return {{"config", config_.dump()}, {"scheduler", prior_scheduler().dump()}};
  }

 private:
  uint64_t seed_;
  FrozenClip clip_;
  nlohmann::json config_;
  models::MiniPrior model_{nullptr};
  sampling::NoiseConfig noise_;
  torch::Tensor abar_;
  pipelines::TextCondition empty_;
};

}  // namespace

std::unique_ptr<Task> make_prior_task(const TaskOptions& o) { return std::make_unique<PriorTask>(o); }

}  // namespace easel::train
