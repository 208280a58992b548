#!/usr/bin/env bash
# Every test: set up, build with warnings as errors, run the whole suite under
# CTest; then the same suite built with AddressSanitizer + UBSan (build-asan/).
#   KLGRAD_SKIP_SANITIZE=1 skips the sanitizer pass (quicker local runs).
set -euo pipefail
cd "$(dirname "$0")/.."
# The notebooks (tests/notebooks) run headless in Jupyter and draw with matplotlib and graphviz.
bash scripts/setup.sh python3-matplotlib python3-nbclient python3-nbformat python3-ipykernel jupyter-nbconvert graphviz
(cd build && ctest --output-on-failure -j "$(nproc)")
if [ "${KLGRAD_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== the same suite under -fsanitize=address,undefined (build-asan/)"
  KLGRAD_BUILD_DIR=build-asan KLGRAD_CMAKE_ARGS="-DKLGRAD_SANITIZE=ON -DKLGRAD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo" \
    bash scripts/setup.sh
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j "$(nproc)")
fi
# A short run (30 s each) of the libFuzzer harnesses of tests/fuzz/ (build-fuzz/,
# clang-14; docs/FUZZING.md). KLGRAD_SKIP_FUZZ=1 skips it.
if [ "${KLGRAD_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzing: each libFuzzer harness for ${KLGRAD_FUZZ_SECONDS:-30} s (build-fuzz/)"
  bash scripts/fuzz.sh
fi
