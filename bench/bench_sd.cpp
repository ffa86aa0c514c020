// Stable Diffusion 1.5 speed and memory on the CPU, with random weights in the real architecture (the diffusers
// SD1.5 configs below): seconds per denoising step at 512x512 with classifier-free guidance (UNet batch 2), text
// encoding (batch 2: prompt + negative), VAE decode at 512x512 and 1024x1024 (2x2 tiles of 72 latent pixels,
// overlap 16); peak RSS; float32 and bfloat16 weights. Each row runs in a fresh child process (this binary re-run with --child) so its peak RSS is
// its own. The UNet row adds the step's FLOPs, counted analytically from the layer shapes (convolutions, linear
// layers and attention matmuls; norms and activations left out), and the implied GFLOP/s against the 400 GFLOP/s
// bf16 floor of this 2-core machine.
// The generate row is the whole product: `easel generate` (this binary's sibling) at 512x512 from a random SD 1.5
// single file in the CompVis layout with float16 weights, as the common download is (written once by this bench:
// io::join_ldm_checkpoint), timed end to end with the child's peak RSS (wait4): load, text, steps, decode, PNG.
// Usage: bench_sd [--repeats 3] [--steps 1] [--dtypes fp32,bf16] [--rows text,unet,vae512,vae1024,bf16diff,generate]
//                 [--threads N (default: every CPU, as easel)] [--diff-latent 64 (latent size of the bf16diff row)]
//                 [--profile PREFIX (the unet row also writes PREFIX-<dtype>.json, a chrome trace of one call)]
//                 [--workdir /tmp/easel-bench-sd (the checkpoint and images of the generate row)]
//                 [--generate-steps 4 (its denoising steps)]
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "io/ldm_layout.h"
#include "io/safetensors.h"
#include "models/autoencoder_kl.h"
#include "models/build_dtype.h"
#include "models/clip_text_model.h"
#include "models/unet2d_condition.h"
#include "models/vae_tiling.h"
#include "util/allocator.h"
#include "util/blas_kernels.h"
#include "util/cpu_threads.h"

using namespace easel::models;

