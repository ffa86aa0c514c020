#include "train/trainer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "io/image.h"
#include "io/model_family.h"
#include "io/safetensors.h"
#include "models/load.h"
#include "models/mini_files.h"
#include "train/adamw.h"
#include "train/ema.h"
#include "train/mini_configs.h"
#include "util/autocast.h"
#include "util/error.h"

namespace easel::train {

namespace fs = std::filesystem;

namespace {

std::string format_duration(double s) {
  char buf[32];
  const int t = int(s);
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%dh%02dm", t / 3600, t / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%dm%02ds", t / 60, t % 60);
  return buf;
}

void check_options(const TrainOptions& o, int world) {
  check(!o.out_dir.empty(), "train: --out DIR is required");
  check(o.steps >= 1 && o.batch >= 1, "train: --steps and --batch must be >= 1");
  check(o.batch % world == 0, "train: --batch " + std::to_string(o.batch) + " must divide evenly over " +
                                  std::to_string(world) + " processes");
  check(o.lr > 0 && o.ema_decay >= 0 && o.ema_decay < 1, "train: --lr must be > 0 and --ema in [0, 1)");
  check(o.log_every >= 1 && o.save_every >= 1 && o.sample_every >= 1, "train: intervals must be >= 1");
  check(o.decay_from >= 0 && o.decay_from < o.steps, "train: --decay-from must be 0 (no decay) or below --steps");
}

}  // namespace

double learning_rate_at(const TrainOptions& o, int64_t step) {
  const double warm = std::min(1.0, double(step + 1) / double(std::max<int64_t>(o.warmup, 1)));
  const double decay = o.decay_from > 0 && step >= o.decay_from
                           ? double(o.steps - step) / double(o.steps - o.decay_from)
                           : 1.0;
  return o.lr * warm * decay;  // decay > 0: check_options keeps decay_from below steps
}

InitSettings init_settings(const std::string& kind, const std::string& init_path, const std::string& patch) {
  const io::StateDict file = models::read_mini_file(init_path, kind);
  InitSettings out;
  out.config = models::mini_metadata_json(file, "config", init_path);
  if (file.metadata.count("tokenizer")) out.tokenizer = models::mini_metadata_json(file, "tokenizer", init_path);
  if (!patch.empty()) out.config.merge_patch(parse_config_patch(patch));
  return out;
}

io::StateDict model_file_of_checkpoint(const io::StateDict& checkpoint, bool ema, const std::string& path) {
  check(checkpoint.metadata.count("easel.train") > 0, path + ": not an easel training checkpoint");
  const nlohmann::json meta = models::mini_metadata_json(checkpoint, "easel.train", path);
  io::StateDict out;
  const std::string prefix = ema ? "ema." : "model.";
  for (const auto& [name, t] : checkpoint.tensors)
    if (name.rfind(prefix, 0) == 0) out.tensors[name.substr(prefix.size())] = t;
  check(!out.tensors.empty(), path + ": the checkpoint holds no '" + prefix + "' weights");
  for (const auto& [key, value] : meta.at("metadata").items()) out.metadata[key] = value.get<std::string>();
  out.metadata[io::kEaselModelKey] = "easel-mini-" + meta.at("kind").get<std::string>();
  out.metadata["easel.train.step"] = std::to_string(meta.at("step").get<int64_t>());
  return out;
}

