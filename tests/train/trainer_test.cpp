// The trainer on tiny versions of easel-mini's four models: the loss falls, sampling runs, checkpoints resume
// bit for bit, existing runs are not overwritten.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "eval/judge.h"
#include "io/image.h"
#include "io/safetensors.h"
#include "models/mini_files.h"
#include "sampling/schedule.h"
#include "test_util.h"
#include "train/tiny_configs.h"
#include "text/word_tokenizer.h"
#include "train/ema.h"
#include "train/mini_configs.h"
#include "train/noising.h"
#include "train/trainer.h"
#include "train/world_batch.h"
#include "util/error.h"

namespace easel::test {
namespace {

namespace fs = std::filesystem;

double mean_of(const std::vector<double>& v, size_t from, size_t to) {
  return std::accumulate(v.begin() + long(from), v.begin() + long(to), 0.0) / double(to - from);
}

// train(o) throws easel::Error whose message names `word`; `what` says in a failure what was accepted instead.
void expect_refused_naming(const train::TrainOptions& o, const std::string& word, const std::string& what) {
  try {
    train::train(o);
    ADD_FAILURE() << what << " was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(word), std::string::npos) << e.what();
  }
}

// A tiny CLIP trained once for the whole suite (the prior and decoder need one).
class TinyRuns : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto o = tiny_run("clip", (dir_->path / "clip").string(), 40);
    text::WordTokenizer tok(train::world_vocabulary(1, 2000), 24);
    o.task.tokenizer = tok.to_json();
    o.task.config = tiny_clip_config(tok.vocab_size(), tok.max_length());
    clip_losses_ = train::train(o).losses;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string clip_file() { return (dir_->path / "clip" / "clip.safetensors").string(); }
  // A tiny decoder run of `steps` in the suite's folder `name`, against the suite's CLIP.
  static train::TrainOptions decoder_run(const std::string& name, int64_t steps) {
    auto o = tiny_run("decoder", (dir_->path / name).string(), steps);
    o.task.clip_path = clip_file();
    o.task.config = tiny_decoder_config();
    return o;
  }
  static inline TempDir* dir_ = nullptr;
  static inline std::vector<double> clip_losses_;
};

// A checkpoint exports as a model file: its EMA weights are the <kind>.safetensors the trainer wrote, with the same
// metadata; its trained weights differ from them.
TEST_F(TinyRuns, CheckpointExportsItsEmaAndTrainedWeights) {
  const io::StateDict ckpt = io::load_safetensors((dir_->path / "clip" / "checkpoint.safetensors").string());
  const io::StateDict file = io::load_safetensors(clip_file());
  const io::StateDict ema = train::model_file_of_checkpoint(ckpt, true, "ckpt");
  const io::StateDict trained = train::model_file_of_checkpoint(ckpt, false, "ckpt");
  ASSERT_EQ(ema.tensors.size(), file.tensors.size());
  EXPECT_EQ(ema.metadata, file.metadata);
  bool differ = false;
  for (const auto& [name, t] : file.tensors) {
    EXPECT_TRUE(torch::equal(ema.tensors.at(name), t)) << name;
    differ = differ || !torch::equal(trained.tensors.at(name), t);
  }
  EXPECT_TRUE(differ);
  EXPECT_THROW(train::model_file_of_checkpoint(file, true, "clip.safetensors"), Error);
}

TEST(Ema, DecayWarmsUp) {
  EXPECT_DOUBLE_EQ(train::ema_decay_at(0.999, 0), 0.1);
  EXPECT_DOUBLE_EQ(train::ema_decay_at(0.999, 90), 0.91);
  EXPECT_DOUBLE_EQ(train::ema_decay_at(0.999, 100000), 0.999);
}

TEST_F(TinyRuns, ClipLossFallsAndModelFileLoads) {
  ASSERT_EQ(clip_losses_.size(), 40u);
  EXPECT_LT(mean_of(clip_losses_, 35, 40), 0.9 * mean_of(clip_losses_, 0, 5));
  text::WordTokenizer tok;
  models::MiniClip clip = models::load_mini_clip(clip_file(), &tok);
  EXPECT_GT(tok.vocab_size(), 40);
  EXPECT_TRUE(tok.encode("a red circle above a blue square").unknown.empty());
}

// CLIP's hard negatives (NegCLIP) are a config choice, given as a patch over the default (the CLI's --config) or in
// a whole config: the loss of the same items changes (each image now also competes with captions one fact wrong),
// training runs, the evaluation line reports the hard-negative accuracy; a non-boolean is refused, naming it.
TEST_F(TinyRuns, ClipHardNegativesComeFromItsConfig) {
  text::WordTokenizer tok(train::world_vocabulary(1, 2000), 24);
  auto o = tiny_run("clip", (dir_->path / "clip-plain").string(), 2);
  o.task.tokenizer = tok.to_json();
  o.task.config = tiny_clip_config(tok.vocab_size(), tok.max_length());
  const auto plain = train::train(o).losses;
  o.out_dir = (dir_->path / "clip-negatives").string();
  o.task.config["training"] = {{"hard_negatives", true}};
  const auto hard = train::train(o).losses;
  ASSERT_EQ(hard.size(), 2u);
  EXPECT_TRUE(std::isfinite(hard[0]) && std::isfinite(hard[1]));
  EXPECT_GT(hard[0], plain[0]);  // more captions to tell apart: a larger first loss from the same weights
  const io::StateDict file = io::load_safetensors(o.out_dir + "/clip.safetensors");
  EXPECT_NE(file.metadata.at("config").find("hard_negatives"), std::string::npos);

  auto complete = o;  // complete captions: other captions for the same images, so another first loss
  complete.out_dir = (dir_->path / "clip-complete").string();
  complete.task.config["training"] = {{"complete_captions", 1.0}};
  const auto restated = train::train(complete).losses;
  ASSERT_EQ(restated.size(), 2u);
  EXPECT_TRUE(std::isfinite(restated[0]));
  EXPECT_NE(restated[0], plain[0]);

  auto patched = o;  // a patch without a text encoder config is merged into the default
  patched.out_dir = (dir_->path / "clip-patch").string();
  patched.task.config = nlohmann::json::parse(R"({"training": {"hard_negatives": true}})");
  patched.steps = 1;
  EXPECT_NO_THROW(train::train(patched));
  patched.out_dir = (dir_->path / "clip-bad").string();
  patched.task.config = nlohmann::json::parse(R"({"training": {"hard_negatives": "yes"}})");
  expect_refused_naming(patched, "hard_negatives", "hard_negatives \"yes\"");
  patched.task.config = nlohmann::json::parse(R"({"training": {"relation_negatives": true}})");
  expect_refused_naming(patched, "relation_negatives", "relation_negatives without hard_negatives");
  patched.task.config = nlohmann::json::parse(R"({"training": {"complete_captions": 1.5}})");
  expect_refused_naming(patched, "complete_captions", "complete_captions 1.5");
  patched.task.config = nlohmann::json::parse(R"({"training": {"complete_captions": "all"}})");
  expect_refused_naming(patched, "complete_captions", "complete_captions \"all\"");
  patched.out_dir = (dir_->path / "clip-relations").string();
  patched.task.config = nlohmann::json::parse(R"({"training": {"hard_negatives": true, "relation_negatives": true}})");
  EXPECT_NO_THROW(train::train(patched));
}

TEST_F(TinyRuns, PriorLossFallsAndSamples) {
  auto o = tiny_run("prior", (dir_->path / "prior").string(), 30);
  o.task.clip_path = clip_file();
  o.task.config = tiny_prior_config(24);
  auto r = train::train(o);
  EXPECT_LT(mean_of(r.losses, 25, 30), 0.8 * mean_of(r.losses, 0, 5));
  nlohmann::json sched;
  models::MiniPrior prior = models::load_mini_prior((dir_->path / "prior" / "prior.safetensors").string(), &sched);
  EXPECT_EQ(sched.value("prediction_type", ""), "sample");
}

TEST_F(TinyRuns, DecoderLossFallsAndDrawsAGrid) {
  auto o = decoder_run("decoder", 30);
  auto r = train::train(o);
  EXPECT_LT(mean_of(r.losses, 25, 30), 0.8 * mean_of(r.losses, 0, 5));
  io::Image grid = io::read_image((dir_->path / "decoder" / "samples" / "decoder-000030.png").string());
  EXPECT_EQ(grid.width, 8 * 18);
  EXPECT_EQ(grid.height, 2 * 18);
}

// The decoder's loss weighting is a config choice (training.snr_gamma, 0: unweighted); a negative one is refused.
TEST_F(TinyRuns, DecoderSnrGammaComesFromItsConfig) {
  auto o = decoder_run("weighted", 1);
  const double weighted = train::train(o).losses.at(0);
  o.out_dir = (dir_->path / "unweighted").string();
  o.task.config["training"] = {{"snr_gamma", 0}};
  const double unweighted = train::train(o).losses.at(0);
  // The same items and weights at step 1; Min-SNR weights are <= 1, and < 1 for some of 8 items.
  EXPECT_LT(weighted, unweighted);
  int i = 0;
  for (const char* bad : {R"({"snr_gamma": -1})", R"({"snr_gamma": "five"})", "5"}) {
    o.task.config["training"] = nlohmann::json::parse(bad);
    o.out_dir = (dir_->path / ("bad" + std::to_string(i++))).string();
    expect_refused_naming(o, "snr_gamma", bad);
  }
}

// The decoder's timestep draw is a config choice (training.timesteps): logit_normal trains and changes the loss of
// the same items; an unknown draw is refused, naming the field.
TEST_F(TinyRuns, DecoderTimestepDrawComesFromItsConfig) {
  auto o = decoder_run("uniform-draw", 1);
  const double uniform = train::train(o).losses.at(0);
  o.out_dir = (dir_->path / "logit-normal-draw").string();
  o.task.config["training"] = {{"timesteps", "logit_normal"}};
  const double logit_normal = train::train(o).losses.at(0);
  EXPECT_TRUE(std::isfinite(logit_normal));
  EXPECT_NE(uniform, logit_normal);
  o.task.config["training"] = {{"timesteps", "cosine"}};
  o.out_dir = (dir_->path / "bad-draw").string();
  expect_refused_naming(o, "timesteps", "timesteps \"cosine\"");
}

// The decoder's condition dropout is a config choice (training.drop_both / drop_caption / drop_image): the
// defaults written out are the default run bit for bit; dropping the image embedding alone changes the step-1 loss
// of the same items; shares outside [0, 1] or summing past 1 are refused, naming the field.
TEST_F(TinyRuns, DecoderConditionDropoutComesFromItsConfig) {
  auto o = decoder_run("dropout-default", 1);
  const double by_default = train::train(o).losses.at(0);
  o.out_dir = (dir_->path / "dropout-explicit").string();
  o.task.config["training"] = {{"drop_both", 0.10}, {"drop_caption", 0.15}, {"drop_image", 0.0}};
  EXPECT_EQ(train::train(o).losses.at(0), by_default);
  o.out_dir = (dir_->path / "dropout-image").string();
  o.task.config["training"] = {{"drop_both", 0.10}, {"drop_caption", 0.10}, {"drop_image", 0.5}};
  const double image_dropped = train::train(o).losses.at(0);
  EXPECT_TRUE(std::isfinite(image_dropped));
  EXPECT_NE(image_dropped, by_default);
  int i = 0;
  for (const auto& [bad, word] : std::vector<std::pair<const char*, const char*>>{
           {R"({"drop_image": 1.5})", "drop_image"},
           {R"({"drop_caption": "half"})", "drop_caption"},
           {R"({"drop_both": 0.5, "drop_caption": 0.3, "drop_image": 0.3})", "at most 1"}}) {
    o.task.config["training"] = nlohmann::json::parse(bad);
    o.out_dir = (dir_->path / ("bad-dropout" + std::to_string(i++))).string();
    expect_refused_naming(o, word, bad);
  }
}

// --init: a run starts from a model file's weights (fine-tuning) with the file's config, patched; a checkpoint in
// --out wins over it (resume); a file of another kind and a patch that is not an object are refused, naming them.
TEST_F(TinyRuns, InitStartsARunFromAModelFile) {
  auto source = decoder_run("init-source", 2);
  train::train(source);
  const std::string file = source.out_dir + "/decoder.safetensors";

  const train::InitSettings init = train::init_settings("decoder", file, R"({"training": {"drop_image": 0.3}})");
  nlohmann::json want = tiny_decoder_config();
  want["training"] = {{"drop_image", 0.3}};
  EXPECT_EQ(init.config, want);
  EXPECT_TRUE(init.tokenizer.is_null());

  auto tuned = decoder_run("init-tuned", 1);
  tuned.task.config = init.config;
  tuned.init_from = file;
  tuned.lr = 1e-30;  // one step that moves nothing: the run's weights are the file's
  tuned.warmup = 1;
  const auto r = train::train(tuned);
  EXPECT_EQ(r.first_step, 0);
  const io::StateDict f = io::load_safetensors(file);
  ASSERT_EQ(r.weights.size(), f.tensors.size());
  for (const auto& [name, w] : r.weights)
    EXPECT_TRUE(torch::allclose(w, f.tensors.at(name).to(torch::kFloat), 0, 1e-7)) << name;
  // A fresh run of the same config starts elsewhere.
  auto fresh = tuned;
  fresh.out_dir = (dir_->path / "init-fresh").string();
  fresh.init_from.clear();
  EXPECT_NE(train::train(fresh).losses.at(0), r.losses.at(0));

  auto resumed = tuned;
  resumed.resume = true;
  resumed.steps = 2;
  resumed.init_from = clip_file();  // not a decoder: unused, the checkpoint is resumed
  EXPECT_EQ(train::train(resumed).first_step, 1);

  auto wrong = tuned;
  wrong.out_dir = (dir_->path / "init-wrong-kind").string();
  wrong.init_from = clip_file();
  expect_refused_naming(wrong, clip_file(), "a CLIP file as a decoder's --init");
  // A decoder file of another prediction target (an epsilon decoder) does not start a v run.
  io::StateDict eps = io::load_safetensors(file);
  nlohmann::json sched = nlohmann::json::parse(eps.metadata.at("scheduler"));
  sched["prediction_type"] = "epsilon";
  eps.metadata["scheduler"] = sched.dump();
  const std::string eps_file = (dir_->path / "epsilon-decoder.safetensors").string();
  io::save_safetensors(eps_file, eps.tensors, eps.metadata);
  wrong.out_dir = (dir_->path / "init-wrong-scheduler").string();
  wrong.init_from = eps_file;
  expect_refused_naming(wrong, "epsilon", "an epsilon decoder as a v decoder's --init");
  try {
    train::init_settings("decoder", file, "[1, 2]");
    ADD_FAILURE() << "a --config array was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--config"), std::string::npos) << e.what();
  }
  EXPECT_THROW(train::init_settings("prior", file, ""), Error);
}

