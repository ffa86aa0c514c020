// Trains easel-mini's decoder: a 32x32 diffusion model conditioned on the scene's CLIP image embedding and its
// caption. Condition dropout teaches the unconditional model classifier-free guidance needs: by default both are
// dropped together 10% of the time and the caption alone another 15% (variations without a caption). The paper drops
// the caption 50% of the time (Ramesh et al. 2022, sec. 2.1), but its CLIP embedding carries the picture; here the
// caption is the exact spec and the 128-d embedding of a small CLIP tells shapes apart poorly (top-1 0.75). With the
// Min-SNR weights below this did not yet beat the paper's settings at a like budget (MODEL_CARD.md, "second try").
// The config's {"training": {"drop_both", "drop_caption", "drop_image"}} sets the three shares; dropping the image
// embedding alone makes the decoder draw from the caption by itself (what the small CLIP's embedding loses, e.g.
// sizes, only the caption says).
#include <torch/torch.h>

#include <sstream>

#include "eval/judge.h"
#include "io/image.h"
#include "models/mini_decoder.h"
#include "pipelines/unclip_stages.h"
#include "sampling/schedule.h"
#include "train/grid.h"
#include "train/mini_configs.h"
#include "train/noising.h"
#include "train/tasks.h"
#include "train/world_batch.h"
#include "util/error.h"

namespace easel::train {
namespace {

constexpr double kDropBoth = 0.10, kDropCaption = 0.15, kDropImage = 0.0;
constexpr double kSnrCap = 5;  // Hang et al. 2023's gamma; config {"training": {"snr_gamma": G}}, 0: unweighted

class DecoderTask : public Task {
 public:
  explicit DecoderTask(const TaskOptions& o) : seed_(o.seed), clip_(o.clip_path) {
    config_ = o.config.is_null() ? default_decoder_config() : o.config;
    model_ = models::MiniDecoder(models::MiniDecoderConfig::from_json(config_, "decoder config"));
    noise_ = sampling::NoiseConfig::from_json(decoder_scheduler());
    abar_ = sampling::make_alphas_cumprod(noise_);
    const nlohmann::json training = config_.value("training", nlohmann::json::object());
    const nlohmann::json gamma = training.is_object() ? training.value("snr_gamma", nlohmann::json(kSnrCap)) : nullptr;
    check(gamma.is_number() && gamma.get<double>() >= 0,
          "decoder config: \"training\" must be an object whose snr_gamma is a number >= 0");
    snr_gamma_ = gamma.get<double>();
    const nlohmann::json draw = training.value("timesteps", nlohmann::json("uniform"));
    check(draw == "uniform" || draw == "logit_normal",
          "decoder config: training.timesteps must be \"uniform\" or \"logit_normal\"");
    draw_ = draw == "uniform" ? TimestepDraw::Uniform : TimestepDraw::LogitNormal;
    auto share = [&](const char* key, double fallback) {
      const nlohmann::json v = training.value(key, nlohmann::json(fallback));
      check(v.is_number() && v.get<double>() >= 0 && v.get<double>() <= 1,
            std::string("decoder config: training.") + key + " must be a number in [0, 1]");
      return v.get<double>();
    };
    drop_both_ = share("drop_both", kDropBoth);
    drop_caption_ = share("drop_caption", kDropCaption);
    drop_image_ = share("drop_image", kDropImage);
    check(drop_both_ + drop_caption_ + drop_image_ <= 1,
          "decoder config: training.drop_both + drop_caption + drop_image must be at most 1");
    empty_ = pipelines::encode_prompts(clip_.clip, clip_.tokenizer, {""});
  }
  std::string kind() const override { return "decoder"; }
  torch::nn::Module& module() override { return *model_; }

  struct Inputs {
    torch::Tensor images, image_embeds;
    pipelines::TextCondition text;
    std::vector<std::string> captions;
  };
  Inputs inputs(uint64_t seed, uint64_t first, int64_t count) {
    torch::NoGradGuard no_grad;
    WorldBatch b = world_batch(seed, first, count, int(model_->config.image_size));
    return {b.images, clip_.clip->encode_image(b.images),
            pipelines::encode_prompts(clip_.clip, clip_.tokenizer, b.captions), b.captions};
  }

