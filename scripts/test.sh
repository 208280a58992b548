#!/usr/bin/env bash
# Every test: set up, build with warnings as errors (coursework included), run
# the whole suite under CTest (notebooks and the coursework selftest included;
# the per-exercise student checks, label "student", fail on the shipped stubs
# by design and are left out); then the same suite built with AddressSanitizer +
# UBSan (build-asan/); then a short libFuzzer run. Prints how long each stage took.
#   KLGRAD_SKIP_SANITIZE=1 skips the sanitizer pass (quicker local runs).
#   KLGRAD_SKIP_FUZZ=1     skips the fuzz run.
set -euo pipefail
cd "$(dirname "$0")/.."
stage_start=$SECONDS
stages=()
stage_done() {  # stage_done NAME: records how long the stage that just ended took
  local took=$((SECONDS - stage_start))
  stages+=("$(printf '%-34s %4d s' "$1" "$took")")
  echo "== stage: $1 took ${took} s"
  stage_start=$SECONDS
}
trap 'echo "== stage times so far:"; printf "   %s\n" "${stages[@]}"' EXIT

# The notebooks (tests/notebooks) run headless in Jupyter and draw with matplotlib and graphviz.
KLGRAD_CMAKE_ARGS="-DKLGRAD_COURSEWORK=ON" bash scripts/setup.sh python3-matplotlib python3-nbclient python3-nbformat python3-ipykernel jupyter-nbconvert graphviz
stage_done "set-up + build (build/)"
(cd build && ctest --output-on-failure -j "$(nproc)" -LE student)
stage_done "ctest (build/)"
if [ "${KLGRAD_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== the same suite under -fsanitize=address,undefined (build-asan/)"
  KLGRAD_BUILD_DIR=build-asan KLGRAD_CMAKE_ARGS="-DKLGRAD_SANITIZE=ON -DKLGRAD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo" \
    bash scripts/setup.sh
  stage_done "build (build-asan/)"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j "$(nproc)" -LE student)
  stage_done "ctest under ASan+UBSan"
fi
# A short run (30 s each) of the libFuzzer harnesses of tests/fuzz/ (build-fuzz/,
# clang-14; docs/FUZZING.md).
if [ "${KLGRAD_SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzing: each libFuzzer harness for ${KLGRAD_FUZZ_SECONDS:-30} s (build-fuzz/)"
  bash scripts/fuzz.sh
  stage_done "fuzzing (build-fuzz/)"
fi