// --init into a config that adds weights (the decoder's own text or word layers): the file gives every weight it has, the
// new ones start fresh as the identity, so the first step's loss is the file's own; a file with none of the
// model's weights is refused.
TEST_F(TinyRuns, InitGrowsADecodersTextLayers) {
  auto source = decoder_run("grow-source", 2);
  train::train(source);
  const std::string file = source.out_dir + "/decoder.safetensors";
  auto same = decoder_run("grow-same", 1);
  same.task.config = train::init_settings("decoder", file, "").config;
  same.init_from = file;
  same.lr = 1e-30;
  same.warmup = 1;
  const auto base = train::train(same);

  auto grown = same;
  grown.out_dir = (dir_->path / "grow-grown").string();
  grown.task.config = train::init_settings("decoder", file, R"({"text_layers": 2})").config;
  const auto r = train::train(grown);
  EXPECT_EQ(r.losses.at(0), base.losses.at(0));
  EXPECT_EQ(r.weights.size(), base.weights.size() + 2 * 16);
  for (const auto& [name, w] : base.weights) EXPECT_TRUE(torch::equal(r.weights.at(name), w)) << name;
  EXPECT_TRUE(r.weights.count("text_layers.1.mlp.fc1.weight"));
  // Trained on, the new layers move off the identity.
  auto trained = grown;
  trained.out_dir = (dir_->path / "grow-trained").string();
  trained.lr = 1e-3;
  trained.steps = 3;
  const auto t = train::train(trained);
  EXPECT_GT(t.weights.at("text_layers.0.mlp.fc2.weight").abs().max().item<double>(), 0.0);
  // Word layers too: they add nothing at first (the same first loss), and training reaches them through the
  // caption's word embeddings, which the decoder task passes with each caption (and the empty caption's when dropped).
  auto worded = same;
  worded.out_dir = (dir_->path / "grow-worded").string();
  worded.task.config = train::init_settings("decoder", file, R"({"word_layers": 1})").config;
  EXPECT_EQ(train::train(worded).losses.at(0), base.losses.at(0));
  worded.out_dir = (dir_->path / "grow-worded-trained").string();
  worded.lr = 1e-3;
  worded.steps = 3;
  const auto w = train::train(worded);
  EXPECT_GT(w.weights.at("word_proj.weight").abs().max().item<double>(), 0.0);  // zero stays zero without a gradient

  auto unrelated = same;
  unrelated.out_dir = (dir_->path / "grow-unrelated").string();
  io::StateDict f = io::load_safetensors(file);
  io::TensorMap renamed;
  for (const auto& [name, w] : f.tensors) renamed["old." + name] = w;
  const std::string renamed_file = (dir_->path / "renamed-decoder.safetensors").string();
  io::save_safetensors(renamed_file, renamed, f.metadata);
  unrelated.init_from = renamed_file;
  expect_refused_naming(unrelated, renamed_file, "a decoder file whose weights all have other names");
}