  torch::Tensor loss(uint64_t first, int64_t count) override {
    Inputs in = inputs(seed_, first, count);
    NoisedItems n = noise_items(in.images, abar_, seed_, /*stream=*/3, first, 1, draw_);
    // One uniform per item picks its share: [0, both) drops both, then the caption alone, then the image alone.
    const torch::Tensor u = n.uniform.select(1, 0);
    const double caption_end = drop_both_ + drop_caption_;
    torch::Tensor drop_image =
        u.lt(drop_both_).logical_or(u.ge(caption_end).logical_and(u.lt(caption_end + drop_image_))).unsqueeze(1);
    torch::Tensor drop_text = u.lt(caption_end);
    torch::Tensor img = torch::where(drop_image, model_->null_image_embed.unsqueeze(0).expand_as(in.image_embeds),
                                     in.image_embeds);
    auto caption_or_empty = [&](const torch::Tensor& empty, const torch::Tensor& given) {  // per item
      std::vector<int64_t> shape(given.dim(), 1);
      shape[0] = -1;
      return torch::where(drop_text.view(shape), empty.expand_as(given), given);
    };
    torch::Tensor emb = caption_or_empty(empty_.embeds, in.text.embeds),
                  hid = caption_or_empty(empty_.hidden, in.text.hidden),
                  words = caption_or_empty(empty_.words, in.text.words);
    torch::Tensor out = model_(n.x_t, n.t, img, emb, hid, words);
    torch::Tensor target = training_target(n, in.images, noise_.prediction_type);
    torch::Tensor weights = snr_gamma_ > 0 ? capped_snr_weights(n, noise_.prediction_type, snr_gamma_)
                                           : torch::ones({out.size(0)});
    return weighted_mse(out, target, weights);
  }

  // On 64 validation items: the training loss (against the scheduler's prediction target, at fixed draws, so
  // comparable across steps), and the fraction of the decoder's images, drawn from the items' true CLIP image
  // embeddings and captions with the default sampler settings, that the judge passes against their captions. The
  // second measures the decoder alone, without the prior and the upsampler (judged at the decoder's own size,
  // where clean 32x32 renders pass: eval/self_check.h).
  std::string evaluate() override {
    Inputs in = inputs(validation_seed(seed_), 0, 64);
    NoisedItems n = noise_items(in.images, abar_, seed_, /*stream=*/98, 0, 1);
    const torch::Tensor out = model_(n.x_t, n.t, in.image_embeds, in.text.embeds, in.text.hidden, in.text.words);
    const double l = torch::mse_loss(out, training_target(n, in.images, noise_.prediction_type)).item<double>();
    // The clean image's RMS error (in 8-bit levels) per quarter of the timesteps: where the decoder is weak.
    const torch::Tensor x0_err =
        (predicted_x0(n, out, noise_.prediction_type) - in.images).pow(2).flatten(1).mean(1);
    const int64_t T = abar_.size(0);
    std::ostringstream bands;
    bands.precision(3);
    for (int q = 0; q < 4; ++q) {
      const torch::Tensor in_band = n.t.ge(q * T / 4).logical_and(n.t.lt((q + 1) * T / 4));
      const double rms = in_band.any().item<bool>() ? x0_err.index({in_band}).mean().sqrt().item<double>() : 0.0;
      bands << (q ? " " : "") << rms * 127.5;
    }
    at::Generator gen = item_generator(seed_, 96, 0);
    torch::Tensor drawn = pipelines::sample_decoder(model_, noise_, in.image_embeds, in.text, empty_, {}, gen);
    const double judged = eval::pass_rate(io::tensor_to_images(drawn), in.captions);
    std::ostringstream o;
    o.precision(4);
    o << "val loss " << l << ", judged " << judged << ", x0 rms (8-bit levels) by t quarter " << bands.str();
    return o.str();
  }

  // Top row: 8 validation scenes; bottom row: the decoder's images from their CLIP image embeddings and captions.
  std::optional<io::Image> sample_grid() override {
    Inputs in = inputs(validation_seed(seed_), 0, 8);
    at::Generator gen = item_generator(seed_, 97, 0);
    torch::Tensor out = pipelines::sample_decoder(model_, noise_, in.image_embeds, in.text, empty_, {}, gen);
    return image_grid(torch::cat({in.images, out}), 8);
  }

  std::map<std::string, std::string> metadata() const override {
    return {{"config", config_.dump()}, {"scheduler", decoder_scheduler().dump()}};
  }

 private:
  uint64_t seed_;
  FrozenClip clip_;
  nlohmann::json config_;
  models::MiniDecoder model_{nullptr};
  sampling::NoiseConfig noise_;
  torch::Tensor abar_;
  double snr_gamma_ = kSnrCap;
  double drop_both_ = kDropBoth, drop_caption_ = kDropCaption, drop_image_ = kDropImage;
  TimestepDraw draw_ = TimestepDraw::Uniform;  // config {"training": {"timesteps": "uniform" | "logit_normal"}}
  pipelines::TextCondition empty_;
};

}  // namespace

std::unique_ptr<Task> make_decoder_task(const TaskOptions& o) { return std::make_unique<DecoderTask>(o); }

}  // namespace easel::train
