#!/usr/bin/env bash
# Proves set-up on a brand-new Debian 12: builds a minimal root with Debian's
# mmdebstrap (--variant=minbase bookworm: no compiler, no Python, no
# Recommends), clones this checkout's commit into it, and runs the README's two
# commands there, as a new user would:
#   bash scripts/demo.sh    (must print the tour)
#   bash scripts/test.sh    (every test, sanitizers, fuzzing, notebooks)
# so a package that only this machine happens to have can never hide a missing
# install step. Prints how long each stage took and the free disk space.
#
#   bash scripts/fresh_root.sh          # needs root; installs mmdebstrap if missing
#   bash scripts/fresh_root.sh --clean  # only remove roots left by runs that died
#   bash scripts/fresh_root.sh --check  # exit 0 if a fresh root can be made here, else 3
#   KLGRAD_FRESH_KEEP=1 ...             # keep the root afterwards (path printed)
#   KLGRAD_FRESH_BASE=DIR ...           # where roots are made and swept (default /tmp)
#
# Nothing is left behind, however the run ends. The whole run lives in its own
# mount and pid namespaces (unshare): the root's mounts exist only in there, and
# when the run's first process dies, even by SIGKILL, the kernel kills every
# process of the run and drops its mounts with them. Only the root's files stay
# on disk; each root has an `owner` file (the run's pid and start time), and
# every run first removes the roots whose owner is gone. A live run's root is
# never touched.
#
# Each run makes BASE/klgrad-fresh.XXXXXX/ holding `owner` and `root/` (the
# Debian root). Exit status: that of the first command that failed; 3 when no
# fresh root can be made here (not root, no mmdebstrap, no chroot, no unshare).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
base="${KLGRAD_FRESH_BASE:-/tmp}"
mode="${1:-run}"
case "$mode" in run | --clean | --check) ;; *)
  echo "fresh_root: unknown argument '$mode'; use no argument, --clean or --check" >&2; exit 2 ;;
esac

