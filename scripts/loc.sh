#!/usr/bin/env bash
# Code lines per library target, counted by Debian's cloc (blank and
# comment-only lines excluded; headers and sources both count):
#   bash scripts/loc.sh            one line per target, e.g. "klgrad::core 1870"
#   bash scripts/loc.sh --files    the same, then every file of klgrad::core with its
#                                  total and code lines (docs/READING.md's table)
# Each target is one folder lib/<name>/ (include/ and src/ inside it). The
# teaching core, klgrad::core, is meant to stay at or under 2,000 code lines.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cloc >/dev/null; then
  echo "loc.sh: installing cloc" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends cloc >/dev/null
fi
langs="C++,C/C++ Header"
for dir in lib/*/; do
  [ -d "$dir/src" ] || continue
  code=$(cloc --quiet --csv --include-lang="$langs" "$dir" | awk -F, '$2 == "SUM" {print $5}')
  echo "klgrad::$(basename "$dir") ${code:-0}"
done
if [ "${1:-}" = "--files" ]; then
  echo
  echo "lines code file (klgrad::core)"
  cloc --quiet --csv --by-file --include-lang="$langs" lib/core | awk -F, 'NR > 1 && $2 != "SUM" && $2 != "" {
    printf "%5d %4d %s\n", $3 + $4 + $5, $5, $2 }' | sort -k3
fi