TEST_F(TinyRuns, UpsamplerLossFallsAndDrawsAGrid) {
  auto o = tiny_run("upsampler", (dir_->path / "upsampler").string(), 40);
  o.batch = 4;
  o.task.config = tiny_upsampler_config();
  auto r = train::train(o);
  EXPECT_LT(mean_of(r.losses, 30, 40), 0.8 * mean_of(r.losses, 0, 10));
  io::Image grid = io::read_image((dir_->path / "upsampler" / "samples" / "upsampler-000040.png").string());
  EXPECT_EQ(grid.width, 4 * 130);
  EXPECT_EQ(grid.height, 3 * 130);
}

TEST_F(TinyRuns, ResumeContinuesBitForBit) {
  auto straight = decoder_run("straight", 6);
  auto a = train::train(straight);

  auto first = straight;
  first.out_dir = (dir_->path / "resumed").string();
  first.steps = 3;
  train::train(first);
  auto second = first;
  second.steps = 6;
  second.resume = true;
  second.task.config = nullptr;  // comes from the checkpoint
  auto b = train::train(second);
  EXPECT_EQ(b.first_step, 3);
  ASSERT_EQ(a.weights.size(), b.weights.size());
  for (const auto& [name, w] : a.weights) EXPECT_TRUE(torch::equal(w, b.weights.at(name))) << name;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(a.losses[size_t(3 + i)], b.losses[size_t(i)]);
  auto ca = io::load_safetensors(straight.out_dir + "/checkpoint.safetensors");
  auto cb = io::load_safetensors(second.out_dir + "/checkpoint.safetensors");
  for (const auto& [name, t] : ca.tensors) EXPECT_TRUE(torch::equal(t, cb.tensors.at(name))) << name;
}

