#!/usr/bin/env bash
# Sets up (installs what is missing, builds) and runs easel's main job.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build/bin/easel --help
