// `easel train`, `easel export` and `easel vary` from the command line: a real (one-step) run, its model file,
// and the errors a user can hit.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace easel::test {
namespace {

namespace fs = std::filesystem;

TEST(TrainCli, OneStepRunThenExport) {
  TempDir dir;
  const std::string run = (dir.path / "up").string();
  RunResult r = run_easel("train upsampler --out " + run + " --steps 1 --batch 2 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("upsampler step 1/1"), std::string::npos) << r.out;
  ASSERT_TRUE(fs::exists(run + "/checkpoint.safetensors"));
  ASSERT_TRUE(fs::exists(run + "/upsampler.safetensors"));
  EXPECT_TRUE(fs::exists(run + "/samples/upsampler-000001.png"));

  r = run_easel("train upsampler --out " + run + " --steps 1 --batch 2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("--resume"), std::string::npos) << r.out;

  // --init: a new run (fine-tuning) from the model file; a missing file is named.
  const std::string tuned = (dir.path / "tuned").string();
  r = run_easel("train upsampler --out " + tuned + " --steps 1 --batch 2 --threads 1 --init " + run +
                "/upsampler.safetensors");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(tuned + "/upsampler.safetensors"));
  r = run_easel("train upsampler --out " + (dir.path / "t2").string() + " --steps 1 --init " +
                (dir.path / "none.safetensors").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("none.safetensors"), std::string::npos) << r.out;

  const std::string small = (dir.path / "up16.safetensors").string();
  r = run_easel("export " + run + "/upsampler.safetensors " + small + " --dtype bf16");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_LT(fs::file_size(small), fs::file_size(run + "/upsampler.safetensors") * 6 / 10);
  // An existing output is kept unless --overwrite says otherwise.
  r = run_easel("export " + run + "/upsampler.safetensors " + small + " --dtype fp32");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("--overwrite"), std::string::npos) << r.out;
  EXPECT_LT(fs::file_size(small), fs::file_size(run + "/upsampler.safetensors") * 6 / 10);
  r = run_easel("export " + run + "/upsampler.safetensors " + small + " --dtype fp32 --overwrite");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(fs::file_size(small), fs::file_size(run + "/upsampler.safetensors"));
}

TEST(TrainCli, UsageAndInputErrors) {
  TempDir dir;
  EXPECT_EQ(run_easel("train vae --out " + (dir.path / "x").string()).exit_code, 2);
  EXPECT_EQ(run_easel("train clip").exit_code, 2);  // --out is required
  RunResult r = run_easel("train decoder --out " + (dir.path / "d").string() + " --steps 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("--clip"), std::string::npos) << r.out;
  r = run_easel("train clip --out " + (dir.path / "c").string() + " --batch 3 --world-size 2");
  EXPECT_EQ(r.exit_code, 1);  // 3 does not split over 2 ranks; nothing is started
  r = run_easel("export " + (dir.path / "missing.safetensors").string() + " " + (dir.path / "o.safetensors").string());
  EXPECT_EQ(r.exit_code, 1);
}

TEST(VaryCli, Errors) {
  TempDir dir;
  RunResult r = run_easel("vary " + (dir.path / "missing.png").string() + " --model " + dir.path.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("missing.png"), std::string::npos) << r.out;
  EXPECT_EQ(run_easel("vary x.png -n 0").exit_code, 1);
}

}  // namespace
}  // namespace easel::test