// bf16 autocast: convolutions and matmuls in bfloat16 while norms and weights stay float32 (models/activation.h).
TEST_F(TinyRuns, Bf16AutocastTrainsTheDecoder) {
  auto o = decoder_run("bf16", 3);
  o.bf16 = true;
  auto r = train::train(o);
  ASSERT_EQ(r.losses.size(), 3u);
  for (double l : r.losses) EXPECT_TRUE(std::isfinite(l) && l > 0 && l < 10) << l;
  for (const auto& [name, w] : r.weights) EXPECT_EQ(w.scalar_type(), torch::kFloat) << name;
}

TEST_F(TinyRuns, RefusesToOverwriteARunAndToResumeAnotherKind) {
  auto o = tiny_run("upsampler", (dir_->path / "existing").string(), 1);
  o.task.config = tiny_upsampler_config();
  train::train(o);
  EXPECT_THROW(train::train(o), Error);  // checkpoint exists, no --resume
  o.kind = "prior";
  o.resume = true;
  o.task.clip_path = clip_file();
  EXPECT_THROW(train::train(o), Error);  // a checkpoint of the upsampler
}

// A run made for another noise schedule or prediction target (an epsilon decoder, before v-prediction) is not
// resumed as if it were this one.
TEST_F(TinyRuns, RefusesToResumeARunOfAnotherScheduler) {
  auto o = tiny_run("upsampler", (dir_->path / "old-scheduler").string(), 1);
  o.task.config = tiny_upsampler_config();
  train::train(o);
  const std::string ckpt = o.out_dir + "/checkpoint.safetensors";
  io::StateDict sd = io::load_safetensors(ckpt);
  nlohmann::json meta = nlohmann::json::parse(sd.metadata.at("easel.train"));
  nlohmann::json sched = nlohmann::json::parse(meta["metadata"]["scheduler"].get<std::string>());
  sched["prediction_type"] = "epsilon";
  meta["metadata"]["scheduler"] = sched.dump();
  sd.metadata["easel.train"] = meta.dump();
  io::save_safetensors(ckpt, sd.tensors, sd.metadata);
  o.resume = true;
  o.steps = 2;
  expect_refused_naming(o, "epsilon", "a checkpoint of another scheduler");
}

