// Shared by the sampling tests: diffusers' deterministic test inputs and toy model, and float-list files.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace easel::test {

// diffusers tests/schedulers/test_schedulers.py dummy_sample_deter (flip = dummy_noise_deter):
// arange(768) (flipped) reshaped (3, 8, 8, 4) / 768, permuted to (4, 3, 8, 8).
inline torch::Tensor dummy_deter(bool flip) {
  const int64_t n = 4 * 3 * 8 * 8;
  auto x = torch::arange(n, torch::kInt64);
  if (flip) x = x.flip(-1);
  return (x.reshape({3, 8, 8, 4}).to(torch::kFloat32) / n).permute({3, 0, 1, 2});
}

// diffusers' dummy model: sample * t / (t + 1), in float32.
inline torch::Tensor dummy_model(const torch::Tensor& sample, const torch::Tensor& t) {
  auto tf = t.to(torch::kFloat32);
  return sample * tf / (tf + 1);
}

// Comma- and/or newline-separated floats.
inline std::vector<double> read_floats(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& c : text)
    if (c == ',') c = ' ';
  std::istringstream ss(text);
  std::vector<double> v;
  double x;
  while (ss >> x) v.push_back(x);
  return v;
}

// Largest |a - b| over elements, in double.
inline double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

}  // namespace easel::test