namespace {

// runwayml/stable-diffusion-v1-5 unet/, vae/ and text_encoder/ config.json values.
UNetConfig sd15_unet() {
  return UNetConfig::from_json({{"block_out_channels", {320, 640, 1280, 1280}},
                                {"down_block_types", {"CrossAttnDownBlock2D", "CrossAttnDownBlock2D",
                                                      "CrossAttnDownBlock2D", "DownBlock2D"}},
                                {"up_block_types", {"UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D",
                                                    "CrossAttnUpBlock2D"}},
                                {"layers_per_block", 2},
                                {"attention_head_dim", 8},
                                {"cross_attention_dim", 768},
                                {"in_channels", 4},
                                {"out_channels", 4},
                                {"sample_size", 64}});
}
AutoencoderKLConfig sd15_vae() {
  return AutoencoderKLConfig::from_json({{"block_out_channels", {128, 256, 512, 512}},
                                         {"layers_per_block", 2},
                                         {"latent_channels", 4},
                                         {"sample_size", 512}});
}
CLIPTextConfig sd15_text() {
  return CLIPTextConfig::from_json({{"hidden_size", 768},
                                    {"intermediate_size", 3072},
                                    {"num_hidden_layers", 12},
                                    {"num_attention_heads", 12},
                                    {"hidden_act", "quick_gelu"}});
}

// FLOPs (2 per multiply-add) of one UNet forward on [batch, in, h, w] with a `seq`-token context.
double unet_flops(const UNetConfig& c, int64_t batch, int64_t h, int64_t w, int64_t seq) {
  double f = 0;
  auto conv = [&](double hw, double cin, double cout, double k) { f += 2 * hw * cin * cout * k * k; };
  auto resnet = [&](double hw, double cin, double cout) {
    conv(hw, cin, cout, 3);
    conv(hw, cout, cout, 3);
    if (cin != cout) conv(hw, cin, cout, 1);
  };
  auto transformer = [&](double hw, double ch, int64_t layers, double ctx_dim) {
    conv(hw, ch, ch, 1);  // proj_in
    conv(hw, ch, ch, 1);  // proj_out
    for (int64_t l = 0; l < layers; ++l) {
      f += 2 * hw * ch * ch * 4 + 2 * 2 * hw * hw * ch;          // self-attention: q,k,v,out; QK^T, AV
      f += 2 * hw * ch * ch * 2 + 2 * seq * ctx_dim * ch * 2;    // cross-attention: q,out; k,v of the context
      f += 2 * 2 * hw * seq * ch;                                // cross QK^T, AV
      f += 2 * hw * ch * 8 * ch + 2 * hw * 4 * ch * ch;          // GEGLU feed-forward
    }
  };
  const auto& boc = c.block_out_channels;
  const size_t n = boc.size();
  double hw = double(h) * w;
  conv(hw, c.in_channels, boc[0], 3);
  std::vector<double> skips{double(boc[0])};
  double ch = boc[0];
  for (size_t i = 0; i < n; ++i) {
    for (int64_t l = 0; l < c.layers_per_block[i]; ++l) {
      resnet(hw, ch, boc[i]);
      ch = boc[i];
      if (c.down_block_types[i] == "CrossAttnDownBlock2D")
        transformer(hw, ch, c.transformer_layers[i], c.cross_attention_dim[i]);
      skips.push_back(ch);
    }
    if (i + 1 < n) {
      hw /= 4;
      conv(hw, ch, ch, 3);
      skips.push_back(ch);
    }
  }
  resnet(hw, ch, ch);
  transformer(hw, ch, c.mid_transformer_layers, c.cross_attention_dim.back());
  resnet(hw, ch, ch);
  for (size_t j = 0; j < n; ++j) {
    const size_t i = n - 1 - j;
    for (int64_t l = 0; l <= c.layers_per_block[i]; ++l) {
      resnet(hw, ch + skips.back(), boc[i]);
      skips.pop_back();
      ch = boc[i];
      if (c.up_block_types[j] == "CrossAttnUpBlock2D")
        transformer(hw, ch, c.reverse_transformer_layers[j], c.cross_attention_dim[i]);
    }
    if (j + 1 < n) {
      hw *= 4;
      conv(hw, ch, ch, 3);
    }
  }
  conv(hw, boc[0], c.out_channels, 3);
  return f * batch;
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;  // KiB on Linux
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Builds a module directly in `dtype`, as load_sd_model does, so a bf16 run never holds a float32 copy.
template <typename M, typename C>
M build(const C& config, torch::ScalarType dtype) {
  M m = build_in<M>(dtype, config);
  m->eval();
  return m;
}

std::string checkpoint_path(const std::string& workdir) { return workdir + "/sd15-random-fp16.safetensors"; }

// One row, run in this (child) process; prints "RESULT <median s> <peak RSS MB> <extra>".
int run_child(const std::string& row, torch::ScalarType dtype, int repeats, int steps, int64_t diff_latent,
              const std::string& profile, const std::string& workdir) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  std::vector<double> times;
  double extra = 0;
  auto timed = [&](auto&& fn) {
    for (int r = 0; r < repeats * steps; ++r) {
      const double t0 = now_s();
      fn();
      times.push_back(now_s() - t0);
      std::fprintf(stderr, "call %d: %.3f s\n", r, times.back());
    }
  };
  if (row == "text") {
    auto te = build<CLIPTextModel>(sd15_text(), dtype);
    const torch::Tensor ids = torch::randint(0, 49407, {2, 77});
    timed([&] { te->forward(ids); });
  } else if (row == "unet") {
    auto unet = build<UNet2DConditionModel>(sd15_unet(), dtype);
    const torch::Tensor x = torch::randn({2, 4, 64, 64}).to(dtype), t = torch::tensor({999, 999}),
                        ctx = torch::randn({2, 77, 768}).to(dtype);
    timed([&] { unet->forward(x, t, ctx); });
    if (!profile.empty()) {  // one more call, traced op by op (chrome://tracing JSON)
      torch::autograd::profiler::RecordProfile trace(profile);
      unet->forward(x, t, ctx);
    }
  } else if (row == "vae512" || row == "vae1024") {
    auto vae = build<AutoencoderKL>(sd15_vae(), dtype);
    const int64_t s = row == "vae512" ? 64 : 128;
    const torch::Tensor z = torch::randn({1, 4, s, s}).to(dtype);
    timed([&] { row == "vae512" ? vae->decode(z) : decode_tiled(*vae, z, 72, 16); });
  } else if (row == "write") {
    // The random SD 1.5 single file of the generate row (float16, CompVis layout).
    std::map<std::string, easel::io::TensorMap> components;
    auto add = [&](const std::string& name, const torch::nn::Module& m) {
      for (const auto& p : m.named_parameters()) components[name][p.key()] = p.value().to(torch::kHalf);
      for (const auto& b : m.named_buffers()) components[name][b.key()] = b.value();
    };
    add("unet", *build<UNet2DConditionModel>(sd15_unet(), torch::kFloat));
    add("vae", *build<AutoencoderKL>(sd15_vae(), torch::kFloat));
    add("text_encoder", *build<CLIPTextModel>(sd15_text(), torch::kFloat));
    const double t0 = now_s();
    easel::io::save_safetensors(checkpoint_path(workdir), easel::io::join_ldm_checkpoint(components));
    times.push_back(now_s() - t0);
  } else if (row == "bf16diff") {
    // One UNet call in float32 and with the same weights in bf16: max |difference| relative to max |fp32 out|.
    auto unet = build<UNet2DConditionModel>(sd15_unet(), torch::kFloat);
    const torch::Tensor x = torch::randn({2, 4, diff_latent, diff_latent}), t = torch::tensor({500, 500}),
                        ctx = torch::randn({2, 77, 768});
    const double t0 = now_s();
    const torch::Tensor ref = unet->forward(x, t, ctx);
    unet->to(torch::kBFloat16);
    const torch::Tensor out = unet->forward(x.to(torch::kBFloat16), t, ctx.to(torch::kBFloat16)).to(torch::kFloat);
    times.push_back(now_s() - t0);
    extra = (out - ref).abs().max().item<double>();
    std::printf("DIFF max_abs %.5g max_abs_ref %.5g mean_abs %.5g\n", extra, ref.abs().max().item<double>(),
                (out - ref).abs().mean().item<double>());
  } else {
    std::fprintf(stderr, "bench_sd: unknown row %s\n", row.c_str());
    return 2;
  }
  std::printf("RESULT %.6f %.1f %.6g\n", median(times), peak_rss_mb(), extra);
  return 0;
}

// Runs argv to its end; returns {wall seconds, peak RSS MB} (-1 s when it failed).
std::pair<double, double> run_measured(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const double t0 = now_s();
  const pid_t pid = fork();
  if (pid == 0) {
    execv(argv[0], argv.data());  // inherits OMP_NUM_THREADS, set by --threads
    _exit(127);
  }
  int status = 0;
  rusage u{};
  if (pid < 0 || wait4(pid, &status, 0, &u) != pid) return {-1, -1};
  const double secs = now_s() - t0;
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return {ok ? secs : -1, u.ru_maxrss / 1024.0};
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  easel::tune_allocator();  // as the easel CLI does
  easel::use_fast_blas_kernels();
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // rows appear as they finish, also when piped
  int repeats = 3, steps = 1, threads = 0, diff_latent = 64, generate_steps = 4;
  std::string dtypes = "fp32,bf16", rows = "text,unet,vae512,vae1024,bf16diff,generate", child, child_dtype = "fp32",
              profile, workdir = "/tmp/easel-bench-sd";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--repeats") repeats = std::max(1, std::stoi(v));
    else if (k == "--steps") steps = std::max(1, std::stoi(v));
    else if (k == "--threads") threads = std::stoi(v);
    else if (k == "--diff-latent") diff_latent = std::max(8, std::stoi(v));
    else if (k == "--dtypes") dtypes = v;
    else if (k == "--rows") rows = v;
    else if (k == "--child") child = v;
    else if (k == "--dtype") child_dtype = v;
    else if (k == "--profile") profile = v;
    else if (k == "--workdir") workdir = v;
    else if (k == "--generate-steps") generate_steps = std::max(1, std::stoi(v));
    else {
      std::fprintf(stderr, "bench_sd: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (threads > 0) {
    torch::set_num_threads(threads);
    setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);  // the easel child of the generate row
  } else {
    easel::use_all_cpus();  // as the easel CLI (and so the generate row's child) does
  }
  if (!child.empty())
    return run_child(child, child_dtype == "bf16" ? torch::kBFloat16 : torch::kFloat, repeats, steps, diff_latent,
                     profile, workdir);

  // popen runs a shell, so /proc/self/exe must be resolved here.
  char exe[4096] = {};
  const ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  const std::string self = len > 0 ? std::string(exe, len) : argv[0];
  const double step_flops = unet_flops(sd15_unet(), 2, 64, 64, 77);
  std::printf("SD 1.5 architecture, random weights, %d thread(s); median of %d run(s) x %d call(s)\n",
              torch::get_num_threads(), repeats, steps);
  std::printf("UNet step at 512x512 with CFG (batch 2): %.1f GFLOP (analytic); bf16 floor at 400 GFLOP/s: %.2f s\n",
              step_flops / 1e9, step_flops / 400e9);
  std::printf("%-26s %-5s %10s %12s %10s %10s\n", "row", "dtype", "median s", "peak RSS MB", "GFLOP/s", "x floor");
  const char* names[] = {"text", "text encode (2x77 tok)", "unet", "UNet step 512 CFG", "vae512",
                         "VAE decode 512", "vae1024", "VAE decode 1024 tiled", "bf16diff", "bf16 vs fp32 UNet"};
  const std::string checkpoint = checkpoint_path(workdir);
  for (const std::string& dtype : split_list(dtypes)) {
    for (const std::string& row : split_list(rows)) {
      if (row == "bf16diff" && dtype != "bf16") continue;
      if (row == "generate") {
        std::filesystem::create_directories(workdir);
        if (!std::filesystem::exists(checkpoint)) {
          const auto [secs, rss] = run_measured({self, "--child", "write", "--workdir", workdir});
          std::printf("%-26s %-5s %10.2f %12.0f  %s\n", "write SD 1.5 single file", "fp16", secs, rss,
                      checkpoint.c_str());
        }
        const std::string easel = std::filesystem::path(self).parent_path() / "easel";
        std::vector<double> secs_runs;
        double rss = -1;
        for (int r = 0; r < repeats; ++r) {
          std::vector<std::string> args{easel, "generate", "a photo of an astronaut riding a horse on mars",
                                        "--model", checkpoint, "--size", "512x512", "--steps",
                                        std::to_string(generate_steps), "--dtype", dtype, "--seed", "0", "-q",
                                        "--overwrite", "-o", workdir + "/generate-" + dtype + ".png"};
          const auto [s, m] = run_measured(args);
          if (s < 0) break;
          secs_runs.push_back(s);
          rss = std::max(rss, m);
        }
        const std::string label = "easel generate 512, " + std::to_string(generate_steps) + " st";
        if (secs_runs.size() < size_t(repeats))
          std::printf("%-26s %-5s %10s\n", label.c_str(), dtype.c_str(), "failed");
        else
          std::printf("%-26s %-5s %10.2f %12.0f\n", label.c_str(), dtype.c_str(), median(secs_runs), rss);
        continue;
      }
      const std::string cmd = self + " --child " + row + " --dtype " + dtype + " --repeats " +
                              std::to_string(repeats) + " --steps " + std::to_string(steps) +
                              (threads > 0 ? " --threads " + std::to_string(threads) : "") +
                              " --diff-latent " + std::to_string(diff_latent) +
                              (profile.empty() || row != "unet" ? "" : " --profile " + profile + "-" + dtype + ".json");
      FILE* p = popen(cmd.c_str(), "r");
      double secs = -1, rss = -1, extra = 0;
      char line[512];
      std::string diff;
      while (p && std::fgets(line, sizeof line, p)) {
        if (std::sscanf(line, "RESULT %lf %lf %lf", &secs, &rss, &extra) == 3) continue;
        if (std::string(line).rfind("DIFF", 0) == 0) diff = line;
      }
      if (p) pclose(p);
      std::string label = row;
      for (size_t i = 0; i + 1 < std::size(names); i += 2)
        if (row == names[i]) label = names[i + 1];
      if (secs < 0) {
        std::printf("%-26s %-5s %10s\n", label.c_str(), dtype.c_str(), "failed");
        continue;
      }
      if (row == "unet") {
        const double gflops = step_flops / secs / 1e9;
        std::printf("%-26s %-5s %10.2f %12.0f %10.1f %10.2f\n", label.c_str(), dtype.c_str(), secs, rss, gflops,
                    secs / (step_flops / 400e9));
      } else {
        std::printf("%-26s %-5s %10.2f %12.0f %10s %10s\n", label.c_str(), dtype.c_str(), secs, rss, "", "");
      }
      if (!diff.empty()) std::printf("    %s", diff.c_str());
    }
  }
  return 0;
}
