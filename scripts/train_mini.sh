#!/usr/bin/env bash
# Trains easel-mini, the built-in model, from scratch on this machine's CPU and installs the four model files into
# models/easel-mini/ (its sampling.json, the sampler settings chosen by evaluation, is committed beside them).
# Every stage checkpoints as it goes and this script resumes where it stopped: run it again after an interruption
# (or in the next session) and it continues.
#
#   scripts/train_mini.sh [RUN_DIR]        # default RUN_DIR: runs/easel-mini (not committed)
#
# On 2 cores one thread per process trains more items per second than one process on two threads, so stages run
# two at a time: CLIP beside the upsampler, then the prior beside the decoder's first DECODER_SOLO_STEPS; then the
# decoder goes on data-parallel, two processes on loopback (same global batch, so the same run). Each stage's log is
# RUN_DIR/<stage>.log. The step counts are MODEL_CARD.md's; raise them with the variables below.
#
# Precision: CLIP and the prior in bf16 autocast, as the shipped files were trained; the decoder and upsampler in
# float32, which trains faster on a CPU without AMX (bench_train: decoder fp32 36 items/s, bf16 25, one thread).
# The decoder's lr is 1e-3: it reached the 5e-4 run's validation loss in 0.75 of the steps (MODEL_CARD, third try).
# Its network is twice the default width, with scale-shift resnets, trained on logit-normal timesteps (DECODER_CONFIG;
# MODEL_CARD, fifth try): mid-noise denoising is what limited the default one. Its last 1,100 steps decay the learning
# rate to 0 (MODEL_CARD, sixth try: decoder alone on held-out prompts 0.163 at 3,100 steps -> 0.237).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/easel-mini}
EASEL=${EASEL:-build/bin/easel}
CLIP_STEPS=${CLIP_STEPS:-1300}
UPSAMPLER_STEPS=${UPSAMPLER_STEPS:-2800}
PRIOR_STEPS=${PRIOR_STEPS:-1600}
DECODER_SOLO_STEPS=${DECODER_SOLO_STEPS:-600}
DECODER_STEPS=${DECODER_STEPS:-4200}
DECODER_DECAY_FROM=${DECODER_DECAY_FROM:-3100}  # its learning rate falls linearly to 0 from here to DECODER_STEPS
DECODER_CONFIG='{"unet": {"block_out_channels": [64, 128, 128], "resnet_time_scale_shift": "scale_shift"},
                 "training": {"timesteps": "logit_normal"}}'
PORT=${PORT:-29517}
mkdir -p "$RUN" models/easel-mini

stage() {  # name steps batch lr [extra args...]
  local name=$1 steps=$2 batch=$3 lr=$4; shift 4
  local resume=()
  [[ -f "$RUN/$name/checkpoint.safetensors" ]] && resume=(--resume)
  "$EASEL" train "$name" --out "$RUN/$name" --steps "$steps" --batch "$batch" --lr "$lr" \
    --save-every 100 --sample-every 1000 --log-every 20 --threads 1 "${resume[@]}" "$@" >>"$RUN/$name.log" 2>&1
}

stage clip "$CLIP_STEPS" 256 1e-3 --warmup 200 --bf16 &
clip=$!
stage upsampler "$UPSAMPLER_STEPS" 16 5e-4 --warmup 200 --ema 0.999 &
upsampler=$!
wait "$clip" && wait "$upsampler"

# CLIP ships its trained weights: its run's EMA (made before the trainer's EMA warm-up existed) kept a third of
# the early weights (CLIP val top-1 0.45 for the EMA, 0.75 for the trained weights).
"$EASEL" export "$RUN/clip/checkpoint.safetensors" "$RUN/clip/clip-trained.safetensors" --weights trained \
  --dtype fp32 --overwrite
DECODER=(--warmup 500 --ema 0.9995 --config "$DECODER_CONFIG" --clip "$RUN/clip/clip-trained.safetensors")

stage prior "$PRIOR_STEPS" 128 3e-4 --warmup 200 --ema 0.999 --bf16 --clip "$RUN/clip/clip-trained.safetensors" &
prior=$!
stage decoder "$DECODER_SOLO_STEPS" 64 1e-3 "${DECODER[@]}" &
decoder=$!
wait "$prior" && wait "$decoder"

# The rest of the decoder on both cores (a run already at DECODER_STEPS does nothing). Rank 0 logs and writes the
# files; both ranks resume from the same checkpoint.
dp=(--world-size 2 --master-addr 127.0.0.1 --master-port "$PORT")
dp+=(--decay-from "$DECODER_DECAY_FROM")
stage decoder "$DECODER_STEPS" 64 1e-3 "${DECODER[@]}" "${dp[@]}" --rank 1 &
rank1=$!
stage decoder "$DECODER_STEPS" 64 1e-3 "${DECODER[@]}" "${dp[@]}" --rank 0
wait "$rank1"

# CLIP stays fp32 (the prior and decoder learned its exact embeddings); the rest ships in bf16.
"$EASEL" export "$RUN/clip/clip-trained.safetensors" models/easel-mini/clip.safetensors --dtype fp32 --overwrite
for m in prior decoder upsampler; do
  "$EASEL" export "$RUN/$m/$m.safetensors" "models/easel-mini/$m.safetensors" --overwrite
done
echo "easel-mini installed in models/easel-mini/" >&2