// The training targets are the ones the samplers read back: x0 from (x_t, v) and from (x_t, eps) is the item.
TEST(Noising, TargetsInvertToTheCleanItem) {
  torch::Tensor x0 = torch::rand({4, 3, 2, 2}) * 2 - 1;
  torch::Tensor abar = sampling::make_alphas_cumprod(sampling::NoiseConfig::from_json(train::decoder_scheduler()));
  train::NoisedItems n = train::noise_items(x0, abar, 7, 1, 0, 1);
  ASSERT_EQ(n.abar.sizes(), (std::vector<int64_t>{4, 1, 1, 1}));
  torch::Tensor v = train::training_target(n, x0, sampling::Prediction::VPrediction);
  EXPECT_TRUE(torch::allclose(n.abar.sqrt() * n.x_t - (1 - n.abar).sqrt() * v, x0, 1e-5, 1e-5));
  for (auto p : {sampling::Prediction::Epsilon, sampling::Prediction::Sample, sampling::Prediction::VPrediction})
    EXPECT_TRUE(torch::allclose(train::predicted_x0(n, train::training_target(n, x0, p), p), x0, 1e-4, 1e-4));
  EXPECT_TRUE(torch::equal(train::training_target(n, x0, sampling::Prediction::Epsilon), n.noise));
  EXPECT_TRUE(torch::equal(train::training_target(n, x0, sampling::Prediction::Sample), x0));
  EXPECT_EQ(sampling::NoiseConfig::from_json(train::decoder_scheduler()).prediction_type,
            sampling::Prediction::VPrediction);
}

