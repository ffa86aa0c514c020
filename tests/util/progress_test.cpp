#include "util/progress.h"
#include "util/error.h"

#include <gtest/gtest.h>

TEST(Error, CheckThrowsWithMessage) {
  EXPECT_NO_THROW(easel::check(true, "never"));
  try {
    easel::check(false, "model.safetensors: truncated");
    FAIL() << "check(false) did not throw";
  } catch (const easel::Error& e) {
    EXPECT_STREQ(e.what(), "model.safetensors: truncated");
  }
}

TEST(Progress, CountsStepsWithoutOutputWhenDisabled) {
  testing::internal::CaptureStderr();
  {
    easel::Progress p("steps", 4, /*enabled=*/false);
    for (int i = 0; i < 4; ++i) p.step();
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(Progress, PrintsStepCountsWhenEnabled) {
  testing::internal::CaptureStderr();
  {
    easel::Progress p("steps", 2);
    p.step();
    p.step();
  }
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("steps 2/2"), std::string::npos) << err;
}
