#!/usr/bin/env bash
# The main demo: set up, build, and run the tutorial tour (kl_tour).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
exec build/bin/kl_tour "$@"