// The logit-normal draw: every t in [0, T), about 68% of them in the middle [269, 731) (a uniform draw puts 46%
// there), symmetric about T / 2, and the same draws for the same (seed, stream, items).
TEST(Noising, LogitNormalTimestepsFavourTheMiddle) {
  torch::Tensor abar = sampling::make_alphas_cumprod(sampling::NoiseConfig::from_json(train::decoder_scheduler()));
  torch::Tensor x0 = torch::zeros({4000, 1});
  auto draw = [&](train::TimestepDraw d) { return train::noise_items(x0, abar, 7, 3, 0, 1, d).t; };
  torch::Tensor t = draw(train::TimestepDraw::LogitNormal);
  EXPECT_GE(t.min().item<int64_t>(), 0);
  EXPECT_LT(t.max().item<int64_t>(), 1000);
  const double middle = t.ge(269).logical_and(t.lt(731)).to(torch::kFloat).mean().item<double>();
  EXPECT_NEAR(middle, 0.68, 0.03);
  EXPECT_NEAR(t.to(torch::kFloat).mean().item<double>(), 500, 15);
  const torch::Tensor u = draw(train::TimestepDraw::Uniform);
  EXPECT_NEAR(u.ge(269).logical_and(u.lt(731)).to(torch::kFloat).mean().item<double>(), 0.462, 0.03);
  EXPECT_TRUE(torch::equal(t, draw(train::TimestepDraw::LogitNormal)));
}

