#!/usr/bin/env bash
# Trains easel-mini, the built-in model, from scratch on this machine's CPU and installs the four model files into
# models/easel-mini/ (its sampling.json, the sampler settings chosen by evaluation, is committed beside them).
# Every stage checkpoints as it goes and this script resumes where it stopped: run it again after an interruption
# (or in the next session) and it continues.
#
#   scripts/train_mini.sh [RUN_DIR]        # default RUN_DIR: runs/easel-mini (not committed)
#
# The chain (MODEL_CARD.md, "How to reproduce"): a first CLIP, and the decoder trained on it, which learns to draw;
# a second CLIP trained with hard negatives (NegCLIP: each caption also against the same caption with one fact
# wrong), which sees sizes the first does not; the prior on the second CLIP; and the decoder fine-tuned onto the
# second CLIP's embeddings (MODEL_CARD, seventh and eighth tries), then trained on three times in bf16 (fifteenth to
# seventeenth tries). The decoder trained from scratch on the second CLIP at the first run's learning rate hit a loss
# spike and came out worse (ninth try).
#
# On 2 cores one thread per process trains more items per second than one process on two threads, so stages run
# two at a time (NegCLIP alone first, on two threads): the first CLIP beside the upsampler, then the prior beside the
# decoder's first DECODER_SOLO_STEPS; then the decoder goes on data-parallel, two processes on loopback (same global
# batch, so the same run), and so does its fine-tune. Each stage's log is RUN_DIR/<stage>.log. The step counts are
# MODEL_CARD.md's.
#
# Precision: the CLIPs, the prior and the decoder's last three stages in bf16 autocast, as the shipped files were
# trained; the decoder's first two stages and the upsampler in float32, chosen on a CPU where it trained faster
# (bench_train then: decoder fp32 36 items/s, bf16 25, one thread). On a CPU with bf16 instructions (AMD EPYC,
# avx512_bf16) the shipped decoder network trains twice as fast in bf16 (fp32 20 items/s, bf16 40: MODEL_CARD,
# fifteenth try).
# The decoder's lr is 1e-3: it reached the 5e-4 run's validation loss in 0.75 of the steps (MODEL_CARD, third try).
# Its network is twice the default width, with scale-shift resnets, trained on logit-normal timesteps (DECODER_CONFIG;
# MODEL_CARD, fifth try): mid-noise denoising is what limited the default one. Its last 1,100 steps decay the learning
# rate to 0 (MODEL_CARD, sixth try: decoder alone on held-out prompts 0.163 at 3,100 steps -> 0.237).
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-runs/easel-mini}
EASEL=${EASEL:-build/bin/easel}
CLIP_STEPS=${CLIP_STEPS:-1300}
NEGCLIP_STEPS=${NEGCLIP_STEPS:-5200}
NEGCLIP_DECAY_FROM=${NEGCLIP_DECAY_FROM:-4400}  # NegCLIP's learning rate falls linearly to 0 from here to NEGCLIP_STEPS
UPSAMPLER_STEPS=${UPSAMPLER_STEPS:-2800}
PRIOR_STEPS=${PRIOR_STEPS:-1600}
DECODER_SOLO_STEPS=${DECODER_SOLO_STEPS:-600}
DECODER_STEPS=${DECODER_STEPS:-4200}
DECODER_DECAY_FROM=${DECODER_DECAY_FROM:-3100}  # its learning rate falls linearly to 0 from here to DECODER_STEPS
DECODER_CONFIG='{"unet": {"block_out_channels": [64, 128, 128], "resnet_time_scale_shift": "scale_shift"},
                 "training": {"timesteps": "logit_normal"}}'
TUNE_STEPS=${TUNE_STEPS:-1500}
TUNE_DECAY_FROM=${TUNE_DECAY_FROM:-1200}
TUNE2_SOLO_STEPS=${TUNE2_SOLO_STEPS:-600}
TUNE2_STEPS=${TUNE2_STEPS:-3000}
TUNE2_DECAY_FROM=${TUNE2_DECAY_FROM:-2000}
TUNE3_STEPS=${TUNE3_STEPS:-4500}
TUNE3_DECAY_FROM=${TUNE3_DECAY_FROM:-3300}
TUNE4_STEPS=${TUNE4_STEPS:-3000}
TUNE4_DECAY_FROM=${TUNE4_DECAY_FROM:-2000}
NEGCLIP_CONFIG='{"training": {"hard_negatives": true}}'
PORT=${PORT:-29517}
mkdir -p "$RUN" models/easel-mini

stage() {  # dir kind steps batch lr [extra args...]: `easel train KIND --out RUN/DIR`, resumed if it has begun
  local dir=$1 kind=$2 steps=$3 batch=$4 lr=$5; shift 5
  local resume=()
  [[ -f "$RUN/$dir/checkpoint.safetensors" ]] && resume=(--resume)
  "$EASEL" train "$kind" --out "$RUN/$dir" --steps "$steps" --batch "$batch" --lr "$lr" \
    --save-every 100 --sample-every 1000 --log-every 20 --threads "${THREADS:-1}" "${resume[@]}" "$@" \
    >>"$RUN/$dir.log" 2>&1
}
init_from() {  # dir src file: INIT=(--init FILE), FILE being SRC exported as it ships (bf16, read back as float32),
  # for a stage not begun; INIT=() for a begun one (stage resumes it from its checkpoint)
  INIT=()
  [[ -f "$RUN/$1/checkpoint.safetensors" ]] && return 0
  "$EASEL" export "$2" "$3" --overwrite
  INIT=(--init "$3")
}
parallel_stage() {  # the same arguments as stage: the run on both cores, two ranks on loopback (same global batch,
  # so the same run); rank 0 logs and writes the files, both resume from the same checkpoint
  local dp=(--world-size 2 --master-addr 127.0.0.1 --master-port "$PORT")
  stage "$@" "${dp[@]}" --rank 1 &
  local rank1=$!
  stage "$@" "${dp[@]}" --rank 0
  wait "$rank1"
}

