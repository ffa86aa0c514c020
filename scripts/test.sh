#!/usr/bin/env bash
# Sets up (installs what is missing, builds) and runs every test. Tests that need ../shared skip without it.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/setup.sh
built=$(date +%s)
echo "build: $((built - start)) s" >&2
cd build
ctest --output-on-failure -j"$(nproc)"
echo "tests: $(( $(date +%s) - built )) s" >&2
