// Shared by the model parity tests: reading oracle refs and comparing tensors with the oracle tolerances.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "io/safetensors.h"

namespace easel::test {

// Component outputs (oracle README: "components atol 1e-4 + rtol 1e-4").
constexpr double kAtol = 1e-4, kRtol = 1e-4;

// The named tensor of a ref file; fails the test when absent.
inline torch::Tensor ref(const io::StateDict& refs, const std::string& name) {
  auto it = refs.tensors.find(name);
  EXPECT_NE(it, refs.tensors.end()) << "ref tensor missing: " << name;
  return it == refs.tensors.end() ? torch::Tensor() : it->second;
}

// Expects actual == expected in shape, and |actual - expected| <= atol + rtol * |expected| everywhere.
inline void expect_close(const torch::Tensor& actual, const torch::Tensor& expected, const std::string& what,
                         double atol = kAtol, double rtol = kRtol) {
  ASSERT_TRUE(actual.defined() && expected.defined()) << what;
  ASSERT_EQ(actual.sizes(), expected.sizes()) << what;
  torch::Tensor a = actual.to(torch::kDouble), e = expected.to(torch::kDouble);
  torch::Tensor excess = (a - e).abs() - (atol + rtol * e.abs());
  EXPECT_LE(excess.max().item<double>(), 0.0)
      << what << ": max abs diff " << (a - e).abs().max().item<double>() << " exceeds atol " << atol << " + rtol "
      << rtol;
}

}  // namespace easel::test
