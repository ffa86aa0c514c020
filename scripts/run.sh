#!/usr/bin/env bash
# Sets up (installs missing Debian packages, builds) and runs easel's main job. Until the built-in model lands,
# the main job inspects a checkpoint (one the tests made, kept as a fuzzing seed) and renders a sheet of
# shapes-world training scenes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build/bin/easel info fuzz/corpus/torch_pickle/plain.pth
if build/bin/easel world --help >/dev/null 2>&1; then
  build/bin/easel world sample --n 16 -o world-sample.png
  echo "wrote world-sample.png" >&2
fi
