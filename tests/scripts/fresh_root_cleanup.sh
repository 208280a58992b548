#!/usr/bin/env bash
# scripts/fresh_root.sh leaves nothing behind, even under SIGKILL:
#   1. a run killed with kill -9 in its longest stage leaves no process and no
#      mount of its root, at once (its namespaces die with it);
#   2. the clean-up of a later run removes that stale root and says so,
#      while the root of a run that is still alive survives it;
#   3. an ordinary exit removes its own root.
# The runs use KLGRAD_FRESH_FAKE (a tiny root instead of Debian's, with the
# same mounts) and their own KLGRAD_FRESH_BASE, so nothing else is touched.
# Needs root; exits 77 (CTest: skipped) with a message otherwise.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
script="$repo/scripts/fresh_root.sh"
skip() { echo "skipped: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (mount and pid namespaces, chroot); run the test command as root"
{ unshare --mount --pid --fork true || unshare --mount --propagation unchanged --pid --fork true; } 2>/dev/null || skip "unshare cannot make mount and pid namespaces here"

base="$(mktemp -d /tmp/klgrad-fresh-test.XXXXXX)"
pids=()
finish() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf --one-file-system "$base"
}
trap finish EXIT
fail() { echo "FAIL: $*"; echo "--- findmnt:"; findmnt -rn -o TARGET | grep -F "$base" || true; exit 1; }

# Each run's "demo" is a sleep of its own length, so /proc tells the runs apart.
start_run() {  # start_run SECONDS: sets run_pid (a child of this shell, so wait reaps it)
  KLGRAD_FRESH_BASE="$base" KLGRAD_FRESH_FAKE="sleep $1" bash "$script" >"$base/$1.log" 2>&1 &
  run_pid=$!
  pids+=("$run_pid")
}
wait_for_stage() {  # wait_for_stage SECONDS: until the run's chrooted sleep runs
  for _ in $(seq 1 200); do
    [ -n "$(sleeper "$1")" ] && return 0
    sleep 0.05
  done
  cat "$base/$1.log"; ls -la "$base"; fail "run $1 never reached its demo stage"
}
sleeper() {  # sleeper SECONDS: the pids running exactly `sleep SECONDS` (no procps in a minimal root)
  local p
  for p in /proc/[0-9]*; do
    [ "$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null)" = "sleep $1 " ] && echo "${p#/proc/}"
  done
  return 0
}
roots() { find "$base" -maxdepth 1 -name 'klgrad-fresh.*' | sort; }

# 1. kill -9 in the longest stage.
start_run 601; a=$run_pid
wait_for_stage 601
killed_root="$(roots)"
[ -n "$killed_root" ] || fail "the run made no root under $base"
[ -f "$killed_root/owner" ] || fail "the root has no owner file"
[ -z "$(findmnt -rn -o TARGET | grep -F "$base" || true)" ] || fail "a live run's mounts are visible outside its namespace"
kill -9 "$a"
wait "$a" 2>/dev/null || true
sleep 0.2
[ -z "$(sleeper 601)" ] || fail "a process of the killed run is still alive"
[ -z "$(findmnt -rn -o TARGET | grep -F "$base" || true)" ] || fail "the killed run left mounts"
[ -d "$killed_root" ] || fail "expected the killed run's root on disk (the clean-up is what removes it)"
echo "ok: kill -9 left no process and no mount; its root $killed_root stays until a clean-up"

# 2. the next run removes the stale root and says so; a live run's root
#    survives another run's clean-up.
start_run 602; b=$run_pid
wait_for_stage 602
cat "$base/602.log"
grep -q "removed $killed_root" "$base/602.log" || fail "the next run did not say it removed $killed_root"
grep -q "MiB back" "$base/602.log" || fail "the next run did not say how much space it got back"
[ ! -e "$killed_root" ] || fail "the stale root $killed_root is still there"
alive_root="$(roots)"
clean="$(KLGRAD_FRESH_BASE="$base" bash "$script" --clean)"
echo "$clean"
grep -q "kept $alive_root" <<<"$clean" || fail "the clean-up did not say it kept the live root $alive_root"
[ -d "$alive_root/root" ] || fail "the live run's root $alive_root was removed"
[ -n "$(sleeper 602)" ] || fail "the live run died during another run's clean-up"
echo "ok: the next run removed the stale root; a clean-up kept the live one"

# 3. an ordinary end (SIGTERM to the run's namespace: its sleep) removes its own root.
kill -TERM $(sleeper 602)
wait "$b" 2>/dev/null || true
[ ! -e "$alive_root" ] || fail "a run that ended normally left its root $alive_root"
[ -z "$(findmnt -rn -o TARGET | grep -F "$base" || true)" ] || fail "mounts left after an ordinary end"
echo "ok: an ordinary end removed its own root"
echo "fresh_root_cleanup: all 3 checks passed"
