// End-to-end cost of the built-in model (easel-mini): the time of each stage of one txt2img call (CLIP text
// encoding, prior, decoder, upsampler, PNG encoding) and the total, for n = 1 and n = 4 images as one batch, with
// the decoder in float32 and under bf16 autocast (sampling.json's decoder.bf16) whatever the model's setting; then
// the same for variations of one of those images, from fresh noise and from its inverted latent (the model's
// sampling.json settings otherwise). Medians over repeats; two tables on stdout.
//
// Usage: bench_unclip [--model DIR] [--repeats N] [--threads N] [--prompt TEXT]
//        (DIR defaults to the built-in model's folder, as `easel generate` finds it)
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "io/image.h"
#include "pipelines/unclip.h"
#include "util/error.h"
#include "util/allocator.h"
#include "util/blas_kernels.h"

using namespace easel;

namespace {

double now_s() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// unclip_generate's own stage times (text, prior, decoder, upsampler, png), the PNG column with the images'
// encoding added.
std::vector<double> timed_generate(pipelines::UnclipModel &m, const std::string &prompt, int n, uint64_t seed,
                                   const pipelines::UnclipSettings &s) {
  pipelines::UnclipOutput out = pipelines::unclip_generate(m, prompt, n, seed, s);
  std::vector<double> t;
  for (const auto &[stage, seconds] : out.stage_seconds) t.push_back(seconds);
  check(t.size() == 5, "unclip_generate reported " + std::to_string(t.size()) + " stages, expected 5");
  const double t0 = now_s();
  size_t bytes = 0;
  for (const auto &im : out.images) bytes += io::encode_png(im).size();
  t.back() += now_s() - t0;
  check(bytes > 0, "no PNG bytes");
  return t;
}

// unclip_vary's stage times by name: inversion (0 when variations start from fresh noise), decoder, upsampler,
// and the total of all stages.
std::vector<double> timed_vary(pipelines::UnclipModel &m, const io::Image &source, int n, uint64_t seed,
                               bool invert) {
  pipelines::UnclipSettings s = m.settings;
  s.variation.invert = invert;
  pipelines::UnclipOutput out = pipelines::unclip_vary(m, source, "", n, seed, s);
  std::vector<double> t(4, 0.0);
  for (const auto &[stage, seconds] : out.stage_seconds) {
    if (stage == "inversion") t[0] = seconds;
    if (stage == "decoder") t[1] = seconds;
    if (stage == "upsampler") t[2] = seconds;
    t[3] += seconds;
  }
  return t;
}

}  // namespace

int main(int argc, char **argv) try {
  easel::tune_allocator();  // as the easel CLI does
  easel::use_fast_blas_kernels();
  std::string dir, prompt = "a yellow heart to the left of a purple square";
  int repeats = 3, threads = 2;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw Error(k + " needs a value");
      return argv[++i];
    };
    if (k == "--model")
      dir = next();
    else if (k == "--repeats")
      repeats = std::stoi(next());
    else if (k == "--threads")
      threads = std::stoi(next());
    else if (k == "--prompt")
      prompt = next();
    else
      throw Error("unknown option " + k + " (see the header of bench/bench_unclip.cpp)");
  }
  torch::set_num_threads(threads);
  if (dir.empty()) dir = pipelines::builtin_model_dir();
  double t0 = now_s();
  pipelines::UnclipModel m = pipelines::load_unclip(dir);
  const double load_s = now_s() - t0;

  std::printf("easel-mini txt2img, %s, %d thread(s), median of %d runs (load %.2f s)\n", dir.c_str(), threads, repeats,
              load_s);
  std::printf("%-8s %-3s %8s %8s %8s %10s %8s %8s %10s\n", "decoder", "n", "text s", "prior s", "decoder s",
              "upsampler s", "png s", "total s", "s/image");
  for (bool bf16 : {false, true})
    for (int n : {1, 4}) {
      pipelines::UnclipSettings s = m.settings;
      s.decoder.bf16 = bf16;
      std::vector<std::vector<double>> runs(5);
      std::vector<double> totals;
      timed_generate(m, prompt, n, 0, s);  // warm-up: oneDNN primitives, allocator
      for (int r = 0; r < repeats; ++r) {
        std::vector<double> t = timed_generate(m, prompt, n, uint64_t(r + 1), s);
        double total = 0;
        for (size_t i = 0; i < t.size(); ++i) {
          runs[i].push_back(t[i]);
          total += t[i];
        }
        totals.push_back(total);
      }
      std::printf("%-8s %-3d %8.3f %8.3f %9.3f %11.3f %8.3f %8.3f %10.3f\n", bf16 ? "bf16" : "fp32", n,
                  median(runs[0]), median(runs[1]), median(runs[2]), median(runs[3]), median(runs[4]), median(totals),
                  median(totals) / n);
    }

  const io::Image source = pipelines::unclip_generate(m, prompt, 1, 0, m.settings).images.at(0);
  std::printf("\neasel-mini variations of one of those images (eta %.2g from the inverted latent)\n",
              m.settings.variation.eta);
  std::printf("%-9s %-3s %12s %10s %12s %8s %10s\n", "start", "n", "inversion s", "decoder s", "upsampler s",
              "total s", "s/image");
  for (bool invert : {false, true})
    for (int n : {1, 4}) {
      std::vector<std::vector<double>> runs(4);
      timed_vary(m, source, n, 0, invert);  // warm-up
      for (int r = 0; r < repeats; ++r) {
        std::vector<double> t = timed_vary(m, source, n, uint64_t(r + 1), invert);
        for (size_t i = 0; i < t.size(); ++i) runs[i].push_back(t[i]);
      }
      std::printf("%-9s %-3d %12.3f %10.3f %12.3f %8.3f %10.3f\n", invert ? "inverted" : "fresh", n, median(runs[0]),
                  median(runs[1]), median(runs[2]), median(runs[3]), median(runs[3]) / n);
    }
  return 0;
} catch (const std::exception &e) {
  std::fprintf(stderr, "bench_unclip: %s\n", e.what());
  return 1;
}