cannot() { echo "fresh_root: $*" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || cannot "needs root (mmdebstrap, chroot, unshare); run as root, or use bash scripts/test.sh"
command -v unshare >/dev/null || cannot "no unshare (util-linux) on this machine"
# Mounts made in the run's namespace must not propagate out: make them private.
# Inside a chroot (a fresh root's own tests) "/" is no mount point and cannot
# be made private; there the enclosing run's namespace is private already.
propagation=private
unshare --mount --propagation private true 2>/dev/null || propagation=unchanged
unshare --mount --propagation "$propagation" --pid --fork true 2>/dev/null ||
  cannot "unshare cannot make mount and pid namespaces here"

# ---- roots left by earlier runs -------------------------------------------
start_time() {  # start_time PID: when PID started (field 22 of /proc/PID/stat); fails if PID is gone
  local stat; stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"; set -- $stat
  case "$1" in Z | X) return 1 ;; esac  # a zombie has died; it only waits to be reaped
  echo "${20}"
}
owner_alive() {  # owner_alive DIR: the run that made DIR still exists
  local pid started
  if [ -f "$1/owner" ]; then
    read -r pid started <"$1/owner" || return 1
    [ -n "$pid" ] && [ "$(start_time "$pid" || true)" = "$started" ]
  else  # a root from before owner files: live while a process runs chrooted in it
    local p
    for p in /proc/[0-9]*; do
      case "$(readlink "$p/root" 2>/dev/null)" in "$1"/*) return 0 ;; esac
    done
    return 1
  fi
}
sweep() {  # removes BASE/klgrad-fresh.* whose run is gone; prints what and how much
  local dir freed=0 kb
  for dir in "$base"/klgrad-fresh.*; do
    [ -d "$dir" ] || continue
    if owner_alive "$dir"; then
      echo "fresh_root: kept $dir (its run, $(cut -d' ' -f1 "$dir/owner" 2>/dev/null || echo "a chrooted process"), is still alive)"
      continue
    fi
    # Mounts made before runs had their own namespace are still in ours: undo them.
    { findmnt -rn -o TARGET | grep -F "$dir/" || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
    if findmnt -rn -o TARGET | grep -qF "$dir/"; then
      echo "fresh_root: $dir still has mounts after umount; not removed" >&2; continue
    fi
    kb="$(du -skx "$dir" 2>/dev/null | cut -f1 || echo 0)"
    rm -rf --one-file-system "$dir"
    freed=$((freed + kb))
    echo "fresh_root: removed $dir, left by a run that died ($((kb / 1024)) MiB back)"
  done
  [ "$freed" -eq 0 ] || echo "fresh_root: $((freed / 1024)) MiB back from stale roots"
}
free_space() { df -h --output=avail "$base" | tail -1 | tr -d ' '; }

if [ "$mode" = --clean ]; then sweep; exit 0; fi
if [ -z "${KLGRAD_FRESH_OWNER:-}" ]; then
  sweep
  # Re-run this script as the first process of new mount and pid namespaces.
  # --kill-child: if unshare itself is killed, its child (pid 1 of the new
  # namespace) is killed too, and with it every process of the run.
  export KLGRAD_FRESH_OWNER="$$ $(start_time $$)" KLGRAD_FRESH_FREE_START="$(free_space)"
  exec unshare --mount --propagation "$propagation" --pid --kill-child=KILL -- bash "$0" "$mode"
fi

if [ "${KLGRAD_FRESH_FAKE:-}" ]; then
  : # tests/scripts: a tiny root instead of Debian's, made below
elif ! command -v mmdebstrap >/dev/null; then
  echo "fresh_root: installing mmdebstrap"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap; } \
    >/dev/null || cannot "could not install mmdebstrap with apt-get"
fi
[ "$mode" = --check ] && exit 0

commit="$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo "no-git-checkout")"
top="$(mktemp -d "$base/klgrad-fresh.XXXXXX")"
echo "$KLGRAD_FRESH_OWNER" >"$top/owner"
root="$top/root"
cleanup() {  # an ordinary exit; SIGKILL skips this, and the namespaces do the rest
  umount -R "$root/proc" "$root/dev/pts" "$root/dev/shm" 2>/dev/null || true
  if [ "${KLGRAD_FRESH_KEEP:-0}" = 1 ]; then
    echo "fresh_root: kept $root"
  elif [ -z "$(findmnt -rn -o TARGET | grep -F "$top/" || true)" ]; then
    rm -rf --one-file-system "$top"
    echo "fresh_root: removed this run's root; free disk space in $base now $(free_space)"
  else
    echo "fresh_root: $top still has mounts; not removed" >&2
  fi
}
trap cleanup EXIT

t0=$SECONDS
times=()
stage() {  # stage NAME: records the time since the last stage
  local took=$((SECONDS - t0))
  times+=("$(printf '%-44s %5d s' "$1" "$took")"); t0=$SECONDS
  echo "== fresh root: $1 took $took s"
}
summary() {
  echo "== fresh-root summary (commit ${commit:0:12}, $(nproc) cores):"
  printf '   %s\n' "${times[@]}"
  echo "   free disk space in $base: $KLGRAD_FRESH_FREE_START at the start, $(free_space) at the end (root still there)"
}

if [ "${KLGRAD_FRESH_FAKE:-}" ]; then
  # A root just big enough to chroot into (bash, env, sleep and their
  # libraries), so tests can exercise mounts, kills and clean-up in seconds.
  for f in /usr/bin/bash /usr/bin/env /usr/bin/sleep; do
    for g in "$f" $(ldd "$f" | grep -o '/[^ ]*'); do mkdir -p "$root$(dirname "$g")"; cp -L "$g" "$root$g"; done
  done
  for l in bin lib lib64; do [ -e "$root/usr/$l" ] && ln -s "usr/$l" "$root/$l"; done
  mkdir -p "$root/root/klgrad" "$root/etc"
  stage "a tiny root (KLGRAD_FRESH_FAKE)"
else
  echo "== fresh root: mmdebstrap --variant=minbase bookworm $root"
  mmdebstrap --quiet --variant=minbase bookworm "$root" || cannot "mmdebstrap failed (see above)"
  stage "mmdebstrap (minimal Debian 12 root)"
  # The clone: exactly this commit, nothing from the work tree.
  git clone --quiet --no-hardlinks "$repo" "$root/root/klgrad"
  git -C "$root/root/klgrad" checkout --quiet --detach "$commit"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
fi
# What a booted machine has and a bare directory lacks: /proc (ASan, LSan and
# nproc read it), terminals for apt's log (/dev/pts), a shared-memory /dev/shm.
# They are mounted in this run's namespace only: no other process sees them.
for m in proc dev/pts dev/shm; do mkdir -p "$root/$m"; done
mount -t proc proc "$root/proc"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
mount -t tmpfs shm "$root/dev/shm"
stage "clone $commit"

in_root() {  # a clean environment, as a new root shell would have
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 CI="${CI:-}" TERM=dumb ${KLGRAD_SKIP_SANITIZE:+KLGRAD_SKIP_SANITIZE=$KLGRAD_SKIP_SANITIZE} \
    ${KLGRAD_SKIP_FUZZ:+KLGRAD_SKIP_FUZZ=$KLGRAD_SKIP_FUZZ} bash -c "cd /root/klgrad && $1"
}
demo_cmd="bash scripts/demo.sh"
test_cmd="bash scripts/test.sh"
if [ "${KLGRAD_FRESH_FAKE:-}" ]; then demo_cmd="$KLGRAD_FRESH_FAKE"; test_cmd="true"; fi

status=0
echo "== fresh root: $demo_cmd"
in_root "$demo_cmd" >"$root/demo.out" || status=$?
cat "$root/demo.out"
stage "bash scripts/demo.sh (set-up, build, tour)"
if [ "$status" -ne 0 ]; then summary; echo "fresh_root: the demo command failed (exit $status)"; exit "$status"; fi
if [ -z "${KLGRAD_FRESH_FAKE:-}" ] && ! grep -q "0.0935" "$root/demo.out"; then
  summary; echo "fresh_root: the demo ran but did not print the tour's 0.0935"; exit 1
fi

echo "== fresh root: $test_cmd"
in_root "$test_cmd" || status=$?
stage "bash scripts/test.sh (set-up, every test)"
summary
if [ "$status" -ne 0 ]; then echo "fresh_root: the test command failed (exit $status)"; exit "$status"; fi
echo "fresh_root: both README commands passed in a fresh Debian 12 root"
