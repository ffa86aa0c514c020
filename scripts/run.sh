#!/usr/bin/env bash
# Sets up (installs missing Debian packages, builds) and runs easel's main job: four pictures of a prompt made by
# the built-in model easel-mini (models/easel-mini, trained by easel itself; see MODEL_CARD.md), written as
# easel-out-0.png ... easel-out-3.png with their parameters inside (`build/bin/easel info easel-out-0.png`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PROMPT=${1:-"a yellow heart to the left of a purple square"}
build/bin/easel generate "$PROMPT" -n 4 --seed 1 -o easel-out.png --overwrite