# NegCLIP alone on both cores' threads: the thread count changes a bf16 run's rounding, and the shipped NegCLIP was
# trained on two (on one the same command ends at hard negatives 0.887 instead of 0.914 at step 1,300). Four times
# the first CLIP's steps (MODEL_CARD, eleventh try: its loss was still falling fast at 1,300).
THREADS=2 stage negclip clip "$NEGCLIP_STEPS" 256 1e-3 --warmup 200 --bf16 --config "$NEGCLIP_CONFIG" \
  --decay-from "$NEGCLIP_DECAY_FROM"
stage clip clip "$CLIP_STEPS" 256 1e-3 --warmup 200 --bf16 &
clip=$!
stage upsampler upsampler "$UPSAMPLER_STEPS" 16 5e-4 --warmup 200 --ema 0.999 &
upsampler=$!
wait "$clip" && wait "$upsampler"

# The first CLIP's trained weights: its run's EMA (the trainer's EMA had no warm-up when it was made) kept a third of
# the early weights (val top-1 0.45 for the EMA, 0.75 for the trained weights). NegCLIP's EMA is the better file.
"$EASEL" export "$RUN/clip/checkpoint.safetensors" "$RUN/clip/clip-trained.safetensors" --weights trained \
  --dtype fp32 --overwrite
NEGCLIP=$RUN/negclip/clip.safetensors
DECODER=(--warmup 500 --ema 0.9995 --config "$DECODER_CONFIG" --clip "$RUN/clip/clip-trained.safetensors")

stage prior prior "$PRIOR_STEPS" 128 3e-4 --warmup 200 --ema 0.999 --bf16 --clip "$NEGCLIP" &
prior=$!
stage decoder decoder "$DECODER_SOLO_STEPS" 64 1e-3 "${DECODER[@]}" &
decoder=$!
wait "$prior" && wait "$decoder"

# The rest of the decoder on both cores (a run already at DECODER_STEPS does nothing).
parallel_stage decoder decoder "$DECODER_STEPS" 64 1e-3 "${DECODER[@]}" --decay-from "$DECODER_DECAY_FROM"

# The fine-tune starts from the decoder as it shipped before (bf16, read back as float32) and learns NegCLIP's
# embeddings at a third of the rate, its last 300 steps decaying to 0 (the export is made when the fine-tune starts;
# a resumed one reads its checkpoint).
TUNE=(--warmup 100 --ema 0.998 --clip "$NEGCLIP" --decay-from "$TUNE_DECAY_FROM")
init_from tune "$RUN/decoder/decoder.safetensors" "$RUN/decoder-first.safetensors"
parallel_stage tune decoder "$TUNE_STEPS" 64 3e-4 "${TUNE[@]}" "${INIT[@]}"

# The fine-tune trained on for TUNE2_STEPS more, from its file as it shipped before (bf16, read back as float32), in
# bf16 autocast, which trains this network twice as fast as float32 on a CPU with bf16 instructions (MODEL_CARD,
# fifteenth try: validation loss 0.0257 -> 0.0231, decoder alone on held-out prompts 0.342 -> 0.450). Its first
# TUNE2_SOLO_STEPS on one thread, the rest on both cores, the rate decaying to 0 from TUNE2_DECAY_FROM.
BF16_TUNE=(--warmup 100 --ema 0.998 --clip "$NEGCLIP" --bf16)  # the three bf16 stages
init_from tune2 "$RUN/tune/decoder.safetensors" "$RUN/decoder-tune.safetensors"
stage tune2 decoder "$TUNE2_SOLO_STEPS" 64 3e-4 "${BF16_TUNE[@]}" "${INIT[@]}"
parallel_stage tune2 decoder "$TUNE2_STEPS" 64 3e-4 "${BF16_TUNE[@]}" --decay-from "$TUNE2_DECAY_FROM"

# And trained on again as the bf16 stage was, twice more (MODEL_CARD, sixteenth and seventeenth tries: the validation
# loss was still falling), each from the stage before's file as it ships, all on both cores.
train_on() {  # dir prev steps decay_from: a bf16 stage from RUN/PREV's decoder, the rate decaying to 0 from DECAY_FROM
  init_from "$1" "$RUN/$2/decoder.safetensors" "$RUN/decoder-$2.safetensors"
  parallel_stage "$1" decoder "$3" 64 3e-4 "${BF16_TUNE[@]}" "${INIT[@]}" --decay-from "$4"
}
train_on tune3 tune2 "$TUNE3_STEPS" "$TUNE3_DECAY_FROM"
train_on tune4 tune3 "$TUNE4_STEPS" "$TUNE4_DECAY_FROM"

# CLIP stays fp32 (the prior and decoder learned its exact embeddings); the rest ships in bf16.
"$EASEL" export "$NEGCLIP" models/easel-mini/clip.safetensors --dtype fp32 --overwrite
for file in prior/prior upsampler/upsampler tune4/decoder; do  # RUN_DIR/<stage>/<model>.safetensors
  "$EASEL" export "$RUN/$file.safetensors" "models/easel-mini/${file#*/}.safetensors" --overwrite
done
echo "easel-mini installed in models/easel-mini/" >&2
