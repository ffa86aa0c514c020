#!/usr/bin/env bash
# Trains easel-mini, the built-in model, from scratch on this machine's CPU and installs the four model files
# into models/easel-mini/. Every stage checkpoints as it goes and this script resumes where it stopped: run it
# again after an interruption (or in the next session) and it continues.
#
#   scripts/train_mini.sh [RUN_DIR]        # default RUN_DIR: runs/easel-mini (not committed)
#
# Stages (MODEL_CARD.md has the measured times): CLIP, then the upsampler, the prior and the decoder (the last
# two read the trained CLIP). Step counts can be raised with the environment variables below.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/easel-mini}
EASEL=${EASEL:-build/bin/easel}
CLIP_STEPS=${CLIP_STEPS:-3000}
UPSAMPLER_STEPS=${UPSAMPLER_STEPS:-4000}
PRIOR_STEPS=${PRIOR_STEPS:-4000}
DECODER_STEPS=${DECODER_STEPS:-12000}
mkdir -p "$RUN" models/easel-mini

stage() {  # name steps batch lr [extra args...]
  local name=$1 steps=$2 batch=$3 lr=$4; shift 4
  local resume=()
  [[ -f "$RUN/$name/checkpoint.safetensors" ]] && resume=(--resume)
  "$EASEL" train "$name" --out "$RUN/$name" --steps "$steps" --batch "$batch" --lr "$lr" \
    --save-every 100 --sample-every 500 --log-every 20 --bf16 --threads 2 "${resume[@]}" "$@"
}

stage clip "$CLIP_STEPS" 256 1e-3 --warmup 200
stage upsampler "$UPSAMPLER_STEPS" 16 3e-4 --warmup 200 --ema 0.999
stage prior "$PRIOR_STEPS" 256 3e-4 --warmup 200 --ema 0.999 --clip "$RUN/clip/clip.safetensors"
stage decoder "$DECODER_STEPS" 64 3e-4 --warmup 500 --ema 0.9995 --clip "$RUN/clip/clip.safetensors"

for m in clip prior decoder upsampler; do
  "$EASEL" export "$RUN/$m/$m.safetensors" "models/easel-mini/$m.safetensors"
done
echo "easel-mini installed in models/easel-mini/" >&2
