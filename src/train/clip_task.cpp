// Trains easel-mini's CLIP: contrastive pairs of rendered scenes and their captions (Radford et al. 2021).
#include <torch/torch.h>

#include <sstream>

#include "models/mini_clip.h"
#include "train/mini_configs.h"
#include "train/tasks.h"
#include "train/world_batch.h"

namespace easel::train {
namespace {

class ClipTask : public Task {
 public:
  explicit ClipTask(const TaskOptions& o) : seed_(o.seed) {
    if (o.tokenizer.is_null()) {
      tokenizer_ = text::WordTokenizer(world_vocabulary(o.seed, 20000), 32);
    } else {
      tokenizer_ = text::WordTokenizer::from_json(o.tokenizer, "checkpoint");
    }
    config_ = o.config.is_null() ? default_clip_config(tokenizer_.vocab_size(), tokenizer_.max_length()) : o.config;
    model_ = models::MiniClip(models::MiniClipConfig::from_json(config_, "clip config"));
  }
  std::string kind() const override { return "clip"; }
  torch::nn::Module& module() override { return *model_; }

  torch::Tensor loss(uint64_t first, int64_t count) override {
    WorldBatch b = world_batch(seed_, first, count, int(model_->config.image_size));
    return model_->contrastive_loss(b.images, tokenizer_.encode_batch(b.captions));
  }

  // Retrieval accuracy in a batch of 256 validation items: image -> its caption and caption -> its image.
  std::string evaluate() override {
    WorldBatch b = world_batch(validation_seed(seed_), 0, 256, int(model_->config.image_size));
    torch::Tensor img = model_->encode_image(b.images);
    torch::Tensor txt = model_->encode_text(tokenizer_.encode_batch(b.captions)).embeds;
    torch::Tensor sim = img.matmul(txt.t());
    torch::Tensor labels = torch::arange(256, torch::kInt64);
    const double i2t = sim.argmax(1).eq(labels).to(torch::kFloat).mean().item<double>();
    const double t2i = sim.argmax(0).eq(labels).to(torch::kFloat).mean().item<double>();
    std::ostringstream s;
    s.precision(3);
    s << "val top1 image->text " << i2t << " text->image " << t2i;
    return s.str();
  }

  std::optional<io::Image> sample_grid() override { return std::nullopt; }

  std::map<std::string, std::string> metadata() const override {
    return {{"config", config_.dump()}, {"tokenizer", tokenizer_.to_json().dump()}};
  }

 private:
  uint64_t seed_;
  text::WordTokenizer tokenizer_;
  nlohmann::json config_;
  models::MiniClip model_{nullptr};
};

}  // namespace

std::unique_ptr<Task> make_clip_task(const TaskOptions& o) { return std::make_unique<ClipTask>(o); }

}  // namespace easel::train
