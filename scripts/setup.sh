#!/usr/bin/env bash
# Installs the Debian packages easel needs (only those missing), then configures and builds into build/.
# Idempotent and non-interactive. Usage: scripts/setup.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake ccache pkg-config libtorch-dev libpng-dev libjpeg-dev zlib1g-dev libzip-dev
          libgloo-dev libopenblas0-pthread nlohmann-json3-dev libcli11-dev libicu-dev libgtest-dev clang
          libfreetype-dev fonts-dejavu-core libyaml-cpp-dev libssl-dev)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/easel-ccache}"
export CCACHE_SLOPPINESS="pch_defines,time_macros,include_file_mtime,include_file_ctime"
export CCACHE_BASEDIR="$PWD"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >&2
cmake --build build -j"$(nproc)" >&2
