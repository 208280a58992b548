#!/usr/bin/env bash
# Installs (as root, with apt-get) whatever klgrad needs that is missing, then
# configures and builds into build/ (or $KLGRAD_BUILD_DIR). Idempotent and quiet
# when everything is already there.
#   KLGRAD_CMAKE_ARGS   extra cmake arguments (e.g. -DKLGRAD_SANITIZE=ON)
#   KLGRAD_TARGETS      build only these targets (e.g. "kl_tour"); default: all
set -euo pipefail
cd "$(dirname "$0")/.."

# Every package is named, Recommends included: set-up installs with
# --no-install-recommends, so a package that is only recommended (libxsimd-dev
# by libxtensor-dev) must be listed here or a fresh machine lacks it.
PACKAGES=(g++ cmake make libxtensor-dev libxsimd-dev libxtensor-blas-dev libopenblas-dev doctest-dev zlib1g-dev
          pkgconf libzip-dev libstb-dev libcli11-dev nlohmann-json3-dev libboost-dev dataset-fashion-mnist python3
          python3-numpy)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
for p in "$@"; do  # extra packages a caller needs (e.g. notebooks)
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD="${KLGRAD_BUILD_DIR:-build}"
# Warnings are errors on this fixed stack (Debian 12, g++ 12), for the demo and
# the tests alike, so running one after the other never rebuilds.
# shellcheck disable=SC2086
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DKLGRAD_WERROR=ON ${KLGRAD_CMAKE_ARGS:-} >/dev/null
targets=()
for t in ${KLGRAD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$BUILD" -j "$(nproc)" "${targets[@]}"
