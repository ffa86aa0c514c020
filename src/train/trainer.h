// The one training loop of easel-mini's four models (`easel train clip|prior|decoder|upsampler`): data streamed
// from the shapes world, AdamW with warm-up, gradient clipping, EMA weights, optional bf16 autocast, data
// parallelism over c10d, atomic checkpoints and a bit-for-bit --resume.
//
// Files in out_dir: checkpoint.safetensors (weights, EMA, optimizer state, step; replaced atomically, so a kill
// never leaves a broken one), <kind>.safetensors (the EMA weights as a model file, rewritten at each save), and
// samples/<kind>-<step>.png (sample grids).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "io/state_dict.h"
#include "train/distributed.h"
#include "train/task.h"

namespace easel::train {

struct TrainOptions {
  std::string kind;
  std::string out_dir;
  int64_t steps = 1000;       // total optimizer steps of the run (a resumed run continues up to this)
  int64_t batch = 64;         // global batch, split evenly over the ranks
  double lr = 3e-4;
  int64_t warmup = 200;       // linear learning-rate warm-up steps
  int64_t decay_from = 0;     // > 0: the learning rate falls linearly from this step to 0 at `steps`; 0: constant
  double weight_decay = 0.01;
  double ema_decay = 0.999;
  double grad_clip = 1.0;
  bool bf16 = false;          // autocast matmuls and convolutions to bfloat16 (weights and optimizer stay fp32)
  bool resume = false;
  std::string init_from;      // a trained model file (<kind>.safetensors) whose weights start a new run (fine-tuning);
                              // unused when --out already holds a checkpoint (--resume continues that)
  int64_t log_every = 10, save_every = 200, sample_every = 1000;
  TaskOptions task;
  ProcessGroup* group = nullptr;  // data-parallel group, or nullptr for one process
};

struct TrainResult {
  int64_t first_step = 0;      // where this call started (> 0 when resumed)
  int64_t last_step = 0;
  std::vector<double> losses;  // the global-batch loss of every step this call ran
  io::TensorMap weights;       // the trained (not EMA) parameters at the end, by name
};

// The config and tokenizer a run started from `init_path` (a model file of `kind`, trainer.h's init_from) trains
// with: the file's own, with `patch` (a JSON merge patch, may be empty) merged into the config. Throws easel::Error
// naming the file when it is not an easel-mini model file of that kind or the patch is not a JSON object.
struct InitSettings {
  nlohmann::json config, tokenizer;  // tokenizer: null unless the file holds one (clip)
};
InitSettings init_settings(const std::string& kind, const std::string& init_path, const std::string& patch);

// The model file (tensors and metadata, as <kind>.safetensors holds them) of a checkpoint's EMA weights, or of
// its trained weights when ema is false. Throws easel::Error naming `path` when it is not a trainer checkpoint.
io::StateDict model_file_of_checkpoint(const io::StateDict& checkpoint, bool ema, const std::string& path);

// The learning rate of a step (0-based): linear warm-up over `warmup` steps, then constant at `lr` and, when
// decay_from > 0, falling linearly from step decay_from to 0 at step `steps` (warm-up, stable, decay: a constant
// rate can run on and be resumed, and the short decay at the end gives what a cosine schedule would; Hu et al.
// 2024, MiniCPM, sec. 4). A function of the step alone, so --resume continues it exactly.
double learning_rate_at(const TrainOptions& options, int64_t step);

// Runs the loop. Throws easel::Error for a bad option, an out_dir that already holds a checkpoint when not
// resuming, or a checkpoint of another model kind.
TrainResult train(const TrainOptions& options);

}  // namespace easel::train
