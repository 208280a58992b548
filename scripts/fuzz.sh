#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz/ with clang-14 into build-fuzz/
# (apt-get installs clang-14 and libclang-rt-14-dev when missing), then runs
# each fuzzer, one after the other, for KLGRAD_FUZZ_SECONDS on a scratch copy of
# its seed corpus (build-fuzz/fuzz-run/<name>/; the committed corpus is never
# written). Exits non-zero if any fuzzer finds a crash, a sanitizer report, a
# leak, a timeout or an out-of-memory input. docs/FUZZING.md.
#   KLGRAD_FUZZ_SECONDS  seconds per fuzzer (default 30)
#   KLGRAD_FUZZERS       which fuzzers (default "idx checkpoint numbers")
set -euo pipefail
cd "$(dirname "$0")/.."

CC=clang-14 CXX=clang++-14 KLGRAD_BUILD_DIR=build-fuzz \
  KLGRAD_CMAKE_ARGS="-DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKLGRAD_FUZZ=ON
                     -DKLGRAD_TESTS=OFF -DKLGRAD_APPS=OFF -DKLGRAD_BENCH=OFF -DKLGRAD_NATIVE=OFF" \
  bash scripts/setup.sh clang-14 libclang-rt-14-dev

seconds="${KLGRAD_FUZZ_SECONDS:-30}"
run=build-fuzz/fuzz-run
rm -rf "$run"
failed=()
for name in ${KLGRAD_FUZZERS:-idx checkpoint numbers}; do
  dir="$run/$name"
  mkdir -p "$dir/corpus" "$dir/findings"
  cp tests/fuzz/corpus/"$name"/* "$dir/corpus/"
  # One process, one thread. A finding (crash-*, leak-*, timeout-*, oom-*) is
  # saved in $dir/findings/; -timeout is per input, -rss_limit_mb also caps a
  # single allocation.
  status=0
  UBSAN_OPTIONS=print_stacktrace=1 build-fuzz/bin/fuzz_"$name" "$dir/corpus" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/findings/" \
    >"$dir/log" 2>&1 || status=$?
  # The last status line, e.g. "#123456 DONE cov: 512 ft: 1024 corp: 80/3210b ...".
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
  cov=$(grep -E '^#[0-9]+' "$dir/log" | tail -1 | sed -n 's/.*cov: \([0-9]*\).*corp: \([0-9]*\).*/cov \1, corpus \2 inputs/p')
  if [ "$status" -eq 0 ]; then
    echo "fuzz_$name: ${execs:-?} executions in ${seconds} s, ${cov:-no status line}: no findings"
  else
    echo "fuzz_$name: FOUND A PROBLEM (exit $status) after ${execs:-?} executions; log $dir/log, input(s):"
    ls "$dir/findings/"
    grep -m 3 -E 'ERROR|runtime error|SUMMARY' "$dir/log" || tail -20 "$dir/log"
    echo "  reproduce: build-fuzz/bin/fuzz_$name $dir/findings/<file>"
    failed+=("$name")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in ${failed[*]}"
  exit 1
fi
