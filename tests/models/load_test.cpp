// load_weights: exact-name loading with dtype conversion, and every way a checkpoint can fail to fit.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/build_dtype.h"
#include "models/load.h"
#include "util/error.h"

namespace easel::test {
namespace {

struct TinyImpl : torch::nn::Module {
  TinyImpl() {
    fc = register_module("fc", torch::nn::Linear(3, 2));
    register_buffer("scale", torch::ones({2}));
  }
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(Tiny);

io::StateDict good_weights() {
  io::StateDict sd;
  sd.tensors["fc.weight"] = torch::arange(6, torch::kFloat).reshape({2, 3});
  sd.tensors["fc.bias"] = torch::tensor({0.5f, -0.5f});
  sd.tensors["scale"] = torch::tensor({2.0f, 3.0f});
  return sd;
}

// Runs load_weights expecting an easel::Error whose message contains every needle.
void expect_load_error(Tiny& m, const io::StateDict& sd, const std::vector<std::string>& needles) {
  try {
    models::load_weights(*m, sd, "ckpt.safetensors");
    FAIL() << "load_weights accepted a bad state dict";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("ckpt.safetensors"), std::string::npos) << msg;
    for (const auto& n : needles) EXPECT_NE(msg.find(n), std::string::npos) << "'" << n << "' not in: " << msg;
  }
}

TEST(LoadWeights, CopiesByNameAndConvertsDtype) {
  Tiny m;
  io::StateDict sd = good_weights();
  sd.tensors["fc.weight"] = sd.tensors["fc.weight"].to(torch::kHalf);
  sd.tensors["text_model.embeddings.position_ids"] = torch::arange(77).unsqueeze(0);  // known benign
  models::load_weights(*m, sd, "ckpt.safetensors");
  EXPECT_EQ(m->fc->weight.scalar_type(), torch::kFloat);
  EXPECT_TRUE(torch::equal(m->fc->weight, torch::arange(6, torch::kFloat).reshape({2, 3})));
  EXPECT_TRUE(torch::equal(m->fc->bias, torch::tensor({0.5f, -0.5f})));
  EXPECT_TRUE(torch::equal(m->named_buffers()["scale"], torch::tensor({2.0f, 3.0f})));
}

TEST(LoadWeights, LoadsIntoBfloat16Model) {
  Tiny m;
  m->to(torch::kBFloat16);
  models::load_weights(*m, good_weights(), "ckpt.safetensors");
  EXPECT_EQ(m->fc->weight.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(m->fc->weight[1][2].item<float>(), 5.0f);
}

TEST(LoadWeights, BuildInMakesParametersInTheDtypeAndRestoresTheDefault) {
  Tiny m = models::build_in<Tiny>(torch::kBFloat16);
  EXPECT_EQ(m->fc->weight.scalar_type(), torch::kBFloat16);
  EXPECT_EQ(m->named_buffers()["scale"].scalar_type(), torch::kBFloat16);
  EXPECT_EQ(torch::get_default_dtype(), caffe2::TypeMeta::Make<float>());
  models::load_weights(*m, good_weights(), "ckpt.safetensors");
  EXPECT_EQ(m->fc->weight[1][2].item<float>(), 5.0f);
}

TEST(LoadWeights, MissingKeyIsAnErrorAndLeavesModelUntouched) {
  Tiny m;
  const torch::Tensor before = m->fc->weight.clone();
  io::StateDict sd = good_weights();
  sd.tensors.erase("fc.bias");
  expect_load_error(m, sd, {"missing", "fc.bias"});
  EXPECT_TRUE(torch::equal(m->fc->weight, before));
}

TEST(LoadWeights, UnexpectedKeyIsAnError) {
  Tiny m;
  io::StateDict sd = good_weights();
  sd.tensors["fc2.weight"] = torch::zeros({1});
  expect_load_error(m, sd, {"unexpected", "fc2.weight"});
}

TEST(LoadWeights, ShapeMismatchNamesBothShapes) {
  Tiny m;
  io::StateDict sd = good_weights();
  sd.tensors["fc.weight"] = torch::zeros({3, 2});
  expect_load_error(m, sd, {"fc.weight", "[3, 2]", "[2, 3]"});
}

}  // namespace
}  // namespace easel::test
