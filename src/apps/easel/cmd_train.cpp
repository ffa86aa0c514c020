// `easel train clip|prior|decoder|upsampler --out DIR [--steps N] [--batch B] [--lr LR] [--resume] ...`: trains one
// of easel-mini's models on the shapes world (train/trainer.h). Data-parallel over processes with --world-size,
// --rank, --master-addr, --master-port or the usual WORLD_SIZE / RANK / MASTER_ADDR / MASTER_PORT variables.
#include <torch/torch.h>

#include <iostream>

#include "apps/easel/command.h"
#include "train/distributed.h"
#include "train/mini_configs.h"
#include "train/trainer.h"
#include "util/error.h"

namespace easel::app {
namespace {

std::function<int()> setup(CLI::App& sub) {
  auto o = std::make_shared<train::TrainOptions>();
  auto d = std::make_shared<train::DistOptions>();
  auto threads = std::make_shared<int>(0);
  auto config = std::make_shared<std::string>();
  sub.add_option("model", o->kind, "which model: clip, prior, decoder or upsampler")
      ->required()
      ->check(CLI::IsMember({"clip", "prior", "decoder", "upsampler"}));
  sub.add_option("--out", o->out_dir, "run folder (checkpoint, model file, sample grids)")->required();
  sub.add_option("--steps", o->steps, "total optimizer steps")->capture_default_str();
  sub.add_option("--batch", o->batch, "global batch size")->capture_default_str();
  sub.add_option("--lr", o->lr, "peak learning rate")->capture_default_str();
  sub.add_option("--warmup", o->warmup, "learning-rate warm-up steps")->capture_default_str();
  sub.add_option("--decay-from", o->decay_from,
                 "step from which the learning rate falls linearly to 0 at --steps (0: constant after warm-up)")
      ->capture_default_str();
  sub.add_option("--ema", o->ema_decay, "EMA decay")->capture_default_str();
  sub.add_option("--weight-decay", o->weight_decay, "AdamW weight decay")->capture_default_str();
  sub.add_flag("--bf16", o->bf16, "autocast to bfloat16 (weights and optimizer state stay float32)");
  sub.add_flag("--resume", o->resume, "continue the checkpoint in --out");
  sub.add_option("--init", o->init_from,
                 "start from this trained model file's weights, config and tokenizer (fine-tuning; --config patches "
                 "its config); with --resume, a checkpoint already in --out wins");
  sub.add_option("--seed", o->task.seed, "seed of the data stream and of every draw")->capture_default_str();
  sub.add_option("--clip", o->task.clip_path, "prior/decoder: the trained CLIP model file (clip.safetensors)");
  sub.add_option("--config", *config,
                 "JSON merged into the model's default config, e.g. "
                 "'{\"unet\": {\"layers_per_block\": 2}}' (--resume continues with the checkpoint's own config)");
  sub.add_option("--log-every", o->log_every, "steps between progress lines")->capture_default_str();
  sub.add_option("--save-every", o->save_every, "steps between checkpoints")->capture_default_str();
  sub.add_option("--sample-every", o->sample_every, "steps between evaluations and sample grids")
      ->capture_default_str();
  sub.add_option("--threads", *threads, "intra-op threads (0: every CPU, or OMP_NUM_THREADS when set)");
  auto* ws = sub.add_option("--world-size", d->world_size, "data-parallel processes (env WORLD_SIZE)");
  auto* rk = sub.add_option("--rank", d->rank, "this process's rank (env RANK)");
  auto* ad = sub.add_option("--master-addr", d->master_addr, "rendezvous host (env MASTER_ADDR)");
  auto* pt = sub.add_option("--master-port", d->master_port, "rendezvous port (env MASTER_PORT)");
  return [=]() -> int {
    if (*threads > 0) torch::set_num_threads(*threads);
    train::DistOptions dist = train::dist_options_from_env(*d, ws->count() > 0, rk->count() > 0, ad->count() > 0,
                                                           pt->count() > 0);
    std::unique_ptr<train::ProcessGroup> group;
    train::TrainOptions opts = *o;
    if (o->init_from.empty()) {
      opts.task.config = train::patched_config(o->kind, *config);
    } else {
      train::InitSettings init = train::init_settings(o->kind, o->init_from, *config);
      opts.task.config = init.config;
      opts.task.tokenizer = init.tokenizer;
    }
    check(o->batch % dist.world_size == 0, "train: --batch " + std::to_string(o->batch) +
                                               " must divide evenly over " + std::to_string(dist.world_size) +
                                               " processes");
    if (dist.world_size > 1) {
      group = std::make_unique<train::ProcessGroup>(dist);
      opts.group = group.get();
    }
    train::TrainResult r = train::train(opts);
    if (dist.rank == 0)
      std::cerr << "trained " << o->kind << " to step " << r.last_step << "; model file " << o->out_dir << "/"
                << o->kind << ".safetensors\n";
    return 0;
  };
}

}  // namespace

EASEL_COMMAND("train", "Train one of easel-mini's models (clip, prior, decoder, upsampler) on the shapes world.",
              setup);

}  // namespace easel::app
