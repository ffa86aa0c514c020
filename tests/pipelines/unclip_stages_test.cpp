// The upsampler stage on a tiny random upsampler: tiled sampling (64x64 windows, as it was trained) is used on
// images larger than the window, the whole image otherwise, and bad windows are refused. The candidates' selection
// (the prior's and the decoder's) on a tiny random CLIP: per item, the candidate closest to its target. Caption
// guidance and the bf16 decoder on a tiny random decoder. Decoding from given latents (inverted variations): the
// decoder's DDIM inversion, and its latents shared by the candidates.
#include <gtest/gtest.h>
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "pipelines/unclip_stages.h"
#include "sampling/schedule.h"
#include "train/mini_configs.h"
#include "train/tiny_configs.h"
#include "util/error.h"

namespace easel::test {
namespace {

torch::Tensor upsample(models::MiniUpsampler& up, const torch::Tensor& low, int window) {
  pipelines::UpsamplerSettings s;
  s.steps = 2;
  s.window = window;
  at::Generator gen = at::detail::createCPUGenerator(3);
  return pipelines::sample_upsampler(up, sampling::NoiseConfig::from_json(train::upsampler_scheduler()), low, s, gen);
}

TEST(UnclipStages, UpsamplerRunsInWindowsOnLargeImages) {
  torch::manual_seed(0);
  models::MiniUpsampler up(models::MiniUpsamplerConfig::from_json(tiny_upsampler_config(), "tiny"));
  up->eval();
  torch::Tensor low = torch::rand({2, 3, 32, 32}) * 2 - 1;
  torch::Tensor tiled = upsample(up, low, 64);
  ASSERT_EQ(tiled.sizes(), (std::vector<int64_t>{2, 3, 128, 128}));
  EXPECT_TRUE(torch::equal(tiled, upsample(up, low, 64)));       // reproducible
  EXPECT_FALSE(torch::allclose(tiled, upsample(up, low, 0)));    // 9 windows are not the whole image
  EXPECT_TRUE(torch::equal(upsample(up, low, 128), upsample(up, low, 0)));  // a window that holds it: whole
  EXPECT_THROW(upsample(up, low, 60), Error);  // not a multiple of 2 x scale
}

TEST(UnclipStages, PickCandidatesTakesEachItemsBestScoredRow) {
  // 3 candidates of 2 items: candidate k of item b at row k * 2 + b, its value 10 k + b.
  torch::Tensor candidates = torch::tensor({0.0, 1.0, 10.0, 11.0, 20.0, 21.0}).reshape({6, 1});
  torch::Tensor scores = torch::tensor({0.1, 0.9, 0.8, 0.2, 0.3, 0.5}).reshape({3, 2});
  torch::Tensor picked = pipelines::pick_candidates(candidates, scores);
  EXPECT_TRUE(torch::equal(picked, torch::tensor({10.0, 1.0}).reshape({2, 1}))) << picked;
  EXPECT_THROW(pipelines::pick_candidates(candidates, scores.slice(0, 0, 2)), Error);  // 6 rows, 4 scores
}

TEST(UnclipStages, KeepClosestImagesKeepsTheOneCLIPMatchesToItsTarget) {
  torch::manual_seed(0);
  models::MiniClip clip(models::MiniClipConfig::from_json(tiny_clip_config(40, 8), "tiny"));
  clip->eval();
  torch::Tensor wanted = torch::rand({2, 3, 16, 16}) * 2 - 1, other = torch::rand({2, 3, 16, 16}) * 2 - 1;
  torch::Tensor targets;
  {
    torch::NoGradGuard no_grad;
    targets = clip->encode_image(wanted);
  }
  // The wanted image of item 0 is its second candidate, of item 1 its first.
  torch::Tensor images = torch::cat({other[0].unsqueeze(0), wanted[1].unsqueeze(0), wanted[0].unsqueeze(0),
                                     other[1].unsqueeze(0)});
  EXPECT_TRUE(torch::equal(pipelines::keep_closest_images(clip, images, targets), wanted));
  EXPECT_TRUE(torch::equal(pipelines::keep_closest_images(clip, wanted, targets), wanted));  // one each: as given
  EXPECT_THROW(pipelines::keep_closest_images(clip, images.slice(0, 0, 3), targets), Error);
}

// A tiny random decoder, two image embeddings, their captions and the empty caption; draw() samples them in 3
// steps from seed 5.
struct TinyDecoding {
  models::MiniDecoder decoder{nullptr};
  sampling::NoiseConfig noise = sampling::NoiseConfig::from_json(train::decoder_scheduler());
  torch::Tensor embeds;
  pipelines::TextCondition empty, caption;
  TinyDecoding() {
    torch::manual_seed(0);
    decoder = models::MiniDecoder(models::MiniDecoderConfig::from_json(tiny_decoder_config(), "tiny"));
    decoder->eval();
    embeds = torch::randn({2, 32});
    empty = {torch::randn({1, 32}), torch::randn({1, 5, 32})};
    caption = {torch::randn({2, 32}), torch::randn({2, 5, 32})};
  }
  torch::Tensor draw(pipelines::DecoderSettings s, const pipelines::TextCondition& cond) {
    s.steps = 3;
    at::Generator gen = at::detail::createCPUGenerator(5);
    return pipelines::sample_decoder(decoder, noise, embeds, cond, empty, s, gen);
  }
};

// Caption guidance adds caption_guidance * (cond - embedding alone): nothing when the caption is the empty one (the
// two rows are the same), a different image when it is not; 0 is plain guidance.
TEST(UnclipStages, CaptionGuidanceAmplifiesWhatTheCaptionAdds) {
  TinyDecoding t;
  auto draw = [&](const pipelines::TextCondition& cond, double caption_guidance) {
    pipelines::DecoderSettings s;
    s.caption_guidance = caption_guidance;
    return t.draw(s, cond);
  };
  const torch::Tensor plain = draw(t.caption, 0);
  ASSERT_EQ(plain.sizes(), (std::vector<int64_t>{2, 3, 16, 16}));
  EXPECT_FALSE(torch::allclose(draw(t.caption, 2.0), plain, 1e-3, 1e-3)) << "caption guidance changed nothing";
  const pipelines::TextCondition no_caption = pipelines::repeat(t.empty, 2);
  EXPECT_TRUE(torch::allclose(draw(no_caption, 2.0), draw(no_caption, 0), 1e-5, 1e-5))
      << "with the empty caption there is nothing to amplify";
}

// The decoder under bf16 autocast: float32 images like the float32 decoder's, near them but not the same (its
// convolutions rounded to bfloat16); autocast is off again afterwards.
TEST(UnclipStages, Bf16DecoderDrawsNearTheFloat32One) {
  TinyDecoding t;
  pipelines::DecoderSettings s;
  const torch::Tensor fp32 = t.draw(s, t.caption);
  s.bf16 = true;
  const torch::Tensor bf16 = t.draw(s, t.caption);
  EXPECT_EQ(bf16.scalar_type(), torch::kFloat32);
  EXPECT_FALSE(at::autocast::is_cpu_enabled()) << "autocast left on";
  const double diff = (bf16 - fp32).abs().mean().item<double>();
  EXPECT_GT(diff, 0.0) << "bf16 changed nothing";
  EXPECT_LT(diff, 0.05) << "bf16 drew another picture";
}

// The decoder started from given latents: at eta 0 nothing is drawn, so every candidate of an item is the same
// image whatever the generator; at eta > 0 they differ. Latents of the wrong shape are refused, naming the shape.
TEST(UnclipStages, DecoderStartsFromGivenLatentsSharedByItsCandidates) {
  TinyDecoding t;
  auto& [decoder, noise, embeds, empty, caption] = t;
  const torch::Tensor images = torch::rand({2, 3, 64, 64}) * 2 - 1;
  int calls = 0;
  const torch::Tensor x_T =
      pipelines::invert_decoder(decoder, noise, images, embeds, caption, 4, 0, [&](int, int) { ++calls; });
  EXPECT_EQ(calls, 4);
  ASSERT_EQ(x_T.sizes(), (std::vector<int64_t>{2, 3, 16, 16})) << "inverted at the decoder's size";
  auto draw = [&](double eta, uint64_t seed, const torch::Tensor& start) {
    pipelines::DecoderSettings s;
    s.steps = 4;
    s.candidates = 3;
    s.eta = eta;
    at::Generator gen = at::detail::createCPUGenerator(seed);
    return pipelines::sample_decoder(decoder, noise, embeds, caption, empty, s, gen, {}, start);
  };
  const torch::Tensor still = draw(0, 1, x_T);
  ASSERT_EQ(still.sizes(), (std::vector<int64_t>{6, 3, 16, 16}));
  EXPECT_TRUE(torch::equal(still, draw(0, 2, x_T))) << "eta 0 from given latents drew noise";
  // The same latents give the same image in every candidate's rows: bit for bit where the CPU's kernels treat every
  // row of a batch alike, within float rounding where they do not (an AVX2 machine's batched products).
  EXPECT_LT((still.slice(0, 0, 2) - still.slice(0, 4, 6)).abs().max().item<double>(), 1e-4)
      << "candidates of an item differ at eta 0";
  EXPECT_FALSE(torch::equal(still.slice(0, 0, 1), still.slice(0, 1, 2))) << "the two items share a latent";
  const torch::Tensor free = draw(1, 1, x_T);
  EXPECT_FALSE(torch::allclose(free.slice(0, 0, 2), free.slice(0, 2, 4), 1e-3, 1e-3)) << "eta 1 drew no noise";
  EXPECT_THROW(draw(0, 1, x_T.slice(0, 0, 1)), Error);  // one latent for two embeddings
  EXPECT_THROW(draw(0, 1, torch::zeros({2, 3, 8, 8})), Error);
  EXPECT_THROW(pipelines::invert_decoder(decoder, noise, images.slice(0, 0, 1), embeds, caption, 4), Error);
}

}  // namespace
}  // namespace easel::test