// Min-SNR weights: the weight each target puts on x0 (SNR for epsilon, SNR + 1 for v, 1 for the sample) is capped
// at gamma, so weight * k = min(k, gamma); noisy items keep their full weight.
TEST(Noising, CappedSnrWeightsCapTheWeightOnX0) {
  train::NoisedItems n;
  n.abar = torch::tensor({0.999f, 0.9f, 0.5f, 0.01f}).view({4, 1, 1, 1});
  const torch::Tensor snr = (n.abar / (1 - n.abar)).view({4}).to(torch::kDouble);
  const std::vector<std::pair<sampling::Prediction, torch::Tensor>> cases = {
      {sampling::Prediction::Epsilon, snr}, {sampling::Prediction::VPrediction, snr + 1},
      {sampling::Prediction::Sample, torch::ones({4}, torch::kDouble)}};
  for (const auto& [prediction, k] : cases) {
    torch::Tensor w = train::capped_snr_weights(n, prediction, 5.0);
    ASSERT_EQ(w.sizes(), (std::vector<int64_t>{4}));
    EXPECT_TRUE(torch::allclose(w.to(torch::kDouble) * k, k.clamp_max(5.0), 1e-4, 1e-6)) << w;
  }
  // v at abar 0.5 (k = 2) and 0.01 keeps weight 1; at 0.9 (k = 10) half; at 0.999 (k = 1000) 1/200.
  torch::Tensor wv = train::capped_snr_weights(n, sampling::Prediction::VPrediction, 5.0);
  EXPECT_TRUE(torch::allclose(wv, torch::tensor({0.005f, 0.5f, 1.0f, 1.0f}), 1e-4, 1e-4)) << wv;
}

TEST(Noising, WeightedMseWeighsEachItemsMeanSquaredError) {
  torch::Tensor out = torch::zeros({2, 1, 2, 2});
  torch::Tensor target = torch::cat({torch::full({1, 1, 2, 2}, 1.0f), torch::full({1, 1, 2, 2}, 3.0f)});
  // item errors 1 and 9; weights 0.5 and 2: (0.5 + 18) / 2
  EXPECT_FLOAT_EQ(train::weighted_mse(out, target, torch::tensor({0.5f, 2.0f})).item<float>(), 9.25f);
  EXPECT_FLOAT_EQ(train::weighted_mse(out, target, torch::ones({2})).item<float>(),
                  torch::mse_loss(out, target).item<float>());
}