TrainResult train(const TrainOptions& opt) {
  const int world = opt.group ? opt.group->world_size() : 1;
  const int rank = opt.group ? opt.group->rank() : 0;
  check_options(opt, world);
  const fs::path dir(opt.out_dir);
  const fs::path ckpt = dir / "checkpoint.safetensors";
  const bool have_ckpt = fs::exists(ckpt);
  check(opt.resume || !have_ckpt,
        ckpt.string() + " already exists: pass --resume to continue it, or choose another --out");

  TaskOptions task_options = opt.task;
  io::StateDict saved;
  nlohmann::json saved_meta;  // the checkpoint's "easel.train" record, when resuming
  int64_t step = 0;
  if (opt.resume && have_ckpt) {
    saved = io::load_safetensors(ckpt.string());
    saved_meta = models::mini_metadata_json(saved, "easel.train", ckpt.string());
    const nlohmann::json& meta = saved_meta;
    check(meta.value("kind", "") == opt.kind,
          ckpt.string() + " is a checkpoint of '" + meta.value("kind", "") + "', not of '" + opt.kind + "'");
    step = meta.at("step").get<int64_t>();
    task_options.seed = meta.at("seed").get<uint64_t>();
    task_options.config = nlohmann::json::parse(meta.at("metadata").at("config").get<std::string>());
    if (meta.at("metadata").contains("tokenizer"))
      task_options.tokenizer = nlohmann::json::parse(meta.at("metadata").at("tokenizer").get<std::string>());
  }

  std::unique_ptr<Task> task = make_task(opt.kind, task_options);
  // A checkpoint or model file trained for another noise schedule or prediction target would go on learning the
  // wrong thing.
  auto check_scheduler = [&](const std::string& saved_scheduler, const std::string& source, const char* advice) {
    const auto current = task->metadata();
    if (!current.count("scheduler")) return;
    check(nlohmann::json::parse(saved_scheduler) == nlohmann::json::parse(current.at("scheduler")),
          source + " was trained with the scheduler " + saved_scheduler + ", this easel trains '" + opt.kind +
              "' with " + current.at("scheduler") + advice);
  };
  if (!saved.tensors.empty() && saved_meta.at("metadata").contains("scheduler"))
    check_scheduler(saved_meta.at("metadata").at("scheduler").get<std::string>(), ckpt.string(),
                    ": start a new run (another --out)");
  torch::nn::Module& model = task->module();
  model.train();
  if (saved.tensors.empty() && !opt.init_from.empty()) {
    // Fine-tuning: the file's weights, converted to float32 into tensors of our own (a mapped file's pages are
    // read-only), then the usual fresh start (new EMA and optimizer state, step 0).
    io::StateDict init = models::read_mini_file(opt.init_from, opt.kind);
    if (init.metadata.count("scheduler"))
      check_scheduler(init.metadata.at("scheduler"), opt.init_from, ": it cannot start this run");
    for (auto& [name, t] : init.tensors) t = t.to(torch::kFloat32).clone();
    // Weights the config adds (e.g. a decoder's text_layers) start from their initial values; the file must give
    // every other one, and nothing the model lacks (load_weights names those).
    std::vector<std::string> fresh;
    for (const auto& p : model.named_parameters())
      if (!init.tensors.count(p.key())) {
        fresh.push_back(p.key());
        init.tensors[p.key()] = p.value().detach().clone();
      }
    check(fresh.size() < model.named_parameters().size(),
          opt.init_from + ": none of its weights belong to this " + opt.kind + "'s config");
    models::load_weights(model, init, opt.init_from);
    if (!fresh.empty() && rank == 0)
      std::fprintf(stderr, "%s: %zu weights not in %s start fresh (%s%s)\n", opt.kind.c_str(), fresh.size(),
                   opt.init_from.c_str(), fresh.front().c_str(), fresh.size() > 1 ? ", ..." : "");
  }
  AdamW adam(model, {0.9, 0.999, 1e-8, opt.weight_decay});
  if (!saved.tensors.empty()) {
    torch::NoGradGuard no_grad;
    for (const auto& p : model.named_parameters()) {
      auto it = saved.tensors.find("model." + p.key());
      check(it != saved.tensors.end() && it->second.sizes() == p.value().sizes(),
            ckpt.string() + ": weight '" + p.key() + "' missing or mis-shaped");
      p.value().copy_(it->second);
    }
  }
  Ema ema(model);
  if (!saved.tensors.empty()) {
    ema.load(saved.tensors);
    adam.load(saved.tensors);
  }
  saved = {};
  if (opt.group && step == 0) {
    // A fresh run starts every rank from rank 0's initial weights (resumed ranks read the same checkpoint).
    std::vector<torch::Tensor> params;
    for (auto& p : model.parameters()) params.push_back(p.detach());
    opt.group->broadcast(params);
    ema = Ema(model);
  }
  if (rank == 0) fs::create_directories(dir / "samples");

  auto save = [&]() {
    if (rank != 0) return;
    io::TensorMap tensors;
    for (const auto& p : model.named_parameters()) tensors["model." + p.key()] = p.value().detach();
    ema.save(tensors);
    adam.save(tensors);
    nlohmann::json meta = {{"kind", opt.kind}, {"step", step}, {"seed", task_options.seed},
                           {"metadata", task->metadata()}};
    io::StateDict checkpoint;
    checkpoint.tensors = std::move(tensors);
    checkpoint.metadata = {{"easel.train", meta.dump()}};
    io::save_safetensors(ckpt.string(), checkpoint.tensors, checkpoint.metadata);
    // The model file is the checkpoint's EMA weights, exactly as `easel export` makes it.
    const io::StateDict file = model_file_of_checkpoint(checkpoint, /*ema=*/true, ckpt.string());
    io::save_safetensors((dir / (opt.kind + ".safetensors")).string(), file.tensors, file.metadata);
  };
  auto report = [&]() {
    if (rank != 0) return;
    Ema::Swap swap(ema, model);
    torch::NoGradGuard no_grad;
    model.eval();
    std::string line = task->evaluate();
    if (!line.empty()) std::fprintf(stderr, "%s step %lld %s\n", opt.kind.c_str(), (long long)step, line.c_str());
    if (auto grid = task->sample_grid()) {
      char name[64];
      std::snprintf(name, sizeof name, "%s-%06lld.png", opt.kind.c_str(), (long long)step);
      io::write_png((dir / "samples" / name).string(), *grid);
    }
    model.train();
  };

  TrainResult result;
  result.first_step = step;
  const int64_t local = opt.batch / world;
  auto start = std::chrono::steady_clock::now();
  double window = 0;
  int64_t window_n = 0;
  while (step < opt.steps) {
    const uint64_t first = uint64_t(step) * uint64_t(opt.batch) + uint64_t(rank) * uint64_t(local);
    torch::Tensor loss;
    {
      Bf16Autocast autocast(opt.bf16);
      loss = task->loss(first, local);
    }
    model.zero_grad();
    loss.backward();
    std::vector<torch::Tensor> sync;
    torch::Tensor global_loss = loss.detach().to(torch::kFloat).reshape({1}).clone();
    if (opt.group) {
      for (auto& p : model.parameters())
        if (p.grad().defined()) sync.push_back(p.grad());
      sync.push_back(global_loss);
      opt.group->allreduce_mean(sync);
    }
    clip_grad_norm(model, opt.grad_clip);
    const double lr = learning_rate_at(opt, step);
    adam.step(lr);
    ema.update(model, step < opt.warmup ? 0.0 : ema_decay_at(opt.ema_decay, step - opt.warmup));
    ++step;
    const double l = global_loss.item<double>();
    result.losses.push_back(l);
    window += l;
    ++window_n;
    if (rank == 0 && (step % opt.log_every == 0 || step == opt.steps)) {
      const double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double rate = double(step - result.first_step) / el;
      std::fprintf(stderr, "%s step %lld/%lld loss %.5f lr %.2e %.2f it/s ETA %s\n", opt.kind.c_str(),
                   (long long)step, (long long)opt.steps, window / double(window_n), lr, rate,
                   format_duration(double(opt.steps - step) / rate).c_str());
      window = 0;
      window_n = 0;
    }
    if (step % opt.save_every == 0 || step == opt.steps) save();
    if (step % opt.sample_every == 0 || step == opt.steps) report();
  }
  result.last_step = step;
  for (const auto& p : model.named_parameters()) result.weights[p.key()] = p.value().detach().clone();
  return result;
}

}  // namespace easel::train
