#!/usr/bin/env bash
# Proves set-up on a brand-new Debian 12: builds a minimal root with Debian's
# mmdebstrap (--variant=minbase bookworm: no compiler, no Python, no
# Recommends), clones this checkout's commit into it, and runs the README's two
# commands there, as a new user would:
#   bash scripts/demo.sh    (must print the tour)
#   bash scripts/test.sh    (every test, sanitizers, fuzzing, notebooks)
# so a package that only this machine happens to have can never hide a missing
# install step. Prints how long each stage took.
#
#   bash scripts/fresh_root.sh          # needs root; installs mmdebstrap if missing
#   KLGRAD_FRESH_KEEP=1 ...             # keep the root afterwards (path printed)
#   KLGRAD_FRESH_ROOT=DIR ...           # where to build the root (default: a new /tmp dir)
#
# Exit status: that of the first command that failed; 3 when no fresh root can
# be made here (not root, no mmdebstrap, no chroot): .ci/run then falls back.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$repo" rev-parse HEAD)"

cannot() { echo "fresh_root: $*" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || cannot "needs root (mmdebstrap and chroot); run as root, or use bash scripts/test.sh"
if ! command -v mmdebstrap >/dev/null; then
  echo "fresh_root: installing mmdebstrap"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap; } \
    >/dev/null || cannot "could not install mmdebstrap with apt-get"
fi

root="${KLGRAD_FRESH_ROOT:-$(mktemp -d /tmp/klgrad-fresh.XXXXXX)}"
mounts=()
cleanup() {
  for ((k = ${#mounts[@]} - 1; k >= 0; k--)); do umount -l "${mounts[k]}" 2>/dev/null || true; done
  if [ "${KLGRAD_FRESH_KEEP:-0}" = 1 ]; then
    echo "fresh_root: kept $root"
  elif [ -z "$(findmnt -rn -o TARGET | grep -F "$root" || true)" ]; then
    rm -rf --one-file-system "$root"
  else
    echo "fresh_root: $root still has mounts; not removed" >&2
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
}

echo "== fresh root: mmdebstrap --variant=minbase bookworm $root"
rm -rf --one-file-system "$root"
mmdebstrap --quiet --variant=minbase bookworm "$root" || cannot "mmdebstrap failed (see above)"
stage "mmdebstrap (minimal Debian 12 root)"

# The clone: exactly this commit, nothing from the work tree.
git clone --quiet --no-hardlinks "$repo" "$root/root/klgrad"
git -C "$root/root/klgrad" checkout --quiet --detach "$commit"
# What a booted machine has and a bare directory lacks: /proc (ASan, LSan and
# nproc read it), terminals for apt's log (/dev/pts), a shared-memory /dev/shm,
# and name resolution for apt-get.
for m in proc dev/pts dev/shm; do mkdir -p "$root/$m"; done
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts" && mounts+=("$root/dev/pts")
mount -t tmpfs shm "$root/dev/shm" && mounts+=("$root/dev/shm")
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
stage "clone $commit"

in_root() {  # a clean environment, as a new root shell would have
  chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 CI="${CI:-}" TERM=dumb ${KLGRAD_SKIP_SANITIZE:+KLGRAD_SKIP_SANITIZE=$KLGRAD_SKIP_SANITIZE} \
    ${KLGRAD_SKIP_FUZZ:+KLGRAD_SKIP_FUZZ=$KLGRAD_SKIP_FUZZ} bash -c "cd /root/klgrad && $1"
}

status=0
echo "== fresh root: bash scripts/demo.sh"
in_root "bash scripts/demo.sh" >"$root/demo.out" || status=$?
cat "$root/demo.out"
stage "bash scripts/demo.sh (set-up, build, tour)"
if [ "$status" -ne 0 ]; then summary; echo "fresh_root: the demo command failed (exit $status)"; exit "$status"; fi
grep -q "0.0935" "$root/demo.out" || { summary; echo "fresh_root: the demo ran but did not print the tour's 0.0935"; exit 1; }

echo "== fresh root: bash scripts/test.sh"
in_root "bash scripts/test.sh" || status=$?
stage "bash scripts/test.sh (set-up, every test)"
summary
if [ "$status" -ne 0 ]; then echo "fresh_root: the test command failed (exit $status)"; exit "$status"; fi
echo "fresh_root: both README commands passed in a fresh Debian 12 root"