TEST(Trainer, PriorAndDecoderNeedAClip) {
  TempDir dir;
  auto o = tiny_run("decoder", (dir.path / "d").string(), 1);
  EXPECT_THROW(train::train(o), Error);
  o.task.clip_path = (dir.path / "missing.safetensors").string();
  EXPECT_THROW(train::train(o), Error);
}

TEST(Trainer, RejectsBadOptions) {
  TempDir dir;
  auto o = tiny_run("upsampler", (dir.path / "u").string(), 0);
  EXPECT_THROW(train::train(o), Error);
  o.steps = 1;
  o.kind = "vae";
  EXPECT_THROW(train::train(o), Error);
}

// Warm-up, constant, then (with decay_from) a linear fall to 0 at the last step; a bad decay_from is refused.
TEST(Trainer, LearningRateWarmsUpHoldsAndDecays) {
  train::TrainOptions o;
  o.lr = 1e-3;
  o.warmup = 10;
  o.steps = 100;
  EXPECT_DOUBLE_EQ(train::learning_rate_at(o, 0), 1e-4);
  EXPECT_DOUBLE_EQ(train::learning_rate_at(o, 9), 1e-3);
  EXPECT_DOUBLE_EQ(train::learning_rate_at(o, 99), 1e-3);
  o.decay_from = 80;
  EXPECT_DOUBLE_EQ(train::learning_rate_at(o, 79), 1e-3);
  EXPECT_DOUBLE_EQ(train::learning_rate_at(o, 80), 1e-3);
  EXPECT_DOUBLE_EQ(train::learning_rate_at(o, 90), 0.5e-3);
  EXPECT_DOUBLE_EQ(train::learning_rate_at(o, 99), 0.05e-3);
  TempDir dir;
  auto bad = tiny_run("upsampler", (dir.path / "u").string(), 2);
  bad.decay_from = 2;
  EXPECT_THROW(train::train(bad), Error);
}

// The decoder's "judged" figure: clean renders of the training stream at the decoder's 32x32 pass their own captions,
// and fail the next item's.
TEST(Trainer, JudgedRateOfCleanDecoderSizedRendersIsHigh) {
  train::WorldBatch b = train::world_batch(7, 0, 48, 32);
  const std::vector<io::Image> images = io::tensor_to_images(b.images);
  EXPECT_GE(eval::pass_rate(images, b.captions), 0.9);
  std::vector<std::string> shifted(b.captions.begin() + 1, b.captions.end());
  shifted.push_back(b.captions.front());
  EXPECT_LE(eval::pass_rate(images, shifted), 0.1);
  EXPECT_THROW(eval::pass_rate(images, {b.captions.front()}), Error);
}

// `easel train --config`: a JSON merge patch over the default config.
TEST(Trainer, PatchedConfigMergesOverTheDefault) {
  EXPECT_TRUE(train::patched_config("decoder", "").is_null());
  nlohmann::json c = train::patched_config("decoder", R"({"unet": {"layers_per_block": 2}})");
  EXPECT_EQ(c["unet"]["layers_per_block"], 2);
  EXPECT_EQ(c["unet"]["block_out_channels"], train::default_decoder_config()["unet"]["block_out_channels"]);
  EXPECT_THROW(train::patched_config("decoder", "{oops"), Error);
  EXPECT_THROW(train::patched_config("decoder", "[1]"), Error);
  // clip's default depends on the vocabulary: its patch goes to the task as it is.
  EXPECT_EQ(train::patched_config("clip", R"({"training": {"hard_negatives": true}})"),
            nlohmann::json::parse(R"({"training": {"hard_negatives": true}})"));
  EXPECT_THROW(train::patched_config("vae", "{}"), Error);
}

}  // namespace
}  // namespace easel::test
