#!/usr/bin/env bash
# The main demo: set up, build what the tour needs (the library and kl_tour,
# not the test suite), and run the tutorial tour. Set-up and build progress go
# to stderr; stdout is the tour alone.
set -euo pipefail
cd "$(dirname "$0")/.."
KLGRAD_TARGETS=kl_tour bash scripts/setup.sh >&2
exec build/bin/kl_tour "$@"
